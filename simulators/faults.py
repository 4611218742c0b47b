"""Fault injection: what can go wrong between a client and a shop, on demand.

``sim.inject(kind, path=None, times=1, **options)`` queues a fault; each API request takes the
first queued fault whose ``path`` (a substring of the request path; None = any API path) and
``method`` (option; default any) match, and that fault's ``times`` goes down by one. Kinds:

- ``rate_limit``: HTTP 429, header ``Retry-After: <retry_after>`` (default 1), JSON error body.
- ``server_error``: HTTP 500 with a JSON body; ``status=502|503|504`` answers the HTML page a
  reverse proxy would. The shop did nothing, unless ``applied=True``: then it carried the
  request out (a write is done) and failed while answering, as a PHP fatal error in a hook
  after the save does.
- ``slow``: sleeps ``seconds`` (default 3) before answering normally (the shop carries the
  request out when it wakes up); with ``applied=True`` it carries it out first, then sleeps.
- ``truncated_json``: the normal answer, its body cut in half (invalid JSON), status unchanged.
- ``disconnect``: the shop carries the request out, then the connection is closed without an
  answer (a worker killed, a proxy timing out); ``applied=False``: closed before doing it.
- ``trailing_output``: the normal answer (the request carried out) with ``text`` appended after
  the body, as PrestaShop modules print their output after the webservice's answer (PrestaShop
  issue 36815): by default a PHP notice and a script tag.
- ``duplicate``: list endpoints only, and only on a page that has a previous page: the page
  repeats, as its first element, the last order of the previous page. A first page leaves the
  fault waiting for the next page.
- ``refused``: the shop refuses the request: HTTP ``status`` (default 400) with the backend's
  error body saying ``message``.
- ``unauthorized``: HTTP 401. OTTO: all tokens are invalidated, as if the token expired; with
  ``path=None`` it never hits the token endpoint itself.

``sim.random_faults(rate, menu)`` makes a share of all requests fail, each with a fault drawn
from ``menu``; ``bad_day_menu()`` is the soak's (scripts/soak.py).
"""

from dataclasses import dataclass, field

FAULT_KINDS = (
    "rate_limit",
    "server_error",
    "slow",
    "truncated_json",
    "disconnect",
    "trailing_output",
    "duplicate",
    "unauthorized",
    "refused",
)

# What a module's hook may print after the webservice's answer.
TRAILING_OUTPUT = (
    "\n<br />\n<b>Notice</b>:  Undefined index: id_carrier in "
    "/var/www/html/modules/exportmodule/exportmodule.php on line 312<br />\n"
    '<script type="text/javascript">var exportmodule_token = "0f3c";</script>\n'
)

_REASONS = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


@dataclass(eq=False)
class Fault:
    kind: str
    path: str | None
    remaining: int
    options: dict = field(default_factory=dict)

    def matches(self, request_path, method=None):
        wanted = self.options.get("method")
        if wanted and method and wanted.upper() != method:
            return False
        return self.path is None or self.path in request_path

    @property
    def applied(self):
        """Whether the shop carries the request out before the fault shows."""
        default = self.kind in ("disconnect", "trailing_output", "truncated_json")
        return bool(self.options.get("applied", default))

    def describe(self):
        return {"kind": self.kind, "path": self.path, "times": self.remaining, **self.options}


def html_error_page(status):
    reason = _REASONS.get(status, "Error")
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


def bad_day_menu(slow_seconds=3):
    """The faults of a long bad day, by weight: ``[(weight, kind, options)]`` for
    ``random_faults``. 429 with Retry-After; HTTP 500, 502 and 503 (500 and 502 also after the
    shop carried the request out); answers later than a client waiting less than
    ``slow_seconds`` (the shop carrying it out before or after the wait); the connection cut
    before and after the shop carried it out; a 2xx with a module's output after the answer."""
    return [
        (4, "rate_limit", {"retry_after": 1}),
        (1, "server_error", {"status": 500}),
        (1, "server_error", {"status": 502}),
        (1, "server_error", {"status": 503}),
        (1, "server_error", {"status": 500, "applied": True}),
        (1, "server_error", {"status": 502, "applied": True}),
        (1, "slow", {"seconds": slow_seconds}),
        (1, "slow", {"seconds": slow_seconds, "applied": True}),
        (1, "disconnect", {"applied": False}),
        (1, "disconnect", {"applied": True}),
        (2, "trailing_output", {}),
    ]
