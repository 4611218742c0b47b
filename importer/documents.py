"""Moving a sales document to the state its shop status asks for, forwards only."""

from odoo import fields

from ..const import DOCUMENT_STATE_RANK


def document_rank(order):
    return (
        DOCUMENT_STATE_RANK["locked"] if order.locked else DOCUMENT_STATE_RANK.get(order.state, 0)
    )


def apply_document_state(order, target, shop_status_label, responsible=None):
    """Move ``order`` towards the document state ``target`` of a mapping row.

    Returns a sentence describing the change, or '' when nothing had to change. Never moves a
    confirmed order back to a quotation; never reopens a cancelled one; never cancels an order
    that has been delivered or invoiced: it schedules an activity for a person to decide instead
    (the order's salesperson, else ``responsible``, else the sales team's leader).
    """
    if order.state == "cancel":
        return ""
    if target == "cancel":
        return _cancel(order, shop_status_label, responsible)
    current = document_rank(order)
    wanted = DOCUMENT_STATE_RANK[target]
    if wanted <= current:
        return ""
    if target == "sent":
        order.write({"state": "sent"})
        return order.env._("marked as sent")
    if order.state in ("draft", "sent"):
        order_date = order.date_order
        order.action_confirm()
        # confirming stamps 'now' on the order; the shop's order date is the one that counts
        order.date_order = order_date
    if target == "locked" and not order.locked:
        order.action_lock()
        return order.env._("confirmed and locked")
    return order.env._("confirmed")


def _cancel(order, shop_status_label, responsible):
    delivered = any(picking.state == "done" for picking in order.picking_ids)
    invoiced = any(move.state == "posted" for move in order.invoice_ids)
    if delivered or invoiced:
        if not _has_open_decision(order):
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(order),
                summary=_decision_summary(order),
                note=order.env._(
                    "The shop reports this order as '%(status)s', but it has already been "
                    "%(what)s in Odoo. Decide whether to cancel it, return the goods or refund "
                    "the customer.",
                    status=shop_status_label,
                    what=order.env._("delivered") if delivered else order.env._("invoiced"),
                ),
                user_id=decision_user(order, responsible).id,
            )
        return order.env._(
            "cancelled on the shop but already delivered or invoiced: activity created"
        )
    if order.locked:
        order.action_unlock()
    order.with_context(disable_cancel_warning=True).action_cancel()
    return order.env._("cancelled")


def decision_user(order, responsible=None):
    """Who decides what to do with an order the shop changed after Odoo moved on: the order's
    salesperson, else the account's responsible, else the team leader, else the current user."""
    return order.user_id or responsible or order.team_id.user_id or order.env.user


def _decision_summary(order):
    return order.env._("Cancelled on the marketplace")


def _has_open_decision(order):
    return any(activity.summary == _decision_summary(order) for activity in order.activity_ids)
