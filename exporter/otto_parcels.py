"""OTTO Market: the parcels of a shipment, one request each (a shipment, items added to a parcel
OTTO has, one multiparcel shipment for one item in several parcels), looked up by tracking key
after a lost answer, and a tracking number corrected after OTTO had it (which OTTO's API cannot
change). Mixed into ``otto.OttoSender``, which plans the parcels (see its module)."""

import json

from ..clients.errors import RequestError
from ..clients.otto_export import position_items, shipment_body, shipment_items
from .base import FAILED, SENT, Outcome, recorded_parcels


class OttoParcels:
    """The requests of an OTTO shipment's parcels (a mixin of ``OttoSender``)."""

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
            if number:
                found = yield from self._find(carrier, number)
            else:
                found = yield from self._sent_without_key(export)
            if found is not None and wanted <= shipment_items(found):
                parcel.update(done=True, ref=str(found.get("shipmentId") or ""), how="found")
                answers.append(found)
                return None
        if number and self._known_parcel(export, carrier, number):
            return (yield from self._add_items(export, parcels, index, carrier, requests, answers))
        body = self._body(export, parcel, carrier, shipment.shop["ship_from"])
        requests.append(body)
        self.attempt(
            export,
            body,
            parcels=json.dumps(parcels),
            sent_tracking=",".join(p["number"] for p in parcels),
            sent_carrier=carrier,
        )
        client = self.client
        try:
            shipment_id = yield lambda: client.create_shipment(body)
        except RequestError as exc:
            if exc.status != 409 or not number:
                raise
            found = yield from self._find(carrier, number)
            if found is not None and wanted <= shipment_items(found):
                parcel.update(done=True, ref=str(found.get("shipmentId") or ""), how="found")
                answers.append(found)
                return None
            if found is not None and order_id in {o for o, _i in shipment_items(found)}:
                # a parcel OTTO has for this order (a backorder in the same parcel)
                return (
                    yield from self._add_items(
                        export, parcels, index, carrier, requests, answers, found
                    )
                )
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
        if found is None:
            found = yield from self._find(carrier, parcel["number"])
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
            client, number = self.client, parcel["number"]
            yield lambda: client.append_position_items(carrier, number, body)
        parcel.update(done=True, ref=str(found.get("shipmentId") or ""), how="added")
        answers.append({"shipmentId": found.get("shipmentId"), "added": len(missing)})
        return None

    def _multiparcel(self, export, parcels, carrier, ship_from, look_up_first):
        """One item in several parcels: one request for all of them (OTTO creates all or none)."""
        if look_up_first:
            found = yield from self._find(carrier, parcels[0]["number"])
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
        client = self.client
        try:
            group_id = yield lambda: client.create_multiparcel_shipment(bodies)
        except RequestError as exc:
            if exc.status != 409:
                raise
            found = yield from self._find(carrier, parcels[0]["number"])
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
                found = (yield from self._find(carrier, number)) if number else None
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
        """Steps: the shipment OTTO has under the tracking key, else None."""
        if not (carrier and number):
            return None
        client = self.client
        return (yield lambda: client.find_shipment(carrier, number))

    def _sent_without_key(self, export):
        """A forwarder shipment without tracking number cannot be looked up by its key: the
        order tells whether its items are SENT (a shipment-like answer, or None)."""
        order_id = export.sale_order_id.marketplace_order_id
        client = self.client
        raw = yield lambda: client.get_raw_order(order_id)
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
