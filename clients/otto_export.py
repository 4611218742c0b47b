"""OTTO Market write-back, mixed into ``OttoClient``: shipments (Shipments V1) and cancellations
of position items (Orders V4). Plain Python; the payload helpers are pure functions.

The shapes follow OTTO's published examples (tests/vendor/otto/): a shipment is
``{"trackingKey": {"carrier", "trackingNumber"}, "shipDate": "<UTC ISO 8601>", "shipFromAddress":
{"city", "countryCode" (alpha-3), "zipCode"}, "positionItems": [{"positionItemId",
"salesOrderId", "returnTrackingKey"?}]}``, answered 201 ``{"shipmentId"}``; a duplicate tracking
key is refused with 409. A multiparcel shipment is a list of such requests for ONE position item
sent in several parcels (each item with its returnTrackingKey); different items in different
parcels are one shipment each. Items shipped in a parcel OTTO already has are added to its
shipment (``.../positionitems``): OTTO has no request that changes a tracking key. Cancellations
answer 202 without a body: OTTO applies them later.
"""

from urllib.parse import quote

from .countries import ALPHA3_TO_ALPHA2
from .errors import BadPayloadError, RequestError
from .parsing import text

ALPHA2_TO_ALPHA3 = {alpha2: alpha3 for alpha3, alpha2 in ALPHA3_TO_ALPHA2.items()}

# The carrier enum of OTTO's TrackingKey (tests/vendor/otto/shipments_v1_carrier_enum.json).
OTTO_CARRIERS = (
    "DHL",
    "DHL_EXPRESS",
    "DPD",
    "GLS",
    "HERMES",
    "UPS",
    "ABIKS",
    "AJ",
    "AJE",
    "BTW",
    "BURSPED",
    "CARGOLINE",
    "CARGOBOARD",
    "CTL",
    "DACHSER",
    "DB_SCHENKER",
    "DHL_FREIGHT",
    "DHL_HOME_DELIVERY",
    "DHL_2_MANN_HANDLING",
    "DSV",
    "ECE",
    "EMONS",
    "EPH_DIREKT",
    "FEDEX",
    "FROEDE",
    "GEIS",
    "GEL",
    "GRASSL",
    "GUETTLER",
    "HASENAUER",
    "HEPPNER",
    "HELLMANN",
    "HES",
    "HEUEL",
    "IDS",
    "ISG",
    "KIESSLING",
    "KOCH",
    "KUEHNE_NAGEL",
    "LOGWIN",
    "MEYER_JUMBO",
    "MIRJAN",
    "ORCARGO",
    "PALLETWAYS",
    "PEISKER",
    "RABEN_LOGISTIK",
    "REIMER",
    "REITHMEIER",
    "RHENUS",
    "RIECK",
    "SCHMIDT_GEVELSBERG",
    "SCHOCKEMOEHLE",
    "SIEVERS",
    "SIMPLE_LOGISTIK",
    "SPEEDTRANS",
    "SPT",
    "VERHOEK",
    "WEISS",
    "ZUFALL",
    "OTHER_FORWARDER",
)
# The parcel carriers: a tracking number is "Required for parcel deliveries" and "Optional for
# forwarder deliveries" (every other carrier of the enum), and so is the return tracking key.
OTTO_PARCEL_CARRIERS = ("DHL", "DHL_EXPRESS", "DPD", "GLS", "HERMES", "UPS")
# The carriers OTTO takes for the return label in a parcel (ReturnTrackingKey).
OTTO_RETURN_CARRIERS = ("DHL", "GLS", "HERMES")


def ship_date_text(moment):
    """Naive UTC datetime -> OTTO's UTC date-time, e.g. '2026-11-20T15:00:00.000Z'."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def position_items(positions, return_key=None, return_address_id=None):
    """The positionItems of a shipment: ``positions`` [(salesOrderId, positionItemId)];
    ``return_key``: (carrier, tracking number) of the return label in the parcel, given on each
    item; ``return_address_id``: the partner's returnAddressCarrierId (the same for all)."""
    items = []
    for order_id, item_id in positions:
        item = {"positionItemId": item_id, "salesOrderId": order_id}
        if return_key:
            item["returnTrackingKey"] = {"carrier": return_key[0], "trackingNumber": return_key[1]}
        if return_address_id:
            item["returnAddressCarrierId"] = return_address_id
        items.append(item)
    return items


def shipment_body(
    carrier,
    tracking_number,
    ship_date,
    ship_from,
    positions,
    return_key=None,
    return_address_id=None,
):
    """The body of ``POST /v1/shipments``.

    ``ship_from``: {"city", "countryCode" (alpha-3), "zipCode"}; ``positions``:
    [(salesOrderId, positionItemId)] in the order they are to be listed; ``tracking_number``
    may be empty for a forwarder (OTTO: "Optional for forwarder deliveries")."""
    key = {"carrier": carrier}
    if tracking_number:
        key["trackingNumber"] = tracking_number
    return {
        "trackingKey": key,
        "shipDate": ship_date_text(ship_date),
        "shipFromAddress": {
            "city": ship_from["city"],
            "countryCode": ship_from["countryCode"],
            "zipCode": ship_from["zipCode"],
        },
        "positionItems": position_items(positions, return_key, return_address_id),
    }


def shipment_items(shipment):
    """{(salesOrderId, positionItemId)} of a shipment as OTTO returns it."""
    return {
        (text(item.get("salesOrderId")), text(item.get("positionItemId")))
        for item in (shipment or {}).get("positionItems") or []
        if isinstance(item, dict)
    }


class OttoExportMixin:
    """What the connector sends to OTTO Market after the import."""

    def create_shipment(self, body):
        """Create a shipment; return OTTO's shipmentId. Never sent twice by the client itself:
        after a timeout, look the tracking key up with ``find_shipment``."""
        answer = self._request("POST", "/v1/shipments", json=body)
        if not isinstance(answer, dict) or not answer.get("shipmentId"):
            raise BadPayloadError("POST /v1/shipments: the answer has no shipmentId")
        return text(answer["shipmentId"])

    def create_multiparcel_shipment(self, bodies):
        """One position item in several parcels: one shipment request per parcel."""
        answer = self._request("POST", "/v1/multiparcel-shipments", json=list(bodies))
        if not isinstance(answer, dict):
            raise BadPayloadError("POST /v1/multiparcel-shipments: the answer is not an object")
        return text(answer.get("multiParcelShipmentId") or answer.get("shipmentId"))

    def find_shipment(self, carrier, tracking_number):
        """The shipment OTTO knows under this tracking key, or None."""
        path = (
            f"/v1/shipments/carriers/{quote(carrier, safe='')}"
            f"/trackingnumbers/{quote(tracking_number, safe='')}"
        )
        try:
            answer = self._request("GET", path)
        except RequestError as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(answer, dict):
            raise BadPayloadError(f"GET {path}: the answer is not a shipment")
        return answer

    def append_position_items(self, carrier, tracking_number, items):
        """Add position items (``position_items()``) to the shipment OTTO has under this tracking
        key: items shipped in a parcel OTTO knows (200 without a body). A POST: after a timeout,
        look the shipment up with ``find_shipment`` before sending it again."""
        path = (
            f"/v1/shipments/carriers/{quote(carrier, safe='')}"
            f"/trackingnumbers/{quote(tracking_number, safe='')}/positionitems"
        )
        self._request("POST", path, json=list(items))

    def cancel_position_items(self, sales_order_id, item_ids):
        """Ask OTTO to cancel these PROCESSABLE position items (202: applied asynchronously)."""
        ids = ",".join(quote(item_id, safe="") for item_id in item_ids)
        self._request(
            "POST", f"/v4/orders/{quote(sales_order_id, safe='')}/positionItems/{ids}/cancellation"
        )

    def get_raw_order(self, sales_order_id):
        """The order as OTTO has it now (position item states, tracking info)."""
        answer = self._order_answer(sales_order_id)
        if not isinstance(answer, dict) or not isinstance(answer.get("positionItems"), list):
            raise BadPayloadError(f"GET /v4/orders/{sales_order_id}: not an order")
        return answer
