import psycopg2
from psycopg2 import errors as pg_errors

from odoo.exceptions import UserError, ValidationError

# PostgreSQL's answers when another transaction wrote the same rows (stock quants of a delivery
# validated meanwhile, a partner, a sequence): nothing is wrong with the order, a new
# transaction will go through.
CONCURRENT_UPDATE_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)


class OrderImportError(Exception):
    """An order cannot be imported; the message says why and what to do.

    ``retryable``: something in Odoo can be mended (create the product, the country) and the next
    run tries the order again. Otherwise only a change of the order on the shop can mend it.
    """

    def __init__(self, message, *, retryable=True):
        super().__init__(message)
        self.message = message
        self.retryable = retryable

    def __str__(self):
        return self.message


def concurrent_update_message(env):
    return env._(
        "Another Odoo process (a delivery being validated, another import) changed the same "
        "records at the same time; the next run tries the order again."
    )


def failure_reason(env, exc):
    """What a person reads for ``exc``, met while recording an order's documents or entries;
    ``None`` for an exception nobody foresaw (the caller logs it with its traceback)."""
    if isinstance(exc, (UserError, ValidationError)):
        return exc.args[0] if exc.args else str(exc)
    if isinstance(exc, CONCURRENT_UPDATE_ERRORS):
        return concurrent_update_message(env)
    if isinstance(exc, psycopg2.Error):
        return str(exc).strip()
    return None


def record_in_savepoint(env, record, logger, what, concurrent=None):
    """``record()`` (an order's payment entries, its returns: the order itself is imported) in a
    savepoint of its own, so that its failure leaves the page's other orders alone.

    Returns ``(its result, None)``; ``(concurrent, None)`` when another run recorded the same at
    the same time (a unique key refused the second); ``(None, why)`` when it failed, ``why`` in
    the merchant's words (an exception nobody foresaw is logged with its traceback as ``what``
    "not recorded")."""
    try:
        with env.cr.savepoint():
            return record(), None
    except pg_errors.UniqueViolation:
        return concurrent, None
    except Exception as exc:
        why = failure_reason(env, exc)
        if why is None:
            logger.exception("%s not recorded", what)
            why = env._("unexpected error: %s", exc)
        return None, why
