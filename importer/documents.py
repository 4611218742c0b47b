"""Moving sales documents to the state their shop status asks for, forwards only, a group at a
time: all the documents of a page that go to the same state move in one call."""

from odoo import fields

from ..activities import decision_user, has_open_activity
from ..const import DOCUMENT_STATE_RANK


def document_rank(order):
    return (
        DOCUMENT_STATE_RANK["locked"] if order.locked else DOCUMENT_STATE_RANK.get(order.state, 0)
    )


def apply_document_state(order, target, shop_status_label, responsible=None):
    """Move one order; see ``move_documents``. Returns its sentence."""
    return move_documents(order, target, shop_status_label, responsible)[order.id]


def move_documents(orders, target, shop_status_label, responsible=None):
    """Move ``orders`` towards the document state ``target`` of one mapping row.

    Returns ``{order id: sentence}`` describing each change ('' when nothing had to change).
    Never moves a confirmed order back to a quotation; never reopens a cancelled one; never
    cancels an order that has been delivered or invoiced: it schedules an activity for a person
    to decide instead (the order's salesperson, else ``responsible``, else the sales team's
    leader). Confirmation keeps the shop's order date (``marketplace_keep_order_date``).
    """
    env = orders.env
    sentences = dict.fromkeys(orders.ids, "")
    open_orders = orders.filtered(lambda order: order.state != "cancel")
    if target == "cancel":
        sentences.update(_cancel(open_orders, shop_status_label, responsible))
        return sentences
    wanted = DOCUMENT_STATE_RANK[target]
    moving = open_orders.filtered(lambda order: document_rank(order) < wanted)
    if not moving:
        return sentences
    if target == "sent":
        moving.write({"state": "sent"})
        sentences.update(dict.fromkeys(moving.ids, env._("marked as sent")))
        return sentences
    to_confirm = moving.filtered(lambda order: order.state in ("draft", "sent"))
    if to_confirm:
        to_confirm.with_context(marketplace_keep_order_date=True).action_confirm()
    if target == "locked":
        to_lock = moving.filtered(lambda order: not order.locked)
        to_lock.action_lock()
        sentences.update(dict.fromkeys(to_lock.ids, env._("confirmed and locked")))
        moving -= to_lock
    sentences.update(dict.fromkeys(moving.ids, env._("confirmed")))
    return sentences


def _cancel(orders, shop_status_label, responsible):
    env = orders.env
    sentences = {}
    cancellable = env["sale.order"]
    for order in orders:
        delivered = any(picking.state == "done" for picking in order.picking_ids)
        invoiced = any(move.state == "posted" for move in order.invoice_ids)
        if not (delivered or invoiced):
            cancellable |= order
            continue
        if not _has_open_decision(order):
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(order),
                summary=_decision_summary(env),
                note=env._(
                    "The shop reports this order as '%(status)s', but it has already been "
                    "%(what)s in Odoo. Decide whether to cancel it, return the goods or refund "
                    "the customer.",
                    status=shop_status_label,
                    what=env._("delivered") if delivered else env._("invoiced"),
                ),
                user_id=decision_user(order, responsible).id,
            )
        sentences[order.id] = env._(
            "cancelled on the shop but already delivered or invoiced: activity created"
        )
    locked = cancellable.filtered("locked")
    if locked:
        locked.action_unlock()
    if cancellable:
        cancellable.with_context(disable_cancel_warning=True).action_cancel()
        sentences.update(dict.fromkeys(cancellable.ids, env._("cancelled")))
    return sentences


def _decision_summary(env):
    return env._("Cancelled on the marketplace")


def _has_open_decision(order):
    return has_open_activity(order, _decision_summary)
