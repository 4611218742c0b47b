"""Errors raised by the marketplace clients. They never carry a secret or a token."""


class MarketplaceError(Exception):
    """Base of every client error. ``retryable``: trying again later may succeed."""

    retryable = False

    def __init__(self, message, *, status=None, retryable=None):
        super().__init__(message)
        self.message = message
        self.status = status
        if retryable is not None:
            self.retryable = retryable

    def __str__(self):
        return self.message


class AuthenticationError(MarketplaceError):
    """The shop refused the credentials (HTTP 401/403)."""


class PermissionRefusedError(AuthenticationError):
    """The credentials are right but may not use this resource or method (a permission of the
    API key is missing); the message names it."""


class RateLimitError(MarketplaceError):
    """The shop kept answering HTTP 429 after every allowed retry. ``retry_after``: the seconds
    its last answer asked to wait (``Retry-After``), None when it did not say."""

    retryable = True

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class TemporaryError(MarketplaceError):
    """5xx answers, timeouts or connection errors that lasted longer than the retries."""

    retryable = True


class OutcomeUnknownError(TemporaryError):
    """A write reached the shop, or may have, and no readable answer came back: the connection
    broke, no answer in time, HTTP 500/502/504, or a 2xx whose body cannot be read. The shop
    may have carried it out: it is never sent again blind. Whoever retries looks on the shop
    first whether it was done."""


class BadPayloadError(MarketplaceError):
    """The shop's answer cannot be read: broken JSON, or a required field is missing."""


class RequestError(MarketplaceError):
    """The shop refused the request itself (HTTP 4xx other than 401/403/429)."""


class OrderDataError(BadPayloadError):
    """One order of an answer is incomplete or malformed; the other orders are fine."""


class MalformedOrderError(OrderDataError, ValueError):
    """A field of an order is missing, of the wrong kind or out of bounds. The message names the
    field and says what is wrong ("position item 2: product missing"); ``field`` is its place."""

    def __init__(self, message, *, field="", **kwargs):
        super().__init__(message, **kwargs)
        self.field = field
