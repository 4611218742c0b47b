from odoo.tests import tagged
from odoo.tests.common import TransactionCase


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """German and French merchants see the connector in their language, status names included."""

    def _load(self, lang):
        self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(
            ["sale_marketplace_connector"], [lang], overwrite=True
        )

    def test_menus_fields_and_status_names(self):
        cases = {
            "de_DE": ("Aufträge abholen", "Marktplatz", "Verarbeitbar", "Zahlung eingegangen"),
            "fr_FR": ("Récupérer les commandes", "Place de marché", "En cours", "Paiement accepté"),
        }
        for lang in cases:
            self._load(lang)
        for lang, (fetch, marketplace, processable, payment_accepted) in cases.items():
            with self.subTest(lang=lang):
                env = self.env(context=dict(self.env.context, lang=lang))
                menu = env.ref("sale_marketplace_connector.marketplace_fetch_wizard_menu")
                self.assertEqual(menu.name, fetch)
                self.assertEqual(
                    env.ref("sale_marketplace_connector.marketplace_menu").name, marketplace
                )
                otto = env["marketplace.account"].create({"name": "OTTO", "backend": "otto"})
                row = otto.status_mapping_ids.filtered(lambda m: m.code == "PROCESSABLE")
                self.assertEqual(row.name, processable)
                self.assertEqual(row.with_context(lang="en_US").name, "Processable")
                shop = env["marketplace.account"].create({"name": "Shop", "backend": "prestashop"})
                row = shop.status_mapping_ids.filtered(lambda m: m.code == "2")
                self.assertEqual(row.name, payment_accepted)
