"""The demo's template database, built once (scripts/demo.sh): the main company becomes a German
merchant with the German chart of accounts (SKR03: EUR, VAT 19 % and 7 %) and German is
installed next to English.

    python scripts/demo_company.py --conf ODOO_CONF --db DATABASE

The database has l10n_de installed already (``odoo-bin -i l10n_de``); the add-on is installed
later, into each copy, so that the template does not age with the add-on's code.
"""

import argparse

import odoo
from odoo.modules.registry import Registry

COMPANY = {
    "name": "Haushaltswaren Demo GmbH",
    "street": "Große Elbstraße 145",
    "zip": "22767",
    "city": "Hamburg",
    "email": "shop@haushaltswaren-demo.example",
    "phone": "+49 40 12345678",
    "website": "https://haushaltswaren-demo.example",
}


def set_up_company(env):
    company = env.ref("base.main_company")
    germany = env.ref("base.de")
    euro = env.ref("base.EUR")
    euro.active = True
    company.write({**COMPANY, "country_id": germany.id, "currency_id": euro.id})
    if company.chart_template != "de_skr03":
        env["account.chart.template"].try_loading("de_skr03", company, install_demo=False)
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    warehouse.name = "Lager Hamburg"
    env["res.lang"]._activate_lang("de_DE")
    installed = env["ir.module.module"].search([("state", "=", "installed")])
    installed._update_translations(["de_DE"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db, "--log-level=warn"])
    with Registry(args.db).cursor() as cr:
        set_up_company(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}))


if __name__ == "__main__":
    main()
