import re

import polib

from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tests.common import BaseCase, TransactionCase

# Python %-format directives as Odoo's _() fills them: %s, %d, %(name)s, %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
MARKUP = re.compile(r"<[^>]+>")


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


@tagged("post_install", "-at_install")
class TestTranslationFiles(BaseCase):
    """Every term of the template is translated, with the placeholders and markup of its source.

    A translation that drops or renames a placeholder makes Odoo's _() fail (or print the raw
    directive) at the moment a merchant reads the message; one that loses markup breaks a view.
    """

    LANGS = ("de", "fr")

    def _i18n(self, name):
        return f"{get_module_path('sale_marketplace_connector')}/i18n/{name}"

    def test_every_term_translated(self):
        template = {e.msgid for e in polib.pofile(self._i18n("sale_marketplace_connector.pot"))}
        for lang in self.LANGS:
            with self.subTest(lang=lang):
                po = polib.pofile(self._i18n(f"{lang}.po"))
                self.assertFalse([e.msgid for e in po if e.obsolete], "obsolete entries left")
                self.assertFalse([e.msgid for e in po.fuzzy_entries()], "fuzzy entries left")
                self.assertEqual({e.msgid for e in po}, template, "not merged with the template")
                self.assertFalse(
                    [e.msgid for e in po.untranslated_entries()], "untranslated entries"
                )

    def test_placeholders_and_markup_match(self):
        for lang in self.LANGS:
            for entry in polib.pofile(self._i18n(f"{lang}.po")).translated_entries():
                with self.subTest(lang=lang, msgid=entry.msgid[:60]):
                    self.assertEqual(
                        sorted(PLACEHOLDER.findall(entry.msgstr)),
                        sorted(PLACEHOLDER.findall(entry.msgid)),
                        f"placeholders differ in {entry.msgstr!r}",
                    )
                    self.assertEqual(
                        sorted(MARKUP.findall(entry.msgstr)),
                        sorted(MARKUP.findall(entry.msgid)),
                        f"markup differs in {entry.msgstr!r}",
                    )
