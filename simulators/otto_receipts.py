"""The OTTO Market Receipts v3 listing, mixed into ``OttoSimulator``, as OTTO's OpenAPI document
describes it (tests/vendor/otto/SPEC_NOTES_returns_v3_receipts_v3.md §4, the reconstructed
receipts_v3_*.json; OTTO publishes no example receipt).

- ``GET /v3/receipts?receiptTypes=&from=&to=&salesOrderId=&limit=``: receipts newest first
  (creation date), ``limit`` 1..128 (default 128); ``receiptTypes`` as repeated parameters or
  one comma-separated value; ``from`` / ``to`` days (UTC). A ``next`` link carries a cursor
  (base64 of the last receipt's creation date and number, as OTTO's example); with it, only
  ``limit`` is read.
- A REFUND receipt is made for each item whose return is accepted (OTTO refunds the buyer):
  ``itemPositions`` with the item and its price, refundType RETURN; ``grant_partial_refund``
  plays the partner granting a refund without return (PARTIAL_REFUND,
  ``itemPartialRefundPositions`` with the ``partialRefundAmount``). Amounts are positive (OTTO
  states no sign). The purchase receipts are not made (the connector does not read them).
"""

import base64
import json
from decimal import Decimal

from .data import iso_ms, parse_iso
from .server import ApiError

RECEIPT_TYPES = ("PURCHASE", "REFUND", "PARTIAL_REFUND")
PARTIAL_REFUND_TYPES = (
    "REFUND_COMPLAINT_ITEM",
    "REFUND_PAYPAL_DISPUTE",
    "REFUND_ESCALATION",
    "REFUND_PARTIAL_AMOUNT_AFTER_SERVICE_CANCELLATION",
    "REFUND_CREDIT_CARD_DISPUTE",
)
MAX_RECEIPTS_LIMIT = 128
_EMPTY_LINES = (
    "itemPositions",
    "itemPartialRefundPositions",
    "servicePositions",
    "servicePartialRefundPositions",
    "deliveryCosts",
    "deliveryFeePartialRefundPositions",
)


def _price(gross, currency):
    return {"taxType": "VAT", "taxRate": "19.0", "gross": {"amount": gross, "currency": currency}}


class OttoReceiptsApi:
    # --- the partner and OTTO --------------------------------------------------------------------
    def grant_partial_refund(self, order_id, item_id, amount, kind="REFUND_COMPLAINT_ITEM"):
        """The partner grants the buyer ``amount`` back on one position item, without a return;
        returns the PARTIAL_REFUND receipt."""
        if kind not in PARTIAL_REFUND_TYPES:
            raise ValueError(f"unknown partial refund type {kind!r}")
        with self._lock:
            order = self.order(order_id)
            (item,) = [i for i in order["positionItems"] if i["positionItemId"] == item_id]
            currency = item["itemValueGrossPrice"]["currency"]
            gross = float(Decimal(str(amount)))
            position = {
                "articleNumber": item["product"].get("articleNumber") or item["product"]["sku"],
                "sku": item["product"]["sku"],
                "productTitle": item["product"].get("productTitle", ""),
                "positionItemIds": [item_id],
                "partialRefundAmount": _price(gross, currency),
            }
            return self._add_receipt(
                order,
                "PARTIAL_REFUND",
                {"itemPartialRefundPositions": [position]},
                gross,
                currency,
                partialRefundType=kind,
            )

    def _refund_receipt(self, order, item):
        """The REFUND receipt OTTO makes when the return of ``item`` is accepted."""
        price = item["itemValueGrossPrice"]
        position = {
            "articleNumber": item["product"].get("articleNumber") or item["product"]["sku"],
            "sku": item["product"]["sku"],
            "productTitle": item["product"].get("productTitle", ""),
            "positionItemIds": [item["positionItemId"]],
            "quantity": 1,
            "unitPrice": _price(price["amount"], price["currency"]),
            "positionSum": _price(price["amount"], price["currency"]),
            "priceModifications": [],
        }
        return self._add_receipt(
            order,
            "REFUND",
            {"itemPositions": [position]},
            price["amount"],
            price["currency"],
            refundType="RETURN",
        )

    def _add_receipt(self, order, kind, lines, gross, currency, **extra):
        self._receipt_count = getattr(self, "_receipt_count", 0) + 1
        prefix = "R" if kind == "PURCHASE" else "E"
        receipt = {
            "receiptType": kind,
            "isRealReceipt": True,
            "isDeemedSupplierModel": True,
            "receiptNumber": f"{prefix}-DE-123456789-{self.clock.year}-{self._receipt_count}",
            "creationDate": iso_ms(self.clock),
            "salesOrderId": order["salesOrderId"],
            "orderNumber": order["orderNumber"],
            "orderDate": order["orderDate"],
            **extra,
            "payment": {"paymentProvider": "OTTOPAYMENTS", "paymentMethod": "CREDIT_CARD_ONLINE"},
            "partner": {"partnerName": "Simulated partner", "countryCode": "DEU"},
            "customer": {"invoiceAddress": dict(order.get("invoiceAddress") or {})},
            "lineItems": {**{key: [] for key in _EMPTY_LINES}, **lines},
            "totals": [_price(gross, currency)],
            "amountDue": {"amount": gross, "currency": currency},
        }
        self.receipts.append(receipt)
        return receipt

    # --- HTTP ------------------------------------------------------------------------------------
    def _list_receipts(self, request):
        limit = self._receipts_limit(request)
        cursor = request.arg("next")
        if cursor:
            after = self._decode_receipts_cursor(cursor, request)
            types, since, until, order_id = RECEIPT_TYPES, None, None, None
            if after.get("filters"):
                types = tuple(after["filters"]["types"])
                since, until = after["filters"]["from"], after["filters"]["to"]
                order_id = after["filters"]["order"]
        else:
            after = None
            types = []
            for value in request.args("receiptTypes"):
                types += [part.strip().upper() for part in value.split(",") if part.strip()]
            unknown = [t for t in types if t not in RECEIPT_TYPES]
            if unknown:
                raise ApiError(400, {"errors": [{"title": "Bad Request", "detail": unknown[0]}]})
            types = tuple(types) or RECEIPT_TYPES
            since, until = request.arg("from"), request.arg("to")
            order_id = request.arg("salesOrderId")
        found = [
            r
            for r in self.receipts
            if r["receiptType"] in types
            and (not since or r["creationDate"][:10] >= since)
            and (not until or r["creationDate"][:10] <= until)
            and (not order_id or r["salesOrderId"] == order_id)
        ]
        found.sort(key=lambda r: (parse_iso(r["creationDate"]), r["receiptNumber"]), reverse=True)
        if after:
            key = (parse_iso(after["creationDate"]), after["receiptNumber"])
            found = [r for r in found if (parse_iso(r["creationDate"]), r["receiptNumber"]) < key]
        chosen = found[:limit]
        links = []
        if len(found) > limit:
            last = chosen[-1]
            state = {
                "creationDate": last["creationDate"],
                "receiptNumber": last["receiptNumber"],
                "filters": {"types": list(types), "from": since, "to": until, "order": order_id},
            }
            token = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
            links.append({"href": f"/v3/receipts?next={token}", "rel": "next"})
        return {"resources": [dict(r) for r in chosen], "links": links}

    def _receipts_limit(self, request):
        raw = request.arg("limit", str(MAX_RECEIPTS_LIMIT))
        try:
            limit = int(raw)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_RECEIPTS_LIMIT:
            raise ApiError(400, {"errors": [{"title": "Bad Request", "detail": f"limit {raw!r}"}]})
        return limit

    def _decode_receipts_cursor(self, cursor, request):
        try:
            return json.loads(base64.urlsafe_b64decode(cursor.encode()))
        except ValueError:
            raise ApiError(
                400, {"errors": [{"title": "Bad Request", "detail": "invalid next cursor"}]}
            ) from None
