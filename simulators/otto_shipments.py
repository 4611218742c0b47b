"""The OTTO Market Shipments V1 endpoints, mixed into ``OttoSimulator`` (see ``otto.py``).

- ``POST /v1/shipments``: trackingKey {carrier (OTTO's enum), trackingNumber (required for the
  parcel carriers)}, shipDate (UTC: ``Z`` or ``+00:00``), shipFromAddress {city, countryCode
  (alpha-3), zipCode}, positionItems (at least one) [{positionItemId, salesOrderId,
  returnTrackingKey? {carrier DHL|GLS|HERMES, trackingNumber}}]; every item PROCESSABLE (409
  otherwise) and of one of the partner's orders (400 INSUFFICIENT_PERMISSION otherwise); a
  tracking key already used answers 409 DUPLICATE_TRACKING_KEY. 201 ``{"shipmentId"}``; the items
  become SENT with the tracking key.
- ``POST /v1/multiparcel-shipments``: a list of at least two such requests for ONE position item,
  one tracking key each; 201 ``{"multiParcelShipmentId"}``; each parcel is a shipment.
- ``GET /v1/shipments/carriers/{carrier}/trackingnumbers/{trackingNumber}``: the shipment, or 404
  RESOURCE_NOT_FOUND.
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

    def _check_shipment(self, body, path, prefix=""):
        """Validate one shipment request; return (tracking key, ship date, origin, items)."""
        if not isinstance(body, dict):
            raise self._shipment_error(400, "Bad Request", "the body must be a JSON object", path)
        key = body.get("trackingKey")
        if not isinstance(key, dict) or not key.get("carrier"):
            raise self._shipment_error(
                400,
                "PROPERTY_IS_MANDATORY",
                "The property is mandatory",
                path,
                prefix + "trackingKey",
            )
        if key["carrier"] not in SHIPMENT_CARRIERS:
            raise self._shipment_error(
                400,
                "Bad Request",
                f"trackingKey.carrier must be one of {', '.join(SHIPMENT_CARRIERS)}",
                path,
                prefix + "trackingKey.carrier",
            )
        number = str(key.get("trackingNumber") or "").strip()
        if not number and key["carrier"] in PARCEL_CARRIERS:
            raise self._shipment_error(
                400,
                "PROPERTY_IS_MANDATORY",
                "The property is mandatory",
                path,
                prefix + "trackingKey.trackingNumber",
            )
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
            raise self._shipment_error(
                400,
                "PROPERTY_IS_MANDATORY",
                "The property is mandatory",
                path,
                prefix + "shipFromAddress",
            )
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
            raise self._shipment_error(
                400,
                "PROPERTY_IS_MANDATORY",
                "The property is mandatory",
                path,
                prefix + "positionItems",
            )
        items = []
        for index, position in enumerate(positions):
            where = f"{prefix}positionItems[{index}]"
            if not isinstance(position, dict):
                raise self._shipment_error(400, "Bad Request", "not an object", path, where)
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
                    where + ".positionItemId",
                )
            returned = position.get("returnTrackingKey")
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
                    where + ".returnTrackingKey",
                )
            if found[0]["fulfillmentStatus"] != "PROCESSABLE":
                raise self._shipment_error(
                    409,
                    "Conflict",
                    f"position item {position['positionItemId']} is "
                    f"{found[0]['fulfillmentStatus']}",
                    path,
                    where + ".positionItemId",
                )
            items.append((order, found[0]))
        tracking = {"carrier": key["carrier"], "trackingNumber": number}
        if number and self._shipment_by_key(key["carrier"], number) is not None:
            raise self._shipment_error(
                409,
                "DUPLICATE_TRACKING_KEY",
                "Tracking key already exists for another shipment.",
                path,
            )
        return tracking, ship_date, origin, items

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
        checked = [self._check_shipment(p, path, f"[{i}].") for i, p in enumerate(parcels)]
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

    def shipments_of(self, sales_order_id):
        """The shipments of one order (test helper), in the order they were created."""
        with self._lock:
            return [s for s in self.shipments if sales_order_id in s["salesOrderIds"]]
