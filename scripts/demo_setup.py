"""What the demo's database holds besides the German company (scripts/demo.sh, on every start):
carriers, the shops' products, the three accounts pointing at the simulators; then an import and
a summary per account. On the first start one order of each account is delivered (DHL, with a
tracking number) and invoiced, and the shops hear of it: each shop then brings it back in its
own way (an OTTO buyer announces a return, a PrestaShop credit slip, CS-Cart's "Refunded"
status), which the scheduled import turns into a return, a credit note and a refund payment.
Idempotent: a second start finds everything and imports only what is new.

    python scripts/demo_setup.py --conf ODOO_CONF --db DATABASE \\
        --otto URL LOGIN SECRET --prestashop URL SECRET --cscart URL LOGIN SECRET
"""

import argparse
import sys
import time
from decimal import Decimal

import requests

import odoo
from odoo.modules.registry import Registry

CARRIERS = [  # name, fixed price: named so that the write-back recognises the shop's carrier
    ("DHL Paket", 4.95),
    ("DPD Classic", 4.90),
    ("GLS Paket", 4.50),
    ("Hermes Paket", 4.30),
    ("UPS Standard", 6.90),
]
STOCK_PER_PRODUCT = 40
# how often the demo's scheduled actions run (the shops change every minute)
CRON_MINUTES = {
    "sale_marketplace_connector.ir_cron_marketplace_import_orders": 2,
    "sale_marketplace_connector.ir_cron_marketplace_export_updates": 1,  # with the write-back
}


def wait_for(urls, seconds=30):
    """The simulators answer (they were started a moment ago)."""
    deadline = time.monotonic() + seconds
    for url in urls:
        while True:
            try:
                if requests.get(f"{url}/__sim/stats", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"error: the simulated shop at {url} does not answer")
            time.sleep(0.3)


def vat_taxes(env, company):
    return {rate: env.ref(f"account.{company.id}_tax_ust_{rate}_skr03") for rate in (19, 7)}


def ensure_carriers(env):
    Carrier = env["delivery.carrier"]
    for name, price in CARRIERS:
        if Carrier.search_count([("name", "=", name)]):
            continue
        product = env["product.product"].create(
            {"name": f"Versand {name}", "type": "service", "sale_ok": False, "list_price": price}
        )
        Carrier.create(
            {
                "name": name,
                "delivery_type": "fixed",
                "fixed_price": price,
                "product_id": product.id,
            }
        )


def ensure_products(env, company, taxes):
    """The catalogue the simulators sell, with the shops' SKUs and EANs, net prices, German VAT
    and stock in the warehouse."""
    from odoo.addons.sale_marketplace_connector.simulators.data import CATALOG

    Product = env["product.product"]
    known = set(Product.search([]).mapped("default_code"))
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    for entry in CATALOG:
        if entry["sku"] in known:
            continue
        rate = entry["vat_rate"]
        net = Decimal(entry["price"]) / (1 + Decimal(rate) / 100)
        product = Product.create(
            {
                "name": entry["title"],
                "default_code": entry["sku"],
                "barcode": entry["ean"],
                "list_price": float(round(net, 2)),
                "type": "consu",
                "is_storable": True,
                "taxes_id": [(6, 0, taxes[rate].ids)],
            }
        )
        env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, STOCK_PER_PRODUCT
        )
    shipping = env.ref("sale_marketplace_connector.product_marketplace_shipping")
    shipping.taxes_id = taxes[19]


def ensure_accounts(env, company, args):
    """One account per simulator, found again by backend and name; its address and credentials
    follow the simulators' ports."""
    admin = env.ref("base.user_admin")
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    wanted = [
        (
            "otto",
            "OTTO Market (Demo)",
            args.otto,
            {"import_announced": True, "shop_timezone": "Europe/Berlin"},
        ),
        (
            "prestashop",
            "PrestaShop Boutique (Demo)",
            [args.prestashop[0], "", args.prestashop[1]],
            # paid shop orders are recorded too, left for an accountant to confirm
            {
                "shop_timezone": "Europe/Paris",
                "payment_create": True,
                "payment_posting": "draft",
                "export_status_shipped": "4",  # Shipped, once a delivery with tracking is done
            },
        ),
        (
            "cscart",
            "CS-Cart Store (Demo)",
            args.cscart,
            {
                "shop_timezone": "Europe/Paris",
                "payment_create": True,
                "shop_currency_id": env.ref("base.EUR").id,
                "export_status_shipped": "C",  # Complete
            },
        ),
    ]
    Account = env["marketplace.account"].with_context(active_test=False)
    accounts = Account.browse()
    for backend, name, (url, login, secret), options in wanted:
        connection = {"api_url": url, "api_login": login or False, "api_secret": secret}
        account = Account.search([("backend", "=", backend), ("name", "=", name)], limit=1)
        if account:
            account.write(connection)
        else:
            shipped = options.pop("export_status_shipped", None)
            account = Account.create(
                {
                    "name": name,
                    "backend": backend,
                    "company_id": company.id,
                    "user_id": admin.id,
                    "warehouse_id": warehouse.id,
                    **connection,
                    **options,
                }
            )
            if shipped:  # the shop hears that the order left, with its tracking number
                row = account.status_mapping_ids.filtered(lambda m, code=shipped: m.code == code)
                account.export_status_shipped_id = row
        accounts |= account
    return accounts


def ship_one_order(env, accounts):
    """Deliver and invoice the first confirmed order of each account that has none delivered
    yet, and send the shops what happened: the order the shops bring back (returns, refunds).
    Returns the orders delivered now."""
    carrier = env["delivery.carrier"].search([("name", "=", "DHL Paket")], limit=1)
    shipped = env["sale.order"]
    for account in accounts:
        orders = env["sale.order"].search(
            [("marketplace_account_id", "=", account.id), ("state", "=", "sale")], order="id"
        )
        if orders.picking_ids.filtered(lambda p: p.state == "done") or orders.invoice_ids:
            continue  # done on an earlier start
        sale = orders.filtered(
            lambda o: (
                not o.marketplace_backlog
                and o.picking_ids.filtered(lambda p: p.state == "assigned")
            )
        )[:1]
        if not sale:
            continue
        picking = sale.picking_ids.filtered(lambda p: p.state == "assigned")[:1]
        picking.write({"carrier_id": carrier.id, "carrier_tracking_ref": f"00340434{sale.id:012d}"})
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        # no SMS to the buyer from the demo (Odoo asks first for a buyer with a mobile number)
        picking.with_context(skip_sms=True).button_validate()
        if picking.state != "done":
            continue
        sale._create_invoices().action_post()
        shipped |= sale
    if shipped:
        env.cr.commit()  # the sending runs work in cursors of their own
        shipped.marketplace_account_id._export_updates()
    return shipped


def set_cron_pace(env):
    for xmlid, minutes in CRON_MINUTES.items():
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.write({"interval_number": minutes, "interval_type": "minutes", "active": True})


def summary(env, accounts, runs):
    """One block per account: this start's run, the documents in Odoo, payments, failures."""
    lines = []
    orders = env["sale.order"]
    payments = env["account.payment"]
    for account in accounts:
        run = runs.filtered(lambda r, account=account: r.account_id == account)
        mine = orders.search([("marketplace_account_id", "=", account.id)])
        quotations = mine.filtered(lambda o: o.state in ("draft", "sent"))
        entries = payments.search([("marketplace_account_id", "=", account.id)])
        drafts = entries.filtered(lambda p: p.state == "draft")
        lines += [
            f"{account.name}  {account.api_url}",
            f"  this start:  {run.created_count} created, {run.updated_count} updated, "
            f"{run.skipped_count} skipped, {run.failed_count} failed ({run.state})",
            f"  in Odoo:     {len(quotations)} quotations "
            f"({len(quotations.filtered('marketplace_backlog'))} backlog), "
            f"{len(mine.filtered(lambda o: o.state == 'sale'))} sales orders, "
            f"{len(mine.filtered(lambda o: o.state == 'cancel'))} cancelled",
            f"  payments:    {len(entries)} entries ({len(entries) - len(drafts)} posted, "
            f"{len(drafts)} to review)",
        ]
        returns = env["marketplace.return"].search([("account_id", "=", account.id)])
        if returns:
            done = returns.filtered(lambda r: r.state == "done")
            lines.append(f"  returns:     {len(returns)} ({len(done)} done)")
        if run.message:
            lines.append(f"  run message: {run.message}")
        for retry in account.retry_ids.filtered(lambda r: r.state == "pending"):
            reason = " ".join((retry.reason or "").split())
            number = retry.marketplace_order_ref or retry.marketplace_order_id
            lines.append(f"  failing:     order {number}: {reason}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--otto", nargs=3, metavar=("URL", "LOGIN", "SECRET"), required=True)
    parser.add_argument("--prestashop", nargs=2, metavar=("URL", "KEY"), required=True)
    parser.add_argument("--cscart", nargs=3, metavar=("URL", "LOGIN", "KEY"), required=True)
    args = parser.parse_args()
    wait_for([args.otto[0], args.prestashop[0], args.cscart[0]])
    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db, "--log-level=warn"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        ensure_carriers(env)
        ensure_products(env, company, vat_taxes(env, company))
        accounts = ensure_accounts(env, company, args)
        # CS-Cart's own statuses, its "Refunded" one among them (a credit memo, stock back)
        accounts.filtered(lambda a: a.backend == "cscart").action_load_statuses()
        set_cron_pace(env)
        # the runs work in cursors of their own: they must see what was just set up
        cr.commit()
        admin = env.ref("base.user_admin")
        runs = accounts.with_user(admin).with_company(company)._import_orders(trigger="manual")
        cr.commit()  # a new transaction, which sees what the runs committed
        env.invalidate_all()
        shipped = ship_one_order(env, accounts.with_company(company))
        cr.commit()
        env.invalidate_all()
        print(summary(env, accounts, runs.with_env(env)))
        for sale in shipped:
            print(
                f"delivered and invoiced {sale.name} ({sale.marketplace_account_id.name}, "
                f"order {sale.marketplace_order_ref}): the shop brings it back within a few "
                "minutes (Sales > Marketplace > Returns and Refunds)"
            )


if __name__ == "__main__":
    main()
