"""What every sender shares: the outcome of one update, status guards, tracking numbers."""

import json
import re
from dataclasses import dataclass

from ..clients.errors import OutcomeUnknownError

SENT = "sent"
NOT_NEEDED = "not_needed"
FAILED = "failed"
TO_SEND = "to_send"

_TRACKING_SEPARATORS = re.compile(r"[,;\n]+")


@dataclass
class Outcome:
    """What became of one update: ``state`` is the update's new state."""

    state: str
    message: str
    remote_ref: str = ""
    status_code: str = ""
    request: object = None
    answer: object = None
    waiting: bool = False  # to send later, and nothing went wrong: not a failure in the log


def split_tracking(value):
    """The tracking numbers of a delivery's Tracking Reference (Odoo joins several with ',')."""
    numbers = []
    for part in _TRACKING_SEPARATORS.split(value or ""):
        number = part.strip()
        if number and number not in numbers:
            numbers.append(number)
    return numbers


def recorded_parcels(export):
    """The parcels of a shipment update as recorded: [{"package", "items", "number", "done",
    "ref", ...}] (``done``: the shop has it; ``ref``: the shop's id of it). An update sent before
    parcels were recorded counts as one parcel."""
    parcels = json.loads(export.parcels or "[]")
    if export.sent_at and not any("done" in parcel for parcel in parcels):
        return [
            {
                "items": json.loads(export.items) if export.items else None,
                "number": ", ".join(split_tracking(export.sent_tracking)),
                "done": True,
                "ref": export.remote_ref or "",
            }
        ]
    return parcels


def all_done(parcels):
    return bool(parcels) and all(parcel.get("done") for parcel in parcels)


def parcel_groups(export, items):
    """The groups of items of a shipment update, one per package of the delivery (one group of
    all its items when it has no package, or one)."""
    groups = [parcel for parcel in json.loads(export.parcels or "[]") if "items" in parcel]
    if len(groups) > 1:
        return [{"package": g.get("package") or "", "items": g["items"]} for g in groups]
    return [{"package": "", "items": items}]


def as_text(value):
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, indent=1, sort_keys=True, default=str, ensure_ascii=False)


def customer_deliveries(pickings):
    """The done deliveries to the buyer of imported orders (not returns, not internal steps)."""
    return pickings.filtered(
        lambda p: (
            p.state == "done"
            and p.picking_type_code == "outgoing"
            and p.location_dest_id.usage == "customer"
            and p.sale_id.marketplace_account_id
        )
    )


class Sender:
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

    def status_not_needed(self, export, code):
        """An outcome when the shop's status must not be changed, else None: the shop reports it
        already, or a status at or beyond it in the shop's flow (statuses only go forward), or a
        cancelled one; the confirmation of an order the shop's status made an order; a status
        that would tell the shop what Odoo does not know (PrestaShop's 'paid' and 'shipped'
        flags)."""
        order = export.sale_order_id
        current = order.marketplace_status or ""
        row, target = self.rows.get(current), self.rows.get(code)
        claim = target._claims(order) if target else ""
        if current == code:
            message = self.env._("The shop already reports %s.", self.status_label(code))
        elif row and row.document_state == "cancel":
            message = self.env._(
                "The order is cancelled on the shop (%s): its status is left as it is.",
                self.status_label(current),
            )
        elif export.event == "confirm" and row and row.document_state in ("sale", "locked"):
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

    # --- deliveries ------------------------------------------------------------------------------
    def tracking_numbers(self, picking):
        return split_tracking(picking.carrier_tracking_ref)

    def items(self, export, default=None):
        return json.loads(export.items) if export.items else default

    def pull_tracking(self, picking, numbers):
        """Put the tracking numbers found on the shop onto a delivery that has none."""
        picking.with_context(marketplace_tracking_from_shop=True).carrier_tracking_ref = ",".join(
            numbers
        )

    def waiting_for_tracking(self, export):
        """With the account taking tracking numbers from the shop, a delivery validated without
        one waits a few days for the shop to have it (looked up by each run); None after."""
        if self.account.import_tracking and not self.run.waited_too_long(export.picking_id):
            return Outcome(
                TO_SEND,
                self.env._(
                    "No tracking number yet, neither in Odoo nor on the shop: looked up again by "
                    "the next run."
                ),
                waiting=True,
            )
        return None

    def missing_tracking(self, export):
        return Outcome(
            FAILED,
            self.env._(
                "The delivery %s has no tracking number: enter it (Tracking Reference), then "
                "Retry.",
                export.picking_id.name,
            ),
        )
