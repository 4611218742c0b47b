import logging
import time

import psycopg2

from odoo import fields

from ..clients.errors import AuthenticationError, MarketplaceError
from .base import FAILED, NOT_NEEDED, SENT, TO_SEND, Outcome, as_text
from .cscart import CsCartSender
from .otto import OttoSender
from .prestashop import PrestaShopSender

_logger = logging.getLogger(__name__)

# Namespace of the export's PostgreSQL advisory locks (the import uses 7_482_133).
EXPORT_LOCK_NAMESPACE = 7_482_134
SENDERS = {"otto": OttoSender, "prestashop": PrestaShopSender, "cscart": CsCartSender}
# the run log's result of each outcome (an update still to send is a failure of this run,
# unless it only waits: for its shipments, for a tracking number)
RESULTS = {SENT: "sent", NOT_NEEDED: "skipped", FAILED: "failed", TO_SEND: "failed"}
# how long a delivery waits for a tracking number from the shop before it is reported
TRACKING_WAIT_DAYS = 3


class ExportRun:
    """One sending run of one account, logged as a ``marketplace.run`` of trigger "export".

    Sends the account's updates marked "to send", oldest first (or the ones a person asked for,
    failed ones included), each to its shop, and commits after each: the shop's answer is on
    record before the next request. Before a request the shop may carry out without the run
    hearing the answer (a POST), the update is marked ``outcome_unknown`` and committed, so that
    the next attempt, even after a crash, looks on the shop first instead of sending it twice.
    One update's failure does not stop the others; refused credentials stop the run. One run
    per account at a time (a PostgreSQL advisory lock of the connection). Runs as the connector;
    the log says who started it. Call it in a cursor of its own: it commits.
    """

    batch_size = 500

    def __init__(self, account, export_ids=None, time_budget=None):
        account.ensure_one()
        self.deadline = time.monotonic() + time_budget if time_budget else None
        self.left_over = 0
        self.uid = account.env.uid
        self.account = account.sudo()
        self.env = self.account.env
        self.export_ids = export_ids
        self.run = None
        self.client = None
        self.counts = dict.fromkeys(("sent", "skipped", "failed"), 0)
        self.attempted = False

    def execute(self):
        """Send; return a summary for the person who asked: {"text", "failed", "run_id"}."""
        exports = self._pending()
        if not exports:
            self._commit()
            return self._summary(self.env._("%s: nothing to send.", self.account.name))
        self.run = (
            self.env["marketplace.run"]
            .sudo()
            .create({"account_id": self.account.id, "trigger": "export", "user_id": self.uid})
        )
        self._commit()
        if not self._try_lock():
            message = self.env._(
                "Another run is sending the updates of %s; this one did nothing.",
                self.account.name,
            )
            self.run.write({"state": "busy", "ended_at": fields.Datetime.now(), "message": message})
            self._commit()
            return self._summary(message, failed=True)
        error = None
        try:
            # inside the try: whatever fails from here on, the lock is released below
            self._close_interrupted_runs()
            self.client = self.account._get_client()
            sender = SENDERS[self.account.backend](self)
            for position, export in enumerate(exports):
                if self.deadline and time.monotonic() > self.deadline:
                    self.left_over = len(exports) - position  # the next run sends them
                    break
                self._send_one(sender, export)
        except MarketplaceError as exc:  # refused credentials, no API address
            error = exc
        except Exception as exc:
            self.env.cr.rollback()
            _logger.exception("Sending the updates of %s failed", self.account.name)
            error = exc
        finally:
            self._finish(error)
            self._unlock()
            self._commit()
        return self._summary(self._run_text(), failed=bool(self.counts["failed"] or error))

    def _pending(self):
        Export = self.env["marketplace.export"]
        if self.export_ids is None:
            exports = Export.search(
                [("account_id", "=", self.account.id), ("state", "=", "to_send")],
                order="id",
                limit=self.batch_size,
            )
            # a 'delivered' status behind a failed shipment waits for a person: no run for it
            return exports.filtered(lambda e: not self._behind_failed_shipment(e))
        exports = (
            Export.browse(self.export_ids)
            .exists()
            .filtered(lambda e: e.account_id == self.account and e.state in ("to_send", "failed"))
        )
        # a person asked to send them: the failed ones get another try
        exports.filtered(lambda e: e.state == "failed").write({"state": "to_send"})
        return exports.sorted("id")

    def _behind_failed_shipment(self, export):
        return (
            export.kind == "status"
            and export.event == "deliver"
            and any(
                other.kind == "shipment" and other.state == "failed"
                for other in export.sale_order_id.marketplace_export_ids
            )
        )

    # --- one update ------------------------------------------------------------------------------
    def _send_one(self, sender, export):
        look_up_first = export.outcome_unknown
        attempts = export.attempt_count
        self.attempted = False
        try:
            outcome = sender.send(export, look_up_first)
        except AuthenticationError:
            self.env.cr.rollback()
            raise
        except MarketplaceError as exc:
            self.env.cr.rollback()
            outcome = sender.error_outcome(exc)
        except Exception as exc:
            self.env.cr.rollback()
            _logger.exception("Marketplace update %s could not be sent", export.display_name)
            # after a request went out, the shop may have done it: look before sending again
            outcome = Outcome(
                TO_SEND if self.attempted else FAILED,
                self.env._("Unexpected error: %s", exc),
            )
        now = fields.Datetime.now()
        values = {
            "state": outcome.state,
            "message": outcome.message,
            # still unknown when a request went out without an answer, now or before
            "outcome_unknown": outcome.state == TO_SEND and (look_up_first or self.attempted),
            "attempt_count": attempts if outcome.waiting else attempts + 1,
            "last_attempt_at": now,
        }
        if outcome.state == SENT:
            values["sent_at"] = now
        if outcome.remote_ref:
            values["remote_ref"] = outcome.remote_ref
        if outcome.status_code:
            values["status_code"] = outcome.status_code
        if outcome.request is not None:
            values["request"] = as_text(outcome.request)
        if outcome.answer is not None:
            values["answer"] = as_text(outcome.answer)
        export.write(values)
        self._log(export, outcome)
        self._commit()

    def attempt(self, export, request, **values):
        """Record, committed, that a request the shop may carry out silently is going out."""
        export.write({"outcome_unknown": True, "request": as_text(request), **values})
        self.attempted = True
        self._commit()

    def waited_too_long(self, picking):
        """Whether a delivery validated without tracking number has waited long enough for the
        shop to give one."""
        done = picking.date_done or fields.Datetime.now()
        return (fields.Datetime.now() - done).days >= TRACKING_WAIT_DAYS

    def _log(self, export, outcome):
        kinds = dict(export._fields["kind"]._description_selection(self.env))
        sale = export.sale_order_id
        payload = {}
        if outcome.request is not None:
            payload["request"] = outcome.request
        if outcome.answer is not None:
            payload["answer"] = outcome.answer
        result = "skipped" if outcome.waiting else RESULTS[outcome.state]
        self.env["marketplace.run.line"].sudo().create(
            {
                "run_id": self.run.id,
                "marketplace_order_id": sale.marketplace_order_id or False,
                "marketplace_order_ref": sale.marketplace_order_ref or False,
                "marketplace_status": outcome.status_code or False,
                "sale_order_id": sale.id,
                "picking_id": export.picking_id.id or False,
                "export_id": export.id,
                "result": result,
                "message": f"{kinds[export.kind]}: {outcome.message}",
                "retryable": outcome.state == TO_SEND and not outcome.waiting,
                "payload": as_text(payload)[:100_000] if payload else False,
            }
        )
        self.counts[result] += 1
        self.run.write({f"{name}_count": count for name, count in self.counts.items()})

    # --- the run ---------------------------------------------------------------------------------
    def _finish(self, error):
        values = {
            "ended_at": fields.Datetime.now(),
            "request_count": self.client.request_count if self.client else 0,
        }
        handled = any(self.counts.values())
        if error is None:
            values["state"] = "partial" if self.counts["failed"] else "done"
        else:
            values["state"] = "partial" if handled else "failed"
            values["message"] = self.env._(
                "Sending stopped: %(error)s The updates not sent wait for the next run.",
                error=error if isinstance(error, MarketplaceError) else repr(error),
            )
        self.run.write(values)

    def _run_text(self):
        if self.run.message:
            return f"{self.account.name}: {self.run.message}"
        text = self.env._(
            "%(account)s: %(sent)s sent, %(skipped)s not needed, %(failed)s failed.",
            account=self.account.name,
            sent=self.counts["sent"],
            skipped=self.counts["skipped"],
            failed=self.counts["failed"],
        )
        if self.left_over:
            text += " " + self.env._("%s more are left to the scheduled action.", self.left_over)
        return text

    def _summary(self, text, failed=False):
        return {"text": text, "failed": failed, "run_id": self.run.id if self.run else False}

    def _close_interrupted_runs(self):
        self.env["marketplace.run"].sudo().search(
            [
                ("account_id", "=", self.account.id),
                ("trigger", "=", "export"),
                ("state", "=", "running"),
                ("id", "!=", self.run.id),
            ]
        ).write(
            {
                "state": "failed",
                "ended_at": fields.Datetime.now(),
                "message": self.env._(
                    "Interrupted (the server stopped while sending). The next run sent what was "
                    "left, looking on the shop first for what may have arrived."
                ),
            }
        )

    def _try_lock(self):
        # a lock of the connection, not of the transaction: the run commits after each update
        self.env.cr.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", (EXPORT_LOCK_NAMESPACE, self.account.id)
        )
        return self.env.cr.fetchone()[0]

    def _unlock(self):
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", (EXPORT_LOCK_NAMESPACE, self.account.id)
                )
        except psycopg2.Error:
            self.env.cr.rollback()
            self.env.cr.execute(
                "SELECT pg_advisory_unlock(%s, %s)", (EXPORT_LOCK_NAMESPACE, self.account.id)
            )

    def _commit(self):
        # the export runs in a cursor of its own and commits after each update: what the shop
        # accepted must be on record before anything else can fail
        self.env.cr.commit()  # pylint: disable=invalid-commit
