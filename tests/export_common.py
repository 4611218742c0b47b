"""Shared set-up of the write-back tests: orders imported from a simulator on 127.0.0.1, real
deliveries and invoices, and the export run in its own cursor (registry test mode: the cursor
is a TestCursor whose commit is a savepoint, so the code path of production is what runs)."""

import threading
import time
from unittest.mock import patch
from urllib.parse import urlparse

from odoo.tests import Form, tagged
from odoo.tests.common import TransactionCase, _super_send

from ..clients.base import BaseClient
from ..clients.transport import Transport
from ..simulators.data import localized_catalog
from .common import run_triggered_account_actions


@tagged("post_install", "-at_install")
class MarketplaceExportCase(TransactionCase):
    backend = None
    simulator_class = None
    simulator_options = {}
    catalog_language = "de"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the export runs in a cursor of its own (registry.cursor()): one the test can see
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.partner_id.write(
            {
                "street": "Große Elbstraße 145",
                "city": "Hamburg",
                "zip": "22767",
                "country_id": cls.env.ref("base.de").id,
            }
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.warehouse.partner_id = cls.company.partner_id
        cls.products = {}
        for entry in localized_catalog(cls.catalog_language):
            cls.products[entry["sku"]] = cls.env["product.product"].create(
                {
                    "name": entry["title"],
                    "default_code": entry["sku"],
                    "barcode": entry["ean"],
                    "list_price": float(entry["price"]),
                    "type": "consu",
                    "invoice_policy": "order",
                    "taxes_id": [],
                }
            )
        fee = cls.env["product.product"].create({"name": "Carrier fee", "type": "service"})
        cls.carriers = {
            name: cls.env["delivery.carrier"].create(
                {"name": name, "product_id": fee.id, "delivery_type": "fixed"}
            )
            for name in ("DHL Paket", "DHL Express", "DPD Classic", "Hermes", "Spedition Krause")
        }
        cls.account = cls.env["marketplace.account"].create(
            {
                "name": f"Test {cls.backend}",
                "backend": cls.backend,
                "api_url": "http://127.0.0.1:9",
                "request_timeout": 2,
                "shop_timezone": "Europe/Paris",
                "warehouse_id": cls.warehouse.id,
            }
        )

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        # the simulators are on this machine and the timeout tests need the client's own timeout
        # (Odoo's tests raise every timeout under 10 s to 10 s); other addresses stay blocked
        if urlparse(request.url).hostname == "127.0.0.1":
            return _super_send(session, request, **kwargs)
        return super()._request_handler(session, request, **kwargs)

    def setUp(self):
        super().setUp()
        patcher = patch.object(BaseClient, "backoff_base", 0.0)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.sim = self.simulator_class(seed=17, orders=0, **self.simulator_options)
        self.sim.start()
        self.addCleanup(self.sim.stop)
        self.account.write(
            {"api_url": self.sim.url, "api_login": self.sim.login, "api_secret": self.sim.secret}
        )

    # --- orders and deliveries -------------------------------------------------------------------
    def import_order(self, order_id):
        """Import from the simulator; return the sales order of ``order_id``."""
        self.account._import_orders()
        sale = self.env["sale.order"].search(
            [
                ("marketplace_account_id", "=", self.account.id),
                ("marketplace_order_id", "=", str(order_id)),
            ]
        )
        self.assertEqual(len(sale), 1, f"order {order_id} imported")
        return sale

    def imported_orders(self, add, count):
        """``count`` orders made on the shop by ``add()``, imported: (their raw orders, their
        sales orders in the same order)."""
        raws = [add() for __ in range(count)]
        self.account._import_orders()
        sales = self.env["sale.order"].search(
            [("marketplace_account_id", "=", self.account.id)], order="id"
        )
        self.assertEqual(len(sales), count)
        return raws, sales

    def open_delivery(self, sale):
        return sale.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )

    def deliver(self, sale, quantities=None, tracking="", carrier="DHL Paket", **values):
        """Validate the open delivery of ``sale`` with ``quantities`` {sku: qty} (default:
        everything), the rest going to a backorder; return the validated delivery."""
        picking = self.open_delivery(sale)
        self.assertEqual(len(picking), 1)
        picking.write(
            {
                "carrier_id": self.carriers[carrier].id if carrier else False,
                "carrier_tracking_ref": tracking or False,
                **values,
            }
        )
        for move in picking.move_ids:
            wanted = move.product_uom_qty
            if quantities is not None:
                wanted = quantities.get(move.product_id.default_code, 0)
            move.quantity = wanted
            move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            wizard = Form(self.env[result["res_model"]].with_context(**result["context"])).save()
            wizard.process()
        self.assertEqual(picking.state, "done")
        return picking

    def invoice(self, sale):
        invoice = sale._create_invoices()
        invoice.action_post()
        return invoice

    # --- sending ---------------------------------------------------------------------------------
    def send(self):
        """The scheduled action; return the export run it logged (or an empty record)."""
        before = self.env["marketplace.run"].search([("account_id", "=", self.account.id)]).ids
        self.sim.reset_requests()
        self.env["marketplace.account"]._cron_export_updates()
        run_triggered_account_actions(self.env)  # the other accounts, in other cron workers
        self.env.invalidate_all()
        return self.env["marketplace.run"].search(
            [("account_id", "=", self.account.id), ("id", "not in", before)]
        )

    def sent(self, method=None, path=None):
        """The API requests the simulator received since the last send (token requests aside)."""
        return [
            request
            for request in self.sim.requests
            if (method is None or request["method"] == method)
            and (path is None or request["path"].startswith(path))
            and request["path"] != "/v1/token"
        ]

    def wait_for(self, condition, seconds=8):
        """Wait for the simulator to finish a request the client gave up on."""
        deadline = time.monotonic() + seconds
        while not condition():
            self.assertLess(time.monotonic(), deadline, "the simulator did not get there")
            time.sleep(0.05)

    def exports(self, sale, kind=None):
        exports = sale.marketplace_export_ids
        return exports.filtered(lambda e: e.kind == kind) if kind else exports

    def mapping(self, code):
        return self.account.status_mapping_ids.filtered(lambda m: m.code == code)


def watch_requests(wanted):
    """(patch of Transport.send, watch): counts the requests ``wanted(method, url)`` selects
    that are in flight at once."""
    lock, watch = threading.Lock(), {"now": 0, "most": 0}
    send = Transport.send

    def watched(transport, method, url, **kwargs):
        if not wanted(method, url):
            return send(transport, method, url, **kwargs)
        with lock:
            watch["now"] += 1
            watch["most"] = max(watch["most"], watch["now"])
        try:
            return send(transport, method, url, **kwargs)
        finally:
            with lock:
                watch["now"] -= 1

    return patch.object(Transport, "send", watched), watch
