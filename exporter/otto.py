"""OTTO Market: a shipment per parcel of a delivery (its position items, tracking key, ship date,
the warehouse as ship-from address, return tracking keys) and the cancellation of position items
that will never ship.

- One shipment per package, with that package's items (OTTO: "If you are shipping different
  articles, each packed in its own parcel with a separate tracking number, each of these shipments
  must be reported individually"); one item in several parcels is a multiparcel shipment.
- Forwarders may have no tracking number (a tracking key of the carrier only); parcel carriers
  need one, and the return label's tracking number on each item where the account puts return
  labels in its parcels (always in a multiparcel shipment).
- A parcel OTTO already has (a backorder put in the same parcel) gets the delivery's items added
  (``.../positionitems``) instead of a second shipment, which OTTO refuses (409).
- A tracking number corrected after OTTO has the shipment cannot be sent: OTTO's API has no
  request that changes a tracking key. The update fails and says what to do on OTTO; once OTTO
  has the corrected number, Retry finds it there.

Exactly once: OTTO refuses a second shipment with the same tracking key (409), and a shipment is
found by its tracking key. Each parcel the shop has is recorded (committed) before the next one
is sent; after a request without an answer the tracking key is looked up first.
"""

import json

from ..clients.errors import RequestError
from ..clients.otto_export import (
    ALPHA2_TO_ALPHA3,
    OTTO_CARRIERS,
    OTTO_PARCEL_CARRIERS,
    position_items,
    shipment_body,
    shipment_items,
)
from . import parcels as parcel_plan
from .base import (
    FAILED,
    NOT_NEEDED,
    SENT,
    Outcome,
    parcel_groups,
    recorded_parcels,
    split_tracking,
)
from .carriers import shop_carrier
from .events import taken_items, update
from .sender import Sender


def open_position_items(order, pending=()):
    """The order's position items that no delivery has shipped and no cancellation of the
    connector asks for already (marked, or in ``pending``: marked just now)."""
    shipped = taken_items(order)
    for export in order.sudo().marketplace_export_ids.filtered(lambda e: e.kind == "cancel"):
        shipped.update(json.loads(export.items or "[]"))
    for vals in pending:
        if vals["sale_order_id"] == order.id and vals["kind"] == "cancel":
            shipped.update(json.loads(vals["items"]))
    items = []
    # fee and discount lines name the items they concern too: each item once
    for line in order.order_line:
        for item in parcel_plan.line_items(line):
            if item not in shipped and item not in items:
                items.append(item)
    return items


class OttoSender(Sender):
    # --- what events mean on OTTO: shipments and cancelled items, no statuses --------------------
    @classmethod
    def on_order_confirmed(cls, event, pending):
        return []  # OTTO moves its items' states itself

    @classmethod
    def on_invoiced(cls, event, pending):
        return []  # OTTO invoices the buyer itself

    @classmethod
    def on_order_cancelled(cls, event, pending):
        """The position items no delivery has shipped are cancelled (only for orders that were
        confirmed: the items of a quotation are not processable on OTTO)."""
        if not (event.account.otto_cancel_items and event.was_confirmed):
            return []
        items = open_position_items(event.order, pending)
        if not items:
            return []
        return [update(event.order, "cancel", "cancel", event="cancel", items=json.dumps(items))]

    @classmethod
    def on_deliveries_closed(cls, event, pending):
        """The position items no delivery shipped will never ship: cancelled, those only."""
        account = event.account
        if not (account.otto_cancel_items and account.export_tracking):
            return []  # without shipments sent, which items shipped is not on record
        items = open_position_items(event.order, pending)
        if not items:
            return []
        return [
            update(
                event.order, "cancel", "cancel:unshipped", event="deliver", items=json.dumps(items)
            )
        ]

    @classmethod
    def shipment_items(cls, picking, taken=frozenset()):
        """Position item ids (one unit each) the delivery moved, the ones no other delivery
        took, in line order; per package when it has several."""
        units = parcel_plan.delivered_units(picking)
        by_line = parcel_plan.otto_items(units, taken)
        items = [item for chosen in by_line.values() for item in chosen]
        return items, parcel_plan.split_otto(by_line, parcel_plan.package_units(picking))

    # --- shipments: the steps of Sender._send_shipment -------------------------------------------
    kept_parcel_keys = ("ref", "how")

    def shipment_items_of(self, export):
        return self.items(export, [])

    def no_items_message(self):
        return self.env._("The delivery moved no position item of the OTTO order.")

    def correct_shipment(self, shipment):
        return self._correction(shipment.export, shipment.recorded)

    def check_shipment(self, shipment):
        export, picking, numbers = shipment.export, shipment.picking, shipment.numbers
        carrier = shipment.carrier = shop_carrier(self.account, picking.carrier_id)
        if carrier not in OTTO_CARRIERS:
            if not numbers and self.account.import_tracking:
                waiting = self._tracking_from_otto(
                    export, shipment.items
                ) or self.waiting_for_tracking(export)
                if waiting:
                    return waiting
            return Outcome(FAILED, self._carrier_problem(picking))
        forwarder = shipment.shop["forwarder"] = carrier not in OTTO_PARCEL_CARRIERS
        if not numbers and not forwarder:
            return (
                self._tracking_from_otto(export, shipment.items)
                or self.waiting_for_tracking(export)
                or self.missing_tracking(export)
            )
        ship_from, problem = self._ship_from(picking)
        if problem:
            return Outcome(FAILED, problem)
        shipment.shop["ship_from"] = ship_from
        return None

    def plan_parcels(self, shipment):
        return self._plan(
            shipment.export, shipment.items, shipment.numbers, shipment.shop["forwarder"]
        )

    def send_parcels(self, shipment):
        if len(shipment.parcels) > 1 and len(shipment.items) == 1:
            # one item in several parcels: one request for all of them
            return self._multiparcel(
                shipment.export,
                shipment.parcels,
                shipment.carrier,
                shipment.shop["ship_from"],
                shipment.look_up_first,
            )
        return super().send_parcels(shipment)

    def shipment_sent(self, shipment):
        parcels = shipment.parcels
        return Outcome(
            SENT,
            self._sent_text(parcels, shipment.carrier),
            remote_ref=",".join(p["ref"] for p in parcels if p.get("ref")),
            request=shipment.request(),
            answer=shipment.answer(),
        )

    def _plan(self, export, items, numbers, forwarder):
        """([{"package", "items", "number", "returns"}], problem): the parcels to send."""
        env = self.env
        groups = parcel_groups(export, items)
        if len(numbers) == len(groups):
            parcels = [dict(g, number=n) for g, n in zip(groups, numbers, strict=True)]
        elif len(numbers) <= 1:
            parcels = [{"package": "", "items": items, "number": numbers[0] if numbers else ""}]
        elif len(items) == 1:  # one item in several parcels: a multiparcel shipment
            parcels = [{"package": "", "items": items, "number": n} for n in numbers]
        else:
            packages = [g["package"] for g in groups if g["package"]]
            return None, env._(
                "OTTO takes one tracking number per shipment: this delivery has %(count)s "
                "tracking numbers for %(items)s items in %(parcels)s. Put the items of each "
                "parcel in a package of their own (one tracking number per package, in the order "
                "of the packages), or validate one delivery per parcel, or keep one tracking "
                "number.",
                count=len(numbers),
                items=len(items),
                parcels=(
                    env._("the packages %s", ", ".join(packages))
                    if packages
                    else env._("no package")
                ),
            )
        returns = split_tracking(export.picking_id.marketplace_return_tracking_ref)
        multiparcel = len(parcels) > 1 and len(items) == 1
        if returns and len(returns) not in (1, len(parcels)):
            return None, env._(
                "The delivery %(delivery)s has %(returns)s return tracking numbers for "
                "%(parcels)s parcels: give one for all parcels, or one per parcel in their order.",
                delivery=export.picking_id.name,
                returns=len(returns),
                parcels=len(parcels),
            )
        if not returns and (multiparcel or (self.account.otto_return_labels and not forwarder)):
            return None, env._(
                "OTTO needs the tracking number of the return label in each parcel of %s "
                "(always for an item sent in several parcels, and for every parcel delivery "
                "where the account puts return labels in its parcels): enter it in Return "
                "Tracking Reference, then Retry.",
                export.picking_id.name,
            )
        for index, parcel in enumerate(parcels):
            parcel["returns"] = (
                (returns[index] if len(returns) > 1 else returns[0]) if returns else ""
            )
        return parcels, ""

    def _positions(self, export, parcel):
        order_id = export.sale_order_id.marketplace_order_id
        return_key = None
        if parcel.get("returns"):
            return_key = (self.account.otto_return_carrier or "DHL", parcel["returns"])
        return [(order_id, item) for item in parcel["items"]], return_key

    def _body(self, export, parcel, carrier, ship_from):
        positions, return_key = self._positions(export, parcel)
        return shipment_body(
            carrier,
            parcel["number"],
            export.picking_id.date_done,
            ship_from,
            positions,
            return_key,
            self.account.otto_return_address_carrier_id or None,
        )

    def send_parcel(self, shipment, index):
        """Send one parcel; record it on ``shipment.parcels``. An outcome when it cannot be
        sent."""
        export, parcels, carrier = shipment.export, shipment.parcels, shipment.carrier
        requests, answers = shipment.requests, shipment.answers
        env, parcel = self.env, parcels[index]
        order_id = export.sale_order_id.marketplace_order_id
        wanted = {(order_id, item) for item in parcel["items"]}
        number = parcel["number"]
        if shipment.look_up_first:
            found = self._find(carrier, number) if number else self._sent_without_key(export)
            if found is not None and wanted <= shipment_items(found):
                parcel.update(done=True, ref=str(found.get("shipmentId") or ""), how="found")
                answers.append(found)
                return None
        if number and self._known_parcel(export, carrier, number):
            return self._add_items(export, parcels, index, carrier, requests, answers)
        body = self._body(export, parcel, carrier, shipment.shop["ship_from"])
        requests.append(body)
        self.attempt(
            export,
            body,
            parcels=json.dumps(parcels),
            sent_tracking=",".join(p["number"] for p in parcels),
            sent_carrier=carrier,
        )
        try:
            shipment_id = self.client.create_shipment(body)
        except RequestError as exc:
            if exc.status != 409 or not number:
                raise
            found = self._find(carrier, number)
            if found is not None and wanted <= shipment_items(found):
                parcel.update(done=True, ref=str(found.get("shipmentId") or ""), how="found")
                answers.append(found)
                return None
            if found is not None and order_id in {o for o, _i in shipment_items(found)}:
                # a parcel OTTO has for this order (a backorder in the same parcel)
                return self._add_items(export, parcels, index, carrier, requests, answers, found)
            return Outcome(
                FAILED,
                env._("OTTO refused the shipment: %s", exc),
                request=body,
                answer=str(exc),
            )
        parcel.update(done=True, ref=shipment_id, how="created")
        answers.append({"shipmentId": shipment_id})
        return None

    def _known_parcel(self, export, carrier, number):
        """Whether another delivery of the order went to OTTO under this tracking key."""
        for other in export.sale_order_id.marketplace_export_ids:
            if other == export or other.kind != "shipment" or other.sent_carrier != carrier:
                continue
            if any(p.get("done") and p.get("number") == number for p in recorded_parcels(other)):
                return True
        return False

    def _add_items(self, export, parcels, index, carrier, requests, answers, found=None):
        """Add the parcel's items to the shipment OTTO has under its tracking key."""
        parcel = parcels[index]
        found = found or self._find(carrier, parcel["number"])
        if found is None:
            return Outcome(
                FAILED,
                self.env._(
                    "OTTO has no shipment under %(carrier)s %(tracking)s any more: check the "
                    "tracking number, then Retry.",
                    carrier=carrier,
                    tracking=parcel["number"],
                ),
            )
        order_id = export.sale_order_id.marketplace_order_id
        missing = [i for i in parcel["items"] if (order_id, i) not in shipment_items(found)]
        if missing:
            positions, return_key = self._positions(export, dict(parcel, items=missing))
            body = position_items(
                positions, return_key, self.account.otto_return_address_carrier_id or None
            )
            request = {"trackingKey": {"carrier": carrier, "trackingNumber": parcel["number"]}}
            requests.append(dict(request, positionItems=body))
            self.attempt(
                export,
                requests[-1],
                parcels=json.dumps(parcels),
                sent_tracking=",".join(p["number"] for p in parcels),
                sent_carrier=carrier,
            )
            self.client.append_position_items(carrier, parcel["number"], body)
        parcel.update(done=True, ref=str(found.get("shipmentId") or ""), how="added")
        answers.append({"shipmentId": found.get("shipmentId"), "added": len(missing)})
        return None

    def _multiparcel(self, export, parcels, carrier, ship_from, look_up_first):
        """One item in several parcels: one request for all of them (OTTO creates all or none)."""
        if look_up_first:
            found = self._find(carrier, parcels[0]["number"])
            order_id = export.sale_order_id.marketplace_order_id
            if found is not None and (order_id, parcels[0]["items"][0]) in shipment_items(found):
                return self._already_there(found, export, parcels)
        bodies = [self._body(export, parcel, carrier, ship_from) for parcel in parcels]
        self.attempt(
            export,
            bodies,
            sent_tracking=",".join(p["number"] for p in parcels),
            sent_carrier=carrier,
        )
        try:
            group_id = self.client.create_multiparcel_shipment(bodies)
        except RequestError as exc:
            if exc.status != 409:
                raise
            found = self._find(carrier, parcels[0]["number"])
            order_id = export.sale_order_id.marketplace_order_id
            wanted = {(order_id, item) for item in parcels[0]["items"]}
            if found is None or not wanted <= shipment_items(found):
                return Outcome(
                    FAILED,
                    self.env._("OTTO refused the shipment: %s", exc),
                    request=bodies,
                    answer=str(exc),
                )
            return self._already_there(found, export, parcels)
        for parcel in parcels:
            parcel.update(done=True, ref=group_id, how="created")
        export.parcels = json.dumps(parcels)
        return Outcome(
            SENT,
            self._sent_text(parcels, carrier),
            remote_ref=group_id,
            request=bodies,
            answer={"multiParcelShipmentId": group_id},
        )

    def _sent_text(self, parcels, carrier):
        lines = []
        for parcel in parcels:
            values = {
                "shipment": parcel.get("ref") or "?",
                "count": len(parcel["items"]),
                "carrier": carrier,
                "tracking": parcel["number"] or self.env._("(no tracking number)"),
            }
            if parcel.get("how") == "added":
                lines.append(
                    self.env._(
                        "%(count)s position items added to shipment %(shipment)s, %(carrier)s "
                        "%(tracking)s (OTTO had that parcel already).",
                        **values,
                    )
                )
            elif parcel.get("how") == "found":
                lines.append(
                    self.env._(
                        "OTTO already has this shipment (%(shipment)s, %(carrier)s "
                        "%(tracking)s): not sent again.",
                        **values,
                    )
                )
            else:
                lines.append(
                    self.env._(
                        "Shipment %(shipment)s: %(count)s position items, %(carrier)s "
                        "%(tracking)s.",
                        **values,
                    )
                )
        return "\n".join(lines)

    def _correction(self, export, recorded):
        """The tracking number changed after OTTO had the shipment: OTTO cannot take a
        correction through its API. Done once OTTO has the corrected number (corrected by the
        merchant on OTTO)."""
        env, picking = self.env, export.picking_id
        numbers = self.tracking_numbers(picking)
        old = [p.get("number") or "" for p in recorded]
        if len(numbers) == len(recorded) and numbers == old:
            return Outcome(SENT, env._("OTTO has these tracking numbers already."))
        carrier = export.sent_carrier
        order_id = export.sale_order_id.marketplace_order_id
        if len(numbers) == len(recorded):
            on_otto = []
            for parcel, number in zip(recorded, numbers, strict=True):
                found = self._find(carrier, number) if number else None
                wanted = {(order_id, item) for item in parcel.get("items") or []}
                on_otto.append(found is not None and wanted <= shipment_items(found))
            if all(on_otto):
                for parcel, number in zip(recorded, numbers, strict=True):
                    parcel["number"] = number
                export.parcels = json.dumps(recorded)
                return Outcome(
                    SENT,
                    env._(
                        "OTTO has the corrected tracking number %s: nothing more to send.",
                        ", ".join(numbers),
                    ),
                )
        return Outcome(
            FAILED,
            env._(
                "OTTO keeps this delivery's shipment under %(carrier)s %(old)s: its API has no "
                "request that changes a shipment's tracking number, so %(new)s was not sent. "
                "Correct the tracking number of shipment %(shipment)s in OTTO Partner Connect "
                "(or ask OTTO's partner support), then press Retry: the connector checks that "
                "OTTO has %(new)s. Or put the old number back on the delivery.",
                carrier=carrier,
                old=", ".join(n for n in old if n) or env._("(no tracking number)"),
                new=", ".join(numbers) or env._("(no tracking number)"),
                shipment=", ".join(p.get("ref") or "?" for p in recorded),
            ),
        )

    def _find(self, carrier, number):
        return self.client.find_shipment(carrier, number) if carrier and number else None

    def _sent_without_key(self, export):
        """A forwarder shipment without tracking number cannot be looked up by its key: the
        order tells whether its items are SENT (a shipment-like answer, or None)."""
        order_id = export.sale_order_id.marketplace_order_id
        raw = self.client.get_raw_order(order_id)
        sent = [
            {"positionItemId": item.get("positionItemId"), "salesOrderId": order_id}
            for item in raw["positionItems"]
            if item.get("fulfillmentStatus") in ("SENT", "RETURNED")
        ]
        return {"positionItems": sent} if sent else None

    def _already_there(self, found, export, parcels):
        for parcel in parcels:
            parcel.update(done=True, ref=str(found.get("shipmentId") or ""), how="found")
        export.parcels = json.dumps(parcels)
        key = found.get("trackingKey") or {}
        return Outcome(
            SENT,
            self.env._(
                "OTTO already has this shipment (%(shipment)s, %(carrier)s %(tracking)s): not "
                "sent again.",
                shipment=found.get("shipmentId"),
                carrier=key.get("carrier"),
                tracking=key.get("trackingNumber"),
            ),
            remote_ref=str(found.get("shipmentId") or ""),
            answer=found,
        )

    def _tracking_from_otto(self, export, items):
        """With the account taking tracking numbers from the shop: the delivery's items already
        shipped on OTTO (by another tool) give their tracking numbers to the delivery."""
        if not self.account.import_tracking:
            return None
        raw = self.client.get_raw_order(export.sale_order_id.marketplace_order_id)
        by_id = {item.get("positionItemId"): item for item in raw["positionItems"]}
        ours = [by_id.get(item) or {} for item in items]
        if not all(item.get("fulfillmentStatus") == "SENT" for item in ours):
            return None
        keys = []
        for item in ours:
            info = item.get("trackingInfo") or {}
            if info.get("trackingNumber") and info["trackingNumber"] not in keys:
                keys.append(info["trackingNumber"])
        if not keys:
            return None
        self.pull_tracking(export.picking_id, keys)
        return Outcome(
            NOT_NEEDED,
            self.env._(
                "OTTO already has these items as shipped: tracking number %s taken onto the "
                "delivery.",
                ", ".join(keys),
            ),
            answer=[item.get("trackingInfo") for item in ours],
        )

    def _carrier_problem(self, picking):
        if not picking.carrier_id:
            return self.env._(
                "The delivery %s has no carrier: choose one (Additional Info), then Retry.",
                picking.name,
            )
        return self.env._(
            "The carrier %s has no OTTO carrier code: add it to the account's carrier mapping "
            "(Updates to the Shop), then Retry.",
            picking.carrier_id.name,
        )

    def _ship_from(self, picking):
        """OTTO's shipFromAddress: the warehouse's address (else the company's)."""
        partner = picking.picking_type_id.warehouse_id.partner_id or picking.company_id.partner_id
        country = ALPHA2_TO_ALPHA3.get((partner.country_id.code or "").upper(), "")
        if not (partner.city and partner.zip and country):
            return None, self.env._(
                "The address of %s needs a city, a ZIP code and a country: OTTO takes it as the "
                "shipment's origin.",
                partner.display_name,
            )
        return {"city": partner.city, "countryCode": country, "zipCode": partner.zip}, ""

    # --- cancellations ---------------------------------------------------------------------------
    def _send_cancel(self, export, look_up_first):
        env, order = self.env, export.sale_order_id
        current = self.rows.get(order.marketplace_status or "")
        if current and current.document_state == "cancel":
            return Outcome(
                NOT_NEEDED,
                env._("OTTO already reports the order as %s.", current.display_name),
            )
        items = self.items(export, [])
        if look_up_first:
            items = self._processable(order, items)
            if not items:
                return Outcome(SENT, env._("OTTO has cancelled the items already."))
        request = {"positionItemIds": items}
        self.attempt(export, request)
        try:
            self.client.cancel_position_items(order.marketplace_order_id, items)
        except RequestError as exc:
            if exc.status != 409:
                raise
            # some items are no longer processable (shipped or cancelled meanwhile): cancel the
            # others, or none
            items = self._processable(order, items)
            if not items:
                return Outcome(
                    NOT_NEEDED,
                    env._("None of the items is open on OTTO any more: nothing to cancel."),
                    answer=str(exc),
                )
            request = {"positionItemIds": items}
            self.client.cancel_position_items(order.marketplace_order_id, items)
        return Outcome(
            SENT,
            env._(
                "OTTO accepted the cancellation of %s position items; it applies it shortly.",
                len(items),
            ),
            request=request,
            answer={"status": 202},
        )

    def _processable(self, order, items):
        raw = self.client.get_raw_order(order.marketplace_order_id)
        states = {i.get("positionItemId"): i.get("fulfillmentStatus") for i in raw["positionItems"]}
        return [item for item in items if states.get(item) == "PROCESSABLE"]
