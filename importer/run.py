import logging
import time
from datetime import timedelta

import psycopg2

from odoo import fields

from ..clients.errors import AuthenticationError, MarketplaceError
from ..clients.records import OrderFailure, OrderPage
from .order_sync import OrderSync, Outcome
from .retries import RETRIES_ALWAYS, RetryList

_logger = logging.getLogger(__name__)

# Namespace of this add-on's PostgreSQL advisory locks; the second key is the account id.
LOCK_NAMESPACE = 7_482_133
# Ask the shop for changes from a little before the last import date: clocks and commits drift.
SAFETY_OVERLAP = timedelta(minutes=5)


class ImportRun:
    """One import run of one account, logged as a ``marketplace.run``.

    The account's environment is on a cursor of the run's own (see
    ``marketplace.account._import_orders``), which the run commits after every page: a crash,
    or a time limit, loses at most the page in hand, and a status is set on the shop only once
    the order it concerns is committed. One run per account at a time (a PostgreSQL advisory
    lock held by the run's connection): a second one records that it found the account busy.

    The account's "imported until" date moves with the pages read (or once all are read, for a
    shop whose pages are not in change order); an order that fails goes on the account's retry
    list and is fetched again by id by the next runs, so it never holds the others back. With a
    ``deadline`` (``time.monotonic()``) the run stops after the page that reaches it and says
    so: the next run goes on from there.
    """

    def __init__(
        self, account, trigger, *, since=None, order_ref=None, deadline=None, status_sender=None
    ):
        account.ensure_one()
        # status_sender(account, time budget) -> the sending run of the statuses the mapping
        # asks for (exporter.run.ExportRun), with its ``outcomes``
        self.status_sender = status_sender
        self.account = account
        self.env = account.env
        self.trigger = trigger
        self.explicit_since = since
        self.order_ref = (order_ref or "").strip()
        self.deadline = deadline
        self.run = None
        self.counts = dict.fromkeys(("created", "updated", "skipped", "failed"), 0)
        self.committed_counts = dict(self.counts)
        self.moves_watermark = self._moves_watermark()
        self.retries = RetryList(account)
        self.seen_orders = set()
        self.stopped_early = False
        self._slowest_page = 0.0
        self._latest_change = None
        self.sync = None

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
            return self.run
        client = None
        try:
            # inside the try: whatever fails from here on, the lock is released below
            self._close_interrupted_runs()
            client = account._get_client()
            sync = self.sync = OrderSync(account, client)
            if self.order_ref:
                self._handle(sync, OrderPage(orders=[client.get_order(self.order_ref)]))
                self._commit()
            else:
                self._read_pages(sync, client, since)
                # the retry list has its turn even when the pages spent the time budget
                self._retry_listed(sync, client)
            self._send_shop_statuses()
            self.retries.alert_stale()
            self._finish(None, client)
        except MarketplaceError as exc:
            self._finish(exc, client)
        except Exception as exc:
            _logger.exception("Marketplace import of %s failed", account.name)
            self._finish(exc, client)
        finally:
            self._unlock()
            self._commit()
        return self.run

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

    # --- pages -----------------------------------------------------------------------------------
    def _read_pages(self, sync, client, since):
        in_change_order = client.pages_in_change_order
        for page in client.iter_order_pages(since, select=sync.select):
            started = time.monotonic()
            self._handle(sync, page)
            changes = page.changes()
            if changes:
                latest = max(changes)
                self._latest_change = max(latest, self._latest_change or latest)
                if in_change_order and self.moves_watermark:
                    self._set_watermark(latest)
            self._commit()
            self.env.invalidate_all()  # a long run keeps only the page in hand in memory
            self._slowest_page = max(self._slowest_page, time.monotonic() - started)
            if self._out_of_time():
                self.stopped_early = True
                return
        if not in_change_order and self.moves_watermark:
            # an order may have changed behind the listing (the pages are not in change
            # order): the next run starts from when the listing began, by the shop's clock
            moment = client.listing_started_at or self._latest_change
            if moment:
                self._set_watermark(moment)
                self._commit()

    def _out_of_time(self):
        """Whether one more page would end after the deadline."""
        return self.deadline is not None and time.monotonic() + self._slowest_page > self.deadline

    def _handle(self, sync, page):
        """Write a page's orders and log; the caller commits."""
        outcomes = sync.process_page(page)
        lines = self._write_outcomes(outcomes)
        self.retries.record(outcomes, lines)
        # an order left unread (unchanged) is still fetched by the retry list if it is on it (its
        # payment entry failed)
        self.seen_orders.update(
            o.order_id for o in outcomes if o.order_id and o.result != "unchanged"
        )

    def _retry_listed(self, sync, client):
        """Fetch again, by id, the orders on the retry list that the pages did not bring."""
        pending = self.retries.pending(exclude=self.seen_orders)
        for position, retry in enumerate(pending):
            if position >= RETRIES_ALWAYS and self._out_of_time():
                self.stopped_early = True
                return
            order_id = retry.marketplace_order_id
            try:
                page = OrderPage(orders=[client.get_order(order_id)])
            except AuthenticationError:
                raise
            except MarketplaceError as exc:
                page = OrderPage(
                    failures=[
                        OrderFailure(
                            order_id=order_id,
                            order_ref=retry.marketplace_order_ref,
                            message=self.env._("Could not fetch the order again: %s", exc),
                            raw={},
                            status=retry.marketplace_status or "",
                            # a 404 waits for "Retry Now"; a shop in trouble is tried again
                            retryable=exc.retryable,
                        )
                    ]
                )
                self._handle(sync, page)
                self._commit()
                if exc.retryable:
                    return  # the shop struggles (5xx, 429, timeouts): the others wait
                continue
            self._handle(sync, page)
            self._commit()

    def _set_watermark(self, moment):
        account = self.account.sudo()
        if account.imported_until and moment <= account.imported_until:
            return
        account.imported_until = moment

    def _send_shop_statuses(self):
        """After every page is read (and committed), set on the shop the statuses the mapping
        asks for ("Change Status To"): setting them earlier would move the orders to the end of
        the shop's change-date order and shift the pages still to be read. They go through the
        updates to the shop (the sender's lock, look-up after a lost answer, retries), and each
        order's line of this run says what became of its status."""
        if self.status_sender is None:
            return
        run = self.status_sender(self.account, self._time_left())
        self.env.invalidate_all()
        if not run.outcomes:
            return
        exports = self.env["marketplace.export"].sudo().browse(list(run.outcomes))
        lines = {line.sale_order_id.id: line for line in self.run.line_ids if line.sale_order_id}
        others = []
        for export in exports:
            outcome, sale = run.outcomes[export.id], export.sale_order_id
            done = outcome.state in ("sent", "not_needed")
            message = outcome.message
            if not done:
                message = self.env._(
                    "Could not set the status %(status)s on the shop: %(error)s",
                    status=export.status_code,
                    error=outcome.message,
                )
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
                    retryable=outcome.state == "to_send",
                )
            )
        self._write_outcomes(others)
        self._commit()

    def _time_left(self):
        if self.deadline is None:
            return None
        return max(self.deadline - time.monotonic(), 1.0)

    def _write_outcomes(self, outcomes):
        """Log the outcomes (orders read again only because of the safety overlap are not news:
        no line); return the log lines by shop order id."""
        outcomes = [o for o in outcomes if o.result != "unchanged"]
        if not outcomes:
            return {}
        lines = (
            self.env["marketplace.run.line"]
            .sudo()
            .create([o.log_values(self.run.id) for o in outcomes])
        )
        for outcome in outcomes:
            self.counts[outcome.result] += 1
        self.run.write({f"{result}_count": count for result, count in self.counts.items()})
        return {line.marketplace_order_id: line for line in lines if line.marketplace_order_id}

    def _finish(self, error, client):
        values = {
            "ended_at": fields.Datetime.now(),
            "request_count": client.request_count if client else 0,
            "stopped_early": self.stopped_early,
            "batched_page_count": self.sync.batched_pages if self.sync else 0,
            "fallback_page_count": self.sync.fallback_pages if self.sync else 0,
        }
        if error is None:
            values["state"] = "partial" if self.counts["failed"] else "done"
            if self.stopped_early:
                values["message"] = self.env._(
                    "Stopped after the time one run may take; the next run goes on from the last "
                    "order imported."
                )
        else:
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
            values.update({f"{result}_count": count for result, count in self.counts.items()})
        self.run.write(values)

    # --- one run per account at a time -----------------------------------------------------------
    def _try_lock(self):
        self.env.cr.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", (LOCK_NAMESPACE, self.account.id)
        )
        return self.env.cr.fetchone()[0]

    def _unlock(self):
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
                    ("trigger", "!=", "export"),  # sending runs have a lock of their own
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
        # the run's own cursor: each page is committed, so a crash loses at most the page in hand
        self.env.cr.commit()  # pylint: disable=invalid-commit
        self.committed_counts = dict(self.counts)
