"""The OTTO Market HTTP endpoints, mixed into ``OttoSimulator``; ``otto.py`` has the contract."""

import base64
import binascii
import json
import secrets
from datetime import datetime, timedelta, timezone

from . import otto_orders as oo
from .data import parse_iso
from .otto_orders import ITEM_STATES, bucket_status
from .server import ApiError, Response, Route, basic_credentials

TOKEN_LIFETIME = 1800
MAX_LIMIT = 128
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class OttoApi:
    ROUTES = [
        Route("POST", r"/v1/token", "_token", auth=False),
        Route("GET", r"/v4/orders", "_list_orders", listing=True),
        Route("POST", r"/v4/orders/(?P<order>[^/]+)/cancellation", "_cancel_order"),
        Route(
            "POST",
            r"/v4/orders/(?P<order>[^/]+)/positionItems/(?P<items>[^/]+)/cancellation",
            "_cancel_items",
        ),
        Route("GET", r"/v4/orders/(?P<order>[^/]+)", "_get_order"),
        Route("POST", r"/v1/shipments", "_create_shipment"),
        Route("POST", r"/v1/multiparcel-shipments", "_create_multiparcel_shipment"),
        Route(
            "GET",
            r"/v1/shipments/carriers/(?P<carrier>[^/]+)/trackingnumbers/(?P<tracking>[^/]+)",
            "_get_shipment_by_tracking",
        ),
        Route(
            "POST",
            r"/v1/shipments/carriers/(?P<carrier>[^/]+)/trackingnumbers/(?P<tracking>[^/]+)"
            r"/positionitems",
            "_append_by_tracking",
        ),
        Route("GET", r"/v1/shipments/(?P<shipment>[^/]+)", "_get_shipment"),
        Route("POST", r"/v1/shipments/(?P<shipment>[^/]+)/positionitems", "_append_by_id"),
        Route("GET", r"/v3/returns", "_list_returns", listing=True),
        Route("POST", r"/v3/returns/acceptance", "_accept_returns"),
        Route("POST", r"/v3/returns/rejection", "_reject_returns"),
        Route("GET", r"/v3/receipts", "_list_receipts", listing=True),
    ]

    # --- HTTP: auth ------------------------------------------------------------------------------
    def _error(self, status, title, detail, path):
        return ApiError(status, {"errors": [{"title": title, "detail": detail, "path": path}]})

    def _error_body(self, status, message, path):
        return {"errors": [{"title": message, "detail": message, "path": path}]}

    def _authenticate(self, request):
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        expiry = self.tokens.get(token)
        if not token or expiry is None or expiry <= self.clock:
            self.tokens.pop(token, None)
            raise ApiError(**self._unauthorized(request))

    def _unauthorized(self, request):
        return {
            "status": 401,
            "body": self._error_body(401, "Unauthorized", request.path),
            "headers": {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        }

    def _unauthorized_response(self, request):
        return ApiError(**self._unauthorized(request)).response

    def _on_unauthorized_fault(self):
        self.tokens.clear()

    def _token(self, request):
        form = request.body if isinstance(request.body, dict) else {}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = basic_credentials(request)
        if basic and not client_id:
            client_id, client_secret = basic
        if not form.get("grant_type"):
            raise ApiError(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "Missing form parameter: grant_type",
                },
            )
        if form["grant_type"] != "client_credentials":
            raise ApiError(
                400,
                {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"},
            )
        if client_id != self.login or client_secret != self.secret:
            raise ApiError(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "Invalid client or Invalid client credentials",
                },
            )
        token = "eyJhbGciOiJSUzI1NiJ9." + secrets.token_urlsafe(48)
        self.tokens[token] = self.clock + timedelta(seconds=TOKEN_LIFETIME)
        return {
            "access_token": token,
            "expires_in": TOKEN_LIFETIME,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": form.get("scope") or "orders shipments returns products",
        }

    # --- HTTP: orders ----------------------------------------------------------------------------
    def _list_orders(self, request):
        cursor = request.arg("nextcursor")
        if cursor:  # the next link carries no limit: the first page's limit goes on
            filters, after = self._decode_cursor(cursor, request.path)
            limit = self._limit(request, filters.get("limit", MAX_LIMIT))
        else:
            filters, after = self._filters(request), None
            limit = filters["limit"] = self._limit(request)
        by_order_date = filters["orderColumnType"] == "ORDER_DATE"
        descending = filters["orderDirection"] == "DESC"

        def key(order):
            moment = oo.order_date(order) if by_order_date else oo.change_date(order)
            return (moment or _EPOCH, str(order.get("salesOrderId", "")))

        found = sorted(
            (o for o in self.orders.values() if self._matches(o, filters)),
            key=key,
            reverse=descending,
        )
        if after is not None:
            mark = (parse_iso(after[0]), after[1])
            found = [o for o in found if (key(o) < mark if descending else key(o) > mark)]
        page = found[:limit]
        links = []
        if len(found) > limit:
            last = key(page[-1])
            token = self._encode_cursor(filters, [last[0].isoformat(), last[1]])
            links.append({"rel": "next", "href": f"/v4/orders?nextcursor={token}"})
        if request.duplicate and after is not None:
            previous = self.orders.get(after[1])
            if previous is not None:
                page = [previous, *page]
                self.use_fault(request.duplicate)
        return {"resources": page, "links": links}

    def _limit(self, request, default=MAX_LIMIT):
        raw = request.arg("limit", str(default))
        try:
            limit = int(raw)
        except ValueError:
            raise self._error(
                400, "Bad Request", f"limit must be a number, got {raw!r}", request.path
            ) from None
        if not 1 <= limit <= MAX_LIMIT:
            raise self._error(
                400, "Bad Request", f"limit must be between 1 and {MAX_LIMIT}", request.path
            )
        return limit

    def _filters(self, request):
        def choice(name, allowed, default):
            value = request.arg(name, default)
            if value not in allowed:
                raise self._error(
                    400, "Bad Request", f"{name} must be one of {', '.join(allowed)}", request.path
                )
            return value

        statuses = [s for value in request.args("fulfillmentStatus") for s in value.split(",") if s]
        for status in statuses:
            if status not in ITEM_STATES:
                raise self._error(
                    400, "Bad Request", f"unknown fulfillmentStatus {status!r}", request.path
                )
        filters = {
            "fulfillmentStatus": statuses,
            "mode": choice("mode", ("BUCKET", "AT_LEAST_ONE"), "BUCKET"),
            "orderDirection": choice("orderDirection", ("ASC", "DESC"), "ASC"),
            "orderColumnType": choice(
                "orderColumnType", ("ORDER_LIFECYCLE_DATE", "ORDER_DATE"), "ORDER_LIFECYCLE_DATE"
            ),
        }
        for name in ("fromDate", "fromOrderDate", "toOrderDate"):
            value = request.arg(name)
            if value:
                try:
                    filters[name] = parse_iso(value).isoformat()
                except ValueError:
                    raise self._error(
                        400,
                        "Bad Request",
                        f"{name} must be ISO 8601 with a time zone offset",
                        request.path,
                    ) from None
        return filters

    def _matches(self, order, filters):
        if not isinstance(order, dict):
            return False
        statuses = filters["fulfillmentStatus"]
        if statuses:
            if filters["mode"] == "BUCKET":
                if bucket_status(order) not in statuses:
                    return False
            else:
                items = order.get("positionItems") or []
                if not any(
                    isinstance(i, dict) and i.get("fulfillmentStatus") in statuses for i in items
                ):
                    return False
        changed, placed = oo.change_date(order), oo.order_date(order)
        if "fromDate" in filters and (changed is None or changed < parse_iso(filters["fromDate"])):
            return False
        if "fromOrderDate" in filters and (
            placed is None or placed < parse_iso(filters["fromOrderDate"])
        ):
            return False
        until = parse_iso(filters["toOrderDate"]) if "toOrderDate" in filters else None
        return until is None or (placed is not None and placed <= until)

    def _encode_cursor(self, filters, after):
        raw = json.dumps({"f": filters, "a": after}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _decode_cursor(self, cursor, path):
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            state = json.loads(raw)
            parse_iso(state["a"][0])
            return state["f"], state["a"]
        except (binascii.Error, ValueError, KeyError, TypeError, IndexError):
            raise self._error(400, "Bad Request", "invalid nextcursor", path) from None

    def _get_order(self, request):
        reference = request.params["order"]
        try:
            return self.order(reference)
        except KeyError:
            raise self._error(404, "Not Found", f"no order {reference}", request.path) from None

    # --- HTTP: cancellations and shipments -------------------------------------------------------
    def _cancel_order(self, request):
        order = self._order_by_id(request)
        items = [i for i in order["positionItems"] if i["fulfillmentStatus"] == "PROCESSABLE"]
        if not items:
            raise self._error(
                409, "Conflict", "the order has no PROCESSABLE position item", request.path
            )
        return self._cancel(order, items)

    def _cancel_items(self, request):
        order = self._order_by_id(request)
        by_id = {item["positionItemId"]: item for item in order["positionItems"]}
        wanted = [i for i in request.params["items"].split(",") if i]
        unknown = [i for i in wanted if i not in by_id]
        if not wanted or unknown:
            raise self._error(
                400, "Bad Request", f"unknown position items: {', '.join(unknown)}", request.path
            )
        blocked = [i for i in wanted if by_id[i]["fulfillmentStatus"] != "PROCESSABLE"]
        if blocked:
            raise self._error(
                409,
                "Conflict",
                f"position items not PROCESSABLE: {', '.join(blocked)}",
                request.path,
            )
        return self._cancel(order, [by_id[i] for i in wanted])

    def _order_by_id(self, request):
        order = self.orders.get(request.params["order"])
        if not isinstance(order, dict):
            raise self._error(404, "Not Found", f"no order {request.params['order']}", request.path)
        return order

    def _cancel(self, order, items):
        for item in items:
            oo.set_item_status(item, "CANCELLED_BY_PARTNER", self.clock)
        self._changed(order)
        ids = [item["positionItemId"] for item in items]
        self.status_changes.append((order["salesOrderId"], "CANCELLED_BY_PARTNER", ids))
        # accepted, applied asynchronously by OTTO: 202 without a body
        return Response(202, None)
