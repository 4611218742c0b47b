"""The HTTP plumbing the simulators share: routes, parsed requests, answers, the handler thread.

Nothing here knows a shop. ``Request`` carries the parsed query (dict of lists), the raw and
parsed body (JSON, form dict or text) and lower-cased headers; a handler answers a ``Response``,
any JSON-able value (sent as 200) or raises ``ApiError``.
"""

import base64
import contextlib
import json
import re
import sys
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from .faults import Fault


@dataclass
class Route:
    method: str
    pattern: str
    handler: str
    listing: bool = False
    auth: bool = True

    def __post_init__(self):
        self.regex = re.compile(self.pattern)


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    raw: bytes
    body: object
    params: dict = field(default_factory=dict)
    route: Route | None = None
    duplicate: Fault | None = None  # a pending 'duplicate' fault the list handler may use

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name):
        return list(self.query.get(name, []))


@dataclass
class Response:
    status: int = 200
    body: object = None  # JSON-able; bytes or str are sent as they are
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    disconnect: bool = False  # close the connection instead of answering

    def encode(self):
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


class ApiError(Exception):
    """Raised by handlers to answer an error."""

    def __init__(self, status, body=None, headers=None, response=None):
        super().__init__(status)
        self.response = response or Response(status, body, headers or {})


def parse_body(raw, content_type):
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    content_type = (content_type or "").lower()
    if "json" in content_type or (not content_type and text.lstrip()[:1] in "{["):
        try:
            return json.loads(text)
        except ValueError:
            return text
    if "x-www-form-urlencoded" in content_type:
        form = parse_qs(text, keep_blank_values=True)
        return {key: values[0] if len(values) == 1 else values for key, values in form.items()}
    return text


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections close after this

    def setup(self):
        result = super().setup()
        self.server.simulator._connections.add(self.connection)
        return result

    def finish(self):
        self.server.simulator._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            return super().finish()

    def _serve(self):
        self.server.simulator._serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def log_message(self, format, *args):  # silence the default stderr log
        pass

    def date_time_string(self, timestamp=None):
        """The Date header says the simulator's clock, as a shop's says its own."""
        if timestamp is None:
            timestamp = self.server.simulator.clock.timestamp()
        return super().date_time_string(timestamp)


class Server(ThreadingHTTPServer):
    """One thread per connection: several clients (or one client's parallel requests) are
    answered at the same time, as by a shop's web server."""

    daemon_threads = True
    request_queue_size = 64  # parallel clients connecting at once are not refused
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        """A client that gave up (its timeout) or reset the connection is the day's business,
        not a traceback on stderr; anything else is printed as usual."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def basic_credentials(request):
    """(user, password) of an HTTP Basic Authorization header, or None."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, _, password = decoded.partition(":")
    return user, password
