"""The OTTO Market Shipments V1 endpoints, mixed into ``OttoSimulator`` (see ``otto.py``).

- ``POST /v1/shipments``: trackingKey {carrier (OTTO's enum), trackingNumber (required for the
  parcel carriers, optional for forwarders)}, shipDate (UTC: ``Z`` or ``+00:00``),
  shipFromAddress {city, countryCode (alpha-3), zipCode}, positionItems (at least one)
  [{positionItemId, salesOrderId, returnTrackingKey? {carrier DHL|GLS|HERMES, trackingNumber},
  returnAddressCarrierId?}]; every item PROCESSABLE (409 otherwise) and of one of the partner's
  orders (400 INSUFFICIENT_PERMISSION otherwise); a tracking key already used answers 409
  DUPLICATE_TRACKING_KEY. 201 ``{"shipmentId"}``; the items become SENT with the tracking key.
- The partner's return settings (options of the simulator): ``return_labels`` (return labels go
  in the parcels: a parcel carrier's items need a returnTrackingKey, "Required for parcel
  deliveries"), ``return_address_carrier_ids`` (several return addresses: each item needs one of
  them as returnAddressCarrierId, the same for all items of a shipment).
- ``POST /v1/multiparcel-shipments``: a list of at least two such requests for ONE position item,
  one tracking key each, every item with its returnTrackingKey (MultiparcelPositionItem requires
  it); 201 ``{"multiParcelShipmentId"}``; each parcel is a shipment.
- ``POST /v1/shipments/carriers/{carrier}/trackingnumbers/{trackingNumber}/positionitems`` and
  ``POST /v1/shipments/{shipmentId}/positionitems``: a JSON array of position items added to a
  shipment OTTO has (items "missing" from it, e.g. a backorder put in the same parcel); 200
  without a body; 404 RESOURCE_NOT_FOUND for an unknown shipment; 409
  POSITION_ITEM_INCLUDED_IN_OTHER_SHIPMENT for an item already shipped; recorded in
  ``shipment_appends``.
- ``GET /v1/shipments/carriers/{carrier}/trackingnumbers/{trackingNumber}`` and ``GET
  /v1/shipments/{shipmentId}``: the shipment, or 404 RESOURCE_NOT_FOUND.
- There is no request that changes a shipment's tracking key (OTTO's openapi.json has none);
  ``correct_tracking`` plays the merchant correcting it in OTTO Partner Connect.
Error bodies are OTTO's: ``{"errors": [{"title", "detail", "path", "jsonPath"?}]}`` with paths
written without ``/v1`` (tests/vendor/otto/).
"""

import json
from pathlib import Path

from . import otto_orders as oo
from .data import iso_ms, parse_iso
from .server import ApiError, Response

# OTTO's TrackingKey carrier enum, as OTTO publishes it (the vendor witness under tests/)
SHIPMENT_CARRIERS = tuple(
    json.loads(
        (
            Path(__file__).parent.parent / "tests/vendor/otto/shipments_v1_carrier_enum.json"
        ).read_text()
    )
)
PARCEL_CARRIERS = ("DHL", "DHL_EXPRESS", "DPD", "GLS", "HERMES", "UPS")
RETURN_CARRIERS = ("DHL", "GLS", "HERMES")


class OttoShipmentsApi:
    def _shipment_error(self, status, title, detail, path, json_path=None):
        error = {"title": title, "detail": detail, "path": path}
        if json_path:
            error["jsonPath"] = json_path
        return ApiError(status, {"errors": [error]})

    def _mandatory(self, path, json_path):
        return self._shipment_error(
            400, "PROPERTY_IS_MANDATORY", "The property is mandatory", path, json_path
        )

    def _check_shipment(self, body, path, prefix="", multiparcel=False):
        """Validate one shipment request; return (tracking key, ship date, origin, items)."""
        if not isinstance(body, dict):
            raise self._shipment_error(400, "Bad Request", "the body must be a JSON object", path)
        key = body.get("trackingKey")
        if not isinstance(key, dict) or not key.get("carrier"):
            raise self._mandatory(path, prefix + "trackingKey")
        if key["carrier"] not in SHIPMENT_CARRIERS:
            raise self._shipment_error(
                400,
                "Bad Request",
                f"trackingKey.carrier must be one of {', '.join(SHIPMENT_CARRIERS)}",
                path,
                prefix + "trackingKey.carrier",
            )
        number = str(key.get("trackingNumber") or "").strip()
        if not number and (key["carrier"] in PARCEL_CARRIERS or multiparcel):
            raise self._mandatory(path, prefix + "trackingKey.trackingNumber")
        try:
            ship_date = parse_iso(body.get("shipDate"))
            utc = str(body.get("shipDate")).endswith(("Z", "z", "+00:00"))
        except (TypeError, ValueError):
            utc = False
        if not utc:
            raise self._shipment_error(
                400,
                "Bad Request",
                "shipDate must be a valid UTC dateTime according to ISO 8601",
                path,
                prefix + "shipDate",
            )
        origin = body.get("shipFromAddress")
        if not isinstance(origin, dict) or not all(
            origin.get(k) for k in ("city", "countryCode", "zipCode")
        ):
            raise self._mandatory(path, prefix + "shipFromAddress")
        if len(str(origin["countryCode"])) != 3 or not str(origin["countryCode"]).isupper():
            raise self._shipment_error(
                400,
                "Bad Request",
                "countryCode must match ^[A-Z]{3}$",
                path,
                prefix + "shipFromAddress.countryCode",
            )
        positions = body.get("positionItems")
        if not isinstance(positions, list) or not positions:
            raise self._mandatory(path, prefix + "positionItems")
        parcel = key["carrier"] in PARCEL_CARRIERS or multiparcel
        items = self._check_positions(
            positions, path, prefix + "positionItems", parcel, multiparcel
        )
        tracking = {"carrier": key["carrier"], "trackingNumber": number}
        if not number:
            tracking = {"carrier": key["carrier"]}
        if number and self._shipment_by_key(key["carrier"], number) is not None:
            raise self._shipment_error(
                409,
                "DUPLICATE_TRACKING_KEY",
                "Tracking key already exists for another shipment.",
                path,
            )
        return tracking, ship_date, origin, items

    def _check_positions(self, positions, path, where, parcel, multiparcel=False, shipment=None):
        """Validate position items of a shipment; return [(order, item)]. ``parcel``: a parcel
        delivery (its return label rules apply); ``shipment``: the shipment they are added to."""
        items = []
        address_ids = set()
        for index, position in enumerate(positions):
            at = f"{where}[{index}]"
            if not isinstance(position, dict):
                raise self._shipment_error(400, "Bad Request", "not an object", path, at)
            order = self.orders.get(str(position.get("salesOrderId")))
            found = [
                item
                for item in (order or {}).get("positionItems", [])
                if item.get("positionItemId") == position.get("positionItemId")
            ]
            if not found:
                raise self._shipment_error(
                    400,
                    "INSUFFICIENT_PERMISSION",
                    "The partner is not allowed to create/update a shipment for position item ID",
                    path,
                    at + ".positionItemId",
                )
            returned = position.get("returnTrackingKey")
            if returned is None and (multiparcel or (parcel and self.return_labels)):
                # "Required for parcel deliveries" (always in a multiparcel shipment)
                raise self._mandatory(path, at + ".returnTrackingKey")
            if returned is not None and (
                not isinstance(returned, dict)
                or returned.get("carrier") not in RETURN_CARRIERS
                or not str(returned.get("trackingNumber") or "").strip()
            ):
                raise self._shipment_error(
                    400,
                    "Bad Request",
                    f"returnTrackingKey needs a carrier of {', '.join(RETURN_CARRIERS)} and a "
                    "trackingNumber",
                    path,
                    at + ".returnTrackingKey",
                )
            address_ids.add(self._return_address(position, path, at))
            if found[0]["fulfillmentStatus"] != "PROCESSABLE":
                if shipment is not None and found[0]["fulfillmentStatus"] == "SENT":
                    raise self._shipment_error(
                        409,
                        "POSITION_ITEM_INCLUDED_IN_OTHER_SHIPMENT",
                        "One or more of the given position item ids already exist in another "
                        "shipment",
                        path,
                    )
                raise self._shipment_error(
                    409,
                    "Conflict",
                    f"position item {position['positionItemId']} is "
                    f"{found[0]['fulfillmentStatus']}",
                    path,
                    at + ".positionItemId",
                )
            items.append((order, found[0]))
        if shipment is not None:
            address_ids |= {p.get("returnAddressCarrierId") for p in shipment["positionItems"]}
        if len(address_ids) > 1:
            raise self._shipment_error(
                400,
                "Bad Request",
                "all position items within the same shipment must have the same "
                "returnAddressCarrierId",
                path,
                where,
            )
        return items

    def _return_address(self, position, path, at):
        """The item's returnAddressCarrierId, checked against the partner's return addresses:
        required when the partner has several."""
        given = position.get("returnAddressCarrierId")
        known = self.return_address_carrier_ids
        if given is None and len(known) > 1:
            raise self._mandatory(path, at + ".returnAddressCarrierId")
        if given is not None and known and given not in known:
            raise self._shipment_error(
                400,
                "Bad Request",
                f"unknown returnAddressCarrierId {given}",
                path,
                at + ".returnAddressCarrierId",
            )
        return given

    def _shipment_by_key(self, carrier, number):
        for shipment in self.shipments:
            key = shipment["trackingKey"]
            if key["carrier"] == carrier and key.get("trackingNumber") == number:
                return shipment
        return None

    def _store_shipment(self, body, tracking, ship_date, origin, items):
        for order, item in items:
            oo.set_item_status(item, "SENT", ship_date, tracking=tracking)
            self._changed(order)
        shipment = {
            "shipmentId": str(self.rng.randrange(10**11, 10**12)),
            "creationDate": iso_ms(self.clock),
            "trackingKey": tracking,
            "shipDate": body["shipDate"],
            "shipFromAddress": origin,
            "positionItems": body["positionItems"],
            "salesOrderIds": sorted({order["salesOrderId"] for order, _ in items}),
            "states": [{"state": "SENT", "occurredOn": iso_ms(self.clock)}],
        }
        self.shipments.append(shipment)
        return shipment

    def _create_shipment(self, request):
        checked = self._check_shipment(request.body, "/shipments")
        shipment = self._store_shipment(request.body, *checked)
        return Response(201, {"shipmentId": shipment["shipmentId"]})

    def _create_multiparcel_shipment(self, request):
        path, parcels = "/multiparcel-shipments", request.body
        if not isinstance(parcels, list) or len(parcels) < 2:
            raise self._shipment_error(
                400, "Bad Request", "a multiparcel shipment needs at least two parcels", path
            )
        checked = [
            self._check_shipment(p, path, f"[{i}].", multiparcel=True)
            for i, p in enumerate(parcels)
        ]
        items = {
            (order["salesOrderId"], item["positionItemId"])
            for *_, c in checked
            for order, item in c
        }
        if len(items) != 1 or any(len(c[3]) != 1 for c in checked):
            raise self._shipment_error(
                400, "Bad Request", "every parcel must carry the same single position item", path
            )
        keys = [(c[0]["carrier"], c[0]["trackingNumber"]) for c in checked]
        if len(set(keys)) != len(keys):
            raise self._shipment_error(
                409,
                "DUPLICATE_TRACKING_KEY",
                "Tracking key already exists for another shipment.",
                path,
            )
        group = str(self.rng.randrange(10**11, 10**12))
        for parcel, values in zip(parcels, checked, strict=True):
            self._store_shipment(parcel, *values)["multiParcelShipmentId"] = group
        return Response(201, {"multiParcelShipmentId": group})

    # --- position items added to a shipment ------------------------------------------------------
    def _append_by_tracking(self, request):
        carrier, number = request.params["carrier"], request.params["tracking"]
        path = f"/shipments/carriers/{carrier}/trackingnumbers/{number}/positionitems"
        shipment = self._shipment_by_key(carrier, number)
        if shipment is None:
            raise self._shipment_error(
                404,
                "RESOURCE_NOT_FOUND",
                f"Found no shipment with carrier {carrier} and tracking number {number}",
                path,
            )
        return self._append(shipment, request.body, path)

    def _append_by_id(self, request):
        shipment_id = request.params["shipment"]
        path = f"/shipments/{shipment_id}/positionitems"
        shipment = next((s for s in self.shipments if s["shipmentId"] == shipment_id), None)
        if shipment is None:
            raise self._shipment_error(
                404, "RESOURCE_NOT_FOUND", f"Found no shipment with id {shipment_id}", path
            )
        return self._append(shipment, request.body, path)

    def _append(self, shipment, positions, path):
        if not isinstance(positions, list) or not positions:
            raise self._shipment_error(
                400, "Bad Request", "the body must be a list of position items", path
            )
        parcel = shipment["trackingKey"]["carrier"] in PARCEL_CARRIERS
        items = self._check_positions(positions, path, "", parcel, shipment=shipment)
        ship_date = parse_iso(shipment["shipDate"])
        for order, item in items:
            oo.set_item_status(item, "SENT", ship_date, tracking=shipment["trackingKey"])
            self._changed(order)
        shipment["positionItems"] = shipment["positionItems"] + positions
        shipment["salesOrderIds"] = sorted(
            set(shipment["salesOrderIds"]) | {order["salesOrderId"] for order, _ in items}
        )
        self.shipment_appends.append((shipment["shipmentId"], positions))
        return Response(200, None)

    # --- reading ---------------------------------------------------------------------------------
    def _public(self, shipment):
        return {
            key: shipment[key]
            for key in (
                "shipmentId",
                "creationDate",
                "trackingKey",
                "shipDate",
                "shipFromAddress",
                "positionItems",
                "states",
            )
        }

    def _get_shipment_by_tracking(self, request):
        carrier, number = request.params["carrier"], request.params["tracking"]
        shipment = self._shipment_by_key(carrier, number)
        if shipment is None:
            raise self._shipment_error(
                404,
                "RESOURCE_NOT_FOUND",
                f"Found no shipment with carrier {carrier} and tracking number {number}",
                f"/shipments/carriers/{carrier}/trackingnumbers/{number}",
            )
        return self._public(shipment)

    def _get_shipment(self, request):
        shipment_id = request.params["shipment"]
        shipment = next((s for s in self.shipments if s["shipmentId"] == shipment_id), None)
        if shipment is None:
            raise self._shipment_error(
                404,
                "RESOURCE_NOT_FOUND",
                f"Found no shipment with id {shipment_id}",
                f"/shipments/{shipment_id}",
            )
        return self._public(shipment)

    # --- test helpers ----------------------------------------------------------------------------
    def shipments_of(self, sales_order_id):
        """The shipments of one order (test helper), in the order they were created."""
        with self._lock:
            return [s for s in self.shipments if sales_order_id in s["salesOrderIds"]]

    def correct_tracking(self, carrier, number, new_number):
        """The merchant corrects a shipment's tracking number in OTTO Partner Connect (the API
        has no request for it): the shipment and its items carry the new number."""
        with self._lock:
            shipment = self._shipment_by_key(carrier, number)
            shipment["trackingKey"] = dict(shipment["trackingKey"], trackingNumber=new_number)
            wanted = {p["positionItemId"] for p in shipment["positionItems"]}
            for order_id in shipment["salesOrderIds"]:
                order = self.orders[order_id]
                for item in order["positionItems"]:
                    if item["positionItemId"] in wanted:
                        item["trackingInfo"] = dict(shipment["trackingKey"])
                self._changed(order)
            return shipment
