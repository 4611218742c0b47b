"""OTTO Market Returns v3, mixed into ``OttoClient``: the returns by status, and the partner's
answer to them (acceptance, rejection). Plain Python; the facts are OTTO's OpenAPI document
(tests/vendor/otto/SPEC_NOTES_returns_v3_receipts_v3.md).

- ``GET /v3/returns?status=&limit=&page=``: the position items of that return status, newest
  status change first, at most 50 per page. A return item is ``{positionItemId, salesOrderId,
  status, occurredTime, details}`` (details: the return tracking key of an ANNOUNCED item, the
  condition and reason of an ACCEPTED or REJECTED one). The text promises paging by a ``next``
  link, the parameters are page and limit: a ``next`` link that leads elsewhere is followed, else
  the next page is asked for while pages come full.
- ``GET /v3/receipts?receiptTypes=&from=&limit=`` (the API user needs the ``receipts`` scope):
  receipts newest first, 128 per page, then a ``next`` cursor (the only parameter read with
  ``limit``). A REFUND receipt is made when a return is accepted ("previous partial refunds
  will be taken into account"), its ``itemPositions`` name the refunded position items, its
  ``deliveryCosts`` a delivery fee given back; a PARTIAL_REFUND receipt is a refund the partner
  granted without a return, ``itemPartialRefundPositions`` with the ``partialRefundAmount`` of
  the position items. OTTO states no sign for refund amounts: the receipt type is the
  direction, amounts are taken as they are, without sign.
- ``POST /v3/returns/acceptance`` and ``/rejection``: ``{"positionItems": [{positionItemId,
  salesOrderId, condition?, reason}]}``, at most 200 items per request (413 beyond), a rejection
  only with its reason; answered 200 (all done) or 207 ``{"results": [...], "errors": [{title,
  detail, path, logref}]}`` (some refused, the error naming the item in its text).
"""

from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from .errors import BadPayloadError
from .parsing import iso_to_utc, text, to_money

RETURNS_PAGE_SIZE = 50  # "This endpoint is limited to at max 50 results per page"
RETURNS_PER_REQUEST = 200  # "up to 200 items per request"
RETURN_STATUSES = ("ANNOUNCED", "ACCEPTED", "REJECTED", "MISDIRECTED")
RECEIPTS_PAGE_SIZE = 128  # "The number of receipts is limited to 128 results"
REFUND_RECEIPT_TYPES = ("REFUND", "PARTIAL_REFUND")
# what a 207's error says of an item the partner had accepted already (counts as done)
ALREADY_ACCEPTED = "already accepted"


def return_item(raw):
    """A return item as plain values: {"item", "order", "status", "moment", "details"};
    None when it has no position item id (it cannot be matched)."""
    if not isinstance(raw, dict) or not text(raw.get("positionItemId")):
        return None
    try:
        moment = iso_to_utc(text(raw.get("occurredTime")))
    except (ValueError, OverflowError):
        moment = None
    details = raw.get("details") if isinstance(raw.get("details"), dict) else {}
    return {
        "item": text(raw.get("positionItemId")),
        "order": text(raw.get("salesOrderId")),
        "status": text(raw.get("status")).upper(),
        "moment": moment,
        "details": details,
    }


def return_tracking(details):
    """'DHL 406522044488, 406522044489' of an announced item's return tracking key, or ''."""
    key = details.get("returnTrackingKey") if isinstance(details, dict) else None
    if not isinstance(key, dict):
        return ""
    numbers = key.get("trackingNumbers") or []
    numbers = [text(n) for n in numbers if text(n)] if isinstance(numbers, list) else []
    return " ".join(filter(None, [text(key.get("carrier")), ", ".join(numbers)]))


def _gross(price):
    """The gross amount of a receipt's ``Price`` (or ``MonetaryAmount``), without sign."""
    if not isinstance(price, dict):
        return Decimal(0)
    money = price.get("gross") if isinstance(price.get("gross"), dict) else price
    return abs(to_money(money.get("amount") or 0))


def receipt(raw):
    """A refund receipt as plain values: {"number", "type", "order", "moment", "items":
    [(position item ids, gross amount)], "delivery": gross delivery fees refunded, "reason"};
    None without a receipt number or order."""
    if not isinstance(raw, dict) or not text(raw.get("receiptNumber")):
        return None
    if not text(raw.get("salesOrderId")):
        return None
    try:
        moment = iso_to_utc(text(raw.get("creationDate")))
    except (ValueError, OverflowError):
        moment = None
    kind = text(raw.get("receiptType")).upper()
    lines = raw.get("lineItems") if isinstance(raw.get("lineItems"), dict) else {}
    items = []
    if kind == "PARTIAL_REFUND":
        positions, price_key = lines.get("itemPartialRefundPositions"), "partialRefundAmount"
    else:
        positions, price_key = lines.get("itemPositions"), "positionSum"
    for position in positions if isinstance(positions, list) else []:
        if not isinstance(position, dict):
            continue
        ids = position.get("positionItemIds")
        ids = [text(i) for i in ids if text(i)] if isinstance(ids, list) else []
        items.append((ids, _gross(position.get(price_key))))
    delivery = Decimal(0)
    for key in ("deliveryCosts", "deliveryFeePartialRefundPositions"):
        for cost in lines.get(key) if isinstance(lines.get(key), list) else []:
            if isinstance(cost, dict):
                price = cost.get("positionSum") or cost.get("partialRefundAmount")
                delivery += _gross(price)
    return {
        "number": text(raw.get("receiptNumber")),
        "type": kind,
        "order": text(raw.get("salesOrderId")),
        "moment": moment,
        "items": items,
        "delivery": delivery,
        "reason": text(raw.get("partialRefundType") or raw.get("refundType")),
    }


def answer_errors(answer):
    """The errors of an acceptance or rejection answer (a 207's), as text per error."""
    errors = answer.get("errors") if isinstance(answer, dict) else None
    if not isinstance(errors, list):
        return []
    return [
        " ".join(filter(None, [text(error.get("title")), text(error.get("detail"))]))
        for error in errors
        if isinstance(error, dict)
    ]


class OttoReturnsMixin:
    """OTTO Market's Returns v3 endpoints."""

    def iter_returns(self, status, since=None):
        """The return items of ``status``, newest status change first, until one changed before
        ``since`` (naive UTC; None: all of them)."""
        params = {"status": status, "limit": RETURNS_PAGE_SIZE, "page": 1}
        path = "/v3/returns"
        seen = set()
        while True:
            answer = self._request("GET", path, params=params)
            if not isinstance(answer, dict) or not isinstance(
                answer.get("positionItems", []), list
            ):
                raise BadPayloadError("GET /v3/returns: the answer has no list of positionItems")
            raws = answer.get("positionItems") or []
            older = False
            for raw in raws:
                item = return_item(raw)
                if item is None:
                    continue
                if since and item["moment"] and item["moment"] < since:
                    older = True
                    continue
                yield item
            if older or not raws:
                return
            seen.add(tuple(sorted(params.items())))
            following = self._next_returns_page(answer, params)
            if following is None and len(raws) >= params["limit"]:
                following = dict(params, page=params["page"] + 1)
            if following is None or tuple(sorted(following.items())) in seen:
                return
            params = following

    def _next_returns_page(self, answer, params):
        """The parameters of the ``next`` link, when it leads to another page."""
        for link in answer.get("links") or []:
            if not isinstance(link, dict) or link.get("rel") != "next" or not link.get("href"):
                continue
            query = parse_qs(urlparse(link["href"]).query)
            following = {key: values[-1] for key, values in query.items() if values}
            following.setdefault("status", params["status"])
            following.setdefault("limit", params["limit"])
            try:
                following["page"] = int(following.get("page") or 0)
                following["limit"] = int(following["limit"])
            except ValueError:
                return None
            if following["page"] <= params["page"]:
                return None  # the vendor's example link (no page): not a way forward
            return following
        return None

    def iter_receipts(self, types=REFUND_RECEIPT_TYPES, since=None):
        """The receipts of ``types`` created since ``since`` (naive UTC; OTTO filters by day,
        ``from``), newest first, as ``receipt`` values."""
        params = {"receiptTypes": list(types), "limit": RECEIPTS_PAGE_SIZE}
        if since:
            params["from"] = since.date().isoformat()
        cursors = set()
        while True:
            answer = self._request("GET", "/v3/receipts", params=params)
            if not isinstance(answer, dict) or not isinstance(answer.get("resources", []), list):
                raise BadPayloadError("GET /v3/receipts: the answer has no list of resources")
            for raw in answer.get("resources") or []:
                found = receipt(raw)
                if found is None or found["type"] not in types:
                    continue
                if since and found["moment"] and found["moment"] < since:
                    continue
                yield found
            cursor = self._next_receipts_cursor(answer)
            if not cursor or cursor in cursors or not answer.get("resources"):
                return
            cursors.add(cursor)
            # "If a next cursor is provided, the only other request parameter being considered
            # is 'limit'"
            params = {"next": cursor, "limit": RECEIPTS_PAGE_SIZE}

    def _next_receipts_cursor(self, answer):
        for link in answer.get("links") or []:
            if not isinstance(link, dict) or "next" not in text(link.get("rel")).split(","):
                continue
            query = parse_qs(urlparse(text(link.get("href"))).query)
            if query.get("next"):
                return query["next"][-1]
        return None

    def accept_returns(self, items):
        """Accept the return of ``items`` ([{positionItemId, salesOrderId, condition?,
        reason}]), 200 per request; returns ``{"results": [...], "errors": [text]}``. A POST:
        after a lost answer, look the items up with ``iter_returns("ACCEPTED")`` first."""
        return self._answer_returns("/v3/returns/acceptance", items)

    def reject_returns(self, items):
        """Reject the return of ``items`` (each with its ``reason``), as ``accept_returns``."""
        return self._answer_returns("/v3/returns/rejection", items)

    def _answer_returns(self, path, items):
        results, errors = [], []
        items = list(items)
        for start in range(0, len(items), RETURNS_PER_REQUEST):
            chunk = items[start : start + RETURNS_PER_REQUEST]
            answer = self._request("POST", path, json={"positionItems": chunk})
            if isinstance(answer, dict) and isinstance(answer.get("results"), list):
                results += answer["results"]
                errors += answer_errors(answer)
            else:  # 200: an object without content, every item done
                results += chunk
        return {"results": results, "errors": errors}
