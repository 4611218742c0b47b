"""The PrestaShop Webservice endpoints, mixed into ``PrestaShopSimulator`` (see ``prestashop.py``
for the contract)."""

import re

from . import prestashop_data as psd
from .data import local_text
from .prestashop_query import filter_match, parse_input, php_int, sort_key, to_xml
from .server import ApiError, Response, Route, basic_credentials

RESOURCES = {
    "orders": "order",
    "addresses": "address",
    "customers": "customer",
    "countries": "country",
    "order_states": "order_state",
    "order_carriers": "order_carrier",
    "order_histories": "order_history",
    "currencies": "currency",
    "carriers": "carrier",
    "customer_threads": "customer_thread",
    "customer_messages": "customer_message",
    "order_slip": "order_slip",
}
# the key a resource's list answers under when it is not the resource's name (its URL segment)
LIST_KEYS = {"order_slip": "order_slips"}
_TRACKING_OK = re.compile(r"^[~:#,%&_=\(\)\[\]\.\? \+\-@/a-zA-Z0-9]+$")
_CLASSES = {"customer_threads": "CustomerThread", "customer_messages": "CustomerMessage"}
_GENERIC_NAME_OK = re.compile(r"^[^<>={}]*$")  # Validate::isGenericName
_UNCLEAN_HTML = re.compile(  # what Validate::isCleanHtml refuses
    r"<\s*(script|iframe|object|embed|form|meta)\b|\bon\w+\s*=|javascript\s*:", re.IGNORECASE
)


class PrestaShopApi:
    ROUTES = [
        Route("GET", r"/api/?", "_root"),
        Route("GET", r"/api/(?P<resource>[a-z_]+)/?", "_list", listing=True),
        Route("GET", r"/api/(?P<resource>[a-z_]+)/(?P<id>\d+)/?", "_detail"),
        Route("POST", r"/api/order_histories/?", "_post_history"),
        Route("PUT", r"/api/order_carriers/(?P<id>\d+)/?", "_put_order_carrier"),
        Route("POST", r"/api/customer_threads/?", "_post_customer_thread"),
        Route("POST", r"/api/customer_messages/?", "_post_customer_message"),
    ]

    # --- HTTP ------------------------------------------------------------------------------------
    def _authenticate(self, request):
        key = request.arg("ws_key")
        basic = basic_credentials(request)
        if basic:
            key = basic[0]
        if not key:
            self._fail(request, 401, 17, "Authentication key is empty", auth=True)
        if len(key) != 32:
            self._fail(request, 401, 18, "Invalid authentication key format", auth=True)
        if key != self.secret:
            self._fail(request, 401, 19, "Authentication key does not exist", auth=True)
        self._check_permission(request)

    def _check_permission(self, request):
        """WebserviceRequest::checkResource, then checkHTTPMethod, for a key granted only
        ``self.permissions``."""
        resource = request.path.removeprefix("/api").strip("/").split("/")[0]
        if self.permissions is None or not resource:
            return
        if resource not in self.permissions:
            self._fail(
                request,
                401,
                26,
                f'Resource of type "{resource}" is not allowed with this authentication key',
            )
        method = "GET" if request.method == "HEAD" else request.method
        if method not in self.permissions[resource]:
            self._fail(
                request,
                405,
                25,
                f"Method {request.method} is not allowed for the resource {resource} with this "
                "authentication key",
            )

    def _unauthorized_response(self, request):
        body = {"errors": [{"code": 20, "message": "Authentication key is not active"}]}
        return self._render(request, 401, body, {"WWW-Authenticate": 'Basic realm="Webservice"'})

    def _error_body(self, status, message, path):
        return {"errors": [{"code": status, "message": message}]}

    def _json(self, request):
        wanted = (
            request.arg("output_format")
            or request.arg("io_format")
            or request.headers.get("output-format", "")
        )
        return wanted.upper() == "JSON"

    def _render(self, request, status, payload, headers=None):
        if self._json(request):
            return Response(status, payload, headers or {})
        return Response(status, to_xml(payload), headers or {}, "text/xml;charset=utf-8")

    def _fail(self, request, status, code, message, auth=False):
        headers = {"WWW-Authenticate": 'Basic realm="Webservice"'} if auth else {}
        body = {"errors": [{"code": code, "message": message}]}
        raise ApiError(status, response=self._render(request, status, body, headers))

    def _records(self, request):
        resource = request.params["resource"]
        if resource not in RESOURCES:
            known = '", "'.join(RESOURCES)
            self._fail(
                request,
                400,
                22,
                f'Resource of type "{resource}" does not exists. The full list is: "{known}"',
            )
        return resource, self.resources[resource]

    def _root(self, request):
        granted = [n for n in RESOURCES if self.permissions is None or n in self.permissions]
        return self._render(
            request, 200, {"api": {name: {"description": f"The {name}"} for name in granted}}
        )

    def _list(self, request):
        resource, records = self._records(request)
        rows = [r for r in records.values() if isinstance(r, dict)]
        if resource == "orders" and request.arg("id_shop"):
            rows = [r for r in rows if str(r.get("id_shop")) == request.arg("id_shop")]
        dates = request.arg("date") in ("1", "true")
        available = set(psd.DECLARED_FIELDS.get(resource, ())) | {k for r in rows[:1] for k in r}
        available.discard("associations")
        if not dates:
            available -= {"date_add", "date_upd"}
        for key, values in request.query.items():
            found = re.fullmatch(r"filter\[([^\]]+)\]", key)
            if not found:
                continue
            field = found.group(1)
            if field not in available:
                known = '", "'.join(sorted(available))
                self._fail(
                    request, 400, 32, f'This filter does not exist. The full list is: "{known}"'
                )
            if values[-1] == "":
                self._fail(request, 400, 33, f'The filter "{field}" is malformed.')
            rows = [r for r in rows if filter_match(r.get(field), values[-1])]
        rows.sort(key=lambda r: sort_key(r.get("id")))
        rows = self._sorted(request, rows, available)
        offset, count = self._limit(request, len(rows))
        page = rows[offset : offset + count]
        if request.duplicate and 0 < offset <= len(rows):
            page = [rows[offset - 1], *page]
            self.use_fault(request.duplicate)
        page = [self._display(request, resource, r, default="minimal") for r in page]
        key = LIST_KEYS.get(resource, resource)
        if not page:
            return (
                self._render(request, 200, [])
                if self._json(request)
                else self._render(request, 200, {key: []})
            )
        return self._render(request, 200, {key: page})

    def _sorted(self, request, rows, available):
        spec = request.arg("sort")
        if not spec:
            return rows
        bracketed = re.fullmatch(r"\[(.*)\]", spec)
        keys = []
        for part in bracketed.group(1).split(",") if bracketed else [spec]:
            field, _, direction = part.strip().rpartition("_")
            if not field or direction.upper() not in ("ASC", "DESC"):
                self._fail(
                    request,
                    400,
                    37,
                    'The "sort" value has to be formed as this example: "field_ASC" or '
                    "'[field_1_DESC,field_2_ASC,field_3_ASC,...]'",
                )
            if field not in available:
                self._fail(
                    request,
                    400,
                    38,
                    "Unable to filter by this field. However, these are available: "
                    + ", ".join(sorted(available)),
                )
            keys.append((field, direction.upper() == "DESC"))
        for field, descending in reversed(keys):
            rows.sort(key=lambda r, f=field: sort_key(r.get(f)), reverse=descending)
        return rows

    def _limit(self, request, total):
        raw = request.arg("limit")
        if raw is None:
            return 0, total
        parts = raw.split(",")
        if len(parts) > 2:
            self._fail(
                request,
                400,
                39,
                'The "limit" value has to be formed as this example: "5,25" or "10"',
            )
        numbers = [max(php_int(part), 0) for part in parts]
        return (0, numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])

    def _display(self, request, resource, record, default):
        display = request.arg("display", default)
        if display == "full":
            return record
        if display == "minimal":
            return {"id": record["id"]}
        found = re.fullmatch(r"\[(.*)\]", display or "")
        fields = [f.strip() for f in found.group(1).split(",")] if found else []
        for field in fields:
            if field not in record and field not in psd.DECLARED_FIELDS.get(resource, ()):
                self._fail(
                    request,
                    400,
                    35,
                    f'Unable to display this field "{field}". However, these are available: '
                    + ", ".join(record),
                )
        if not found:
            self._fail(
                request,
                400,
                36,
                'The "display" value has to be formed as this example: "[field_1,field_2]"',
            )
        return {field: record.get(field, "") for field in fields}

    def _detail(self, request):
        resource, records = self._records(request)
        record = records.get(str(int(request.params["id"])))
        if not isinstance(record, dict):
            return Response(404, None)
        if (
            resource == "orders"
            and request.arg("id_shop")
            and str(record.get("id_shop")) != request.arg("id_shop")
        ):
            self._fail(
                request, 404, 131, f"This Order ({record['id']}) does not exists on this shop"
            )
        return self._render(
            request, 200, {RESOURCES[resource]: self._display(request, resource, record, "full")}
        )

    def _input(self, request, node_name):
        try:
            data = parse_input(request.raw, node_name)
        except ValueError as exc:
            self._fail(request, 500, 127, f"XML error : {exc}")
        except KeyError:
            self._fail(
                request,
                400,
                40,
                f'The "{node_name}" node is missing',
            )
        return {key: "" if value is None else str(value).strip() for key, value in data.items()}

    def _post_history(self, request):
        data = self._input(request, "order_history")
        if data.get("id"):
            self._fail(request, 400, 91, "id is forbidden when adding a new resource")
        for field in psd.REQUIRED_FIELDS["order_histories"]:
            if not data.get(field):
                self._fail(request, 400, 41, f'parameter "{field}" required')
        order = self.orders.get(str(php_int(data["id_order"])))
        if not isinstance(order, dict):
            self._fail(
                request, 400, 85, f'Validation error: "Order {data["id_order"]} does not exist"'
            )
        state_id = str(php_int(data["id_order_state"]))
        if state_id not in self.order_states:
            self._fail(
                request,
                400,
                85,
                f'Validation error: "Order state {data["id_order_state"]} does not exist"',
            )
        record = self._change_state(
            order,
            state_id,
            self.clock,
            invent_tracking=False,
            send_email=request.arg("sendemail") in ("1", "true"),  # OrderHistory::addWs
        )
        self.status_changes.append((str(order["id"]), state_id))
        return self._render(request, 201, {"order_history": record})

    def _put_order_carrier(self, request):
        data = self._input(request, "order_carrier")
        if not data.get("id"):
            self._fail(request, 400, 90, "id is required when modifying a resource")
        record = self.order_carriers.get(str(php_int(data["id"])))
        if record is None:
            self._fail(request, 404, 92, "Invalid ID")
        for field in psd.REQUIRED_FIELDS["order_carriers"]:
            if not data.get(field):
                self._fail(request, 400, 41, f'parameter "{field}" required')
        tracking = data.get("tracking_number", "")
        if tracking and not _TRACKING_OK.match(tracking):
            self._fail(
                request,
                400,
                85,
                'Validation error: "Property OrderCarrier->tracking_number is not valid"',
            )
        empty = {
            "weight": "0.000000",
            "shipping_cost_tax_excl": "0.000000",
            "shipping_cost_tax_incl": "0.000000",
            "id_order_invoice": "0",
        }
        for field in psd.DECLARED_FIELDS["order_carriers"]:
            if field not in ("id", "date_add"):
                record[field] = data[field] if field in data else empty.get(field, "")
        self.tracking_updates.append((record["id_order"], tracking))
        if request.arg("sendemail") not in (None, "", "0"):
            self._send_in_transit_email(record)
        return self._render(request, 200, {"order_carrier": record})

    def _send_in_transit_email(self, record):
        """``OrderCarrier::sendInTransitEmail``: the order's carrier (``$order->id_carrier``)
        without a URL sends nothing; else the link is its URL with '@' replaced by the tracking
        field, whatever that field holds."""
        order = self.orders.get(str(php_int(record["id_order"])))
        carrier = self.resources["carriers"].get(str(php_int((order or {}).get("id_carrier"))))
        if not carrier or not carrier.get("url"):
            return
        customer = self.resources["customers"].get(str(php_int(order.get("id_customer"))), {})
        self.in_transit_mails.append(
            {
                "id_order": str(record["id_order"]),
                "email": customer.get("email", ""),
                "shipping_number": record["tracking_number"],
                "followup": carrier["url"].replace("@", record["tracking_number"]),
            }
        )

    # --- customer service: threads and (private) messages -----------------------------------------
    def _new_record(self, request, resource, node_name):
        """The fields of a POST, checked as ``WebserviceRequest::saveEntityFromXml`` does: no id
        (91), required fields (41), sizes and validators (85)."""
        data = self._input(request, node_name)
        if data.get("id"):
            self._fail(request, 400, 91, "id is forbidden when adding a new resource")
        for field in psd.REQUIRED_FIELDS[resource]:
            if not data.get(field):
                self._fail(request, 400, 41, f'parameter "{field}" required')
        for field, size in psd.FIELD_SIZES.get(resource, {}).items():
            if len(data.get(field, "")) > size:
                self._fail(
                    request,
                    400,
                    85,
                    f'Validation error: "Property {_CLASSES[resource]}->{field} length '
                    f'({len(data[field])}) must be between 0 and {size}"',
                )
        declared = psd.DECLARED_FIELDS[resource]
        unknown = sorted(set(data) - set(declared))
        if unknown:
            self._fail(
                request,
                400,
                93,
                f'parameter "{unknown[0]}" not writable. Please remove this attribute of this XML',
            )
        self._ids[resource] = self._ids.get(resource, 0) + 1
        stamp = local_text(self.clock, self.timezone)
        record = {field: data.get(field, "") for field in declared}
        record.update(id=self._ids[resource], date_add=stamp)
        if "date_upd" in record:
            record["date_upd"] = stamp
        return record

    def _post_customer_thread(self, request):
        record = self._new_record(request, "customer_threads", "customer_thread")
        if not _GENERIC_NAME_OK.match(record["token"]):
            self._fail(
                request, 400, 85, 'Validation error: "Property CustomerThread->token is not valid"'
            )
        record["status"] = record["status"] or "open"
        self.resources["customer_threads"][str(record["id"])] = record
        return self._render(request, 201, {"customer_thread": record})

    def _post_customer_message(self, request):
        record = self._new_record(request, "customer_messages", "customer_message")
        if _UNCLEAN_HTML.search(record["message"]):
            self._fail(
                request,
                400,
                85,
                'Validation error: "Property CustomerMessage->message is not valid"',
            )
        for field in ("id_employee", "private", "read"):
            record[field] = str(php_int(record[field]))
        self.resources["customer_messages"][str(record["id"])] = record
        return self._render(request, 201, {"customer_message": record})
