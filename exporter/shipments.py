"""The steps of sending a delivery's shipment, the same for every shop.

1. the shop has every parcel already: the tracking numbers were corrected since
   (``correct_shipment``);
2. the shop's items the update covers (``shipment_items_of``; none moved: nothing to send);
3. the delivery's tracking numbers, and the checks before anything is sent (``check_shipment``:
   the shop's carrier, a tracking number or the one the shop has, addresses);
4. the parcels to send (``plan_parcels``), those the shop had already keeping what they became;
5. each parcel not done yet (``send_parcel``: look it up first after a lost answer, record the
   attempt, send), recorded on the update as it goes, so a retry sends only the rest;
6. the outcome (``shipment_sent``).

Each shop's sender fills in the steps its shop needs; ``Shipment`` carries what the steps learn.
"""

import json
from dataclasses import dataclass, field
from types import GeneratorType

from .base import FAILED, NOT_NEEDED, TO_SEND, Outcome, all_done, recorded_parcels, split_tracking


def steps(result):
    """A hook's result: a plain one, or the end of the steps (a generator yielding each request,
    see exporter/run.py) the hook returned, each of their requests yielded on to the run."""
    if isinstance(result, GeneratorType):
        return (yield from result)
    return result


@dataclass
class Shipment:
    """One attempt at sending a delivery's shipment."""

    export: object
    look_up_first: bool
    recorded: list  # the parcels as recorded on the update (see base.recorded_parcels)
    items: object = None  # the shop's items the update covers (None: the shop takes none)
    numbers: list = field(default_factory=list)  # the delivery's tracking numbers
    carrier: str = ""  # the shop's carrier code
    parcels: list = field(default_factory=list)  # the parcels to send, done ones included
    requests: list = field(default_factory=list)  # what was sent, for the log
    answers: list = field(default_factory=list)  # what the shop answered
    shop: dict = field(default_factory=dict)  # what one shop's steps hand to the next

    @property
    def picking(self):
        return self.export.picking_id

    @property
    def order(self):
        return self.export.sale_order_id

    def request(self):
        """What was sent, for the update and the log: one request, several, or None."""
        return (self.requests[0] if len(self.requests) == 1 else self.requests) or None

    def answer(self):
        return (self.answers[0] if len(self.answers) == 1 else self.answers) or None


class ShipmentSteps:
    """The shipment skeleton of a sender (``_send_shipment``) and the hooks a shop fills in."""

    # what a parcel the shop has already keeps of its record when it is planned again (None:
    # all of it)
    kept_parcel_keys = ("ref",)

    def _send_shipment(self, export, look_up_first):
        """Steps (see exporter/run.py): a hook may yield its requests (a generator) to have them
        sent in a thread of the run while the run goes on with the updates of other orders."""
        shipment = Shipment(export, look_up_first, recorded_parcels(export))
        if all_done(shipment.recorded):
            return (yield from steps(self.correct_shipment(shipment)))
        shipment.items = yield from steps(self.shipment_items_of(export))
        if shipment.items is not None and not shipment.items:
            return Outcome(NOT_NEEDED, self.no_items_message())
        shipment.numbers = self.tracking_numbers(shipment.picking)
        outcome = yield from steps(self.check_shipment(shipment))
        if outcome is not None:
            return outcome
        shipment.parcels, problem = yield from steps(self.plan_parcels(shipment))
        if problem:
            return Outcome(FAILED, problem)
        self._keep_done(shipment)
        outcome = yield from steps(self.send_parcels(shipment))
        if outcome is not None:
            return outcome
        export.parcels = json.dumps(shipment.parcels)
        return (yield from steps(self.shipment_sent(shipment)))

    def _keep_done(self, shipment):
        """The parcels the shop had already (an earlier attempt) keep what they became."""
        for parcel, before in zip(shipment.parcels, shipment.recorded, strict=False):
            if before.get("done") and before.get("number") == parcel["number"]:
                if self.kept_parcel_keys is None:
                    parcel.update(before)
                else:
                    parcel.update(
                        done=True, **{key: before.get(key, "") for key in self.kept_parcel_keys}
                    )

    def send_parcels(self, shipment):
        """Send each parcel not done yet, one after the other; an outcome when the shipment
        ends early."""
        for index, parcel in enumerate(shipment.parcels):
            if parcel.get("done"):
                continue
            outcome = yield from steps(self.send_parcel(shipment, index))
            if outcome is not None:
                return outcome
        return None

    # --- the hooks -------------------------------------------------------------------------------
    def correct_shipment(self, shipment):
        """The shop has every parcel: send what changed since (a tracking number corrected)."""
        raise NotImplementedError

    def shipment_items_of(self, export):
        """The shop's items the update covers (fixed when it was marked); None: none needed."""
        return self.items(export)

    def no_items_message(self):
        return self.env._("The delivery moved no item of the order.")

    def check_shipment(self, shipment):
        """An outcome when the shipment cannot be sent now (no carrier, no tracking number,
        waiting for the shop's), else None; sets ``shipment.carrier``. By default a tracking
        number is all it needs."""
        if not shipment.numbers:
            return self.missing_tracking(shipment.export)
        return None

    def plan_parcels(self, shipment):
        """([{"items"?, "number", ...}], problem): the parcels to send."""
        raise NotImplementedError

    def send_parcel(self, shipment, index):
        """Send one parcel and record it on ``shipment.parcels[index]`` (done, ref); an outcome
        when the shipment ends there."""
        raise NotImplementedError

    def shipment_sent(self, shipment):
        """The outcome once every parcel is done."""
        raise NotImplementedError

    # --- what the shops share --------------------------------------------------------------------
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
