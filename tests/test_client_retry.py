"""The retry decision of the clients, a pure function (plain pytest, no Odoo needed).

Standalone: python -m pytest -q -p no:odoo -p simulators.pytest_standalone \
    tests/test_client_retry.py
"""

import pytest

from ..clients.retry import (
    ANSWERED,
    NEVER_SENT,
    NO_ANSWER,
    RAISE,
    RETRY,
    UNKNOWN,
    UNREADABLE,
    Decision,
    Happened,
    Policy,
    decide,
    is_idempotent,
)

POLICY = Policy(max_tries=4, backoff_base=1.0, max_wait=60.0)


def status(code, retry_after=None):
    return Happened(ANSWERED, code, retry_after)


@pytest.mark.parametrize(
    "method, idempotent, happened, expected",
    [
        # nothing reached the shop: read or write, it goes again
        ("GET", None, Happened(NEVER_SENT), RETRY),
        ("POST", None, Happened(NEVER_SENT), RETRY),
        # the shop may have done it: a read goes again, a write is never sent twice blind
        ("GET", None, Happened(NO_ANSWER), RETRY),
        ("POST", None, Happened(NO_ANSWER), UNKNOWN),
        ("PUT", None, Happened(NO_ANSWER), UNKNOWN),
        ("PUT", True, Happened(NO_ANSWER), RETRY),  # the caller says the PUT may go twice
        ("POST", None, Happened(UNREADABLE, 200), UNKNOWN),
        ("GET", None, Happened(UNREADABLE, 200), RETRY),
        ("POST", None, status(500), UNKNOWN),
        ("POST", None, status(502), UNKNOWN),
        ("POST", None, status(504), UNKNOWN),
        ("GET", None, status(500), RETRY),
        # the shop says it did nothing
        ("POST", None, status(503), RETRY),
        ("POST", None, status(429), RETRY),
        ("GET", None, status(429), RETRY),
        # refusals are raised at once
        ("GET", None, status(400), RAISE),
        ("POST", None, status(404), RAISE),
        ("GET", None, status(401), RAISE),
        ("POST", None, status(409), RAISE),
    ],
)
def test_what_goes_again(method, idempotent, happened, expected):
    assert decide(method, idempotent, happened, 1, POLICY).action == expected


def test_reads_are_what_may_go_twice_unless_the_caller_says():
    assert is_idempotent("GET") and is_idempotent("HEAD")
    assert not is_idempotent("POST") and not is_idempotent("PUT")
    assert is_idempotent("POST", True) and not is_idempotent("GET", False)


def test_backoff_doubles_and_is_bounded():
    delays = [decide("GET", None, status(500), n, POLICY).delay for n in (1, 2, 3)]
    assert delays == [1.0, 2.0, 4.0]
    wide = Policy(max_tries=20, backoff_base=1.0, max_wait=60.0)
    assert decide("GET", None, status(500), 10, wide) == Decision(RETRY, 60.0)


def test_retry_after_is_honoured_within_bounds():
    assert decide("POST", None, status(429, 7.5), 1, POLICY) == Decision(RETRY, 7.5)
    assert decide("POST", None, status(429, 600), 1, POLICY) == Decision(RETRY, 60.0)
    assert decide("POST", None, status(429, -3), 1, POLICY) == Decision(RETRY, 0.0)
    # without a Retry-After, the backoff
    assert decide("GET", None, status(429), 2, POLICY) == Decision(RETRY, 2.0)


def test_the_last_try_raises():
    for happened in (Happened(NEVER_SENT), status(503), status(429, 1)):
        assert decide("POST", None, happened, 4, POLICY).action == RAISE
        assert decide("POST", None, happened, 3, POLICY).action == RETRY
    # a write whose outcome is unknown is unknown whatever the try
    assert decide("POST", None, status(500), 4, POLICY).action == UNKNOWN


def test_no_waiting_with_a_zero_backoff():
    quick = Policy(max_tries=4, backoff_base=0.0, max_wait=60.0)
    assert decide("GET", None, Happened(NO_ANSWER), 3, quick) == Decision(RETRY, 0.0)
