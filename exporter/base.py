"""What every sender shares: the outcome of one update, its states, tracking numbers and the
parcels recorded on a shipment update."""

import json
import re
from dataclasses import dataclass

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
