"""The Odoo side of the soak (scripts/soak.py): the database set up as the demo's, the server with
its scheduled actions, and the people who use it through JSON-RPC (an administrator who sets the
schedule, a warehouse worker who validates deliveries).

Only stable entry points: the demo's set-up functions, the scheduled actions as Odoo's cron
threads run them, ``stock.picking.button_validate`` as a warehouse user calls it, and reading
records."""

import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from types import SimpleNamespace

import requests

import odoo
from odoo import sql_db
from odoo.modules.registry import Registry

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo_setup  # the demo's set-up, reused

CRONS = (
    "sale_marketplace_connector.ir_cron_marketplace_import_orders",
    "sale_marketplace_connector.ir_cron_marketplace_export_updates",
)
# stock enough for every order of a long soak
STOCK_PER_PRODUCT = 100_000
WAREHOUSE_LOGIN, WAREHOUSE_PASSWORD = "soak-warehouse", "soak-warehouse-2026"
ADMIN_LOGIN, ADMIN_PASSWORD = "admin", "admin"
# the shop statuses of orders a warehouse ships: paid and not yet shipped
SHIPPABLE = {"otto": ["PROCESSABLE"], "prestashop": ["2", "3"], "cscart": ["P"]}
CARRIERS = [name for name, _price in demo_setup.CARRIERS]
CRON_BUDGET_PARAMETER = "sale_marketplace_connector.cron_time_budget"
# how long a request waits for Odoo to come back after it restarted itself
RESTART_WAIT = 180


def utc_now_text():
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def prepare_database(conf, db, shops, timeout, cron_budget=None):
    """The demo's carriers, products and accounts (pointing at ``shops``: {backend: simulator}),
    more stock, the accounts as a merchant who wants everything sent (tracking numbers,
    document numbers, the shop's e-mails to the buyer), a short request timeout, the scheduled
    actions every minute (``cron_budget``: the seconds one execution of the scheduled import
    may take, instead of 80 % of the server's limit), and a warehouse user. Returns {backend:
    account id}."""
    odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
    registry = Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        demo_setup.ensure_carriers(env)
        demo_setup.ensure_products(env, company, demo_setup.vat_taxes(env, company))
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        skus = [sku for sku in env["product.product"].search([]).mapped("default_code") if sku]
        for product in env["product.product"].search([("default_code", "in", skus)]):
            if product.is_storable:
                env["stock.quant"]._update_available_quantity(
                    product, warehouse.lot_stock_id, STOCK_PER_PRODUCT
                )
        otto, shop, cart = shops["otto"], shops["prestashop"], shops["cscart"]
        accounts = demo_setup.ensure_accounts(
            env,
            company,
            SimpleNamespace(
                otto=[otto.url, otto.login, otto.secret],
                prestashop=[shop.url, shop.secret],
                cscart=[cart.url, cart.login, cart.secret],
            ),
        )
        accounts.write(
            {
                "request_timeout": timeout,
                "export_notify_buyer": True,
                "export_document_numbers": True,
            }
        )
        for xmlid in CRONS:
            env.ref(xmlid).write(
                {
                    "interval_number": 1,
                    "interval_type": "minutes",
                    "active": True,
                    "nextcall": utc_now_text(),
                }
            )
        if cron_budget:
            env["ir.config_parameter"].set_param(CRON_BUDGET_PARAMETER, str(cron_budget))
        if "stock_move_sms_validation" in company._fields:  # stock_sms: no text messages
            company.write({"stock_move_sms_validation": False})
        env.ref("base.user_admin").password = ADMIN_PASSWORD
        users = env["res.users"].with_context(no_reset_password=True)
        if not users.search([("login", "=", WAREHOUSE_LOGIN)]):
            users.create(
                {
                    "name": "Soak Warehouse",
                    "login": WAREHOUSE_LOGIN,
                    "password": WAREHOUSE_PASSWORD,
                    "company_id": company.id,
                    "company_ids": [(6, 0, company.ids)],
                    "groups_id": [
                        (
                            6,
                            0,
                            [env.ref("base.group_user").id, env.ref("stock.group_stock_user").id],
                        )
                    ],
                }
            )
        result = {account.backend: account.id for account in accounts}
    sql_db.close_all()
    return result


class RpcError(Exception):
    pass


class Rpc:
    """Odoo's external JSON-RPC (``/jsonrpc``), as one user. One per thread."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.password = url, db, password
        self.session = requests.Session()
        self.uid = self._call("common", "login", db, login, password)
        if not self.uid:
            raise RpcError(f"{login} cannot log in")

    def _call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
        }
        deadline = time.monotonic() + RESTART_WAIT
        while True:
            try:
                answer = self.session.post(self.url + "/jsonrpc", json=payload, timeout=600)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)  # Odoo restarting itself: its requests come back
        answer = answer.json()
        if "error" in answer:
            error = answer["error"]
            raise RpcError((error.get("data") or {}).get("message") or error.get("message"))
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self._call(
            "object", "execute_kw", self.db, self.uid, self.password, model, method, args, kwargs
        )

    def read_all(self, model, domain, fields):
        return self.call(model, "search_read", domain, fields=fields)


class OdooServer:
    """``odoo-bin`` serving the soak's database with two cron threads. ODOO_NOTIFY_CRON_CHANGES
    makes a change of a scheduled action's next call wake the cron threads (the pace)."""

    def __init__(self, python, odoo_bin, conf, db, port, log_path, cron_threads=2):
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        # Odoo restarts itself as ``python odoo-bin ...`` when a thread passes its time limit:
        # the virtualenv's python must come first on the PATH
        path = os.path.dirname(python) + os.pathsep + os.environ.get("PATH", "")
        env = dict(os.environ, ODOO_NOTIFY_CRON_CHANGES="1", PATH=path)
        command = [
            python,
            odoo_bin,
            "-c",
            conf,
            "-d",
            db,
            f"--db-filter=^{db}$",
            f"--http-port={port}",
            f"--max-cron-threads={cron_threads}",
            "--log-level=warn",
            # its restarts, and the stacks of the threads that passed the time limit
            "--log-handler=odoo.service.server:INFO",
            "--log-handler=odoo.tools.misc:INFO",
            f"--logfile={log_path}",
        ]
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)

    def wait_ready(self, seconds=180):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo ended at start (see {self.log_path})")
            try:
                if requests.get(self.url + "/web/health", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer within {seconds} s (see {self.log_path})")

    def restarts(self):
        """How often Odoo restarted itself: a cron thread or a request passed the server's
        real-time limit (``limit_time_real_cron``, else ``limit_time_real``)."""
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as log:
                return sum(1 for line in log if "Initiating server reload" in line)
        except FileNotFoundError:
            return 0

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class Schedule:
    """The administrator keeps the scheduled actions coming: their next call is set to now
    (Settings > Technical > Scheduled Actions), which wakes Odoo's cron threads at once. A
    scheduled action that is running cannot be changed (Odoo refuses): it is left alone."""

    def __init__(self, rpc):
        self.rpc = rpc
        names = [xmlid.split(".", 1)[1] for xmlid in CRONS]
        rows = rpc.read_all(
            "ir.model.data",
            [("module", "=", "sale_marketplace_connector"), ("name", "in", names)],
            ["res_id"],
        )
        self.cron_ids = [row["res_id"] for row in rows]
        self.nudges = 0

    def nudge(self):
        for cron_id in self.cron_ids:
            try:
                self.rpc.call("ir.cron", "write", [cron_id], {"nextcall": utc_now_text()})
                self.nudges += 1
            except RpcError:
                pass  # running now


class Warehouse:
    """A warehouse worker validating the deliveries of shippable orders: carrier, a tracking
    number, everything picked, Validate. ``validated``: what the shops are to hear of."""

    def __init__(self, admin, worker, accounts, seed):
        self.admin, self.worker, self.seed = admin, worker, seed
        self.accounts = accounts  # {backend: account id}
        self.backend_of = {account_id: backend for backend, account_id in accounts.items()}
        carriers = admin.read_all("delivery.carrier", [("name", "in", CARRIERS)], ["name"])
        self.carrier_ids = sorted(carrier["id"] for carrier in carriers)
        self.validated = []  # {picking, sale, backend, tracking}
        self.refused = []  # (picking name, reason)

    def ready(self, limit=20):
        domain = [("picking_type_code", "=", "outgoing"), ("state", "=", "assigned")]
        shippable = []
        for backend, account_id in self.accounts.items():
            shippable.append(
                [
                    "&",
                    ("sale_id.marketplace_account_id", "=", account_id),
                    ("sale_id.marketplace_status", "in", SHIPPABLE[backend]),
                ]
            )
        domain += ["|"] * (len(shippable) - 1) + [term for terms in shippable for term in terms]
        return self.admin.call(
            "stock.picking", "search_read", domain, fields=["name", "sale_id"], limit=limit
        )

    def validate(self, picking):
        picking_id = picking["id"]
        tracking = f"SOAK{self.seed}X{picking_id:07d}"
        carrier_id = self.carrier_ids[picking_id % len(self.carrier_ids)]
        try:
            self.worker.call(
                "stock.picking",
                "write",
                [picking_id],
                {"carrier_id": carrier_id, "carrier_tracking_ref": tracking},
            )
            moves = self.worker.call("stock.move", "search", [("picking_id", "=", picking_id)])
            self.worker.call("stock.move", "write", moves, {"picked": True})
            result = self.worker.call("stock.picking", "button_validate", [picking_id])
        except RpcError as exc:  # the shop cancelled the order meanwhile, say
            self.refused.append((picking["name"], str(exc).splitlines()[0][:200]))
            return
        [state] = self.worker.call("stock.picking", "read", [picking_id], ["state"])
        if state["state"] != "done":
            self.refused.append((picking["name"], f"not done ({state['state']}): {result}"))
            return
        sale = self.admin.call(
            "sale.order", "read", [picking["sale_id"][0]], ["marketplace_account_id"]
        )[0]
        self.validated.append(
            {
                "picking": picking_id,
                "name": picking["name"],
                "sale": picking["sale_id"][0],
                "backend": self.backend_of[sale["marketplace_account_id"][0]],
                "tracking": tracking,
            }
        )
