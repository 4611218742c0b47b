"""The sender of one account's updates: one ``_send_<kind>`` per kind of update, the status
guards every shop shares, and (inherited) which updates an event means (``events``) and the steps
of a shipment (``shipments``). Each shop's sender (``otto``, ``prestashop``, ``cscart``) fills in
its differences."""

from ..clients.errors import OutcomeUnknownError
from .base import FAILED, NOT_NEEDED, SENT, TO_SEND, Outcome, customer_deliveries
from .events import EventUpdates
from .shipments import ShipmentSteps


class Sender(EventUpdates, ShipmentSteps):
    """Sends the updates of one account to its shop; one ``_send_<kind>`` method per kind of
    update. A method returns an ``Outcome`` or lets a client error through (the run turns it into
    one). Before a request the shop may carry out without the connector hearing of it, it calls
    ``attempt``: from then on a retry looks on the shop first (``look_up_first``)."""

    def __init__(self, run):
        self.run = run
        self.account = run.account
        self.env = run.env
        self.client = run.client
        self.rows = {mapping.code: mapping for mapping in self.account.status_mapping_ids}

    def send(self, export, look_up_first):
        method = getattr(self, f"_send_{export.kind}", None)
        if method is None:
            return Outcome(NOT_NEEDED, self.env._("The shop takes no update of this kind."))
        return method(export, look_up_first)

    def attempt(self, export, request, **values):
        self.run.attempt(export, request, **values)

    def error_outcome(self, error):
        if isinstance(error, OutcomeUnknownError):
            return Outcome(
                TO_SEND,
                self.env._(
                    "The shop did not answer in a way that can be read (%s). It may have done "
                    "it: the next try first looks on the shop, and sends the update only if it "
                    "is not there.",
                    error,
                ),
            )
        if error.retryable:
            return Outcome(
                TO_SEND,
                self.env._(
                    "The shop did not answer in time (%s). The next run tries again, and first "
                    "looks on the shop whether the update arrived.",
                    error,
                ),
            )
        return Outcome(FAILED, self.env._("The shop refused the update: %s", error))

    # --- statuses --------------------------------------------------------------------------------
    def status_label(self, code):
        row = self.rows.get(code)
        return row.display_name if row else code

    def target_status(self, export):
        """The status mapping row the update sets now (the settings may have changed since it was
        marked): a delivered order with a tracking number gets the 'shipped' status; after the
        import, the status its mapping row asked for when it was marked."""
        if export.event == "import":
            row = self.rows.get(export.status_code or "")
            return row if row else self.account.status_mapping_ids.browse()
        if export.event == "deliver":
            tracked = any(
                p.carrier_tracking_ref
                for p in customer_deliveries(export.sale_order_id.picking_ids)
            )
            return self.account._export_status("shipped" if tracked else "delivered")
        return self.account._export_status(export.event)

    def status_not_needed(self, export, code, current=None):
        """An outcome when the shop's status must not be changed to ``code``, else None: the
        shop reports it already, or a status at or beyond it in the shop's flow (statuses only go
        forward), or a cancelled one; the confirmation of an order the shop's status made an
        order; a status the flow cannot compare with (no Flow Rank) that someone set on the shop
        since Odoo last read the order; a status that would tell the shop what Odoo does not
        know (PrestaShop's 'paid' and 'shipped' flags).

        ``current``: the order's status on the shop, read right before the write (the merchant
        may have moved the order since the last import); None: Odoo's copy, the status the last
        import (or the connector's last status change) left."""
        order = export.sale_order_id
        known = order.marketplace_status or ""
        current = known if current is None else current or ""
        row, target = self.rows.get(current), self.rows.get(code)
        claim = target._claims(order) if target else ""
        if current == code:
            message = self.env._("The shop already reports %s.", self.status_label(code))
        elif row and row.document_state == "cancel":
            message = self.env._(
                "The order is cancelled on the shop (%s): its status is left as it is.",
                self.status_label(current),
            )
        elif (
            export.event == "confirm"
            and current == known
            and row
            and row.document_state in ("sale", "locked")
        ):
            # the import confirmed the order because of this status (a status set on the shop
            # since, the import has not seen: the flow decides)
            message = self.env._(
                "The shop's status %s already made it an order: nothing to change there.",
                self.status_label(current),
            )
        elif target and row and target._reached_by(row):
            message = self.env._(
                "The shop's status %(current)s is at or beyond %(status)s in the shop's flow: "
                "statuses only go forward, it is not set.",
                current=self.status_label(current),
                status=self.status_label(code),
            )
        elif current and current != known and not (row and target and row.rank and target.rank):
            message = self.env._(
                "The order's status was changed on the shop to %(current)s since Odoo last read "
                "it, and the shop's flow cannot tell whether %(status)s comes after it (a status "
                "without a Flow Rank): it is left as it is. Give the status a Flow Rank on the "
                "account, or set the status on the shop.",
                current=self.status_label(current),
                status=self.status_label(code),
            )
        elif claim:
            message = self.env._("Not set on the shop: %s", claim)
        else:
            return None
        return Outcome(NOT_NEEDED, message, status_code=code)

    def reached(self, current, code):
        """Whether the shop's status ``current`` is ``code`` or at or beyond it in its flow."""
        if current == code:
            return True
        target, row = self.rows.get(code), self.rows.get(current)
        return bool(target and row and target._reached_by(row))

    def already_there(self, export, current, code, answer=None):
        """The outcome of a look-up that found the order at or beyond the status."""
        self.status_sent(export, current)
        if current == code:
            message = self.env._(
                "The shop reports %s: the last request arrived.", self.status_label(code)
            )
        else:
            message = self.env._(
                "The shop reports %(current)s, at or beyond %(status)s: not sent again.",
                current=self.status_label(current),
                status=self.status_label(code),
            )
        return Outcome(SENT, message, status_code=code, answer=answer)

    def status_sent(self, export, code):
        """The shop reports the status now: the next import finds no change to apply."""
        export.sale_order_id.marketplace_status = code

    def prepare_status(self, export):
        """(status code, outcome when nothing is to be sent now)."""
        if export.event == "deliver":
            pending = export.sale_order_id.marketplace_export_ids.filtered(
                lambda e: e.kind == "shipment" and e.state in ("to_send", "failed")
            )
            if pending:
                # the buyer is told 'shipped' with the tracking number, not before it
                return "", Outcome(
                    TO_SEND,
                    self.env._(
                        "Waits until the shop has the shipments of %s.",
                        ", ".join(pending.picking_id.mapped("name")),
                    ),
                    waiting=True,
                )
        row = self.target_status(export)
        if not row:
            return "", Outcome(
                NOT_NEEDED, self.env._("The account sets no shop status for this event any more.")
            )
        return row.code, self.status_not_needed(export, row.code)
