"""Whether to send a request again: a pure decision, from what became of one try.

``decide(method, idempotent, happened, attempt, policy)`` answers ``Decision(RETRY, delay)``,
``Decision(UNKNOWN)`` (raise ``OutcomeUnknownError``: the shop may have done it) or
``Decision(RAISE)`` (raise the error of what happened). The rules:

- what cannot have reached the shop (no connection made) is tried again;
- a read (GET, HEAD, or a request the caller says is idempotent) is tried again after any
  temporary trouble: no answer in time, a connection cut, HTTP 429, 5xx, a body that cannot be
  read;
- a write is never sent twice blind: once it may have reached the shop without a readable answer
  (no answer in time, a connection cut, HTTP 500 / 502 / 504, a 2xx body that cannot be read) the
  outcome is unknown; what the shop says it did not do (429, 503) is tried again;
- a refusal (4xx but 429) is raised at once;
- a try again waits the shop's Retry-After (429), else ``backoff_base`` doubled for each further
  try, never longer than ``max_wait``; after ``max_tries`` tries the error is raised.
"""

from dataclasses import dataclass

RETRY = "retry"
UNKNOWN = "unknown"
RAISE = "raise"

# what became of one try
NEVER_SENT = "never_sent"  # no connection made: refused, unknown host, no connection in time
NO_ANSWER = "no_answer"  # sent, or maybe: no answer in time, the connection or answer broke off
ANSWERED = "answered"  # an HTTP status (``status``); a 429 may say when to come back
UNREADABLE = "unreadable"  # a 2xx whose body cannot be read


@dataclass(frozen=True)
class Happened:
    kind: str
    status: int | None = None
    retry_after: float | None = None  # seconds, from a 429's Retry-After


@dataclass(frozen=True)
class Policy:
    max_tries: int = 4
    backoff_base: float = 1.0  # seconds before the second try; doubled for each further one
    max_wait: float = 60.0  # never wait longer than this between two tries


@dataclass(frozen=True)
class Decision:
    action: str
    delay: float = 0.0


def is_idempotent(method, idempotent=None):
    """Whether a request may be sent twice: what the caller says, else reads only."""
    return method in ("GET", "HEAD") if idempotent is None else idempotent


def decide(method, idempotent, happened, attempt, policy=Policy()):
    """What to do after try number ``attempt`` (1 for the first) of a request ended so."""
    idempotent = is_idempotent(method, idempotent)
    kind, status = happened.kind, happened.status
    if kind == NEVER_SENT:
        pass
    elif kind in (NO_ANSWER, UNREADABLE):
        if not idempotent:
            return Decision(UNKNOWN)
    elif kind == ANSWERED and status == 429:
        pass
    elif kind == ANSWERED and status is not None and status >= 500:
        # 500 and the gateway errors 502/504 may come after the shop did it; a 503 says it did not
        if status in (500, 502, 504) and not idempotent:
            return Decision(UNKNOWN)
    else:
        return Decision(RAISE)  # a refusal, or a success (nothing to try again)
    if attempt >= policy.max_tries:
        return Decision(RAISE)
    if kind == ANSWERED and status == 429 and happened.retry_after is not None:
        delay = happened.retry_after
    else:
        delay = policy.backoff_base * 2 ** (attempt - 1)
    return Decision(RETRY, min(max(delay, 0.0), policy.max_wait))
