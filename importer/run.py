import logging
from datetime import timedelta

import psycopg2

from odoo import fields

from ..clients.errors import MarketplaceError
from ..clients.records import OrderPage
from .order_sync import OrderSync, Outcome
from .status_push import StatusPusher

_logger = logging.getLogger(__name__)

# Namespace of this add-on's PostgreSQL advisory locks; the second key is the account id.
LOCK_NAMESPACE = 7_482_133
# Ask the shop for changes from a little before the last import date: clocks and commits drift.
SAFETY_OVERLAP = timedelta(minutes=5)


class ImportRun:
    """One import run of one account, logged as a ``marketplace.run``.

    Only one run per account at a time (a PostgreSQL advisory lock: for the transaction of a
    manual run, for the connection of a scheduled run that commits page by page): a second one
    records that it found the account busy and does nothing. The log is written as the connector
    (users only read it). The account's "imported
    until" date advances only past what succeeded: it stops at the change date of the first order
    that failed in a way Odoo can mend, so that order comes back next run. With ``commit`` (the
    scheduled action) every page is committed, so a crash loses at most the page in hand.
    """

    def __init__(self, account, trigger, *, since=None, order_ref=None, commit=False):
        account.ensure_one()
        self.account = account
        self.env = account.env
        self.trigger = trigger
        self.explicit_since = since
        self.order_ref = (order_ref or "").strip()
        self.commit = commit
        self.run = None
        self.counts = dict.fromkeys(("created", "updated", "skipped", "failed"), 0)
        self.committed_counts = dict(self.counts)
        self.watermark_blocked = False
        self.moves_watermark = self._moves_watermark()

    def execute(self):
        account = self.account
        since = self._since()
        self.run = (
            self.env["marketplace.run"]
            .sudo()
            .create(
                {
                    "account_id": account.id,
                    "trigger": self.trigger,
                    "user_id": self.env.uid,
                    "since": since if not self.order_ref else False,
                    "order_ref": self.order_ref or False,
                }
            )
        )
        self._commit()
        if not self._try_lock():
            self.run.write(
                {
                    "state": "busy",
                    "ended_at": fields.Datetime.now(),
                    "message": self.env._(
                        "Another import of %s is running; this one did nothing. Its orders will "
                        "be in that run's log.",
                        account.name,
                    ),
                }
            )
            self._commit()
            return self.run.with_env(self.env)
        self._close_interrupted_runs()
        client = None
        try:
            client = account._get_client()
            sync = OrderSync(account, client)
            if self.order_ref:
                self._handle(sync, OrderPage(orders=[client.get_order(self.order_ref)]))
            else:
                for page in client.iter_order_pages(since):
                    self._handle(sync, page)
            self._push_statuses(client)
            self._finish(None, client)
        except MarketplaceError as exc:
            self._finish(exc, client)
        except Exception as exc:
            _logger.exception("Marketplace import of %s failed", account.name)
            self._finish(exc, client)
        finally:
            self._unlock()
            self._commit()
        return self.run.with_env(self.env)

    def _since(self):
        account = self.account
        if self.explicit_since:
            return self.explicit_since
        if account.imported_until:
            return account.imported_until - SAFETY_OVERLAP
        return fields.Datetime.now() - timedelta(days=account.import_period_days)

    def _moves_watermark(self):
        """A run covers the time since the last import only when it starts at or before it."""
        if self.order_ref:
            return False
        imported_until = self.account.imported_until
        return (
            not self.explicit_since or not imported_until or self.explicit_since <= imported_until
        )

    def _handle(self, sync, page):
        outcomes = sync.process_page(page)
        self._write_outcomes(outcomes)
        if self.moves_watermark and not self.watermark_blocked:
            retry_at = [o.changed_at for o in outcomes if o.result == "failed" and o.retryable]
            if retry_at:
                # Odoo can mend these (a product, a country): the next run starts before them
                self.watermark_blocked = True
                if all(retry_at):
                    self._set_watermark(min(retry_at))
            else:
                changes = [o.changed_at for o in outcomes if o.changed_at]
                if changes:
                    self._set_watermark(max(changes), forward_only=True)
        self._commit()
        if self.commit:
            self.env.invalidate_all()  # a long run keeps only the page in hand in memory

    def _set_watermark(self, moment, forward_only=False):
        account = self.account.sudo()
        if forward_only and account.imported_until and moment <= account.imported_until:
            return
        account.imported_until = moment

    def _push_statuses(self, client):
        """After every page is read (and committed), set the statuses the mapping asks for."""
        lines = {line.sale_order_id.id: line for line in self.run.line_ids if line.sale_order_id}
        others = []
        for sale, done, message in StatusPusher(self.account, client).push_pending():
            line = lines.get(sale.id)
            if line:
                line.message = f"{line.message} {message}"
                continue
            others.append(
                Outcome(
                    sale.marketplace_order_id,
                    sale.marketplace_order_ref,
                    sale.marketplace_status,
                    "updated" if done else "failed",
                    message,
                    sale_order_id=sale.id,
                    retryable=not done,
                )
            )
        self._write_outcomes(others)
        self._commit()

    def _write_outcomes(self, outcomes):
        # orders read again only because of the safety overlap are not news: no log line
        outcomes = [o for o in outcomes if o.result != "unchanged"]
        if not outcomes:
            return
        self.env["marketplace.run.line"].sudo().create(
            [o.log_values(self.run.id) for o in outcomes]
        )
        for outcome in outcomes:
            self.counts[outcome.result] += 1
        self.run.write({f"{result}_count": count for result, count in self.counts.items()})

    def _finish(self, error, client):
        values = {
            "ended_at": fields.Datetime.now(),
            "request_count": client.request_count if client else 0,
        }
        if error is None:
            values["state"] = "partial" if self.counts["failed"] else "done"
        else:
            if self.commit:
                self.env.cr.rollback()  # drop the half-done page; committed pages stay
                self.counts = dict(self.committed_counts)
            handled = any(self.counts.values())
            values["state"] = "partial" if handled else "failed"
            values["message"] = self.env._(
                "The import stopped: %(error)s%(hint)s",
                error=error if isinstance(error, MarketplaceError) else repr(error),
                hint=self.env._(" The next run resumes from the last order imported.")
                if handled
                else "",
            )
        self.run.write(values)

    # --- one run per account at a time -----------------------------------------------------------
    def _try_lock(self):
        # a manual run commits with its request: a transaction lock lasts exactly as long
        lock = "pg_try_advisory_lock" if self.commit else "pg_try_advisory_xact_lock"
        self.env.cr.execute(f"SELECT {lock}(%s, %s)", (LOCK_NAMESPACE, self.account.id))
        return self.env.cr.fetchone()[0]

    def _unlock(self):
        if not self.commit:
            return  # the transaction lock ends with the transaction
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, self.account.id)
                )
        except psycopg2.Error:
            # the transaction broke: roll it back, or the lock would stay with the connection
            self.env.cr.rollback()
            self.env.cr.execute(
                "SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, self.account.id)
            )

    def _close_interrupted_runs(self):
        """Runs of this account still 'running' while we hold its lock were cut off (a crash,
        a killed worker): say so instead of leaving them running forever."""
        interrupted = (
            self.env["marketplace.run"]
            .sudo()
            .search(
                [
                    ("account_id", "=", self.account.id),
                    ("state", "=", "running"),
                    ("id", "!=", self.run.id),
                ]
            )
        )
        interrupted.write(
            {
                "state": "failed",
                "ended_at": fields.Datetime.now(),
                "message": self.env._(
                    "Interrupted (the server stopped during the import). The next run imported "
                    "what it had not."
                ),
            }
        )

    def _commit(self):
        if self.commit:
            # the scheduled import commits page by page: a crash loses at most the page in hand
            self.env.cr.commit()  # pylint: disable=invalid-commit
            self.committed_counts = dict(self.counts)
