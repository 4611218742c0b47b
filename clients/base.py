"""The one HTTP seam every marketplace client goes through.

``BaseClient._request`` builds the URL, adds authentication, applies the timeout, sends through
the client's ``Transport`` (``transport.py``: a session per thread, exact counters, one
Retry-After gate for every thread), asks ``retry.decide`` (a pure decision) what to do with each
try that did not succeed (HTTP 429 honouring Retry-After, 5xx, broken JSON, timeouts, connection
errors: tried again with exponential backoff, a bounded number of times), logs each exchange with
secrets masked, and turns every failure into one of the errors of ``errors.py``. Subclasses only
say where the API lives, how to authenticate and how to read their payloads. A client may serve
several threads at once.

A write (anything but GET and HEAD, unless the caller says it is idempotent) is tried again only
when it cannot have reached the shop (no connection) or the shop says it did nothing (429, 503).
Once it may have reached the shop without a readable answer it raises ``OutcomeUnknownError``:
the caller looks on the shop before sending it again (see exporter/run.py).
"""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from json import JSONDecoder

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from .errors import (
    AuthenticationError,
    BadPayloadError,
    OutcomeUnknownError,
    RateLimitError,
    RequestError,
    TemporaryError,
)
from .pages import PageReader
from .retry import ANSWERED, NEVER_SENT, NO_ANSWER, RETRY, UNKNOWN, UNREADABLE, Happened, Policy
from .retry import decide as decide_retry
from .transport import Transport

_logger = logging.getLogger(__name__)

MASK = "***"


class BaseClient(PageReader):
    backend = None
    api_root = ""  # appended to the merchant's base URL
    page_size = 100
    max_tries = 4
    backoff_base = 1.0  # seconds before the second try; doubled for each further one
    max_wait = 60.0  # never wait longer than this between two tries
    # Whether pages come oldest change first, so that the account's "imported until" date may
    # move after each page; otherwise it moves once the last page is read.
    pages_in_change_order = True

    def __init__(
        self,
        base_url,
        login=None,
        secret=None,
        *,
        timeout=30,
        shop_timezone="UTC",
        shop_ids=(),
        currency="EUR",
        period_days=30,
        concurrency=1,
        session=None,
    ):
        if not base_url:
            raise RequestError("The account has no API address.")
        self.base_url = base_url.rstrip("/")
        self.login = login or ""
        self.secret = secret or ""
        self.timeout = timeout
        self.shop_timezone = shop_timezone or "UTC"
        self.shop_ids = tuple(str(shop_id) for shop_id in shop_ids)
        self.currency = currency or "EUR"  # of shops whose orders do not say it (CS-Cart)
        self.period_days = period_days  # the account's default import period
        # requests of one account in flight at once, whichever threads send them
        self.concurrency = max(int(concurrency or 1), 1)
        self.transport = Transport(
            session, sleep=lambda seconds: self._sleep(seconds), limit=self.concurrency
        )
        # what the clients read once and keep (PrestaShop's countries, CS-Cart's filter probe):
        # one thread reads it, the others wait for it
        self._cache_lock = threading.RLock()
        # for clients whose pages are not in change order: the shop's clock when the listing
        # began; every change after it is seen by the next run
        self.listing_started_at = None

    @property
    def session(self):
        """The ``requests`` session of this thread (one given to the client serves them all)."""
        return self.transport.session

    @session.setter
    def session(self, session):
        self.transport.shared_session = session

    @property
    def request_count(self):
        """Requests sent by every thread of the client."""
        return self.transport.request_count

    @request_count.setter
    def request_count(self, value):
        self.transport.request_count = value

    @property
    def last_response_date(self):
        """The shop's clock (HTTP Date header of the last success), naive UTC."""
        return self.transport.last_response_date

    @property
    def retry_policy(self):
        return Policy(self.max_tries, self.backoff_base, self.max_wait)

    # --- hooks for subclasses -----------------------------------------------------------------
    def _auth(self):
        """A ``requests`` auth object, or None."""
        return None

    def _headers(self):
        return {"Accept": "application/json"}

    def _secrets(self):
        """Every value that must never reach a log line or an error message."""
        return [self.secret]

    def _refusal(self, response, label):
        """The error for an HTTP 401/403 the credentials cannot get past."""
        return AuthenticationError(
            f"{label}: the shop refused the credentials (HTTP {response.status_code}). "
            "Check the account's API login and secret.",
            status=response.status_code,
        )

    def _forget_credentials(self, sent_headers):
        """Drop the cached credentials ``sent_headers`` carried after a 401 (unless another
        thread renewed them meanwhile); return True if trying again could help."""
        return False

    def map_concurrently(self, call, items):
        """``[call(item) for item in items]``, in order, with at most ``concurrency`` calls in
        flight at once (threads: ``call`` does HTTP only, never touches Odoo). A Retry-After one
        answer asks for holds them all (``Transport.hold``). An exception of a call is raised
        once every call has ended (the first in the order of ``items``)."""
        items = list(items)
        workers = min(self.concurrency, len(items))
        if workers <= 1:
            return [call(item) for item in items]

        def guarded(item):
            try:
                return call(item), None
            except Exception as exc:  # raised again in the caller's thread
                return None, exc

        with ThreadPoolExecutor(workers, thread_name_prefix=f"smc-{self.backend}") as pool:
            done = list(pool.map(guarded, items))
        for __, exc in done:
            if exc is not None:
                raise exc
        return [value for value, __ in done]

    # --- the seam --------------------------------------------------------------------------------
    def _request(
        self,
        method,
        path,
        *,
        params=None,
        json=None,
        data=None,
        headers=None,
        authenticated=True,
        idempotent=None,
    ):
        """Send one API request and return its decoded JSON body (None when empty).

        A request that is not ``idempotent`` (default: every write, anything but GET and HEAD)
        is never sent twice here once it may have reached the shop: a broken connection, no
        answer in time, HTTP 500/502/504 or a 2xx whose body cannot be read raise
        ``OutcomeUnknownError`` (doing it twice could, say, e-mail the buyer twice; the caller
        looks on the shop before trying again). What cannot have reached the shop (connection
        refused, no connection in time) and what the shop says it did not do (429, 503) is tried
        again with backoff (``retry.decide``).
        """
        url = self.base_url + self.api_root + path
        label = f"{method} {self.api_root}{path}"
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            # built for each try: a renewed token must go with the next one
            send_headers = self._headers() if authenticated else {"Accept": "application/json"}
            if headers:
                send_headers = {**send_headers, **headers}
            try:
                response = self.transport.send(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    headers=send_headers,
                    auth=self._auth() if authenticated else None,
                    timeout=self.timeout,
                )
            except (
                requests.exceptions.InvalidURL,
                requests.exceptions.InvalidSchema,
                requests.exceptions.MissingSchema,
            ) as exc:
                raise RequestError(
                    f"{label}: the API address {self.base_url!r} is not a valid URL "
                    "(it starts with https://)"
                ) from exc
            except requests.RequestException as exc:
                happened, error = self._failed_try(label, exc)
            else:
                status = response.status_code
                _logger.debug("%s -> HTTP %s (%s bytes)", label, status, len(response.content))
                if (
                    status == 401
                    and authenticated
                    and not renewed
                    and self._forget_credentials(send_headers)
                ):
                    renewed = True
                    attempt -= 1
                    continue
                if status < 400:
                    self.transport.last_response_date = _http_date(response.headers.get("Date"))
                    try:
                        return self._decode(response, label)
                    except ValueError:
                        happened = Happened(UNREADABLE, status)
                        error = BadPayloadError(
                            f"{label}: the answer is not valid JSON (HTTP {status})",
                            status=status,
                            retryable=True,
                        )
                else:
                    happened = Happened(ANSWERED, status, self._retry_after(response))
                    error = self._answer_error(response, label)
            decision = decide_retry(method, idempotent, happened, attempt, self.retry_policy)
            if decision.action == UNKNOWN:
                raise OutcomeUnknownError(self._unknown(str(error)), status=error.status) from None
            if decision.action != RETRY:
                raise error
            _logger.info(
                "%s; try %s of %s in %.1f s", error, attempt + 1, self.max_tries, decision.delay
            )
            if happened.status == 429:
                self.transport.hold(decision.delay)  # every thread of the client waits
            else:
                self._sleep(decision.delay)

    def _failed_try(self, label, exc):
        """(what happened, the error to raise) of a try ``requests`` could not complete."""
        if _never_sent(exc):
            return Happened(NEVER_SENT), TemporaryError(
                f"{label}: cannot connect ({type(exc).__name__})"
            )
        if isinstance(exc, requests.Timeout):
            text = f"{label}: no answer within {self.timeout} s"
        elif isinstance(exc, requests.ConnectionError):
            text = f"{label}: the connection broke off ({type(exc).__name__})"
        else:  # a broken answer: chunks, encoding...
            text = f"{label}: the answer broke off ({type(exc).__name__})"
        return Happened(NO_ANSWER), TemporaryError(text)

    def _answer_error(self, response, label):
        """The error of an answer that is not a success."""
        status = response.status_code
        if status in (401, 403):
            return self._refusal(response, label)
        if status == 429:
            return RateLimitError(
                f"{label}: rate limit reached (HTTP 429)",
                status=status,
                retry_after=self._retry_after(response),
            )
        if status >= 500:
            return TemporaryError(f"{label}: the shop answered HTTP {status}", status=status)
        return RequestError(f"{label}: HTTP {status}: {self._error_text(response)}", status=status)

    def _unknown(self, text):
        return f"{text}; the shop may have done it: not sent again before looking"

    def _decode(self, response, label):
        """The body of a 2xx answer; raise ValueError when it cannot be read. Shops' plug-ins
        print their own output after the answer (PrestaShop issue 36815): a body that starts
        with a whole JSON document is read up to its end."""
        if not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError as exc:
            _logger.debug("%s: the answer is not JSON as a whole (%s)", label, exc)
        value, extra = self._decode_prefix(response.text)
        _logger.warning(
            "%s: %s characters after the answer were left unread (output of a plug-in of the "
            "shop?)",
            label,
            extra,
        )
        return value

    def _decode_prefix(self, text):
        """(value, characters left over) of a body that starts with a document; ValueError when
        it does not."""
        stripped = text.lstrip()
        value, end = JSONDecoder().raw_decode(stripped)
        return value, len(stripped) - end

    def _sleep(self, seconds):
        time.sleep(seconds)

    def _retry_after(self, response):
        value = response.headers.get("Retry-After")
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            try:
                moment = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            return (moment - datetime.now(timezone.utc)).total_seconds()

    def _error_text(self, response):
        """The shop's own explanation of a refused request, short and masked."""
        try:
            body = response.json()
        except ValueError:
            text = response.text
        else:
            errors = body.get("errors") if isinstance(body, dict) else None
            if isinstance(errors, list) and errors:
                parts = []
                for err in errors:
                    if isinstance(err, dict):
                        parts.append(
                            " ".join(
                                str(err[key])
                                for key in ("title", "message", "detail", "path", "jsonPath")
                                if err.get(key)
                            )
                        )
                    else:
                        parts.append(str(err))
                text = "; ".join(parts)
            elif isinstance(body, dict) and body.get("message"):
                text = str(body["message"])
            else:
                text = str(body)
        return self._mask(" ".join(text.split()))[:300]

    def _mask(self, text):
        for secret in self._secrets():
            if secret and len(secret) >= 4:
                text = text.replace(secret, MASK)
        return text

    # --- what every client offers ----------------------------------------------------------------
    def test_connection(self):
        """Authenticate and read something small; return a sentence for the user."""
        raise NotImplementedError

    def iter_order_pages(self, since, select=None):
        """Yield ``OrderPage`` objects of the orders changed since ``since`` (naive UTC).

        ``select(identities) -> set of order ids``: called with the ``OrderIdentity`` of every
        order of a page before it is read in full; the others are not read (no details, no
        addresses) and come back in ``page.unread``. The importer uses it to skip orders
        unchanged since the last run and orders in statuses it does not import."""
        raise NotImplementedError

    def get_order(self, reference):
        """Return one ``Order`` by the shop's id or number."""
        raise NotImplementedError

    def list_statuses(self):
        """Return the shop's order statuses as ``[(code, name, paid)]``; ``paid`` says whether
        orders in the status have been paid, None where the shop does not say."""
        raise NotImplementedError


def _never_sent(exc):
    """Whether a ``requests`` error came before the request could reach the shop: no connection
    was made (refused, unknown host, no connection in time)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError) or not exc.args:
        return False
    reason = getattr(exc.args[0], "reason", exc.args[0])  # urllib3's MaxRetryError
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def _http_date(value):
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
