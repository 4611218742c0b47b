"""CS-Cart write-back, mixed into ``CsCartClient``: shipments and order statuses. Plain Python.

``POST /shipments`` needs order_id, shipping_id and a carrier or a tracking number; ``products``
maps the order's cart item ids (the keys of ``products`` in ``GET /orders/{id}``) to quantities;
the answer is 201 ``{"shipment_id"}``. ``GET /shipments`` filters by order_id or shipment_id, not
by tracking number. ``PUT /shipments/{id}`` takes tracking_number, comments, status and timestamp
only. An order PUT with anything besides status and the notify_* flags makes CS-Cart recalculate
the whole order, so the connector only ever sends those (tests/vendor/cscart/FIELD_TABLES.md);
a notify flag is "yes" whenever it is not empty, so it is sent only to say yes.
"""

from .errors import BadPayloadError
from .parsing import text


class CsCartExportMixin:
    """What the connector sends to a CS-Cart store after the import."""

    def get_raw_order(self, order_id):
        """The order as CS-Cart has it now (status, shipping method)."""
        answer = self._order_answer(int(order_id))
        if not isinstance(answer, dict) or not answer.get("order_id"):
            raise BadPayloadError(f"GET /api/2.0/orders/{order_id}: the answer is not an order")
        return answer

    def create_shipment(self, body):
        """Create a shipment; return its id. A POST: after a timeout, compare the order's
        shipments (``list_shipments``) before sending it again."""
        answer = self._request("POST", "/shipments", json=body)
        if not isinstance(answer, dict) or not text(answer.get("shipment_id")):
            raise BadPayloadError("POST /api/2.0/shipments: the answer has no shipment_id")
        return text(answer["shipment_id"])

    def list_shipments(self, order_id=None, shipment_id=None):
        params = {"items_per_page": 100}
        if order_id:
            params["order_id"] = int(order_id)
        if shipment_id:
            params["shipment_id"] = int(shipment_id)
        answer = self._request("GET", "/shipments", params=params)
        shipments = answer.get("shipments") if isinstance(answer, dict) else None
        if not isinstance(shipments, list):
            raise BadPayloadError("GET /api/2.0/shipments: the answer has no list of shipments")
        return shipments

    def update_shipment(self, shipment_id, values):
        """``values``: tracking_number, comments, status or timestamp (CS-Cart refuses others)."""
        self._request("PUT", f"/shipments/{int(shipment_id)}", json=dict(values))

    def set_order_status(self, order_id, status, notify=False):
        """Only the status (and the buyer's notification): anything else makes CS-Cart
        recalculate the order. CS-Cart reads ``notify_*`` as "non-empty means yes"
        (``fn_get_notification_rules``): ``"N"`` would e-mail; a flag is sent only to say yes.
        CS-Cart answers 200 whatever became of the status: read it back (``order_status``)."""
        body = {"status": status}
        if notify:
            body["notify_user"] = "Y"
        self._request("PUT", f"/orders/{int(order_id)}", json=body)
        return body

    def order_status(self, order_id):
        """The order's status letter as CS-Cart has it now."""
        return text(self.get_raw_order(order_id).get("status"))
