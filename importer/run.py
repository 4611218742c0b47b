import logging
import time
from datetime import timedelta

from odoo import fields

from ..clients.errors import AuthenticationError, MarketplaceError
from ..clients.records import OrderFailure, OrderPage
from ..runs import budget
from ..runs.account_run import LOCK_NAMESPACES, AccountRun
from .order_sync import OrderSync, Outcome
from .retries import RETRIES_ALWAYS, RetryList

_logger = logging.getLogger(__name__)

# Namespace of the import's PostgreSQL advisory locks; the second key is the account id.
LOCK_NAMESPACE = LOCK_NAMESPACES["import"]
# Ask the shop for changes from a little before the last import date: clocks and commits drift.
SAFETY_OVERLAP = timedelta(minutes=5)


class ImportRun(AccountRun):
    """One import run of one account, logged as a ``marketplace.run`` of kind "import": the
    account-run template (``runs.account_run``: lock, run log, interrupted runs, commits,
    deadline) with the import's work, the pages of orders changed on the shop.

    The run commits after every page: a crash, or a time limit, loses at most the page in hand,
    and a status is set on the shop only once the order it concerns is committed. A second run
    at the same time records that it found the account busy.

    The account's "imported until" date moves with the pages read (or once all are read, for a
    shop whose pages are not in change order); an order that fails goes on the account's retry
    list and is fetched again by id by the next runs, so it never holds the others back. With a
    ``deadline`` (``time.monotonic()``) the run stops after the page that reaches it and says
    so: the next run goes on from there.
    """

    kind = "import"
    counters = ("created", "updated", "skipped", "failed")
    failure_log = "Marketplace import of %s failed"
    _logger = _logger

    def __init__(
        self,
        account,
        trigger="manual",
        *,
        since=None,
        order_ref=None,
        deadline=None,
        status_sender=None,
        returns_reader=None,
    ):
        super().__init__(account, trigger, deadline=deadline)
        # status_sender(account, deadline) -> the sending run of the statuses the mapping asks
        # for (exporter.run.ExportRun, executed), with its ``outcomes``
        self.status_sender = status_sender
        # returns_reader(account, trigger, deadline) -> the run of the shop's returns and
        # refunds (importer.returns_run.ReturnsRun, executed), once the orders are in
        self.returns_reader = returns_reader
        self.explicit_since = since
        self.order_ref = (order_ref or "").strip()
        self.since = self._since()
        self.moves_watermark = self._moves_watermark()
        self.retries = RetryList(account)
        self.seen_orders = set()
        self._slowest_page = 0.0
        self._latest_change = None
        self.sync = None

    def _run_values(self):
        return {
            **super()._run_values(),
            "since": self.since if not self.order_ref else False,
            "order_ref": self.order_ref or False,
        }

    def _work(self):
        client = self.client = self.account._get_client()
        sync = self.sync = OrderSync(self.account, client)
        if self.order_ref:
            self._handle(sync, OrderPage(orders=[client.get_order(self.order_ref)]))
            self._commit()
        else:
            self._read_pages(sync, client, self.since)
            # the retry list has its turn even when the pages spent the time budget
            self._retry_listed(sync, client)
            self._read_returns()
        self._send_shop_statuses()
        self.retries.alert_stale()

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
            if self._out_of_time(reserve=self._slowest_page):  # one more page would not fit
                self.stopped_early = True
                return
        if not in_change_order and self.moves_watermark:
            # an order may have changed behind the listing (the pages are not in change
            # order): the next run starts from when the listing began, by the shop's clock
            moment = client.listing_started_at or self._latest_change
            if moment:
                self._set_watermark(moment)
                self._commit()

    def _handle(self, sync, page):
        """Write a page's orders and log; the caller commits."""
        outcomes = sync.process_page(page)
        lines = self._write_outcomes(outcomes)
        self.retries.record(outcomes, lines)
        # an order left unread (unchanged) is still fetched by the retry list if it is on it (its
        # payment entry failed)
        self.seen_orders.update(o.order_id for o in outcomes if o.order_id and o.read)

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

    def _read_returns(self):
        """The shop's returns and refunds, by a run of their own (its lock, its log), now that
        the orders they concern are in; not when the pages used the run's time (the next run
        reads them)."""
        if self.returns_reader is None or self.stopped_early:
            return
        self.returns_reader(self.account, self.trigger, budget.at_least(self.deadline, 1.0))
        self.env.invalidate_all()

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
        run = self.status_sender(self.account, budget.at_least(self.deadline, 1.0))
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

    # --- the run's end and its messages ----------------------------------------------------------
    def _finish_values(self):
        values = {
            "batched_page_count": self.sync.batched_pages if self.sync else 0,
            "fallback_page_count": self.sync.fallback_pages if self.sync else 0,
        }
        if self.error is not None:
            handled = any(self.counts.values())
            values["message"] = self.env._(
                "The import stopped: %(error)s%(hint)s",
                error=self.error if isinstance(self.error, MarketplaceError) else repr(self.error),
                hint=self.env._(" The next run resumes from the last order imported.")
                if handled
                else "",
            )
        elif self.stopped_early:
            values["message"] = self.env._(
                "Stopped after the time one run may take; the next run goes on from the last "
                "order imported."
            )
        return values

    def _busy_message(self):
        return self.env._(
            "Another import of %s is running; this one did nothing. Its orders will be in that "
            "run's log.",
            self.account.name,
        )

    def _interrupted_message(self):
        return self.env._(
            "Interrupted (the server stopped during the import). The next run imported what it "
            "had not."
        )
