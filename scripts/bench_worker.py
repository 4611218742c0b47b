"""One benchmark measurement in a process of its own (see bench.py). Prints one JSON line."""

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


def prepare(env, args):
    """What a merchant has before importing: taxes, the products of the shop, the account."""
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
    products = {}
    for entry in localized_catalog("de"):
        products[entry["sku"]] = env["product.product"].create(
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
    account = env["marketplace.account"].create(
        {
            "name": "OTTO bench",
            "backend": "otto",
            "api_url": args.url,
            "api_login": args.login,
            "api_secret": args.secret,
            "import_announced": True,
            "import_period_days": 60,
            # the floors write sales documents only: so does the import measured against them
            # (mode import-payments measures the payment entries on top)
            "payment_create": args.mode == "import-payments",
        }
    )
    env.cr.commit()
    return account


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "mode", choices=["floor", "batched-floor", "import", "import-fallback", "import-payments"]
    )
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--login", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db, "--log-level=warn"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        account = prepare(env, args)
        if args.mode.startswith("import"):
            if args.mode == "import-fallback":
                poison_orders(env)
            result = measure(env, lambda: run_import(env, account))
            # the runs were committed by cursors of their own: a new transaction sees them
            env.cr.commit()
            run = account.last_run_id
            result.update(
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

            loader = (BatchedFloorLoader if args.mode == "batched-floor" else FloorLoader)(
                env, account
            )
            result = measure(env, loader.run)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.path.insert(0, __import__("os").path.dirname(__file__))
    main()
