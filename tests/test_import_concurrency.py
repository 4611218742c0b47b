import threading
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged

from ..clients.transport import Transport
from ..simulators import CsCartSimulator
from .common import CsCartOrders, MarketplaceImportCase

LATENCY_MS = 40


@tagged("post_install", "-at_install")
class TestImportConcurrency(CsCartOrders, MarketplaceImportCase):
    """CS-Cart's order details read 4 at a time (the account's Concurrent Requests) make the same
    sales orders, in the same order, as read one after the other; the writes stay in the run's
    thread."""

    def shop(self):
        sim = CsCartSimulator(seed=4, orders=24, latency_ms=LATENCY_MS)
        sim.start()
        self.addCleanup(sim.stop)
        return sim

    def import_from(self, account, sim, concurrency):
        account.write(
            {
                "api_url": sim.url,
                "api_login": sim.login,
                "api_secret": sim.secret,
                "concurrent_requests": concurrency,
            }
        )
        lock, flights = threading.Lock(), {"now": 0, "most": 0, "threads": set()}
        send = Transport.send

        def counted(transport, method, url, **kwargs):
            with lock:
                flights["now"] += 1
                flights["most"] = max(flights["most"], flights["now"])
                flights["threads"].add(threading.get_ident())
            try:
                return send(transport, method, url, **kwargs)
            finally:
                with lock:
                    flights["now"] -= 1

        writes, queries = set(), set()
        create = type(self.env["sale.order"]).create
        execute = Cursor.execute

        def create_in(records, vals_list):
            writes.add(threading.get_ident())
            return create(records, vals_list)

        def query_in(cursor, *args, **kwargs):
            queries.add(threading.get_ident())
            return execute(cursor, *args, **kwargs)

        with (
            patch.object(Transport, "send", counted),
            patch.object(type(self.env["sale.order"]), "create", create_in),
            patch.object(Cursor, "execute", query_in),
        ):
            run = account._import_orders()
        self.env.invalidate_all()
        self.assertEqual(run.failed_count, 0, run.line_ids.mapped("message"))
        # the ORM and every SQL query in the run's thread alone (not in the reading threads)
        self.assertEqual(writes, {threading.get_ident()})
        self.assertEqual(queries, {threading.get_ident()})
        return run, flights

    def described(self, account, run):
        sales = self.env["sale.order"].search(
            [("marketplace_account_id", "=", account.id)], order="id"
        )
        return [
            (
                sale.marketplace_order_id,
                sale.state,
                sale.amount_total,
                sale.partner_id.name,
                sale.partner_id.email,
                sale.partner_shipping_id.street,
                [
                    (line.product_id.default_code, line.product_uom_qty, line.price_unit)
                    for line in sale.order_line
                ],
            )
            for sale in sales
        ], [(line.marketplace_order_id, line.result) for line in run.line_ids.sorted("id")]

    def test_concurrent_details_make_identical_orders(self):
        one_by_one = self.account
        concurrent = self.env["marketplace.account"].create(
            {
                "name": "Test cscart, concurrent",
                "backend": "cscart",
                "api_url": "http://127.0.0.1:9",
                "request_timeout": 2,
                "shop_timezone": "Europe/Paris",
            }
        )
        self.assertEqual(concurrent.concurrent_requests, 4)  # the default
        run_one, flights_one = self.import_from(one_by_one, self.shop(), 1)
        run_four, flights_four = self.import_from(concurrent, self.shop(), 4)
        self.assertEqual(flights_one["most"], 1)
        self.assertEqual(flights_four["most"], 4)
        self.assertGreater(len(flights_four["threads"]), 1)
        expected = self.described(one_by_one, run_one)
        self.assertTrue(expected[0])
        self.assertEqual(self.described(concurrent, run_four), expected)
