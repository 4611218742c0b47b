"""Matching the connector's payment entries with the orders' invoices.

The entries are matched with the order's posted invoices whenever either is posted. What
matching leaves open once the order is fully invoiced is the order's "Payment Difference"
(payments minus invoices, draft payments counted as they will be posted): written off once
within the account's tolerance, else shown ("Payment Differs"). A reason the entries cannot be
matched (another currency, another customer, another receivable account on the invoice, a
matching Odoo refused) is never only a server log line: it is the order's "Payment Issue" and
marks it "Payment Differs" too. Matching or unmatching by hand (outstanding credits, bank
reconciliation, cancelling a payment or an invoice) recomputes both (``refresh``).

Functions of ``sale.order`` recordsets; the models call them from thin hooks
(models/sale_order_payment.py, account_move.py, account_payment.py,
account_partial_reconcile.py).
"""

import logging

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

_logger = logging.getLogger(__name__)

CONFIRMED_PAYMENT_STATES = ("in_process", "paid")


# --- whom and where a payment entry is booked ----------------------------------------------------
def payment_target(order):
    """(customer, receivable account) of a new payment entry of the order: those of its posted
    invoice when it has one, else those an invoice made from it will have (the commercial partner
    of the invoice address, its receivable account through the order's fiscal position, as Odoo
    books invoices), so that both meet on one account."""
    order.ensure_one()
    invoice = posted_invoices(order)[:1]
    if invoice:
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )[:1]
        return invoice.commercial_partner_id, receivable.account_id
    partner = order.partner_invoice_id.commercial_partner_id
    account = partner.with_company(order.company_id).property_account_receivable_id
    if order.fiscal_position_id and account:
        account = order.fiscal_position_id.map_account(account)
    return partner, account


def posted_invoices(orders):
    return orders.invoice_ids.filtered(lambda move: move.state == "posted" and move.is_invoice())


def payments_of(orders):
    return orders.marketplace_payment_ids


# --- matching payments and invoices --------------------------------------------------------------
def _group(orders):
    """The marketplace orders settled together with these: orders sharing an invoice (one
    buyer, invoiced together)."""
    orders = orders.sudo().filtered("marketplace_account_id")
    invoices = posted_invoices(orders)
    return orders | invoices.line_ids.sale_line_ids.order_id.filtered("marketplace_account_id")


def reconcile(orders):
    """Match the posted invoices of marketplace orders with the connector's posted payments
    (the payments of an order cancelled without invoice with each other: a refund with the
    payment it gives back). Once the orders are fully invoiced, a difference within the
    account's tolerance is written off, once; a larger one, or one that cannot be matched,
    marks the orders 'Payment Differs' with the reason."""
    orders = _group(orders).with_context(marketplace_matching=True)
    if not orders:
        return
    env = orders.env
    invoices = posted_invoices(orders)
    posted = payments_of(orders).filtered(
        lambda payment: (
            payment.state in CONFIRMED_PAYMENT_STATES and payment.move_id.state == "posted"
        )
    )
    issues = _mismatches(invoices, payments_of(orders))
    cancelled = all(order.state == "cancel" for order in orders)
    if posted and not issues and (invoices or cancelled):
        lines = _receivable_lines(orders, invoices, posted)
        try:
            with env.cr.savepoint():
                for group in (
                    lines.filtered(lambda line: not line.reconciled).grouped("account_id").values()
                ):
                    if group.filtered(lambda line: line.amount_residual > 0) and group.filtered(
                        lambda line: line.amount_residual < 0
                    ):
                        group.reconcile()
        except (UserError, ValidationError) as exc:
            # posting the invoice must not fail for it: the order says why, a person matches
            _logger.info("Marketplace payments not matched with their invoices: %s", exc)
            issues.append(
                env._(
                    "Odoo refused to match the marketplace payments with the invoices: "
                    "%(error)s Match them by hand.",
                    error=exc.args[0] if exc.args else exc,
                )
            )
    _settle(orders, invoices, issues, write_off=True)


def refresh(orders):
    """Payments or invoices were matched or unmatched by hand, posted, reset or cancelled: the
    difference and the issue of the orders follow, nothing is matched or written off."""
    if orders.env.context.get("marketplace_matching"):
        return  # the connector's own matching settles at its end
    for group in _partition(_group(orders)):
        invoices = posted_invoices(group)
        issues = _mismatches(invoices, payments_of(group))
        _settle(group, invoices, issues, write_off=False)


def orders_of_moves(env, moves):
    """The marketplace orders whose matching these journal entries take part in."""
    moves = moves.sudo().exists()
    if not moves:
        return env["sale.order"]
    orders = (
        moves.line_ids.sale_line_ids.order_id | moves.origin_payment_id.marketplace_sale_order_id
    )
    orders |= env["sale.order"].sudo().search([("marketplace_writeoff_move_id", "in", moves.ids)])
    return orders.filtered("marketplace_account_id")


def _partition(orders):
    """The orders in groups settled together (sharing invoices)."""
    groups, seen = [], orders.browse()
    for order in orders:
        if order in seen:
            continue
        group = _group(order)
        seen |= group
        groups.append(group)
    return groups


def refuses_automatic_match(invoice, line):
    """Whether ``line`` (a receivable line of a connector payment) must not be matched with the
    invoice without a person: another currency, another customer or another receivable
    account. ``sale`` matches a posted invoice with the payments of the order's transactions
    (``account.move._post``), checking only the account; the connector's matching flags the
    order with the reason instead (``_mismatches``), and a person may still match them by hand."""
    payment = line.sudo().move_id.origin_payment_id
    if not payment.marketplace_sale_order_id or not invoice.is_invoice():
        return False
    return bool(_mismatches(invoice.sudo(), payment))


def _receivable_lines(orders, invoices, posted_payments):
    moves = invoices | posted_payments.move_id | orders.marketplace_writeoff_move_id
    return moves.filtered(lambda move: move.state == "posted").line_ids.filtered(
        lambda line: line.account_type == "asset_receivable"
    )


def _mismatches(invoices, payments):
    """Why the invoices and the connector's payments cannot be matched automatically."""
    payments = payments.filtered(lambda payment: payment.state != "canceled")
    if not invoices or not payments:
        return []
    env = invoices.env
    reasons = []
    names = ", ".join(invoices.mapped("name"))
    if len(invoices.currency_id | payments.currency_id) > 1:
        reasons.append(
            env._(
                "The invoice %(invoices)s is in %(invoice_currency)s, the marketplace payments "
                "in %(payment_currency)s: they are not matched automatically. Match them by "
                "hand (with the exchange difference) or invoice in the order's currency.",
                invoices=names,
                invoice_currency=", ".join(invoices.currency_id.mapped("name")),
                payment_currency=", ".join(payments.currency_id.mapped("name")),
            )
        )
    partners = invoices.commercial_partner_id
    if payments.partner_id.commercial_partner_id - partners:
        reasons.append(
            env._(
                "The invoice %(invoices)s is addressed to %(invoice_partner)s, the marketplace "
                "payments to %(payment_partner)s: they are not matched automatically. Check "
                "the customer, then match them by hand.",
                invoices=names,
                invoice_partner=", ".join(partners.mapped("display_name")),
                payment_partner=", ".join(
                    payments.partner_id.commercial_partner_id.mapped("display_name")
                ),
            )
        )
    invoice_accounts = invoices.line_ids.filtered(
        lambda line: line.account_type == "asset_receivable"
    ).account_id
    payment_accounts = payments.destination_account_id
    if payment_accounts - invoice_accounts:
        reasons.append(
            env._(
                "The invoice %(invoices)s books the receivable on %(invoice_account)s, the "
                "marketplace payments on %(payment_account)s (a fiscal position changed on "
                "the invoice?): they are not matched automatically. Transfer the amount "
                "between the accounts and match them by hand.",
                invoices=names,
                invoice_account=", ".join(invoice_accounts.mapped("display_name")),
                payment_account=", ".join(payment_accounts.mapped("display_name")),
            )
        )
    return reasons


def _settle(orders, invoices, issues, write_off):
    """Store what matching left open, written off once within the tolerance."""
    env = orders.env
    account = orders[:1].marketplace_account_id
    payments = payments_of(orders).filtered(lambda p: p.state != "canceled")
    posted = payments.filtered(
        lambda p: p.state in CONFIRMED_PAYMENT_STATES and p.move_id.state == "posted"
    )
    drafts = payments.filtered(lambda p: p.state == "draft")
    difference = 0.0
    currency = invoices.currency_id if len(invoices.currency_id) == 1 else None
    judged = (
        bool(invoices)
        and bool(payments)
        and currency is not None
        and not issues
        and all(order.invoice_status == "invoiced" for order in orders)
    )
    if judged:
        lines = _receivable_lines(orders, invoices, posted)
        open_lines = lines.filtered(lambda line: not line.reconciled)
        residual = currency.round(sum(open_lines.mapped("amount_residual_currency")))
        pending = sum(p.amount if p.payment_type == "inbound" else -p.amount for p in drafts)
        difference = currency.round(pending - residual)  # payments minus invoices
        within = currency.compare_amounts(abs(difference), account.payment_tolerance) <= 0
        if (
            write_off
            and difference
            and within
            and not drafts  # a draft payment still to come changes what is left
            and not orders.marketplace_writeoff_move_id  # once
            and account.payment_writeoff_account_id
            and len(open_lines.account_id) == 1
        ):
            move, refusal = _write_off(orders, open_lines, account)
            if refusal:
                issues.append(
                    env._(
                        "The difference of %(amount)s between the payments and the invoices "
                        "is within the tolerance, but was not written off to %(account)s: "
                        "%(reason)s Write it off by hand, or fix the cause and post the "
                        "invoice again.",
                        amount=format_amount(env, abs(difference), currency),
                        account=account.payment_writeoff_account_id.display_name,
                        reason=refusal,
                    )
                )
            if move:
                orders.marketplace_writeoff_move_id = move
                message = env._(
                    "The payments and invoices of this order differed by %(amount)s, within "
                    "the tolerance of %(tolerance)s: written off to %(account)s (%(entry)s).",
                    amount=format_amount(env, abs(difference), currency),
                    tolerance=format_amount(env, account.payment_tolerance, currency),
                    account=account.payment_writeoff_account_id.display_name,
                    entry=move.name,
                )
                for order in orders:
                    order.message_post(body=message)
                difference = 0.0
    issue = "\n".join(issues) or False
    for order in orders:
        new_issue = issue
        if not write_off and not issue and not judged:
            # a matching Odoo refused stays shown until the order is settled
            new_issue = order.marketplace_payment_issue or False
        old_issue = order.marketplace_payment_issue or False
        changed_difference = bool(
            order.currency_id.compare_amounts(order.marketplace_payment_difference, difference)
        )
        if not changed_difference and old_issue == new_issue:
            continue
        order.write(
            {
                "marketplace_payment_difference": difference,
                "marketplace_payment_issue": new_issue,
            }
        )
        if new_issue and new_issue != old_issue:
            order.message_post(body=new_issue)
        elif difference and changed_difference:
            order.message_post(
                body=env._(
                    "The order is fully invoiced, but its marketplace payments and invoices "
                    "differ by %(amount)s (more than the tolerance of %(tolerance)s, already "
                    "written off once, or no write-off account): the difference stays open, "
                    "reconcile it by hand.",
                    amount=format_amount(env, difference, order.currency_id),
                    tolerance=format_amount(env, account.payment_tolerance, order.currency_id),
                )
            )


def _write_off(orders, open_lines, account):
    """(a posted journal entry moving what ``open_lines`` leave open to the write-off account,
    reconciled with them, None) or (None, why Odoo refused it: no miscellaneous journal, a
    deprecated account, a constraint): posting the invoice must not fail for it, the order
    shows the difference and the reason instead. (A lock date refuses nothing: Odoo posts
    the entry on the first open day.)"""
    env = orders.env
    company = open_lines.company_id[:1]
    Journal = env["account.journal"]
    journal = Journal.search(
        [*Journal._check_company_domain(company), ("type", "=", "general")], limit=1
    )
    if not journal:
        return None, env._(
            "the company %(company)s has no miscellaneous journal.", company=company.name
        )
    try:
        with env.cr.savepoint():
            return _write_off_entry(orders, open_lines, account, journal), None
    except (UserError, ValidationError) as exc:
        _logger.info("Marketplace payment difference not written off: %s", exc)
        return None, exc.args[0] if exc.args else str(exc)


def _write_off_entry(orders, open_lines, account, journal):
    env = orders.env
    company = journal.company_id
    residual_currency = sum(open_lines.mapped("amount_residual_currency"))
    residual = sum(open_lines.mapped("amount_residual"))
    common = {
        "name": env._(
            "Marketplace payment difference: %s",
            ", ".join(orders.mapped("marketplace_order_ref")),
        ),
        "partner_id": open_lines.partner_id.commercial_partner_id[:1].id,
        "currency_id": open_lines.currency_id.id,
    }
    move = env["account.move"].create(
        {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": company.id,
            "date": fields.Date.context_today(orders),
            "ref": common["name"],
            "line_ids": [
                Command.create(
                    {
                        **common,
                        "account_id": open_lines.account_id.id,
                        "amount_currency": -residual_currency,
                        "balance": -residual,
                    }
                ),
                Command.create(
                    {
                        **common,
                        "account_id": account.payment_writeoff_account_id.id,
                        "amount_currency": residual_currency,
                        "balance": residual,
                    }
                ),
            ],
        }
    )
    move.action_post()
    counterpart = move.line_ids.filtered(lambda line: line.account_id == open_lines.account_id)
    (open_lines | counterpart).reconcile()
    return move
