"""Records every account's import shares (a currency, Odoo's groups), written outside the run.

Several imports run at once, one per account, each in a cron worker of its own (issue 18), in
long transactions (a run commits per page). PostgreSQL's repeatable read, Odoo's isolation,
refuses to write a row that another transaction changed and committed since this one began
("could not serialize access due to concurrent update"): two imports activating the same
currency for their first order in it would make the later one fail, and with it every order of
its page. So such a write happens in a short transaction of its own, on a connection of its own,
committed at once; whoever comes second finds the work done. The run's own transaction, begun
before, still reads the row as it was: it is told the row as it is now (its cache), for Odoo's
checks (a payment entry in an inactive currency is refused); its next transaction reads the row
itself. It is never worth failing an order for: if it cannot be done now (a lock held too long),
the order is imported all the same and the next one tries again.
"""

import logging

import psycopg2

from odoo import SUPERUSER_ID, api, sql_db

_logger = logging.getLogger(__name__)

ATTEMPTS = 3
LOCK_TIMEOUT_MS = 5000


def activate_shared_record(env, record):
    """Set ``record`` (e.g. a currency) active, committed at once, outside this transaction.
    This transaction still sees it as it was when it began (nothing here needs it active)."""
    for _attempt in range(ATTEMPTS):
        try:
            with sql_db.db_connect(env.cr.dbname).cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = %s", [LOCK_TIMEOUT_MS])
                own = record.with_env(api.Environment(cr, SUPERUSER_ID, {}))
                if not own.active:
                    own.active = True
            seen_active(record)
            return True
        except (
            psycopg2.errors.SerializationFailure,
            psycopg2.errors.LockNotAvailable,
            psycopg2.errors.DeadlockDetected,
        ):
            continue
    _logger.warning("Could not activate %s now (another transaction holds it)", record)
    return False


def seen_active(record):
    """``record`` is active (committed): this transaction, whose snapshot predates that, reads
    it so until its cache is cleared."""
    record.env.cache.set(record, record._fields["active"], True)
