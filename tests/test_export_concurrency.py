import re
import threading
from collections import Counter
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import Form, tagged

from ..clients.transport import Transport
from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from .export_common import MarketplaceExportCase, watch_requests

ORDERS = 6
ID_ORDER = re.compile(rb"<id_order>(?:<!\[CDATA\[)?(\d+)")


@tagged("post_install", "-at_install")
class TestExportConcurrency(MarketplaceExportCase):
    """PrestaShop status changes of different orders are sent together (at most the account's
    Concurrent Requests at once), never two of one order at once, in the order they were marked,
    and the exactly-once rules hold: an answer lost is looked up, never sent again blind."""

    backend = "prestashop"
    simulator_class = PrestaShopSimulator
    # a shop answering as real ones do: the requests of different orders overlap
    simulator_options = {"latency_ms": 80}
    catalog_language = "fr"

    def setUp(self):
        super().setUp()
        # paid orders come in as quotations to review; confirming one marks the status 3
        self.mapping("2").write({"document_type": "quotation", "document_state": "draft"})

    def confirmed_orders(self, count):
        raws, sales = self.imported_orders(
            lambda: self.sim.add_order(2, [("PZ-1000", 1)], shipping=None, discount=None), count
        )
        sales.action_confirm()
        return raws, sales

    def send_watched(self):
        """Send, watching the status POSTs in flight: (run, most in flight, most in flight of
        one order, threads that sent)."""
        lock = threading.Lock()
        watch = {"now": Counter(), "most": 0, "most_one_order": 0, "threads": set()}
        send = Transport.send

        def watched(transport, method, url, **kwargs):
            if method != "POST" or "order_histories" not in url:
                return send(transport, method, url, **kwargs)
            order = ID_ORDER.search(kwargs["data"]).group(1)
            with lock:
                watch["now"][order] += 1
                watch["most"] = max(watch["most"], sum(watch["now"].values()))
                watch["most_one_order"] = max(watch["most_one_order"], watch["now"][order])
                watch["threads"].add(threading.get_ident())
            try:
                return send(transport, method, url, **kwargs)
            finally:
                with lock:
                    watch["now"][order] -= 1

        with patch.object(Transport, "send", watched):
            run = self.send()
        self.assertIn(run.state, ("done", "partial"), run.message)  # the run came to its end
        return run, watch

    def test_status_changes_of_different_orders_go_together(self):
        raws, sales = self.confirmed_orders(ORDERS)
        run, watch = self.send_watched()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.sent_count, ORDERS, run.line_ids.mapped("message"))
        self.assertEqual(watch["most"], 4)  # the account's Concurrent Requests
        self.assertGreater(len(watch["threads"]), 1)
        self.assertEqual(
            sorted(self.sim.status_changes), sorted((str(raw["id"]), "3") for raw in raws)
        )
        self.assertEqual(set(self.exports(sales, "status").mapped("state")), {"sent"})

    def test_the_runs_database_cursor_stays_in_the_runs_thread(self):
        """The requests of updates (statuses, and messages, whose text is read from the update)
        run in threads of the pool without Odoo: every SQL query of the run is the run's
        thread's (two threads on one cursor get each other's answers)."""
        self.account.export_document_numbers = True
        __, sales = self.confirmed_orders(ORDERS)
        self.assertEqual(len(self.exports(sales, "note")), ORDERS)
        threads, execute = set(), Cursor.execute

        def watched(cursor, *args, **kwargs):
            threads.add(threading.current_thread().name)
            return execute(cursor, *args, **kwargs)

        with patch.object(Cursor, "execute", watched):
            run, watch = self.send_watched()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.sent_count, 2 * ORDERS, run.line_ids.mapped("message"))
        self.assertGreater(len(watch["threads"]), 1)  # the requests went in threads
        self.assertEqual([name for name in threads if name.startswith("smc-send")], [])
        self.assertEqual(
            sorted(m["message"] for m in self.sim.resources["customer_messages"].values()),
            sorted(f"Odoo order {sale.name}" for sale in sales),
        )

    def test_updates_of_one_order_never_at_once_and_in_order(self):
        raws, sales = self.confirmed_orders(3)
        first = sales[0]
        # the first order is cancelled too before anything is sent: two status updates of it
        first.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(len(self.exports(first, "status")), 2)
        run, watch = self.send_watched()
        self.assertEqual(run.sent_count, 4, run.line_ids.mapped("message"))
        self.assertEqual(watch["most_one_order"], 1)
        self.assertGreater(watch["most"], 1)
        ordered = [
            code for order_id, code in self.sim.status_changes if order_id == str(raws[0]["id"])
        ]
        self.assertEqual(ordered, ["3", "6"])

    def test_a_lost_answer_is_looked_up_not_sent_again(self):
        raws, sales = self.confirmed_orders(ORDERS)
        # the shop sets the status, then the connection breaks: the answer is lost
        self.sim.inject("disconnect", path="/api/order_histories", method="POST")
        run, __ = self.send_watched()
        self.assertEqual(run.sent_count, ORDERS - 1, run.line_ids.mapped("message"))
        unknown = self.exports(sales, "status").filtered("outcome_unknown")
        self.assertEqual(len(unknown), 1)
        self.assertEqual(unknown.state, "to_send")
        self.assertEqual(len(self.sim.status_changes), ORDERS)  # the shop did it
        unknown.next_attempt_at = False
        run = self.send()
        self.assertEqual(run.sent_count, 1, run.line_ids.mapped("message"))
        self.assertFalse(self.sent("POST"))  # looked up, found done: not sent again
        self.assertEqual(
            sorted(self.sim.status_changes), sorted((str(raw["id"]), "3") for raw in raws)
        )


@tagged("post_install", "-at_install")
class TestCsCartExportConcurrency(MarketplaceExportCase):
    """CS-Cart's status changes (a PUT, then the status read back) of different orders go
    together too."""

    backend = "cscart"
    simulator_class = CsCartSimulator
    simulator_options = {"latency_ms": 80}
    catalog_language = "fr"

    def test_status_changes_of_different_orders_go_together(self):
        self.mapping("O").write({"document_type": "quotation", "document_state": "draft"})
        raws, sales = self.imported_orders(
            lambda: self.sim.add_order("O", [("RS-25L", 1)], shipping=None, discount=None),
            ORDERS,
        )
        sales.action_confirm()
        watching, watch = watch_requests(lambda method, url: True)
        with watching:
            run = self.send()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.sent_count, ORDERS, run.line_ids.mapped("message"))
        self.assertEqual(watch["most"], 4)  # the account's Concurrent Requests
        expected = self.account._export_status("confirm").code
        self.assertEqual(
            sorted(self.sim.status_changes),
            sorted((str(raw["order_id"]), expected) for raw in raws),
        )


class ShipmentConcurrencyMixin:
    """Shipments of different orders go together (at most the account's Concurrent Requests at
    once), each order's shipment made once; a lost answer is looked up, never sent again blind.
    Each shop's class says how an order is made, the request that makes a shipment and what the
    shop then has."""

    simulator_options = {"latency_ms": 80}
    method = "POST"  # the request that makes the shipment on the shop
    path = ""  # the end of its path

    def add(self):
        raise NotImplementedError

    def tracking(self, index, sale):
        raise NotImplementedError

    def shipped(self):
        """(order id, tracking number) of each shipment the shop has, sorted."""
        raise NotImplementedError

    def delivered_orders(self):
        raws, sales = self.imported_orders(self.add, ORDERS)
        for index, sale in enumerate(sales):
            self.deliver(sale, tracking=self.tracking(index, sale))
        return raws, sales

    def expected(self, sales):
        return sorted(
            (sale.marketplace_order_id, sale.picking_ids.carrier_tracking_ref) for sale in sales
        )

    def test_shipments_of_different_orders_go_together(self):
        __, sales = self.delivered_orders()
        watching, watch = watch_requests(
            lambda method, url: method == self.method and self.path in url
        )
        with watching:
            run = self.send()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(watch["most"], 4)  # the account's Concurrent Requests
        self.assertEqual(self.shipped(), self.expected(sales))
        self.assertEqual(set(self.exports(sales, "shipment").mapped("state")), {"sent"})

    def lose_an_answer(self):
        """The shop makes the next shipment, its answer comes too late: lost."""
        self.sim.inject("slow", path=self.path, method=self.method, seconds=3)

    def check_shipped(self, sales):
        """The shop has each order's shipment once."""
        self.assertEqual(self.shipped(), self.expected(sales))

    def test_a_lost_answer_of_a_shipment_is_looked_up_not_sent_again(self):
        __, sales = self.delivered_orders()
        self.lose_an_answer()
        self.send()
        unknown = self.exports(sales, "shipment").filtered("outcome_unknown")
        self.assertEqual(len(unknown), 1)
        self.assertEqual(unknown.state, "to_send")
        self.wait_for(lambda: len(self.shipped()) == ORDERS)  # the shop did it
        unknown.next_attempt_at = False
        self.send()
        self.assertEqual(unknown.state, "sent")
        self.assertEqual(self.sent(self.method), [])  # looked up, found there: not made again
        self.check_shipped(sales)


@tagged("post_install", "-at_install")
class TestPrestaShopShipmentConcurrency(ShipmentConcurrencyMixin, MarketplaceExportCase):
    """PrestaShop shipments: the order carrier read, then put back with the tracking number;
    a buyer mailed by the PUT is mailed once."""

    backend = "prestashop"
    simulator_class = PrestaShopSimulator
    catalog_language = "fr"
    method, path = "PUT", "/api/order_carriers/"

    def add(self):
        return self.sim.add_order(2, [("PZ-1000", 1)], shipping=None, discount=None)

    def tracking(self, index, sale):
        return f"6A{index}"

    def shipped(self):
        return sorted(self.sim.tracking_updates)

    def lose_an_answer(self):
        # a PUT that mails the buyer is not repeated blind: each buyer is mailed once
        self.account.export_notify_buyer = True
        return super().lose_an_answer()

    def check_shipped(self, sales):
        self.assertEqual(len(self.sim.in_transit_mails), ORDERS)
        return super().check_shipped(sales)


@tagged("post_install", "-at_install")
class TestCsCartShipmentConcurrency(ShipmentConcurrencyMixin, MarketplaceExportCase):
    """CS-Cart shipments: the order's shipping method read, then the shipment POSTed."""

    backend = "cscart"
    simulator_class = CsCartSimulator
    catalog_language = "fr"
    path = "/shipments"

    def add(self):
        return self.sim.add_order(
            "P", [("PZ-1000", 1)], shipping=None, discount=None, shipping_id=2
        )

    def tracking(self, index, sale):
        return f"1Z{index}"

    def shipped(self):
        return sorted((str(s["order_id"]), s["tracking_number"]) for s in self.sim.shipments)


@tagged("post_install", "-at_install")
class TestOttoShipmentConcurrency(ShipmentConcurrencyMixin, MarketplaceExportCase):
    """OTTO shipments, a lost answer looked up by the tracking key."""

    backend = "otto"
    simulator_class = OttoSimulator
    path = "/v1/shipments"

    def add(self):
        return self.sim.add_order("PROCESSABLE", [("MB-6", 1)], delivery_fee=None, discount=None)

    def tracking(self, index, sale):
        return f"M{sale.marketplace_order_id[-6:]}{index}"

    def shipped(self):
        return sorted(
            (s["positionItems"][0]["salesOrderId"], s["trackingKey"]["trackingNumber"])
            for s in self.sim.shipments
        )


@tagged("post_install", "-at_install")
class TestOttoCancellationConcurrency(MarketplaceExportCase):
    """OTTO cancellations (position items that will never ship) of different orders go
    together, each order's items cancelled once; a lost answer is looked up on OTTO (the items
    still PROCESSABLE there), never sent again blind."""

    backend = "otto"
    simulator_class = OttoSimulator
    simulator_options = {"latency_ms": 80}

    def cancelled_orders(self):
        raws, sales = self.imported_orders(
            lambda: self.sim.add_order(
                "PROCESSABLE", [("MB-6", 1)], delivery_fee=None, discount=None
            ),
            ORDERS,
        )
        for sale in sales:
            action = sale.action_cancel()
            Form(
                self.env[action["res_model"]].with_context(**action["context"])
            ).save().action_cancel()
        self.assertEqual(set(sales.mapped("state")), {"cancel"})
        return raws

    def expected(self, raws):
        return sorted(
            (
                raw["salesOrderId"],
                "CANCELLED_BY_PARTNER",
                [raw["positionItems"][0]["positionItemId"]],
            )
            for raw in raws
        )

    def test_cancellations_of_different_orders_go_together(self):
        raws = self.cancelled_orders()
        watching, watch = watch_requests(
            lambda method, url: method == "POST" and url.endswith("/cancellation")
        )
        with watching:
            run = self.send()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.sent_count, ORDERS, run.line_ids.mapped("message"))
        self.assertEqual(watch["most"], 4)  # the account's Concurrent Requests
        self.assertEqual(sorted(self.sim.status_changes), self.expected(raws))

    def test_a_lost_answer_of_a_cancellation_is_looked_up_not_sent_again(self):
        raws = self.cancelled_orders()
        self.sim.inject("slow", path="/cancellation", method="POST", seconds=3)
        self.send()
        sales = self.env["sale.order"].search([("marketplace_account_id", "=", self.account.id)])
        unknown = self.exports(sales, "cancel").filtered("outcome_unknown")
        self.assertEqual(len(unknown), 1)
        self.assertEqual(unknown.state, "to_send")
        self.wait_for(lambda: len(self.sim.status_changes) == ORDERS)  # OTTO did it
        unknown.next_attempt_at = False
        self.send()
        self.assertEqual(unknown.state, "sent")
        self.assertIn("cancelled the items already", unknown.message)
        self.assertEqual(self.sent("POST"), [])  # looked up, found there: not sent again
        self.assertEqual(sorted(self.sim.status_changes), self.expected(raws))
