"""OTTO Market Returns v3, mixed into ``OttoClient``: the returns by status, and the partner's
answer to them (acceptance, rejection). Plain Python; the facts are OTTO's OpenAPI document
(tests/vendor/otto/SPEC_NOTES_returns_v3_receipts_v3.md).

- ``GET /v3/returns?status=&limit=&page=``: the position items of that return status, newest
  status change first, at most 50 per page. A return item is ``{positionItemId, salesOrderId,
  status, occurredTime, details}`` (details: the return tracking key of an ANNOUNCED item, the
  condition and reason of an ACCEPTED or REJECTED one). The text promises paging by a ``next``
  link, the parameters are page and limit: a ``next`` link that leads elsewhere is followed, else
  the next page is asked for while pages come full.
- ``POST /v3/returns/acceptance`` and ``/rejection``: ``{"positionItems": [{positionItemId,
  salesOrderId, condition?, reason}]}``, at most 200 items per request (413 beyond), a rejection
  only with its reason; answered 200 (all done) or 207 ``{"results": [...], "errors": [{title,
  detail, path, logref}]}`` (some refused, the error naming the item in its text).
"""

from urllib.parse import parse_qs, urlparse

from .errors import BadPayloadError
from .parsing import iso_to_utc, text

RETURNS_PAGE_SIZE = 50  # "This endpoint is limited to at max 50 results per page"
RETURNS_PER_REQUEST = 200  # "up to 200 items per request"
RETURN_STATUSES = ("ANNOUNCED", "ACCEPTED", "REJECTED", "MISDIRECTED")
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
