"""The OTTO Market Returns v3 endpoints, mixed into ``OttoSimulator``, as OTTO's OpenAPI document
describes them (tests/vendor/otto/SPEC_NOTES_returns_v3_receipts_v3.md, returns_v3_*.json).

- ``GET /v3/returns?status=&limit=&page=``: the return items of one status (ANNOUNCED, ACCEPTED,
  REJECTED, MISDIRECTED, case-insensitive; none: every status), newest status change first;
  ``limit`` 1..50 (default 10; beyond: 400, as OTTO's ReturnsWarehouse answers), ``page`` from
  1; a ``next`` link (with the next page) while there are more. An item is ``{positionItemId,
  salesOrderId, status, occurredTime, details}``.
- ``POST /v3/returns/acceptance`` / ``/rejection``: ``{"positionItems": [{positionItemId,
  salesOrderId, condition?, reason}]}``; more than 200 items: 413 "Payload too large"; an item
  without its ids, a condition other than A-E or an unknown reason: 422 (acceptance) or 400
  (rejection); a rejection without its reason: 400. Each item is then judged alone: one of
  another order ("Product Does Not Belong To Sales Order Id"), never sent ("Product Not Sent By
  The Partner"), accepted already ("Product Is Already Accepted By The Partner"; a rejection of
  it too: an accepted return cannot be rejected) is an error; 200 ``{}`` when none is, else 207
  ``{"results", "errors"}``. An accepted item is refunded to the buyer at once: its order's
  position item becomes RETURNED (``returnedDate``), as OTTO's Orders v4 then reports it.
- Play the buyer and OTTO: ``announce_return`` (the buyer announces the return of SENT items,
  with the return parcel's tracking numbers), ``accept_return_by_otto`` (OTTO accepts it
  itself: ``returnAcceptedByMarketplace``). ``returns`` holds the return items, ``return_answers``
  the partner's accepted requests (acceptance / rejection, items).
"""

import json
from pathlib import Path

from . import otto_orders as oo
from .data import iso_ms, parse_iso
from .server import ApiError, Response

_ENUMS = json.loads(
    (Path(__file__).parent.parent / "tests/vendor/otto/returns_v3_enums.json").read_text()
)
RETURN_STATUSES = tuple(_ENUMS["PositionItem__Returns-V3.properties.status.enum"])
ACCEPT_REASONS = tuple(_ENUMS["AcceptedPositionItem__Returns-V3.properties.reason.enum"])
MARKETPLACE_REASONS = tuple(_ENUMS["AcceptedStatusData__Returns-V3.properties.reason.enum"])
REJECT_REASONS = tuple(_ENUMS["RejectedPositionItem__Returns-V3.properties.reason.enum"])
CONDITIONS = ("A", "B", "C", "D", "E")
MAX_RETURNS_LIMIT = 50
MAX_ANSWER_ITEMS = 200


class OttoReturnsApi:
    # --- the buyer and OTTO ----------------------------------------------------------------------
    def announce_return(self, order_id, item_ids=1, carrier="DHL", tracking_numbers=None):
        """The buyer announces the return of SENT position items (ids, or a number: the first
        ones of the order); returns the return items."""
        with self._lock:
            order = self.order(order_id)
            items = self._pick_items(order, item_ids)
            numbers = tracking_numbers or [str(self.rng.randrange(10**11, 10**12))]
            found = []
            for item in items:
                if item["fulfillmentStatus"] != "SENT":
                    raise ValueError(f"position item {item['positionItemId']} was not sent")
                found.append(
                    self._set_return(
                        order,
                        item,
                        "ANNOUNCED",
                        {
                            "returnTrackingKey": {
                                "trackingNumbers": list(numbers),
                                "carrier": carrier,
                            }
                        },
                    )
                )
            return found

    def accept_return_by_otto(self, order_id, item_ids=1, reason="FAST_REFUND"):
        """OTTO accepts the return itself and refunds the buyer: the items become RETURNED."""
        if reason not in MARKETPLACE_REASONS:
            raise ValueError(f"unknown acceptance reason {reason!r}")
        with self._lock:
            order = self.order(order_id)
            found = []
            for item in self._pick_items(order, item_ids):
                found.append(self._set_return(order, item, "ACCEPTED", {"reason": reason}))
                self._refund_item(order, item, by_marketplace=True)
            self._changed(order)
            return found

    def _pick_items(self, order, item_ids):
        items = order["positionItems"]
        if isinstance(item_ids, int):
            return [item for item in items if item["fulfillmentStatus"] == "SENT"][:item_ids]
        wanted = set(item_ids)
        return [item for item in items if item["positionItemId"] in wanted]

    def _set_return(self, order, item, status, details):
        record = {
            "positionItemId": item["positionItemId"],
            "salesOrderId": order["salesOrderId"],
            "status": status,
            "occurredTime": iso_ms(self.clock),
            "details": details,
        }
        self.returns[item["positionItemId"]] = record
        return record

    def _refund_item(self, order, item, by_marketplace=False):
        oo.set_item_status(item, "RETURNED", self.clock)
        item["returnAcceptedByMarketplace"] = by_marketplace
        self._refund_receipt(order, item)  # Receipts v3 (otto_receipts.py)

    # --- HTTP ------------------------------------------------------------------------------------
    def _list_returns(self, request):
        status = (request.arg("status") or "").upper()
        if status and status not in RETURN_STATUSES:
            raise self._returns_error(
                400, "Bad Request", f"status must be one of {', '.join(RETURN_STATUSES)}", request
            )
        limit = self._returns_number(request, "limit", 10)
        page = self._returns_number(request, "page", 1)
        if not 1 <= limit <= MAX_RETURNS_LIMIT:
            raise self._returns_error(
                400,
                "Bad Request",
                f"When the limit is either less than 1 or greater than {MAX_RETURNS_LIMIT}",
                request,
            )
        if page < 1:
            raise self._returns_error(400, "Bad Request", "page must be 1 or more", request)
        found = sorted(
            (r for r in self.returns.values() if not status or r["status"] == status),
            key=lambda r: (parse_iso(r["occurredTime"]), r["positionItemId"]),
            reverse=True,
        )
        start = (page - 1) * limit
        chosen = found[start : start + limit]
        links = []
        if len(found) > start + limit:
            query = f"status={status}&" if status else ""
            links.append(
                {"href": f"/v3/returns?{query}limit={limit}&page={page + 1}", "rel": "next"}
            )
        return {"positionItems": [dict(r) for r in chosen], "links": links}

    def _returns_number(self, request, name, default):
        raw = request.arg(name, str(default))
        try:
            return int(raw)
        except ValueError:
            raise self._returns_error(
                400, "Bad Request", f"{name} must be a number, got {raw!r}", request
            ) from None

    def _accept_returns(self, request):
        return self._answer_returns(request, accept=True)

    def _reject_returns(self, request):
        return self._answer_returns(request, accept=False)

    def _answer_returns(self, request, accept):
        body = request.body if isinstance(request.body, dict) else None
        items = body.get("positionItems") if body else None
        invalid = 422 if accept else 400
        if not isinstance(items, list) or not items:
            raise self._returns_error(
                invalid, "Non-processable", "positionItems is required", request
            )
        if len(items) > MAX_ANSWER_ITEMS:
            raise self._returns_error(
                413,
                "Payload too large",
                f"up to {MAX_ANSWER_ITEMS} items per request, got {len(items)}",
                request,
            )
        reasons = ACCEPT_REASONS if accept else REJECT_REASONS
        for position in items:
            if not isinstance(position, dict) or not all(
                position.get(key) for key in ("positionItemId", "salesOrderId")
            ):
                raise self._returns_error(
                    invalid,
                    "Non-processable",
                    "positionItemId and salesOrderId are required",
                    request,
                )
            reason = position.get("reason")
            if not accept and not reason:
                raise self._returns_error(400, "Bad Request", "reason is required", request)
            if reason is not None and reason not in reasons:
                raise self._returns_error(
                    invalid, "Bad Request", f"reason must be one of {', '.join(reasons)}", request
                )
            condition = position.get("condition")
            if condition is not None and condition not in CONDITIONS:
                raise self._returns_error(
                    invalid, "Bad Request", "condition must be one of A, B, C, D, E", request
                )
        results, errors = [], []
        for position in items:
            error = self._answer_item(position, accept)
            if error:
                errors.append(
                    {
                        "path": request.path,
                        "title": f"Error while processing request: {position['positionItemId']}",
                        "detail": error,
                        "logref": "positionItemId",
                    }
                )
            else:
                results.append(dict(position))
        if results:
            self.return_answers.append(
                ("acceptance" if accept else "rejection", [r["positionItemId"] for r in results])
            )
        if not errors:
            return Response(200, {})
        return Response(207, {"results": results, "errors": errors})

    def _answer_item(self, position, accept):
        """An error text for one item of an answer, or '' once it is carried out."""
        item_id, order_id = position["positionItemId"], position["salesOrderId"]
        order = self.orders.get(order_id)
        by_id = {i["positionItemId"]: i for i in order["positionItems"]} if order else {}
        item = by_id.get(item_id)
        if item is None:
            return f"Error: Product Does Not Belong To Sales Order Id for positionItemId: {item_id}"
        if item["fulfillmentStatus"] not in ("SENT", "RETURNED"):
            return f"Error: Product Not Sent By The Partner for positionItemId: {item_id}"
        current = self.returns.get(item_id, {}).get("status")
        if current == "ACCEPTED" or item["fulfillmentStatus"] == "RETURNED":
            if accept:
                return f"Product Is Already Accepted By The Partner for {item_id}: positionItemId"
            return f"Return Is Already Accepted for {item_id}: it cannot be rejected"
        details = {"reason": position.get("reason") or "RETURN_RECEIVED"}
        if position.get("condition"):
            details["condition"] = position["condition"]
        self._set_return(order, item, "ACCEPTED" if accept else "REJECTED", details)
        if accept:  # OTTO refunds the buyer: the item is RETURNED on the order
            self._refund_item(order, item)
            self._changed(order)
        return ""

    def _returns_error(self, status, title, detail, request):
        return ApiError(
            status,
            {
                "errors": [
                    {"path": request.path, "title": title, "detail": detail, "logref": "returns"}
                ]
            },
        )
