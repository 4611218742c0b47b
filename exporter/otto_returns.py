"""OTTO Market: the partner's answer to its buyers' returns (Returns v3), mixed into
``OttoSender``.

- A return of an OTTO order validated in Odoo (the goods are back) accepts the return of its
  position items on OTTO (``POST /v3/returns/acceptance``), with the condition and the reason
  set on the return (none given: "Return received"); OTTO then refunds the buyer and reports
  the items RETURNED.
- A return refused in Odoo (cancelled with a refusal reason, "Refuse Return") rejects it
  (``POST /v3/returns/rejection``, the reason is required); OTTO refunds nothing.
- Which items: the return's position items as OTTO announced them (the returns the connector
  made), else, for a return made by hand, units of the lines it takes back that the delivery
  shipped and no other return took; items OTTO reports accepted already are not sent.
- Exactly once, through the updates to the shop: marked when the return is validated or
  refused, sent by the scheduled action (send state, Retry). After a request without a readable
  answer, the next try first lists OTTO's accepted (rejected) returns and sends only the items
  missing there. OTTO answers 200, or 207 with the items done and the errors of the others: an
  item "already accepted" counts as done, any other error fails the update with OTTO's words.
- OTTO refunds its buyers itself: a credit note posted in Odoo tells OTTO nothing.
"""

import json
from datetime import timedelta

from odoo import fields

from ..clients.otto_returns import ALREADY_ACCEPTED
from .base import FAILED, SENT, Outcome
from .events import update
from .parcels import line_items, line_units

# the return statuses under which OTTO has the return accepted already
ACCEPTED_ON_OTTO = ("ACCEPTED", "RETURNED")


def _returns_of_order(order):
    return order.env["marketplace.return"].sudo().search([("sale_order_id", "=", order.id)])


def return_items(picking):
    """The OTTO position items a return from the buyer takes back: those its returns name (the
    first ones of each line, as many as its validated quantities), else units of its lines the
    delivery shipped and no other return took. Returns named but not taken back (a return
    validated with less) go with its backorder."""
    order = picking.sale_id
    records = _returns_of_order(order)
    mine = records.filtered(lambda r: r.picking_id == picking and r.source == "otto_item")
    taken = set(records.filtered(lambda r: r.picking_id != picking).mapped("shop_ref"))
    for export in order.sudo().marketplace_export_ids:
        if export.kind in ("return_accept", "return_reject") and export.picking_id != picking:
            taken.update(json.loads(export.items or "[]"))
    moves = picking.move_ids.filtered(lambda m: m.state == "done" and m.sale_line_id)
    items, chosen = [], records.browse()
    for line in moves.sale_line_id:
        units = line_units(line, moves.filtered(lambda m, line=line: m.sale_line_id == line))
        ids = line_items(line)
        named = mine.filtered(lambda r, ids=ids: r.shop_ref in ids)[:units]
        chosen |= named
        picked = named.mapped("shop_ref")
        for item in ids:
            if len(picked) >= units:
                break
            if item not in picked and item not in taken and item not in mine.mapped("shop_ref"):
                picked.append(item)
        items += picked
    left = mine - chosen
    if left and picking.backorder_ids:
        left.write({"picking_id": picking.backorder_ids[:1].id})
    accepted = set(records.filtered(lambda r: r.shop_status in ACCEPTED_ON_OTTO).mapped("shop_ref"))
    return [item for item in items if item not in accepted]


def refused_items(picking):
    """The OTTO position items of a return refused in Odoo: those its returns name."""
    records = _returns_of_order(picking.sale_id).filtered(
        lambda r: r.picking_id == picking and r.source == "otto_item"
    )
    return [r.shop_ref for r in records if r.shop_status not in ACCEPTED_ON_OTTO]


class OttoReturns:
    @classmethod
    def on_credit_note_posted(cls, event, pending):
        return []  # OTTO refunds its buyers itself

    @classmethod
    def on_return_received(cls, event, pending):
        items = return_items(event.picking)
        if not items:
            return []
        return [
            update(
                event.order,
                "return_accept",
                f"return_accept:{event.picking.id}",
                picking_id=event.picking.id,
                event="return",
                items=json.dumps(items),
            )
        ]

    @classmethod
    def on_return_refused(cls, event, pending):
        items = refused_items(event.picking)
        if not items:
            return []
        return [
            update(
                event.order,
                "return_reject",
                f"return_reject:{event.picking.id}",
                picking_id=event.picking.id,
                event="return_refused",
                items=json.dumps(items),
            )
        ]

    # --- sending ---------------------------------------------------------------------------------
    # Generators (see ``run``): each request runs in a thread of the run's pool, so that the
    # answers to the returns of different orders go together.
    def _send_return_accept(self, export, look_up_first):
        return self._answer_return(export, look_up_first, accept=True)

    def _send_return_reject(self, export, look_up_first):
        return self._answer_return(export, look_up_first, accept=False)

    def _answer_return(self, export, look_up_first, accept):
        env, order, picking = self.env, export.sale_order_id, export.picking_id
        status = "ACCEPTED" if accept else "REJECTED"
        items = json.loads(export.items or "[]")
        if not accept and not picking.marketplace_return_refusal:
            return Outcome(
                FAILED,
                env._(
                    "OTTO rejects a return only with its reason: choose the Refusal Reason of "
                    "%s, then Retry.",
                    picking.name,
                ),
            )
        if look_up_first:
            there = yield from self._answered_on_otto(export, status)
            left = [item for item in items if item not in there]
            if not left:
                self._returns_answered(order, items, status)
                return Outcome(
                    SENT,
                    env._(
                        "OTTO reports the return of %(count)s item(s) %(status)s: the last "
                        "request arrived.",
                        count=len(items),
                        status=status,
                    ),
                )
            items = left
        body = [self._return_position(order, picking, item, accept) for item in items]
        request = {"positionItems": body}
        self.attempt(export, request)
        answer_returns = self.client.accept_returns if accept else self.client.reject_returns
        answer = yield lambda: answer_returns(body)
        failing = [
            error
            for error in answer["errors"]
            if not (accept and ALREADY_ACCEPTED in error.lower())
        ]
        if failing:
            return Outcome(
                FAILED,
                env._("OTTO refused the answer to the return: %s", "; ".join(failing)),
                request=request,
                answer=answer,
            )
        self._returns_answered(order, items, status)
        if accept:
            message = env._(
                "OTTO accepted the return of %(count)s item(s) (condition %(condition)s, "
                "reason %(reason)s); OTTO refunds the buyer.",
                count=len(items),
                condition=picking.marketplace_return_condition or "-",
                reason=picking.marketplace_return_reason or "RETURN_RECEIVED",
            )
        else:
            message = env._(
                "OTTO rejected the return of %(count)s item(s) (reason %(reason)s).",
                count=len(items),
                reason=picking.marketplace_return_refusal,
            )
        return Outcome(SENT, message, request=request, answer=answer)

    def _return_position(self, order, picking, item, accept):
        position = {"positionItemId": item, "salesOrderId": order.marketplace_order_id}
        if picking.marketplace_return_condition:
            position["condition"] = picking.marketplace_return_condition
        if accept:
            position["reason"] = picking.marketplace_return_reason or "RETURN_RECEIVED"
        else:
            position["reason"] = picking.marketplace_return_refusal
        return position

    def _answered_on_otto(self, export, status):
        """The order's items OTTO lists with ``status`` since a little before the last try (the
        pages read in a thread of the run's pool: yields the request)."""
        moment = export.last_attempt_at or export.create_date or fields.Datetime.now()
        order_id = export.sale_order_id.marketplace_order_id
        client, since = self.client, moment - timedelta(hours=1)
        listed = yield lambda: list(client.iter_returns(status, since=since))
        return {item["item"] for item in listed if item["order"] == order_id}

    def _returns_answered(self, order, items, status):
        """The order's returns of these items say what OTTO now has."""
        records = _returns_of_order(order).filtered(
            lambda r: r.shop_ref in items and r.shop_status != "RETURNED"
        )
        records.write({"shop_status": status})
