import logging
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from types import GeneratorType

from odoo import fields
from odoo.models import BaseModel

from ..clients.errors import AuthenticationError, MarketplaceError, OutcomeUnknownError
from ..runs.account_run import LOCK_NAMESPACES, AccountRun
from . import retries
from .base import FAILED, NOT_NEEDED, SENT, TO_SEND, Outcome, as_text
from .shops import sender_class

_logger = logging.getLogger(__name__)

# Namespace of the export's PostgreSQL advisory locks (the import has one of its own).
EXPORT_LOCK_NAMESPACE = LOCK_NAMESPACES["export"]
# the run log's result of each outcome (an update still to send is a failure of this run,
# unless it only waits: for its shipments, for a tracking number)
RESULTS = {SENT: "sent", NOT_NEEDED: "skipped", FAILED: "failed", TO_SEND: "failed"}
# how long a delivery waits for a tracking number from the shop before it is reported
TRACKING_WAIT_DAYS = 3


class ExportRun(AccountRun):
    """One sending run of one account, logged as a ``marketplace.run`` of kind "export": the
    account-run template (``runs.account_run``: lock first, run log, interrupted runs, commits,
    deadline) with the sender's work.

    Takes the account's lock first, then selects the updates: the account's updates due to be
    sent, oldest first (or the ones a person asked for, failed ones included), and re-reads each
    one's state before sending it, so that nothing another run sent is sent again. Nothing to
    send: no run is logged. Commits after each update: the shop's answer is on record before the
    next request. Before a request the shop may carry out without the run hearing the answer (a
    POST), the update is marked ``outcome_unknown`` and committed; a request whose answer was
    lost (the client's ``OutcomeUnknownError``) leaves it so: the next attempt, even after a
    crash, looks on the shop first instead of sending it twice. An update the shop did not
    answer is tried again later and later, then given up (``retries``). One update's failure
    does not stop the others; refused credentials stop the run. Runs as the connector; the log
    says who started it. Call it in a cursor of its own: it commits.
    """

    kind = "export"
    counters = ("sent", "skipped", "failed")
    failure_log = "Sending the updates of %s failed"
    _logger = _logger
    batch_size = 500

    def __init__(self, account, trigger=None, *, export_ids=None, deadline=None, events=None):
        # a sending run keeps the trigger "export" its log has always shown, whoever started it
        # (its user says who); its kind says what it does
        super().__init__(account.sudo(), "export", deadline=deadline)
        self.uid = account.env.uid
        self.export_ids = export_ids
        self.events = events  # only the updates of these events (the import sends its own)
        self.left_over = 0
        self._attempted = set()  # ids of the updates whose request may have reached the shop
        self.exports = None
        self.outcomes = {}  # export id -> Outcome, of this run

    def _start(self):
        self.exports = self._pending()
        if not self.exports:
            return False
        return super()._start()

    def _work(self):
        self.client = self.account._get_client()
        sender = sender_class(self.account)(self)
        concurrency = self.client.concurrency
        flights = {}  # future -> the update whose request it sends
        held = {}  # order -> its updates (in the order marked) behind the one in flight
        with ThreadPoolExecutor(concurrency, thread_name_prefix="smc-send") as pool:
            try:
                for position, export in enumerate(self.exports):
                    if self._out_of_time():
                        # the next run sends them
                        self.left_over = len(self.exports) - position + self._drop(held)
                        self.stopped_early = True
                        break
                    # never two updates of one order at once, and an order's updates in order:
                    # an update of an order in flight waits for it, the others go on
                    order = export.sale_order_id.id
                    if order in held or order in self._busy_orders(flights):
                        held.setdefault(order, []).append(export)
                        continue
                    while len(flights) >= concurrency:
                        self._land(pool, flights)
                        self._release(pool, flights, held, sender)
                    self._go(pool, flights, export, order, sender)
                    self._release(pool, flights, held, sender)
                while flights:
                    self._land(pool, flights)
                    if self._out_of_time():
                        self.left_over += self._drop(held)
                        self.stopped_early = self.stopped_early or bool(self.left_over)
                    self._release(pool, flights, held, sender)
            finally:
                # refused credentials stop the run: the requests in flight end first; their
                # updates stay marked outcome unknown (committed before they went out), so the
                # next run looks on the shop before sending them again
                wait(flights)

    def _go(self, pool, flights, export, order, sender):
        if self._still_to_send(export):
            self._take_off(pool, flights, _Flight(export, order, sender))

    def _busy_orders(self, flights):
        return {flight.order for flight in flights.values()}

    def _release(self, pool, flights, held, sender):
        """Send the next held update of each order no longer in flight, while there is room."""
        concurrency, released = self.client.concurrency, True
        while released and held and len(flights) < concurrency:
            released = False
            busy = self._busy_orders(flights)
            for order in list(held):
                if order in busy or len(flights) >= concurrency:
                    continue
                export = held[order].pop(0)
                if not held[order]:
                    del held[order]
                self._go(pool, flights, export, order, sender)
                released = True
                busy = self._busy_orders(flights)

    def _drop(self, held):
        """Forget the held updates (out of time): how many."""
        count = sum(len(exports) for exports in held.values())
        held.clear()
        return count

    def _busy(self):
        # nothing to send: nothing to say either (no run is logged)
        return super()._busy() if self._has_pending() else None

    def result(self):
        """What happened, with a sentence for the person who asked: the run's counts, or why
        nothing was sent."""
        result = super().result()
        if self.run is None:
            if self.error is not None:  # it failed before the run could be recorded
                result.text, result.failed = f"{self.account.name}: {self.error}", True
            else:
                result.text = self.env._("%s: nothing to send.", self.account.name)
        elif self.run.state == "busy":
            result.text, result.failed = self.run.message, True
        else:
            result.text = self._run_text()
            result.failed = bool(self.counts["failed"] or self.error)
        return result

    def _domain(self):
        domain = [("account_id", "=", self.account.id)]
        if self.events:
            domain.append(("event", "in", list(self.events)))
        if self.export_ids is None:
            return domain + self.env["marketplace.export"]._due_domain()
        return domain + [
            ("id", "in", list(self.export_ids)),
            ("state", "in", ("to_send", "failed")),
        ]

    def _has_pending(self):
        return bool(self.env["marketplace.export"].search_count(self._domain(), limit=1))

    def _pending(self):
        exports = self.env["marketplace.export"].search(
            self._domain(), order="id", limit=self.batch_size
        )
        if self.export_ids is None:
            # a 'delivered' status behind a failed shipment waits for a person: no run for it
            return exports.filtered(lambda e: not self._behind_failed_shipment(e))
        # a person asked to send them: the failed ones get another try, and a new series of
        # tries before they are given up again
        exports.write({"failure_count": 0, "first_failure_at": False, "next_attempt_at": False})
        exports.filtered(lambda e: e.state == "failed").write({"state": "to_send"})
        return exports

    def _still_to_send(self, export):
        """Read the update again: another run may have sent it since it was selected."""
        export.invalidate_recordset()
        return export.state == TO_SEND

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
    # An update is sent by its sender's method (``Sender.send``): a plain method sends its
    # requests itself, one after the other; a generator method yields each request as a call
    # that only talks HTTP, which runs in a thread of the pool while the run's thread goes on
    # with other updates (of other orders), and gets its answer (or its error) back. The run's
    # thread does every Odoo read and write of the update between two requests, and the update
    # yields only with nothing left uncommitted (right after ``attempt``, or before writing
    # anything), so that the commits and rollbacks of other updates never cut one in half.
    def _take_off(self, pool, flights, flight):
        try:
            step = flight.sender.send(flight.export, flight.look_up_first)
        except Exception as exc:
            self._record(flight, error=exc)
            return
        if not isinstance(step, GeneratorType):
            self._record(flight, outcome=step)
            return
        flight.steps = step
        self._step(pool, flights, flight, None, None)

    def _land(self, pool, flights):
        """Wait for a request in flight to end, and hand its update the answer."""
        done, __ = wait(flights, return_when=FIRST_COMPLETED)
        for future in done:
            flight = flights.pop(future)
            try:
                answer, error = future.result(), None
            except Exception as exc:
                answer, error = None, exc
            self._step(pool, flights, flight, answer, error)

    def _step(self, pool, flights, flight, answer, error):
        """Run the update on with its answer (or error), to its next request or its end."""
        try:
            steps = flight.steps
            request = steps.throw(error) if error is not None else steps.send(answer)
        except StopIteration as stop:
            self._record(flight, outcome=stop.value)
            return
        except Exception as exc:
            self._record(flight, error=exc)
            return
        check_request(request)
        flights[pool.submit(request)] = flight

    def _record(self, flight, outcome=None, error=None):
        """Record what became of one update, committed."""
        export, sender = flight.export, flight.sender
        look_up_first, attempts = flight.look_up_first, flight.attempts
        attempted = export.id in self._attempted
        self._attempted.discard(export.id)
        if isinstance(error, AuthenticationError):
            self.env.cr.rollback()
            raise error
        if isinstance(error, MarketplaceError):
            self.env.cr.rollback()
            if isinstance(error, OutcomeUnknownError):
                attempted = True  # the shop may have done it: look before sending again
            outcome = sender.error_outcome(error)
        elif error is not None:
            self.env.cr.rollback()
            _logger.error(
                "Marketplace update %s could not be sent",
                export.display_name,
                exc_info=(type(error), error, error.__traceback__),
            )
            # after a request went out, the shop may have done it: look before sending again
            outcome = Outcome(
                TO_SEND if attempted else FAILED,
                self.env._("Unexpected error: %s", error),
            )
        now = fields.Datetime.now()
        unknown = look_up_first or attempted
        values = {
            "state": outcome.state,
            "message": outcome.message,
            # still unknown when a request went out without an answer, now or before
            "outcome_unknown": outcome.state == TO_SEND and unknown,
            "attempt_count": attempts if outcome.waiting else attempts + 1,
            "last_attempt_at": now,
        }
        given_up = False
        if outcome.state == TO_SEND and not outcome.waiting:
            retry, given_up = retries.retry_values(export, now)
            values.update(retry, outcome_unknown=unknown)
            if given_up:
                outcome.state = FAILED
                outcome.message = values["message"] = retries.given_up_message(
                    self.env, retry["failure_count"], retry["first_failure_at"], outcome.message
                )
        elif outcome.state != TO_SEND:
            values.update(failure_count=0, first_failure_at=False, next_attempt_at=False)
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
        if given_up:
            retries.alert(export)
        self.outcomes[export.id] = outcome
        self._log(export, outcome)
        self._commit()

    def attempt(self, export, request, **values):
        """Record, committed, that a request the shop may carry out silently is going out."""
        export.write({"outcome_unknown": True, "request": as_text(request), **values})
        self._attempted.add(export.id)
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

    # --- the run's end and its messages ----------------------------------------------------------
    def _finish_values(self):
        if self.error is None:
            return {}
        return {
            "message": self.env._(
                "Sending stopped: %(error)s The updates not sent wait for the next run.",
                error=self.error if isinstance(self.error, MarketplaceError) else repr(self.error),
            )
        }

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

    def _busy_message(self):
        return self.env._(
            "Another run is sending the updates of %s; this one did nothing.",
            self.account.name,
        )

    def _interrupted_message(self):
        return self.env._(
            "Interrupted (the server stopped while sending). The next run sent what was left, "
            "looking on the shop first for what may have arrived."
        )


def check_request(request):
    """A request runs in a thread of the pool, beside the run's thread and its database cursor:
    it may hold plain values only, never an Odoo record (a field read in the thread would use
    the run's cursor from two threads at once: queries answered for the other one, "no results
    to fetch", records "deleted"). Raises TypeError, before anything is sent, for a request that
    holds one."""
    held = list(getattr(request, "__defaults__", None) or ())
    for cell in getattr(request, "__closure__", None) or ():
        try:
            held.append(cell.cell_contents)
        except ValueError:  # a variable not bound yet
            continue
    records = [value for value in held if isinstance(value, BaseModel)]
    if records:
        raise TypeError(
            f"a request sent in a thread holds Odoo records {records}: read their fields before "
            "the request and hold the values"
        )


class _Flight:
    """One update on its way: its order, its sender and steps, what it was before this try."""

    def __init__(self, export, order, sender):
        self.export = export
        self.order = order
        self.sender = sender
        self.look_up_first = export.outcome_unknown
        self.attempts = export.attempt_count
        self.steps = None
