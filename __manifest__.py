{
    "name": "Marketplace Connector (OTTO Market, PrestaShop, CS-Cart)",
    "summary": "Import marketplace and web shop orders into Odoo sales, with status mappings",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "sale_marketplace_connector developers",
    "website": "https://github.com/sale-marketplace-connector/sale_marketplace_connector",
    "license": "LGPL-3",
    "depends": ["sale_management", "sale_stock", "stock_delivery", "account"],
    "external_dependencies": {"python": ["requests", "python-dateutil", "phonenumbers"]},
    "data": [
        "security/marketplace_security.xml",
        "security/ir.model.access.csv",
        "data/product_data.xml",
        "data/ir_cron_data.xml",
        "views/marketplace_account_views.xml",
        "views/marketplace_run_views.xml",
        "views/sale_order_views.xml",
        "wizards/marketplace_fetch_wizard_views.xml",
        "views/marketplace_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sale_marketplace_connector/static/src/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
