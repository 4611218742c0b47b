from datetime import date, datetime, time, timedelta, timezone
from unittest.mock import patch
from zoneinfo import ZoneInfo

from psycopg2 import IntegrityError

from odoo import sql_db
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..clients.parsing import iso_to_utc, local_to_utc
from ..importer.payments import PaymentSync
from ..ledger.entries import Ledger
from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from .common import MarketplaceImportCase, PrestaShopOrders

PARIS = ZoneInfo("Europe/Paris")


def local_date(moment):
    """The date a naive UTC moment falls on in the accounts' time zone (Europe/Paris)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(PARIS).date()


class PaymentCaseMixin:
    """Helpers of the payment tests: a write-off account, invoices, the connector's records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.writeoff_account = cls.env["account.account"].search(
            [
                *cls.env["account.account"]._check_company_domain(cls.company),
                ("account_type", "=", "expense"),
            ],
            limit=1,
        )
        cls.account.payment_writeoff_account_id = cls.writeoff_account

    def payments(self, sale):
        return self.env["account.payment"].search(
            [("marketplace_sale_order_id", "=", sale.id)], order="id"
        )

    def transactions(self, sale):
        return self.env["payment.transaction"].search(
            [("marketplace_sale_order_id", "=", sale.id)], order="marketplace_sequence"
        )

    def invoice(self, sale, change=0.0):
        """Invoice the order; ``change`` is added to the gross price of its first line (a
        rounding difference, a price typed differently), then the invoice is posted."""
        invoice = sale._create_invoices()
        if change:
            line = invoice.invoice_line_ids.filtered(lambda line: line.price_unit > 0)[:1]
            line.price_unit = round(line.price_unit + change / line.quantity, 2)
        invoice.action_post()
        return invoice


@tagged("post_install", "-at_install")
class TestOttoPayments(PaymentCaseMixin, MarketplaceImportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def make_simulator(self, **options):
        # 23:30 UTC: already the next day in the account's time zone (Europe/Paris), the date the
        # payment must carry
        yesterday = date.today() - timedelta(days=1)
        now = datetime.combine(yesterday, time(23, 30), tzinfo=timezone.utc)
        return self.simulator_class(seed=11, orders=0, now=now, **options)

    def add(self, status="PROCESSABLE", items=(("LED-DESK-01", 1),), **kwargs):
        kwargs.setdefault("delivery_fee", None)
        kwargs.setdefault("discount", None)
        return self.sim.add_order(status, list(items), **kwargs)

    def test_paid_order_gets_one_payment_entry(self):
        raw = self.add(items=[("LED-DESK-01", 2), ("KB-BIO-1KG", 1)], delivery_fee="4.95")
        run = self.fetch()
        sale = self.sale(raw["salesOrderId"])
        payment = self.payments(sale)
        self.assertEqual(len(payment), 1)
        total = float(self.sim.expected_total(raw["salesOrderId"]))
        self.assertEqual(payment.amount, total)
        self.assertEqual(payment.currency_id.name, "EUR")
        self.assertEqual(payment.currency_id, sale.currency_id)
        self.assertEqual(
            (payment.payment_type, payment.partner_type, payment.state),
            ("inbound", "customer", "in_process"),
        )
        self.assertEqual(payment.partner_id, sale.partner_invoice_id.commercial_partner_id)
        processable = min(iso_to_utc(item["processableDate"]) for item in raw["positionItems"])
        self.assertEqual(payment.date, local_date(processable))
        self.assertNotEqual(payment.date, processable.date())  # the shop's day, not UTC's
        self.assertIn(raw["orderNumber"], payment.memo)
        self.assertIn(sale.name, payment.memo)
        self.assertEqual(payment.payment_reference, raw["orderNumber"])
        self.assertEqual(payment.move_id.state, "posted")
        self.assertEqual(payment.move_id.date, payment.date)
        # Odoo's own path: a done transaction of the account's provider, linked to the order
        tx = payment.payment_transaction_id
        self.assertEqual(tx.state, "done")
        self.assertIn(raw["orderNumber"], tx.reference)
        self.assertEqual(tx.provider_reference, raw["salesOrderId"])
        self.assertEqual(tx.sale_order_ids, sale)
        self.assertEqual(sale.transaction_ids, tx)
        self.assertEqual(sale.marketplace_payment_ids, payment)
        self.assertEqual(sale.marketplace_payment_count, 1)
        self.assertEqual(round(sale.amount_paid, 2), total)
        provider = self.account.payment_provider_id
        self.assertEqual(tx.provider_id, provider)
        self.assertEqual((provider.code, provider.name), ("marketplace", "OTTO Market Test otto"))
        journal = self.account.payment_journal_id
        self.assertEqual(
            (journal.name, journal.type, journal.code), (provider.name, "bank", "OTTO")
        )
        self.assertEqual(payment.journal_id, journal)
        self.assertEqual(payment.company_id, self.company)
        self.assertEqual(payment.payment_method_line_id.payment_provider_id, provider)
        # the log and the order say it; the buyer gets no mail from Odoo
        message = self.line_of(run, raw["salesOrderId"]).message
        self.assertIn(f"Payment {payment.name}", message)
        comment = self.env.ref("mail.mt_comment")
        self.assertFalse(sale.message_ids.filtered(lambda m: m.subtype_id == comment))
        self.assertEqual(sale.state, "sale")

        # imported again, from the start and for this order alone: still one entry
        self.sim.advance(60)
        run = self.fetch(since=self.sim.clock.replace(tzinfo=None) - timedelta(days=2))
        self.fetch(order_ref=raw["orderNumber"])
        self.assertEqual(run.created_count + run.updated_count, 0)
        self.assertEqual(self.payments(self.sale(raw["salesOrderId"])), payment)
        # a second order reuses the provider and its journal
        other = self.add()
        self.fetch()
        self.assertEqual(self.payments(self.sale(other["salesOrderId"])).journal_id, journal)
        self.assertEqual(
            self.env["payment.provider"].search_count([("code", "=", "marketplace")]), 1
        )

    def test_announced_order_paid_only_once_released(self):
        self.account.import_announced = True
        raw = self.add("ANNOUNCED", items=[("MW-20L", 1)])
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertTrue(sale.marketplace_backlog)
        self.assertFalse(self.payments(sale))
        self.assertFalse(sale.transaction_ids)
        self.sim.advance(2 * 86400)
        self.sim.release_announced(raw["salesOrderId"])
        run = self.fetch()
        sale = self.sale(raw["salesOrderId"])
        payment = self.payments(sale)
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.partner_id, sale.partner_invoice_id.commercial_partner_id)
        self.assertNotEqual(payment.partner_id, self.account.backlog_partner_id)
        released = iso_to_utc(
            self.sim.order(raw["salesOrderId"])["positionItems"][0]["processableDate"]
        )
        self.assertEqual(payment.date, local_date(released))
        self.assertIn(payment.name, self.line_of(run, raw["salesOrderId"]).message)

    def test_paid_order_mapped_as_quotation_stays_a_quotation(self):
        self.mapping("PROCESSABLE").write({"document_type": "quotation", "document_state": "draft"})
        raw = self.add()
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        payment = self.payments(sale)
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.state, "in_process")
        self.assertEqual(sale.state, "draft")
        # whoever post-processes the transaction again (the payment module's scheduled action)
        tx = payment.payment_transaction_id
        tx.is_post_processed = False
        tx._post_process()
        self.env["payment.transaction"]._cron_post_process()
        self.assertEqual(sale.state, "draft")
        self.assertEqual(self.payments(sale), payment)

    def test_total_changed_before_invoicing_gets_a_refund_entry(self):
        raw = self.add(items=[("LED-DESK-01", 3)])
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        first = self.payments(sale)
        before = float(self.sim.expected_total(raw["salesOrderId"]))
        self.assertEqual(first.amount, before)
        self.sim.advance(3600)
        self.sim.set_item_status(raw["salesOrderId"], 1, "CANCELLED_BY_MARKETPLACE")
        run = self.fetch()
        after = float(self.sim.expected_total(raw["salesOrderId"]))
        self.assertLess(after, before)
        sale = self.sale(raw["salesOrderId"])
        first, refund = self.payments(sale)
        # the first entry is untouched, the difference has its own, a refund of it
        self.assertEqual(
            (first.amount, first.state, first.payment_type), (before, "in_process", "inbound")
        )
        self.assertEqual(refund.payment_type, "outbound")
        self.assertEqual(refund.partner_type, "customer")
        self.assertEqual(refund.amount, round(before - after, 2))
        self.assertEqual(refund.state, "in_process")
        self.assertEqual(refund.partner_id, first.partner_id)
        self.assertEqual(refund.source_payment_id, first)
        self.assertEqual(refund.payment_transaction_id.operation, "refund")
        self.assertEqual(round(sale.amount_paid, 2), after)
        self.assertEqual(refund.date, local_date(self.sim.clock.replace(tzinfo=None)))
        for payment in (first, refund):
            notes = " ".join(payment.message_ids.mapped("body"))
            self.assertIn("Posted entries are never edited", notes)
        self.assertIn(refund.name, self.line_of(run, raw["salesOrderId"]).message)
        # nothing more on the next import
        self.sim.advance(60)
        self.fetch(since=self.sim.clock.replace(tzinfo=None) - timedelta(days=1))
        self.assertEqual(len(self.payments(self.sale(raw["salesOrderId"]))), 2)

    def test_cancelled_before_invoicing_refunds_the_entry(self):
        # issue 16 changed this rule: a posted entry is never cancelled (Odoo's cancellation
        # resets it to draft), a refund payment gives the money back
        raw = self.add()
        self.fetch()
        payment = self.payments(self.sale(raw["salesOrderId"]))
        move = payment.move_id
        self.sim.advance(3600)
        self.sim.set_status(raw["salesOrderId"], "CANCELLED_BY_PARTNER")
        run = self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(sale.state, "cancel")
        first, refund = self.payments(sale)
        self.assertEqual(first, payment)
        self.assertIn(first.state, ("in_process", "paid"))
        self.assertEqual((first.move_id, move.state), (move, "posted"))
        self.assertEqual(first.payment_transaction_id.state, "done")
        self.assertEqual(
            (refund.payment_type, refund.amount, refund.move_id.state),
            ("outbound", payment.amount, "posted"),
        )
        self.assertEqual(refund.source_payment_id, payment)
        # the refund is matched with the payment it gives back: nothing left open
        self.assertTrue(first.is_reconciled)
        self.assertTrue(refund.is_reconciled)
        self.assertEqual(sale.amount_paid, 0)
        self.assertIn("never edited nor cancelled", payment.message_ids[0].body)
        self.assertIn(refund.name, self.line_of(run, raw["salesOrderId"]).message)
        self.assertFalse(payment.activity_ids)
        # nothing more on the next import
        self.sim.advance(60)
        self.fetch(since=self.sim.clock.replace(tzinfo=None) - timedelta(days=1))
        self.assertEqual(len(self.payments(self.sale(raw["salesOrderId"]))), 2)

    def test_cancelled_after_reconciliation_asks_a_person(self):
        responsible = self.env["res.users"].create({"name": "Greta", "login": "greta@example.de"})
        self.account.user_id = responsible
        raw = self.add()
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        invoice = self.invoice(sale)
        payment = self.payments(sale)
        self.assertTrue(payment.is_reconciled)
        move = payment.move_id
        self.sim.advance(3600)
        self.sim.set_status(raw["salesOrderId"], "CANCELLED_BY_MARKETPLACE")
        run = self.fetch()
        payment.invalidate_recordset()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertIn(payment.state, ("in_process", "paid"))
        self.assertEqual(payment.move_id, move)
        self.assertEqual(move.state, "posted")
        self.assertTrue(payment.is_reconciled)
        self.assertEqual(payment.payment_transaction_id.state, "done")
        self.assertEqual(len(payment.activity_ids), 1)
        self.assertEqual(payment.activity_ids.user_id, responsible)
        self.assertEqual(payment.activity_ids.summary, "Marketplace order cancelled")
        self.assertIn("activity", self.line_of(run, raw["salesOrderId"]).message)
        # no second activity while this one is open
        self.sim.advance(60)
        self.fetch(since=self.sim.clock.replace(tzinfo=None) - timedelta(days=1))
        self.assertEqual(len(payment.activity_ids), 1)

    def test_invoice_posted_from_the_order_is_paid(self):
        raw = self.add(
            items=[("LED-DESK-01", 2), ("BT-SPK-20", 1)], delivery_fee="4.95", discount="5.00"
        )
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        payment = self.payments(sale)
        invoice = sale._create_invoices()
        self.assertEqual(invoice.transaction_ids, payment.payment_transaction_id)
        invoice.action_post()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertTrue(payment.is_reconciled)
        self.assertEqual(invoice.amount_total, payment.amount)
        self.assertFalse(sale.marketplace_payment_differs)

    def test_one_invoice_for_two_orders_of_a_buyer(self):
        buyer = {"email": "same.buyer@example.de", "first_name": "Eva", "last_name": "Klein"}
        first = self.add(items=[("LED-DESK-01", 1)], **buyer)
        second = self.add(items=[("BT-SPK-20", 2)], **buyer)
        self.fetch()
        sales = self.sale(first["salesOrderId"]) | self.sale(second["salesOrderId"])
        self.assertEqual(len(sales.partner_invoice_id), 1)
        invoice = sales._create_invoices()
        self.assertEqual(len(invoice), 1)
        invoice.action_post()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        payments = sales.marketplace_payment_ids
        self.assertEqual(len(payments), 2)
        self.assertTrue(all(payments.mapped("is_reconciled")))
        self.assertFalse(any(sales.mapped("marketplace_payment_differs")))

    def test_difference_within_the_tolerance_is_written_off(self):
        raw = self.add()
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        payment = self.payments(sale)
        invoice = self.invoice(sale, change=0.03)
        self.assertEqual(round(invoice.amount_total - payment.amount, 2), 0.03)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(payment.is_reconciled)
        writeoff = self.env["account.move.line"].search(
            [("account_id", "=", self.writeoff_account.id), ("parent_state", "=", "posted")]
        )
        self.assertEqual(len(writeoff), 1)
        self.assertEqual(writeoff.amount_currency, 0.03)
        self.assertEqual(writeoff.currency_id.name, "EUR")
        self.assertEqual(writeoff.move_id.journal_id.type, "general")
        self.assertFalse(sale.marketplace_payment_differs)
        self.assertIn("written off", sale.message_ids[0].body)

    def test_difference_beyond_the_tolerance_is_flagged(self):
        raw = self.add()
        other = self.add()
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        payment = self.payments(sale)
        invoice = self.invoice(sale, change=1.00)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(round(invoice.amount_residual, 2), 1.00)
        self.assertTrue(payment.is_reconciled)
        self.assertTrue(sale.marketplace_payment_differs)
        self.assertEqual(sale.marketplace_payment_difference, -1.00)
        self.assertFalse(
            self.env["account.move.line"].search([("account_id", "=", self.writeoff_account.id)])
        )
        flagged = self.env["sale.order"].search([("marketplace_payment_differs", "=", True)])
        self.assertEqual(flagged, sale)
        self.assertFalse(self.sale(other["salesOrderId"]).marketplace_payment_differs)
        # the same difference without a write-off account: flagged too, even within tolerance
        self.account.payment_writeoff_account_id = False
        second = self.sale(other["salesOrderId"])
        self.invoice(second, change=0.02)
        self.assertTrue(second.marketplace_payment_differs)
        self.assertEqual(second.marketplace_payment_difference, -0.02)

    def test_entries_left_for_an_accountant_to_confirm(self):
        self.account.payment_posting = "draft"
        raw = self.add()
        run = self.fetch()
        sale = self.sale(raw["salesOrderId"])
        payment = self.payments(sale)
        self.assertEqual(payment.state, "draft")
        self.assertFalse(payment.move_id)
        self.assertEqual(payment.payment_transaction_id.state, "done")
        self.assertIn("draft", self.line_of(run, raw["salesOrderId"]).message)
        invoice = self.invoice(sale)
        self.assertEqual(invoice.payment_state, "not_paid")
        accountant = self.env["res.users"].create(
            {
                "name": "Anna Accountant",
                "login": "anna@example.de",
                "groups_id": [(6, 0, [self.env.ref("account.group_account_invoice").id])],
            }
        )
        payment.with_user(accountant).action_post()
        self.assertEqual(payment.move_id.state, "posted")
        self.assertTrue(payment.is_reconciled)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_two_runs_at_once_make_one_entry(self):
        raw = self.add()
        self.fetch()
        payment = self.payments(self.sale(raw["salesOrderId"]))
        # a second run that read the order before the first one committed its payment does not
        # see it: the database refuses its transaction
        self.sim.advance(60)
        with (
            patch.object(Ledger, "transactions", lambda self, sale_ids: {}),
            mute_logger("odoo.sql_db"),
        ):
            # the order itself is unchanged: fetched by its number, as a person would
            run = self.fetch(order_ref=raw["orderNumber"])
        line = self.line_of(run, raw["salesOrderId"])
        self.assertEqual(line.result, "updated")
        self.assertIn("at the same time", line.message)
        self.assertEqual(self.payments(self.sale(raw["salesOrderId"])), payment)
        # and directly: one transaction per order and entry number
        tx = payment.payment_transaction_id
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            tx.copy(
                {
                    "reference": "another",
                    "marketplace_sale_order_id": tx.marketplace_sale_order_id.id,
                }
            )

    def test_payment_entries_switched_off(self):
        self.account.payment_create = False
        raw = self.add()
        self.fetch()
        self.assertFalse(self.payments(self.sale(raw["salesOrderId"])))
        self.assertFalse(self.account.payment_provider_id)


@tagged("post_install", "-at_install")
class TestShopPayments(PaymentCaseMixin, PrestaShopOrders, MarketplaceImportCase):
    def test_off_by_default_for_shops(self):
        self.assertFalse(self.account.payment_create)
        raw = self.add(2)
        self.fetch()
        self.assertFalse(self.payments(self.sale(raw["id"])))

    def test_paid_states_and_the_payment_date(self):
        self.account.payment_create = True
        paid = {m.code for m in self.account.status_mapping_ids if m.paid}
        self.assertEqual(paid, {"2", "3", "4", "5", "9", "11"})
        wire = self.add(10, shipping="6.90")
        card = self.add(2, [("TS-UNI-L", 2)], shipping="6.90", discount="4.50")
        self.fetch()
        self.assertFalse(self.payments(self.sale(wire["id"])))
        payment = self.payments(self.sale(card["id"]))
        self.assertEqual(payment.amount, float(self.sim.expected_total(card["id"])))
        invoiced_at = local_to_utc(self.sim.orders[str(card["id"])]["invoice_date"], "Europe/Paris")
        self.assertEqual(payment.date, local_date(invoiced_at))
        self.assertIn(card["reference"], payment.payment_transaction_id.reference)
        # named after the account, which says it is a PrestaShop shop
        self.assertEqual(self.account.payment_provider_id.name, "Test prestashop")
        # the bank wire arrives three days later: the payment carries that day
        self.sim.advance(3 * 86400)
        self.sim.set_status(wire["id"], 2)
        self.fetch()
        sale = self.sale(wire["id"])
        self.assertEqual(sale.state, "sale")
        payment = self.payments(sale)
        self.assertEqual(payment.amount, float(self.sim.expected_total(wire["id"])))
        self.assertEqual(payment.date, local_date(self.sim.clock.replace(tzinfo=None)))

    def test_total_raised_on_the_shop_and_after_invoicing(self):
        self.account.payment_create = True
        raw = self.add(2, [("GP-28", 2)])
        self.fetch()
        first = self.payments(self.sale(raw["id"]))
        before = float(self.sim.expected_total(raw["id"]))
        # the merchant adds 5.00 to the order in the back office, then moves it on
        order = self.sim.orders[str(raw["id"])]
        order["total_paid_tax_incl"] = f"{before + 5:.6f}"
        self.sim.advance(600)
        self.sim.set_status(raw["id"], 3)
        run = self.fetch()
        sale = self.sale(raw["id"])
        first_again, more = self.payments(sale)
        self.assertEqual(first_again, first)
        self.assertEqual((first.amount, first.state), (before, "in_process"))
        self.assertEqual((more.payment_type, more.amount), ("inbound", 5.0))
        self.assertEqual(more.payment_transaction_id.marketplace_sequence, 1)
        self.assertIn("change of the total", more.memo)
        self.assertIn(more.name, self.line_of(run, raw["id"]).message)
        # once invoiced, a further change is left to the accountant
        self.invoice(sale)
        order["total_paid_tax_incl"] = f"{before:.6f}"
        self.sim.advance(600)
        self.sim.set_status(raw["id"], 4)
        run = self.fetch()
        self.assertEqual(len(self.payments(self.sale(raw["id"]))), 2)
        self.assertEqual(first.activity_ids.summary, "Marketplace order total changed")
        self.assertIn("after it was invoiced", self.line_of(run, raw["id"]).message)

    def test_refunded_and_cancelled_on_the_shop(self):
        self.account.payment_create = True
        refunded = self.add(2)
        cancelled = self.add(2)
        self.fetch()
        kept = self.payments(self.sale(refunded["id"]))
        dropped = self.payments(self.sale(cancelled["id"]))
        self.sim.advance(600)
        self.sim.set_status(refunded["id"], 7)
        self.sim.set_status(cancelled["id"], 6)
        run = self.fetch()
        # issue 16 changed both rules: no posted entry is edited or cancelled
        # refunded (not delivered nor invoiced): the money went back, a refund payment says so
        kept.invalidate_recordset()
        self.assertEqual(kept.state, "in_process")
        first, refund = self.payments(self.sale(refunded["id"]))
        self.assertEqual(first, kept)
        self.assertEqual((refund.payment_type, refund.amount), ("outbound", kept.amount))
        self.assertIn(refund.name, self.line_of(run, refunded["id"]).message)
        self.assertIn("got the money back", self.line_of(run, refunded["id"]).message)
        # cancelled: the entry stays, a refund payment gives the money back
        dropped.invalidate_recordset()
        self.assertIn(dropped.state, ("in_process", "paid"))
        self.assertEqual(dropped.move_id.state, "posted")
        self.assertEqual(self.sale(cancelled["id"]).state, "cancel")
        refund = self.payments(self.sale(cancelled["id"]))[1]
        self.assertEqual((refund.payment_type, refund.amount), ("outbound", dropped.amount))
        self.assertIn("cancelled", self.line_of(run, cancelled["id"]).message)

    def test_load_statuses_reads_the_paid_flag(self):
        sim = PrestaShopSimulator(
            seed=3,
            orders=0,
            custom_states=[
                {"name": "Payé sur la marketplace", "paid": 1, "invoice": 1, "logable": 1},
                {"name": "Attente marketplace"},
            ],
        )
        sim.start()
        self.addCleanup(sim.stop)
        self.account.write({"api_url": sim.url, "api_secret": sim.secret})
        self.account.action_load_statuses()
        self.assertTrue(self.mapping("14").paid)
        self.assertFalse(self.mapping("15").paid)
        self.assertFalse(self.mapping("7").paid)


@tagged("post_install", "-at_install")
class TestCsCartPayments(PaymentCaseMixin, MarketplaceImportCase):
    backend = "cscart"
    simulator_class = CsCartSimulator
    catalog_language = "fr"

    def test_processed_and_complete_are_paid(self):
        self.account.payment_create = True
        self.assertEqual({m.code for m in self.account.status_mapping_ids if m.paid}, {"P", "C"})
        open_order = self.sim.add_order("O", [("RS-25L", 1)], shipping=None, discount=None)
        processed = self.sim.add_order("P", [("VD-1L", 2)], shipping="7.50", discount=None)
        self.fetch()
        self.assertFalse(self.payments(self.sale(open_order["order_id"])))
        payment = self.payments(self.sale(processed["order_id"]))
        self.assertEqual(payment.amount, float(self.sim.expected_total(processed["order_id"])))
        self.assertEqual(payment.date, local_date(self.sim.clock.replace(tzinfo=None)))
        self.assertEqual(payment.currency_id, self.account.shop_currency_id)
        # processed -> complete: the same payment
        self.sim.advance(86400)
        self.sim.set_status(processed["order_id"], "C")
        self.fetch()
        self.assertEqual(self.payments(self.sale(processed["order_id"])), payment)


@tagged("post_install", "-at_install")
class TestFirstPaymentWhileCronsRun(PaymentCaseMixin, MarketplaceImportCase):
    """Found by the soak: an account's first payment entry creates its payment provider, and
    Odoo's payment module then switches its post-processing cron on, taking that cron's row
    with NOWAIT; a cron worker running the cron holds it, and Odoo rolled the import's whole
    transaction back in the middle of an order."""

    backend = "otto"
    simulator_class = OttoSimulator

    def test_first_payment_entry_while_the_payment_cron_is_busy(self):
        cron = self.env.ref("payment.cron_post_process_payment_tx")
        self.assertFalse(self.account.payment_provider_id)
        raw = self.sim.add_order("PROCESSABLE", [("LED-DESK-01", 1)])
        busy = sql_db.db_connect(self.env.cr.dbname).cursor()  # a cron worker running it
        self.addCleanup(busy.close)
        busy.execute("SELECT id FROM ir_cron WHERE id = %s FOR NO KEY UPDATE", [cron.id])
        run = self.fetch()
        busy.rollback()
        self.assertEqual(run.state, "done", run.message)
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(len(self.payments(sale)), 1)
        self.assertEqual(self.account.payment_provider_id.code, "marketplace")

    def test_a_payment_entry_meeting_a_concurrent_update_is_explained_and_retried(self):
        raw = self.sim.add_order("PROCESSABLE", [("LED-DESK-01", 1)])
        order_id = raw["salesOrderId"]
        sync_order = PaymentSync._sync_order

        def meeting_a_concurrent_update(payments, sale, order, transactions):
            payments.env.cr.execute(  # raised by PostgreSQL itself, as a real one is
                "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent "
                "update' USING ERRCODE = 'serialization_failure'; END $$"
            )

        with patch.object(PaymentSync, "_sync_order", meeting_a_concurrent_update):
            run = self.fetch()
        line = self.line_of(run, order_id)
        self.assertEqual(line.result, "failed")
        self.assertIn("No payment entry: Another Odoo process", line.message)
        self.assertNotIn("serialize", line.message)
        self.assertFalse(self.payments(self.sale(order_id)))
        self.assertIsInstance(sync_order, type(meeting_a_concurrent_update))
        self.fetch()
        self.assertEqual(len(self.payments(self.sale(order_id))), 1)
