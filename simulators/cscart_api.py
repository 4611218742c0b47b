"""The CS-Cart REST endpoints, mixed into ``CsCartSimulator``; ``cscart.py`` has the contract."""

from datetime import datetime, timezone

from . import cscart_orders as co
from .server import ApiError, Response, Route, basic_credentials

_API = r"/api(?:/2\.0)?"
# who gets the status e-mail for each flag of an order PUT (fn_get_notification_rules)
NOTIFICATIONS = {
    "notify_user": "customer",
    "notify_department": "department",
    "notify_vendor": "vendor",
}
NOTIFY_FLAGS = set(NOTIFICATIONS)
SORT_FIELDS = {"date": "timestamp", "order_id": "order_id", "status": "status", "total": "total"}


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def php_empty(value):
    """PHP's ``empty()`` of a JSON value: null, false, 0, "", "0" and empty arrays."""
    return value in (None, False, 0, "", "0") or value == [] or value == {}


class CsCartApi:
    ROUTES = [
        Route("GET", _API + r"/orders/?", "_list_orders", listing=True),
        Route("GET", _API + r"/orders/(?P<id>\d+)/?", "_get_order"),
        Route("PUT", _API + r"/orders/(?P<id>\d+)/?", "_put_order"),
        Route("GET", _API + r"/statuses/?", "_list_statuses", listing=True),
        Route("POST", _API + r"/shipments/?", "_post_shipment"),
        Route("GET", _API + r"/shipments/?", "_list_shipments"),
        Route("PUT", _API + r"/shipments/(?P<id>\d+)/?", "_put_shipment"),
    ]

    def _error_body(self, status, message, path):
        return {"message": message}

    def _fail(self, status, message):
        # Tygh Api Response::send: the reason phrase (and the errors) plus the status
        raise ApiError(status, {"message": message, "status": status})

    def _authenticate(self, request):
        if basic_credentials(request) != (self.login, self.secret):
            raise ApiError(**self._unauthorized())

    def _unauthorized(self):
        return {
            "status": 401,
            "body": {"message": "Unauthorized"},
            "headers": {"WWW-Authenticate": 'Basic realm="Authorization Required"'},
        }

    def _unauthorized_response(self, request):
        return ApiError(**self._unauthorized()).response

    def _paging(self, request, default_size=10):
        page = max(int(_number(request.arg("page", 1))), 1)
        size = max(int(_number(request.arg("items_per_page", default_size))), 1)
        return page, size

    # --- orders ----------------------------------------------------------------------------------
    def _list_orders(self, request):
        orders = [o for o in self.orders.values() if isinstance(o, dict)]
        statuses = [
            s for v in request.args("status") + request.args("status[]") for s in v.split(",")
        ]
        statuses = [s.strip().upper() for s in statuses if s.strip()]
        if statuses:
            orders = [o for o in orders if o.get("status") in statuses]
        elif request.arg("include_incompleted", "N").upper() not in ("Y", "1"):
            orders = [o for o in orders if o.get("status") != co.HIDDEN_STATUS]
        for name in ("company_id", "user_id"):
            if request.arg(name):
                orders = [o for o in orders if str(o.get(name)) == request.arg(name)]
        if request.arg("email"):
            wanted = request.arg("email").lower()
            orders = [o for o in orders if str(o.get("email", "")).lower() == wanted]
        if not self.legacy:
            low, high = request.arg("updated_at_from"), request.arg("updated_at_to")
            if low:
                orders = [o for o in orders if _number(o.get("updated_at")) >= _number(low)]
            if high:
                orders = [o for o in orders if _number(o.get("updated_at")) <= _number(high)]
        sort_by = request.arg("sort_by", "date")
        if sort_by not in SORT_FIELDS:  # CS-Cart's db_sort falls back to its default
            sort_by = "date"
        field = SORT_FIELDS[sort_by]
        descending = request.arg("sort_order", "desc").lower() != "asc"
        orders.sort(
            key=lambda o: (_number(o.get(field)), _number(o.get("order_id"))), reverse=descending
        )
        page, size = self._paging(request)
        start = (page - 1) * size
        chosen = orders[start : start + size]
        if request.duplicate and 0 < start <= len(orders):
            chosen = [orders[start - 1], *chosen]
            self.use_fault(request.duplicate)
        return {
            "orders": [co.summary(o) for o in chosen],
            "params": {
                "page": page,
                "items_per_page": size,
                "total_items": str(len(orders)),
                "sort_by": sort_by,
                "sort_order": "desc" if descending else "asc",
            },
        }

    def _order(self, request):
        order = self.orders.get(str(int(request.params["id"])))
        if not isinstance(order, dict):
            self._fail(404, "Not Found")
        return order

    def _get_order(self, request):
        return self._order(request)

    def _put_order(self, request):
        order = self._order(request)
        body = request.body
        if not isinstance(body, dict):
            self._fail(400, "Bad Request: the body must be a JSON object")
        status = body.get("status")
        if status is not None and status not in self.statuses:
            self._fail(400, f"Bad Request: unknown or forbidden status {status!r}")
        if set(body) - {"status", *NOTIFY_FLAGS}:
            # anything but a status goes through CS-Cart's order editing: a full recalculation
            self.recalculations.append((order["order_id"], sorted(body)))
        if "products" in body:
            self._replace_products(order, body["products"])
        for key, value in body.items():
            if key in order and key not in ("order_id", "products", "status", "total", "taxes"):
                order[key] = value
        if status is not None:
            self._change_status(order, status, body)
        elif set(body) - NOTIFY_FLAGS:
            self._touch(order)
        # 200 whatever became of the status (Orders::update does not look at the result of
        # fn_change_order_status): the caller reads the order to know
        return {"order_id": int(order["order_id"])}

    def _change_status(self, order, status, body):
        """As ``fn_change_order_status``: a status the order cannot take (out of stock, an
        add-on's hook) ends elsewhere or nowhere (``refuse_status_change``); no change, no
        e-mail. The e-mails follow ``fn_get_notification_rules``: a flag that is not empty (PHP
        ``!empty``: ``"N"`` too) means yes, an empty or missing one means no through the API."""
        order_id = order["order_id"]
        if order_id in self.status_refusals:
            status = self.status_refusals[order_id] or order["status"]
        if status == order["status"]:
            return
        order["status"] = status
        self.status_changes.append((order_id, status))
        self._touch(order)
        for flag, recipient in NOTIFICATIONS.items():
            if not php_empty(body.get(flag)):
                self.emails.append({"order_id": order_id, "to": recipient, "status": status})

    def _replace_products(self, order, products):
        """What CS-Cart does with ``products`` in a PUT: the order's lines become exactly these."""
        entries = list(products.values()) if isinstance(products, dict) else products
        if not isinstance(entries, list):
            self._fail(400, "Bad Request: products must be an object or a list")
        by_id = {str(p["product_id"]): p for p in self.catalog}
        lines = []
        for entry in entries:
            product = by_id.get(str((entry or {}).get("product_id")))
            if product is None:
                self._fail(400, f"Bad Request: unknown product {entry!r}")
            lines.append((product, int(_number(entry.get("amount", 1))) or 1))
        items, rates = co.products(self.rng, order["order_id"], lines, order["company_id"])
        order["products"] = items
        self._rates[order["order_id"]] = rates
        co.fill_totals(order, order["shipping_cost"], order["subtotal_discount"], rates)
        self.product_replacements.append((order["order_id"], products))

    # --- statuses and shipments ------------------------------------------------------------------
    def _list_statuses(self, request):
        french = request.arg("lang_code", "en").lower() == "fr"
        records = [
            co.status_record(
                position, letter, fr if french else en, color, "fr" if french else "en"
            )
            for position, (letter, (en, fr, color)) in enumerate(self.statuses.items())
        ]
        for record in records:  # a custom status's own settings (a credit memo, the stock back)
            record["params"].update(self.status_params.get(record["status"], {}))
        page, size = self._paging(request)
        start = (page - 1) * size
        chosen = records[start : start + size]
        if request.duplicate and 0 < start <= len(records):
            chosen = [records[start - 1], *chosen]
            self.use_fault(request.duplicate)
        return {
            "statuses": chosen,
            "params": {"page": page, "items_per_page": size, "total_items": str(len(records))},
        }

    def _post_shipment(self, request):
        """As ``Shipments::create`` and ``fn_update_shipment``: order_id, then
        shipping_id, then a carrier or a tracking number are required; ``products`` (cart item id
        -> quantity) is optional (all that is left to ship) and clamped to what is left."""
        body = request.body
        if not isinstance(body, dict):
            self._fail(400, "Bad Request: the body must be a JSON object")
        for field in ("order_id", "shipping_id"):
            if not str(body.get(field) or "").strip():
                self._fail(400, f'Bad Request: The "{field}" field is required')
        if (
            not str(body.get("carrier") or "").strip()
            and not str(body.get("tracking_number") or "").strip()
        ):
            self._fail(400, 'Bad Request: The "carrier" or "tracking_number" field is required')
        order = self.orders.get(str(body.get("order_id")))
        if not isinstance(order, dict):
            self._fail(404, "Not Found")
        wanted = body.get("products")
        if wanted is None:
            wanted = {item_id: item["amount"] for item_id, item in order["products"].items()}
        if not isinstance(wanted, dict):
            self._fail(400, "Bad Request: products must map cart item ids to quantities")
        shipped = {}
        for item_id, quantity in wanted.items():
            item = order["products"].get(str(item_id))
            if item is None:
                self._fail(400, f"Bad Request: the order has no item {item_id!r}")
            left = int(_number(item["amount"])) - int(_number(item.get("shipped_amount")))
            amount = min(int(_number(quantity)), left)
            if amount > 0:
                shipped[str(item_id)] = amount
        if not shipped:
            self._fail(400, "Bad Request: there are no products left to ship in this order")
        status = body.get("order_status") or ""
        if status and status not in self.statuses:
            self._fail(400, f"Bad Request: unknown status {status!r}")
        for item_id, amount in shipped.items():
            item = order["products"][item_id]
            item["shipped_amount"] = str(int(_number(item.get("shipped_amount"))) + amount)
            item["shipment_amount"] = str(
                int(_number(item["amount"])) - int(item["shipped_amount"])
            )
        self._next_shipment += 1
        method = next(
            (s for s in order.get("shipping", []) if s["shipping_id"] == str(body["shipping_id"])),
            {},
        )
        shipment = {
            "shipment_id": str(self._next_shipment),
            "shipment_timestamp": str(self._parse_date(body.get("timestamp"))),
            "comments": str(body.get("comments") or ""),
            "status": "P",
            "order_id": order["order_id"],
            "order_timestamp": order["timestamp"],
            "s_firstname": order.get("s_firstname", ""),
            "s_lastname": order.get("s_lastname", ""),
            "firstname": order.get("firstname", ""),
            "lastname": order.get("lastname", ""),
            "company": order.get("company", ""),
            "user_id": order.get("user_id", "0"),
            "shipping_id": str(body["shipping_id"]),
            "shipping": method.get("shipping", ""),
            "tracking_number": str(body.get("tracking_number") or ""),
            "carrier": str(body.get("carrier") or ""),
            "products": shipped,
            "group_key": "0",
            "one_full": all(
                int(_number(item.get("shipped_amount"))) >= int(_number(item["amount"]))
                for item in order["products"].values()
            ),
            "order_status": status,
        }
        self.shipments.append(shipment)
        if self.shipment_notifications:
            # the event "order.shipment_updated" as the store's notification settings have it
            self.shipment_mails.append(
                {
                    "shipment_id": shipment["shipment_id"],
                    "order_id": order["order_id"],
                    "email": order.get("email", ""),
                    "tracking_number": shipment["tracking_number"],
                    "comments": shipment["comments"],
                }
            )
        if status:
            order["status"] = status
            self.status_changes.append((order["order_id"], status))
            self._touch(order)
        return Response(201, {"shipment_id": self._next_shipment})

    def _parse_date(self, value):
        """``fn_parse_date``: a number as it is, 'd/m/Y' (the default calendar format) as that
        day, anything else the moment of the request."""
        now = int(self.clock.timestamp())
        if value in (None, "", 0, "0"):
            return now
        if isinstance(value, (int, float)) or str(value).strip().isdigit():
            return int(float(value))
        parts = str(value).split("/")
        if len(parts) == 3:
            try:
                day, month, year = (int(part) for part in parts)
                return int(datetime(year, month, day, tzinfo=timezone.utc).timestamp())
            except ValueError:
                return now
        return now

    def _list_shipments(self, request):
        found = [
            {key: value for key, value in s.items() if key != "order_status"}
            for s in self.shipments
            if (not request.arg("order_id") or s["order_id"] == request.arg("order_id"))
            and (not request.arg("shipment_id") or s["shipment_id"] == request.arg("shipment_id"))
        ]
        page, size = self._paging(request)
        return {
            "shipments": found[(page - 1) * size : page * size],
            "params": {"page": page, "items_per_page": size, "total_items": str(len(found))},
        }

    def _put_shipment(self, request):
        shipment = next(
            (s for s in self.shipments if s["shipment_id"] == str(int(request.params["id"]))), None
        )
        if shipment is None:
            self._fail(404, "Not Found")
        body = request.body
        if not isinstance(body, dict) or not body:
            self._fail(400, "Bad Request: the body must be a JSON object")
        refused = sorted(set(body) - {"tracking_number", "comments", "status", "timestamp"})
        if refused:
            self._fail(400, "Bad Request: api_shipments_update_not_allowed")
        if "status" in body and body["status"] not in ("A", "P", "S"):
            self._fail(400, "Bad Request: the shipment status must be A, P or S")
        for key in ("tracking_number", "comments", "status"):
            if key in body:
                shipment[key] = str(body[key] or "")
        if "timestamp" in body:
            shipment["shipment_timestamp"] = str(self._parse_date(body["timestamp"]))
        self.shipment_updates.append((shipment["shipment_id"], dict(body)))
        return {"shipment_id": int(shipment["shipment_id"])}
