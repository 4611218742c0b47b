"""The run of kind "returns": what the shop reports of its returns and refunds beyond its orders
(return_readers.py: OTTO Returns v3, PrestaShop credit slips), recorded once per order and key,
and the documents of every return still open (return_documents.py: the return of the goods,
the credit note, the refund payment). The scheduled import starts it once the orders are in
(``ImportRun``), so one scheduled action keeps an account current.

The account-run template (``runs.account_run``): the account's lock for returns, a run log of
this kind with one line per order (a run that found nothing new is not logged), commits after
each page and each order, the deadline.
"""

import logging
from datetime import timedelta

from odoo import fields

from ..runs.account_run import AccountRun
from .order_sync import Outcome
from .return_documents import ReturnDocuments, has_documents
from .return_notes import note_return
from .return_readers import READERS

_logger = logging.getLogger(__name__)

# Ask the shop for changes from a little before the last read: clocks and commits drift.
SAFETY_OVERLAP = timedelta(minutes=5)
# An open return older than this is no longer gone over by every run (an order never invoiced
# in Odoo would keep its credit note waiting for ever).
OPEN_DAYS = 90


class ReturnsRun(AccountRun):
    kind = "returns"
    counters = ("created", "updated", "skipped", "failed")
    failure_log = "Reading the returns of %s failed"
    _logger = _logger

    def __init__(self, account, trigger="manual", *, deadline=None):
        super().__init__(account, trigger, deadline=deadline)
        self.documents = ReturnDocuments(account)
        self.reader_class = READERS.get(account.backend)
        self.since = account.returns_until - SAFETY_OVERLAP if account.returns_until else None
        self.done_orders = set()

    def _start(self):
        if not self.reader_class and not self._open_returns():
            return False  # nothing to read, nothing open: no run to log
        return super()._start()

    def _run_values(self):
        return {**super()._run_values(), "since": self.since or False}

    def _work(self):
        if self.reader_class:
            self.client = self.account._get_client()
            reader = self.reader_class(self.client, account=self.account)
            since = self.since or (
                fields.Datetime.now() - timedelta(days=self.account.import_period_days)
            )
            for notes in reader.pages(since):
                self._record(notes)
                self._commit()
                if self._out_of_time():
                    self.stopped_early = True
                    return
            if reader.watermark:
                self.account.sudo().returns_until = reader.watermark
                self._commit()
        self._process_open()

    # --- what the shop reports -------------------------------------------------------------------
    def _record(self, notes):
        by_order = {}
        for note in notes:
            by_order.setdefault(note.order_id, []).append(note)
        sales = {
            sale.marketplace_order_id: sale
            for sale in self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("marketplace_account_id", "=", self.account.id),
                    ("marketplace_order_id", "in", list(by_order)),
                ]
            )
        }
        outcomes = []
        for order_id, order_notes in by_order.items():
            sale = sales.get(order_id)
            if sale is None:
                outcomes.append(self._unknown_order(order_id, order_notes))
                continue
            outcomes.append(self._handle(sale, order_notes))
        self._log(outcomes)

    def _handle(self, sale, notes):
        records = self.env["marketplace.return"].sudo()
        fresh = changed = False
        try:
            with self.env.cr.savepoint():
                for note in notes:
                    existed = self._exists(sale, note.key)
                    record, moved = note_return(
                        self.account, sale, note.key, note.source, note.shop_ref, **note.values
                    )
                    fresh = fresh or not existed
                    changed = changed or moved
                    records |= record
                message = self.documents.process(sale, self._open_of(sale) | records)
        except Exception as exc:  # one order's trouble does not stop the others
            _logger.exception("Returns of marketplace order %s not recorded", sale.name)
            return self._outcome(
                sale, "failed", self.env._("Its returns could not be recorded: %s", exc)
            )
        self.done_orders.add(sale.id)
        if not (fresh or changed or message):
            return None  # read again only because of the overlap: not news
        message = message or self._status_message(records)
        return self._outcome(sale, "created" if fresh else "updated", message)

    def _exists(self, sale, key):
        return bool(
            self.env["marketplace.return"]
            .sudo()
            .search_count([("sale_order_id", "=", sale.id), ("key", "=", key)], limit=1)
        )

    def _unknown_order(self, order_id, notes):
        return Outcome(
            order_id,
            order_id,
            "",
            "skipped",
            self.env._(
                "The shop reports a return or refund (%s) of an order Odoo has not imported: "
                "not recorded.",
                ", ".join(note.shop_ref for note in notes),
            ),
        )

    def _status_message(self, records):
        statuses = ", ".join(sorted(set(filter(None, records.mapped("shop_status")))))
        return self.env._("The shop's returns of the order: %s.", statuses or "-")

    # --- the returns still open ------------------------------------------------------------------
    def _open_returns(self):
        return (
            self.env["marketplace.return"]
            .sudo()
            .search(
                [
                    ("account_id", "=", self.account.id),
                    ("state", "=", "open"),
                    ("create_date", ">=", fields.Datetime.now() - timedelta(days=OPEN_DAYS)),
                ]
            )
        )

    def _open_of(self, sale):
        return sale.sudo().marketplace_return_ids.filtered(lambda r: r.state == "open")

    def _process_open(self):
        """The open returns of the orders this run did not go over (a credit note waiting for
        the order's invoice, a delivery validated since)."""
        waiting = self._open_returns().filtered(
            lambda r: r.sale_order_id.id not in self.done_orders and has_documents(r.sale_order_id)
        )
        for sale in waiting.sale_order_id:
            if self._out_of_time():
                self.stopped_early = True
                return
            try:
                with self.env.cr.savepoint():
                    message = self.documents.process(sale, self._open_of(sale))
            except Exception as exc:
                _logger.exception("Returns of marketplace order %s not made", sale.name)
                outcome = self._outcome(
                    sale, "failed", self.env._("Its returns could not be made: %s", exc)
                )
            else:
                outcome = self._outcome(sale, "updated", message) if message else None
            self._log([outcome])
            self._commit()

    # --- the log ---------------------------------------------------------------------------------
    def _outcome(self, sale, result, message):
        return Outcome(
            sale.marketplace_order_id,
            sale.marketplace_order_ref,
            sale.marketplace_status,
            result,
            message,
            sale_order_id=sale.id,
            retryable=result == "failed",
        )

    def _log(self, outcomes):
        outcomes = [o for o in outcomes if o is not None]
        if not outcomes:
            return
        self.env["marketplace.run.line"].sudo().create(
            [o.log_values(self.run.id) for o in outcomes]
        )
        for outcome in outcomes:
            self.counts[outcome.result] += 1
        self.run.write({f"{name}_count": count for name, count in self.counts.items()})

    # --- the run's end and its messages ----------------------------------------------------------
    def _finish(self):
        """A run that found nothing new leaves no run in the log (the scheduled import starts
        one every time)."""
        if self.error is None and not self.stopped_early and not any(self.counts.values()):
            self.run.unlink()
            self.run = None
            return
        super()._finish()

    def _finish_values(self):
        if self.error is None:
            if self.stopped_early:
                return {
                    "message": self.env._(
                        "Stopped after the time one run may take; the next run goes on."
                    )
                }
            return {}
        return {
            "message": self.env._(
                "Reading the returns stopped: %(error)s The next run reads them again.",
                error=self.error,
            )
        }

    def _busy_message(self):
        return self.env._(
            "Another run is reading the returns of %s; this one did nothing.", self.account.name
        )

    def _interrupted_message(self):
        return self.env._(
            "Interrupted (the server stopped while reading the returns). The next run read "
            "them again."
        )
