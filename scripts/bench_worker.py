"""One benchmark measurement in a process of its own (see bench.py). Prints one JSON line.

    bench_worker.py MODE --conf ODOO_CONF --db DATABASE --accounts '[{"name", "backend", "url",
        "login", "secret", "payment_create"}, ...]'

The measuring modes take one account; ``scaleout-prepare`` sets up several for the scale-out
row (bench_scaleout.py) and prints the orders each should import.
"""

import argparse
import hashlib
import json
import resource
import sys
import time

import odoo
from odoo import sql_db
from odoo.modules.registry import Registry


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# What each backend's account needs besides its address and credentials (as in the demo).
BACKEND_OPTIONS = {
    "otto": {"import_announced": True},
    "prestashop": {"shop_timezone": "Europe/Paris"},
    "cscart": {"shop_timezone": "Europe/Paris"},
}


def prepare_catalog(env):
    """What a merchant has before importing: taxes and the products of the shops."""
    from odoo.addons.sale_marketplace_connector.simulators.data import localized_catalog

    taxes = {
        rate: env["account.tax"].create(
            {
                "name": f"Bench VAT {rate}%",
                "amount": rate,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
            }
        )
        for rate in (19, 7)
    }
    for entry in localized_catalog("de"):
        env["product.product"].create(
            {
                "name": entry["title"],
                "default_code": entry["sku"],
                "barcode": entry["ean"],
                "list_price": float(entry["price"]),
                "type": "consu",
                "taxes_id": [(6, 0, taxes[entry["vat_rate"]].ids)],
            }
        )
    env.ref("sale_marketplace_connector.product_marketplace_shipping").taxes_id = taxes[19]


def prepare_account(env, spec):
    """The account of one simulated shop (``bench_common.Simulator.account_spec``)."""
    backend = spec["backend"]
    values = {
        "name": spec["name"],
        "backend": backend,
        "api_url": spec["url"],
        "api_login": spec["login"] or False,
        "api_secret": spec["secret"],
        "import_period_days": 60,
        # the floors write sales documents only: so does the import measured against them
        # (the payment modes measure the payment entries on top)
        "payment_create": bool(spec.get("payment_create")),
        **BACKEND_OPTIONS[backend],
    }
    if backend == "cscart":
        values["shop_currency_id"] = env.ref("base.EUR").id
    return env["marketplace.account"].create(values)


def prepare(env, args):
    prepare_catalog(env)
    accounts = env["marketplace.account"]
    for spec in args.accounts:
        accounts |= prepare_account(env, spec)
    env.cr.commit()
    return accounts


def measure(env, work):
    env.cr.commit()
    env.invalidate_all()
    base = rss_mb()
    queries = sql_db.sql_counter
    started = time.perf_counter()
    documents = work()
    seconds = time.perf_counter() - started
    return {
        "documents": documents,
        "seconds": seconds,
        "queries": sql_db.sql_counter - queries,
        "base_rss_mb": base,
        "peak_rss_mb": peak_rss_mb(),
    }


def payment_results(env, account):
    """The payment entries of the account: how many, and the sum of their transactions."""
    transactions = env["payment.transaction"].search([("marketplace_account_id", "=", account.id)])
    return {
        "payments": len(transactions.payment_id),
        "payments_total": round(sum(transactions.mapped("amount")), 2),
    }


def run_import(env, account):
    [result] = account._run_imports("cron")
    return result.created


def poisoned(reference):
    """About one order in 128 (one per page): its sales order cannot be written."""
    return int(hashlib.sha1(reference.encode()).hexdigest(), 16) % 128 == 0


def poison_orders(env):
    """Make the orders ``poisoned`` picks fail when written, as a constraint of the merchant's
    database would: their page falls back to order by order."""
    from odoo.exceptions import ValidationError

    SaleOrder = type(env["sale.order"])
    create = SaleOrder.create

    def failing_create(records, vals_list):
        vals_list = vals_list if isinstance(vals_list, list) else [vals_list]
        if any(poisoned(vals.get("client_order_ref") or "") for vals in vals_list):
            raise ValidationError("benchmark: this order cannot be written")
        return create(records, vals_list)

    SaleOrder.create = failing_create


MODES = [
    "floor",
    "batched-floor",
    "payments-floor",
    "import",
    "import-fallback",
    "import-payments",
    "scaleout-prepare",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument(
        "--accounts", required=True, type=json.loads, help="JSON list of account specs"
    )
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db, "--log-level=warn"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        accounts = prepare(env, args)
        if args.mode == "scaleout-prepare":
            from bench_scaleout_setup import expected_orders, hold_crons

            result = {"expected": expected_orders(accounts), "triggers": hold_crons(env)}
            print(json.dumps(result))
            return
        account = accounts.ensure_one()
        if args.mode.startswith("import"):
            if args.mode == "import-fallback":
                poison_orders(env)
            result = measure(env, lambda: run_import(env, account))
            # the runs were committed by cursors of their own: a new transaction sees them
            env.cr.commit()
            run = account.last_run_id
            result.update(
                **payment_results(env, account),
                http_first=run.request_count,
                batched_pages=run.batched_page_count,
                fallback_pages=run.fallback_page_count,
                failed=run.failed_count,
            )
            account.invalidate_recordset()
            again = account._import_orders(trigger="cron")
            env.cr.commit()
            result["http_again"] = again.request_count
        else:
            from floor import BatchedFloorLoader, FloorLoader
            from floor_payments import PaymentsFloorLoader

            loader = {
                "floor": FloorLoader,
                "batched-floor": BatchedFloorLoader,
                "payments-floor": PaymentsFloorLoader,
            }[args.mode](env, account)
            result = measure(env, loader.run)
            result.update(loader.extra_results())
    print(json.dumps(result))


if __name__ == "__main__":
    sys.path.insert(0, __import__("os").path.dirname(__file__))
    main()
