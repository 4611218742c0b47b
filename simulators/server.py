"""The common base of the simulators: an HTTP server on 127.0.0.1 in a daemon thread.

A subclass declares its routes (``ROUTES``: method, path regex, handler method name, whether the
route is a paged list, whether it needs authentication), checks credentials in ``_authenticate``,
shapes its error bodies in ``_error_body`` and generates orders. The base does the rest:

- routing, JSON answers, parsing of JSON / form / raw request bodies;
- recording every API request in ``requests`` (method, path, query, body, headers, status);
- fault injection (``inject``), see ``faults.py``, ``rate_limit_every``, and faults at random
  (``random_faults``: a share of the requests, kinds drawn from a menu; the soak's bad day);
- a clock (``clock``, ``advance``) that dates every later modification and the Date header;
- ``latency_ms``: every API request is answered after this delay, as a real shop's (100-400 ms)
  are; the delay is waited outside the lock, so concurrent requests overlap as they would on a
  shop (``set_latency``, ``--latency-ms``, ``POST /__sim/latency``);
- ``on_request(path, action, nth=1)``: the shop changes while a client reads it (``action``
  runs, under the lock, just before the ``nth`` next API request to exactly ``path``);
- control endpoints under ``/__sim/`` (not recorded, no auth, no latency): ``GET stats``,
  ``POST reset``, ``POST inject`` ``{"kind", "path", "times", ...}``, ``POST advance``
  ``{"seconds"}``, ``POST orders`` ``{"count"}``, ``POST latency`` ``{"ms"}``;
- ``on_write``: called with each recorded request that writes (not GET/HEAD, not the token);
- ``save_state`` / ``load_state``: the shop's data in a file, so that a restarted simulator
  answers with the same orders (the demo).

The server answers each connection in a thread of its own. Handlers run under one lock, so the
state (``orders`` and friends) is never seen half-changed; the latency and the ``slow`` fault
are waited outside it.
"""

import contextlib
import json
import os
import random
import socket
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, unquote, urlsplit

from . import state_file
from .faults import FAULT_KINDS, TRAILING_OUTPUT, Fault, bad_day_menu, html_error_page
from .web import ApiError, Handler, Request, Response, Route, Server, basic_credentials, parse_body

# handlers of the backends import these from here
__all__ = ["ApiError", "Request", "Response", "Route", "SimulatorBase", "basic_credentials"]


class SimulatorBase:
    """Start with ``start()`` or ``with``; ``url``, ``login`` and ``secret`` configure a client."""

    ROUTES = []
    backend = "base"
    token_path = None  # OTTO: an 'unauthorized' fault with path None leaves the token alone

    def __init__(
        self,
        seed=1,
        orders=20,
        now=None,
        *,
        host="127.0.0.1",
        port=0,
        rate_limit_every=None,
        lines=None,
        login=None,
        secret=None,
        latency_ms=0,
    ):
        self.seed = seed
        self.rng = random.Random(seed)
        if now is None:
            now = datetime.now(timezone.utc)
        elif now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        self.now = now.astimezone(timezone.utc)
        self._offset = timedelta(0)
        self.host = host
        self.port = port
        self.rate_limit_every = rate_limit_every
        self.lines = lines  # distinct products per random order; None = 1 to 4
        self.latency_ms = 0
        self.set_latency(latency_ms)
        self.requests = []
        self.status_changes = []
        self.shipments = []
        self.orders = {}
        self._faults = []
        self._random = None  # (rate, menu, rng) of random_faults
        self._hooks = []  # [path, countdown, action] of on_request
        self.on_write = None  # on_write(record): a write request was answered (demo output)
        self._api_calls = 0
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._connections = set()
        self._server = None
        self._thread = None
        self._routes = [
            route if isinstance(route, Route) else Route(*route) for route in self.ROUTES
        ]
        self.login, self.secret = self._make_credentials(login, secret)

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self):
        if self._server is None:
            self._stopping.clear()
            self._server = Server((self.host, self.port), Handler)
            self._server.simulator = self
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"{self.backend}-simulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self):
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(2)
        self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        """The shop's base URL as a merchant would type it (None until started)."""
        if self._server is None:
            return None
        return f"http://{self.host}:{self._server.server_address[1]}"

    # --- clock ----------------------------------------------------------------------------------
    @property
    def clock(self):
        """The simulator's present: ``now`` plus every ``advance``."""
        return self.now + self._offset

    def advance(self, seconds):
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.clock

    # --- latency --------------------------------------------------------------------------------
    def set_latency(self, ms):
        """Answer every later API request after ``ms`` milliseconds (0: at once)."""
        ms = float(ms)
        if not 0 <= ms <= 60_000:
            raise ValueError(f"latency must be between 0 and 60000 ms, not {ms}")
        self.latency_ms = ms

    # --- requests and faults --------------------------------------------------------------------
    def request_count(self, path_prefix=None):
        with self._lock:
            return sum(
                1 for r in self.requests if not path_prefix or r["path"].startswith(path_prefix)
            )

    def reset_requests(self):
        with self._lock:
            self.requests.clear()

    def inject(self, kind, path=None, times=1, **options):
        """Make the next ``times`` API requests whose path contains ``path`` fail as ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")
        fault = Fault(kind, path or None, int(times), options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def on_request(self, path, action, nth=1):
        """Run ``action()`` just before the ``nth`` next API request to exactly ``path``: the
        shop changes an order while a client is between two pages, say."""
        with self._lock:
            self._hooks.append([path, int(nth), action])

    def _run_hooks(self, request):
        for hook in list(self._hooks):
            path, countdown, action = hook
            if request.path.rstrip("/") != path.rstrip("/"):
                continue
            hook[1] = countdown - 1
            if hook[1] <= 0:
                self._hooks.remove(hook)
                action()

    def random_faults(self, rate, menu=None, seed=0):
        """From now on each API request fails with probability ``rate`` (0 stops it), as one of
        ``menu``'s faults drawn by weight (default ``faults.bad_day_menu()``): ``[(weight, kind,
        options)]``, ``options`` as ``inject`` takes them, plus ``methods`` (the HTTP methods
        the entry is for; default all). Queued faults go first. The draws come from a random
        generator of their own (``seed``): the shop's orders stay those of its seed."""
        with self._lock:
            if not rate:
                self._random = None
                return
            menu = bad_day_menu() if menu is None else menu
            for _weight, kind, _options in menu:
                if kind not in FAULT_KINDS or kind == "duplicate":
                    raise ValueError(f"{kind!r} cannot be drawn at random")
            self._random = (float(rate), list(menu), random.Random(seed))

    def _draw_fault(self, request):
        if self._random is None:
            return None
        rate, menu, rng = self._random
        if rng.random() >= rate:
            return None
        entries = [
            entry for entry in menu if request.method in entry[2].get("methods", (request.method,))
        ]
        if not entries:
            return None
        _weight, kind, options = rng.choices(entries, weights=[entry[0] for entry in entries])[0]
        return Fault(kind, None, 0, {k: v for k, v in options.items() if k != "methods"})

    def clear_faults(self):
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self):
        with self._lock:
            return [f for f in self._faults if f.remaining > 0]

    def _pick_fault(self, request):
        for fault in self._faults:
            if fault.remaining <= 0 or not fault.matches(request.path, request.method):
                continue
            if fault.kind == "duplicate" and not (request.route and request.route.listing):
                continue
            if (
                fault.kind == "unauthorized"
                and fault.path is None
                and request.path == self.token_path
            ):
                continue
            return fault
        return None

    def use_fault(self, fault):
        """Count one use of a fault (handlers call it for 'duplicate')."""
        fault.remaining -= 1
        if fault.remaining <= 0 and fault in self._faults:
            self._faults.remove(fault)

    # --- serving --------------------------------------------------------------------------------
    def _serve(self, handler):
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        request = Request(
            method=handler.command,
            path=unquote(split.path),
            query=parse_qs(split.query, keep_blank_values=True),
            headers={key.lower(): value for key, value in handler.headers.items()},
            raw=raw,
            body=parse_body(raw, handler.headers.get("Content-Type")),
        )
        if request.path.startswith("/__sim/"):
            response = self._control(request)
        else:
            response = self._answer(request)
        self._send(handler, response)

    def _answer(self, request):
        if self.latency_ms:
            # the shop's round trip, outside the lock: other requests are served meanwhile
            self._stopping.wait(self.latency_ms / 1000)
        with self._lock:
            self._api_calls += 1
            self._run_hooks(request)
            request.route, request.params = self._match(request.method, request.path)
            fault = None
            if self.rate_limit_every and self._api_calls % int(self.rate_limit_every) == 0:
                fault = Fault("rate_limit", None, 1, {"retry_after": 0})
            else:
                fault = self._pick_fault(request)
                if fault and fault.kind == "duplicate":
                    request.duplicate, fault = fault, None
                elif fault:
                    self.use_fault(fault)
                else:
                    fault = self._draw_fault(request)
            if fault and not fault.applied and fault.kind != "slow":
                # the shop did nothing: it answers the fault at once
                response = self._fault_response(fault, request)
                self._record(request, response, fault)
                return response
        if fault and fault.kind == "slow" and not fault.applied:
            self._stopping.wait(float(fault.options.get("seconds", 3)))
        with self._lock:
            response = self._dispatch(request)  # the shop carries the request out
            if fault:
                response = self._after_dispatch(fault, request, response)
            self._record(request, response, fault)
        if fault and fault.kind == "slow" and fault.applied:
            self._stopping.wait(float(fault.options.get("seconds", 3)))
        return response

    def _after_dispatch(self, fault, request, response):
        """The answer to a request the shop carried out, spoilt by ``fault``."""
        if fault.kind == "truncated_json":
            body = response.encode()
            return Response(response.status, body[: len(body) // 2], response.headers)
        if fault.kind == "trailing_output":
            text = str(fault.options.get("text", TRAILING_OUTPUT))
            return Response(
                response.status,
                response.encode() + text.encode(),
                response.headers,
                response.content_type,
            )
        if fault.kind == "disconnect":
            return Response(response.status, disconnect=True)
        if fault.kind == "server_error":
            return self._fault_response(fault, request)
        return response  # slow: the answer comes late, but whole

    def _fault_response(self, fault, request):
        if fault.kind == "rate_limit":
            retry_after = fault.options.get("retry_after", 1)
            return Response(
                429,
                self._error_body(429, "Too many requests: rate limit exceeded", request.path),
                {"Retry-After": str(retry_after)},
            )
        if fault.kind == "unauthorized":
            self._on_unauthorized_fault()
            return self._unauthorized_response(request)
        if fault.kind == "disconnect":  # cut before the shop did anything
            return Response(0, disconnect=True)
        if fault.kind == "refused":
            status = int(fault.options.get("status", 400))
            message = str(fault.options.get("message", "Bad Request"))
            return Response(status, self._error_body(status, message, request.path))
        status = int(fault.options.get("status", 500))
        if status == 500:
            return Response(500, self._error_body(500, "Internal server error", request.path))
        return Response(status, html_error_page(status), content_type="text/html")

    def _dispatch(self, request):
        if request.route is None:
            allowed = [r.method for r in self._routes if r.regex.fullmatch(request.path)]
            if allowed:
                return Response(
                    405,
                    self._error_body(405, "Method not allowed", request.path),
                    {"Allow": ", ".join(allowed)},
                )
            return Response(404, self._error_body(404, "Not found", request.path))
        try:
            if request.route.auth:
                self._authenticate(request)
            result = getattr(self, request.route.handler)(request)
        except ApiError as error:
            return error.response
        except Exception as exc:  # a broken order must not kill the thread
            message = f"Internal error: {type(exc).__name__}: {exc}"
            return Response(500, self._error_body(500, message, request.path))
        return result if isinstance(result, Response) else Response(200, result)

    def _match(self, method, path):
        for route in self._routes:
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                found = route.regex.fullmatch(path)
                if found:
                    return route, found.groupdict()
        return None, {}

    def _record(self, request, response, fault=None):
        record = {
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "body": request.body,
            "headers": request.headers,
            "status": response.status,
        }
        if fault is not None:
            record["fault"] = fault.kind
            record["fault_options"] = dict(fault.options)
        self.requests.append(record)
        writes = request.method not in ("GET", "HEAD") and request.path != self.token_path
        if writes and self.on_write is not None:
            self.on_write(record)

    def _send(self, handler, response):
        if response.disconnect:
            # no status line, no body: the client learns nothing of what the shop did
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        body = response.encode()
        try:
            handler.send_response(response.status)
            if body or response.status not in (204, 304):
                handler.send_header("Content-Type", response.content_type)
            for name, value in response.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(body)
            handler.wfile.flush()
        except OSError:  # the client gave up (timeout) or went away
            handler.close_connection = True

    # --- control endpoints ----------------------------------------------------------------------
    def _control(self, request):
        action = request.path[len("/__sim/") :].strip("/")
        try:  # JSON whatever the Content-Type says (curl -d sends a form type)
            body = json.loads(request.raw or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return Response(400, {"error": "the body must be a JSON object"})
        try:
            if action == "stats" and request.method == "GET":
                with self._lock:
                    by_path = Counter(r["path"] for r in self.requests)
                    return Response(
                        200,
                        {
                            "requests": len(self.requests),
                            "by_path": dict(by_path),
                            "orders": len(self.orders),
                            "status_changes": len(self.status_changes),
                            "shipments": len(self.shipments),
                            "pending_faults": [f.describe() for f in self.pending_faults],
                            "latency_ms": self.latency_ms,
                        },
                    )
            if request.method != "POST":
                return Response(405, {"error": "use POST"})
            if action == "reset":
                self.reset_requests()
                return Response(200, {"requests": 0})
            if action == "inject":
                options = {k: v for k, v in body.items() if k not in ("kind", "path", "times")}
                fault = self.inject(
                    body.get("kind"), body.get("path"), body.get("times", 1), **options
                )
                return Response(200, fault.describe())
            if action == "advance":
                clock = self.advance(float(body.get("seconds", 0)))
                return Response(200, {"clock": clock.isoformat()})
            if action == "latency":
                self.set_latency(body.get("ms", 0))
                return Response(200, {"latency_ms": self.latency_ms})
            if action == "orders":
                orders = self.add_random_orders(int(body.get("count", 1)))
                return Response(201, {"orders": [self._order_id(order) for order in orders]})
        except (TypeError, ValueError) as exc:
            return Response(400, {"error": str(exc)})
        return Response(404, {"error": f"unknown control endpoint {action!r}"})

    # --- state kept across restarts ---------------------------------------------------------------
    # what belongs to the running process or to its command line, not to the shop
    _NOT_STATE = frozenset(
        (
            "_lock",
            "_stopping",
            "_connections",
            "_server",
            "_thread",
            "_routes",
            "_hooks",
            "_faults",
            "_random",
            "requests",
            "on_write",
            "host",
            "port",
            "rate_limit_every",
            "lines",
            "latency_ms",
        )
    )

    def save_state(self, path):
        """Write the shop's data (orders, customers, ids, clock, random state) to ``path``, as
        JSON (``state_file``)."""
        with self._lock:
            state = {k: v for k, v in vars(self).items() if k not in self._NOT_STATE}
            data = state_file.dumps(self.backend, state)
        temporary = f"{path}.tmp"
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(data)
        os.replace(temporary, path)  # a crash mid-write leaves the previous state whole

    def load_state(self, path):
        """Take the shop's data from a file ``save_state`` wrote."""
        with open(path, encoding="utf-8") as file:
            backend, state = state_file.loads(file.read())
        if backend != self.backend:
            raise ValueError(f"{path} holds a {backend} shop, not {self.backend}")
        with self._lock:
            vars(self).update(state)
        return self

    # --- hooks ----------------------------------------------------------------------------------
    def _make_credentials(self, login, secret):
        return login, secret

    def _authenticate(self, request):
        """Raise ApiError when the request's credentials are wrong."""

    def _unauthorized_response(self, request):
        return Response(401, self._error_body(401, "Unauthorized", request.path))

    def _on_unauthorized_fault(self):
        pass

    def _error_body(self, status, message, path):
        return {"error": message}

    def _order_id(self, payload):
        raise NotImplementedError

    def add_order(self, **overrides):
        raise NotImplementedError

    def add_random_orders(self, count=1):
        """``count`` random new orders, placed within the last hour and changed at the clock."""
        with self._lock:
            return [self._random_order(self.clock, fresh=True) for _ in range(count)]

    def _random_order(self, now=None, fresh=False):
        raise NotImplementedError

    def expected_total(self, order_id):
        raise NotImplementedError
