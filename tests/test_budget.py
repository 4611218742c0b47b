"""How long a scheduled run may take: Odoo's wall-clock limit per wake-up of a cron worker (its
sleep counted in prefork), and its CPU limit (RLIMIT_CPU, per wake-up)."""

import resource
import threading
import time
from types import SimpleNamespace
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools import config

from ..runs import budget


def limits(**values):
    """Odoo's configuration with these limits (the others as they are)."""
    return patch.dict(config.options, values)


def cpu(limit, used):
    """A process whose RLIMIT_CPU soft limit is ``limit`` and which has used ``used`` seconds."""
    usage = SimpleNamespace(ru_utime=used * 0.75, ru_stime=used * 0.25)
    return (
        patch.object(budget.resource, "getrlimit", return_value=(limit, resource.RLIM_INFINITY)),
        patch.object(budget.resource, "getrusage", return_value=usage),
    )


@tagged("post_install", "-at_install")
class TestBudget(TransactionCase):
    def setUp(self):
        super().setUp()
        budget._calls.__dict__.clear()
        self.addCleanup(budget._calls.__dict__.clear)
        budget.forget_executions(self.env.cr)
        self.cron_env = self.env(context={"cron_id": 42, "lastcall": "2026-12-01 10:00:00"})

    def deadline_in(self, env=None):
        """Seconds from now to the scheduled run's deadline."""
        return budget.cron_deadline(env or self.cron_env) - time.monotonic()

    def test_cron_share_of_the_wall_clock_limit(self):
        with limits(limit_time_real_cron=300, limit_time_real=120, limit_time_cpu=0, workers=0):
            self.assertAlmostEqual(self.deadline_in(self.env), 240, delta=1)
        with limits(limit_time_real_cron=-1, limit_time_real=120, workers=0):
            self.assertAlmostEqual(self.deadline_in(self.env), 96, delta=1)

    def test_the_cpu_limit_comes_first_when_it_is_shorter(self):
        # a prefork worker: 60 s of CPU per wake-up, 25 of them spent by earlier jobs
        getrlimit, getrusage = cpu(limit=1000 + 60, used=1000 + 25)
        with limits(limit_time_real_cron=600, workers=2), getrlimit, getrusage:
            self.assertAlmostEqual(self.deadline_in(self.env), 0.8 * 35, delta=1)
            self.assertAlmostEqual(budget.cpu_left(), 35, delta=0.01)
        # the wall clock still rules when it is the shorter one
        getrlimit, getrusage = cpu(limit=1000 + 600, used=1000)
        with limits(limit_time_real_cron=100, workers=0), getrlimit, getrusage:
            self.assertAlmostEqual(self.deadline_in(self.env), 80, delta=1)

    def test_no_cpu_limit_without_rlimit(self):
        infinite = patch.object(
            budget.resource,
            "getrlimit",
            return_value=(resource.RLIM_INFINITY, resource.RLIM_INFINITY),
        )
        with infinite:
            self.assertIsNone(budget.cpu_left())

    def test_one_deadline_per_wake_up_of_a_prefork_cron_worker(self):
        """Odoo's watchdog counts a prefork cron worker's sleep and every job of its wake-up:
        the jobs of one wake-up share one deadline, counted from the end of the worker's
        previous wake-up (or the longest sleep before this one)."""
        with limits(limit_time_real_cron=200, workers=2):
            now = time.monotonic()
            budget.cron_job_ends(now - 30)  # the previous wake-up ended 30 s ago
            first_cursor, second_cursor = (
                SimpleNamespace(closed=False),
                SimpleNamespace(closed=False),
            )
            budget.cron_call_begins(first_cursor, now)
            first = self.deadline_in()
            self.assertAlmostEqual(first, 160 - 30, delta=1)
            budget.cron_job_ends()
            # a second job of the same wake-up: the same deadline
            budget.cron_call_begins(first_cursor)
            self.assertAlmostEqual(self.deadline_in(), first, delta=1)
            # a job of the next wake-up, right after: a new window
            first_cursor.closed = True
            budget.cron_call_begins(second_cursor)
            self.assertAlmostEqual(self.deadline_in(), 160, delta=1)

    def test_a_prefork_worker_woken_by_its_timer_has_slept(self):
        with limits(limit_time_real_cron=200, workers=2):
            budget.cron_call_begins(SimpleNamespace(closed=False))
            self.assertAlmostEqual(self.deadline_in(), 160 - budget.PREFORK_CRON_SLEEP, delta=1)

    def test_a_threaded_cron_thread_says_when_it_woke(self):
        thread = threading.current_thread()
        with (
            limits(limit_time_real_cron=200, workers=0),
            patch.object(thread, "type", "cron", create=True),
            patch.object(thread, "start_time", time.time() - 50, create=True),
        ):
            budget.cron_call_begins(SimpleNamespace(closed=False))
            self.assertAlmostEqual(self.deadline_in(), 160 - 50, delta=1)

    def test_room_for_an_account_in_the_wake_up(self):
        with limits(limit_time_real_cron=100, workers=2):
            now = time.monotonic()
            budget.cron_job_ends(now - 10)
            budget.cron_call_begins(SimpleNamespace(closed=False), now)
            self.assertTrue(budget.cron_room(self.cron_env))  # 70 s of 80 left
            budget._calls.call.window_start = now - 65
            self.assertFalse(budget.cron_room(self.cron_env))  # 15 s of 80: not worth a start

    def test_a_job_of_queue_job_is_one_http_request(self):
        getrlimit, getrusage = cpu(limit=500 + 60, used=500)
        with limits(limit_time_real=300), getrlimit, getrusage:
            self.assertAlmostEqual(budget.job_deadline(self.env) - time.monotonic(), 48, delta=1)
        with limits(limit_time_real=50):
            self.assertAlmostEqual(budget.job_deadline(self.env) - time.monotonic(), 40, delta=1)

    def test_the_parameter_overrides_the_wall_clock_share(self):
        self.env["ir.config_parameter"].set_param(budget.CRON_PARAMETER, "30")
        with limits(limit_time_real_cron=600, workers=0):
            self.assertAlmostEqual(self.deadline_in(self.env), 30, delta=1)
