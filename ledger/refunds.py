"""Credit notes and refund payments of the shops' returns and refunds (issue 19).

A credit note is made the way Odoo makes an order's invoices (``sale.order._prepare_invoice``,
``sale.order.line._prepare_invoice_line``), as a credit note (``out_refund``) of the order's last
posted invoice: its lines are linked to the order's lines, with their prices and taxes, for the
units that came back or were refunded; so the order's invoiced quantities follow and the credit
note is one of its invoices. An amount refunded that is no whole number of units (a part of a
price, a part of the shipping) is a line of the order line's product and taxes for that amount,
not linked to the order line (its invoiced quantity stays).

A refund payment is a payment entry of the ledger's (``entries.Ledger.difference``): an outbound
refund of the order's last inbound entry, marked as the refund of a return, never more than the
order's entries hold; the rules that follow the shop's total leave it aside. Both are matched
with each other by the order's matching (``matching.reconcile``), so nothing stays open.
"""

from odoo import Command, fields
from odoo.tools import format_amount

from .entries import Ledger


def posted_units(line):
    """The units of a sale line its posted invoices hold, less those its posted credit notes
    give back."""
    units = 0.0
    for invoice_line in line.invoice_lines:
        move = invoice_line.move_id
        if move.state != "posted":
            continue
        quantity = invoice_line.product_uom_id._compute_quantity(
            invoice_line.quantity, line.product_uom
        )
        units += quantity if move.move_type == "out_invoice" else -quantity
    return units


def last_invoice(sale):
    invoices = sale.invoice_ids.filtered(
        lambda move: move.state == "posted" and move.move_type == "out_invoice"
    )
    return invoices.sorted(lambda move: (move.invoice_date or fields.Date.today(), move.id))[-1:]


class Refunds:
    """The credit notes and refund payments of one account's orders (as the connector)."""

    def __init__(self, account):
        self.account = account
        self.env = account.env
        self.ledger = Ledger(account)

    # --- credit notes ----------------------------------------------------------------------------
    def credit_note(self, sale, units=None, amounts=(), reason=""):
        """A posted credit note of ``units`` ({sale line: units}, at the lines' own prices and
        taxes) and ``amounts`` ([(sale line, gross amount, label)]: an amount of that line's
        product and taxes alone), of the order's last posted invoice; None when there is nothing
        to credit. Taxes included, as the imported orders' lines are."""
        sale = sale.sudo().with_company(sale.company_id)
        commands = []
        for line, quantity in (units or {}).items():
            if quantity > 0:
                commands.append(Command.create(line._prepare_invoice_line(quantity=quantity)))
        for line, gross, label in amounts:
            if sale.currency_id.is_zero(gross):
                continue
            commands.append(
                Command.create(
                    {
                        "display_type": "product",
                        "name": label,
                        "product_id": line.product_id.id,
                        "product_uom_id": line.product_uom.id,
                        "quantity": 1.0,
                        "price_unit": gross,
                        "tax_ids": [Command.set(line.tax_id.ids)],
                    }
                )
            )
        if not commands:
            return None
        values = sale._prepare_invoice()
        values.pop("transaction_ids", None)  # the refund payment is matched, not the payment
        invoice = last_invoice(sale)
        values.update(
            {
                "move_type": "out_refund",
                "ref": reason,
                "invoice_date": fields.Date.context_today(sale),
                "reversed_entry_id": invoice.id or False,
                "invoice_line_ids": commands,
            }
        )
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(sale.company_id)
            .with_context(default_move_type="out_refund", tracking_disable=True)
            .create(values)
        )
        move.with_context(marketplace_refund_from_shop=True).action_post()
        return move

    # --- refund payments -------------------------------------------------------------------------
    def held(self, sale):
        """(transactions, done ones, what the done ones hold) of the order's payment entries."""
        transactions = self.ledger.transactions([sale.id]).get(sale.id, self.ledger.Transaction)
        active = transactions.filtered(lambda tx: tx.state == "done")
        return transactions, active, sale.currency_id.round(sum(active.mapped("amount")))

    def refund(self, sale, amount, moment=None, shop_ref=None, shop_id=None):
        """A refund payment of ``amount`` (at most what the order's entries hold), dated with
        the shop's ``moment``: its transaction, or None when the order has no payment entry to
        refund (the account records no payments, or nothing is left)."""
        currency = sale.currency_id
        transactions, active, held = self.held(sale)
        amount = currency.round(min(amount, held))
        if not active or currency.compare_amounts(amount, 0) <= 0:
            return None
        return self.ledger.difference(
            sale,
            transactions,
            active,
            -amount,
            self.ledger.entry_date(moment),
            shop_ref=shop_ref,
            shop_id=shop_id,
            marketplace_return_refund=True,
        )

    def match(self, sale):
        """Match the order's credit notes, refund payments, invoices and payments."""
        sale.sudo()._marketplace_reconcile_payments()

    # --- words -----------------------------------------------------------------------------------
    def amount_text(self, sale, amount):
        return format_amount(self.env, amount, sale.currency_id)

    def documents_text(self, sale, move, tx):
        """What the log says of a credit note and a refund payment made together."""
        env = self.env
        parts = []
        if move:
            parts.append(
                env._(
                    "credit note %(move)s of %(amount)s",
                    move=move.name,
                    amount=self.amount_text(sale, move.amount_total),
                )
            )
        if tx:
            payment = tx.payment_id
            parts.append(
                env._(
                    "refund payment %(payment)s of %(amount)s",
                    payment=payment.name or tx.reference,
                    amount=self.amount_text(sale, abs(tx.amount)),
                )
            )
        return "; ".join(parts)
