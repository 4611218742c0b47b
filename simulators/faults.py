"""Fault injection: what can go wrong between a client and a shop, on demand.

``sim.inject(kind, path=None, times=1, **options)`` queues a fault; each API request takes the
first queued fault whose ``path`` (a substring of the request path; None = any API path) matches,
and that fault's ``times`` goes down by one. Kinds:

- ``rate_limit``: HTTP 429, header ``Retry-After: <retry_after>`` (default 1), JSON error body.
- ``server_error``: HTTP 500 with a JSON body; ``status=502|503|504`` answers the HTML page a
  reverse proxy would.
- ``slow``: sleeps ``seconds`` (default 3) before answering normally.
- ``truncated_json``: the normal answer, its body cut in half (invalid JSON), status unchanged.
- ``duplicate``: list endpoints only, and only on a page that has a previous page: the page
  repeats, as its first element, the last order of the previous page. A first page leaves the
  fault waiting for the next page.
- ``refused``: the shop refuses the request: HTTP ``status`` (default 400) with the backend's
  error body saying ``message``.
- ``unauthorized``: HTTP 401. OTTO: all tokens are invalidated, as if the token expired; with
  ``path=None`` it never hits the token endpoint itself.
"""

from dataclasses import dataclass, field

FAULT_KINDS = (
    "rate_limit",
    "server_error",
    "slow",
    "truncated_json",
    "duplicate",
    "unauthorized",
    "refused",
)

_REASONS = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


@dataclass(eq=False)
class Fault:
    kind: str
    path: str | None
    remaining: int
    options: dict = field(default_factory=dict)

    def matches(self, request_path):
        return self.path is None or self.path in request_path

    def describe(self):
        return {"kind": self.kind, "path": self.path, "times": self.remaining, **self.options}


def html_error_page(status):
    reason = _REASONS.get(status, "Error")
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
