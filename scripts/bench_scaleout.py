"""The scale-out row: many accounts imported by a real Odoo server, with 1 worker and with 4.

Eight accounts on the three backends (3 OTTO, 3 CS-Cart, 2 PrestaShop), N orders each, every
shop a simulator process answering in 150 ms. For each variant and each worker count, a copy of
a prepared database, a real ``odoo-bin`` server (prefork) started on it, the import started
through its scheduled action (a trigger, as Odoo's ``ir.cron._trigger`` makes, and the cron
workers' wake-up notification), and the clock stopped when the database holds every order the
shops list (polled every half second). Then each account's orders are checked: each shop order
exactly once, none lost.

Variants:
  cron       Odoo's scheduled actions alone: ``--max-cron-threads`` 1 or 4 (one HTTP worker);
  queue_job  with OCA queue_job and the connector's bridge module (``BRIDGE_MODULE``): jobs run
             in ``--workers`` 1 or 4 HTTP workers, channel ``root`` of that capacity, one cron
             worker. Skipped, with the reason, when the bridge or queue_job is not found.
"""

import configparser
import contextlib
import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request

from bench_common import MODULE_DIR, Simulator, copy_db, db_connect, drop_db, run_worker

BRIDGE_MODULE = "sale_marketplace_connector_queue_job"
BACKENDS = ["otto", "cscart", "prestashop", "otto", "cscart", "prestashop", "otto", "cscart"]
LATENCY_MS = 150
WORKER_COUNTS = (1, 4)
POLL_SECONDS = 0.5
RUNNER_LOGGER = "odoo.addons.queue_job.jobrunner.runner"


def machine_busy_seconds():
    """CPU seconds the whole machine has spent busy since boot (every core, every process:
    Odoo's workers, PostgreSQL, the shop simulators), from /proc/stat; None elsewhere."""
    try:
        with open("/proc/stat") as file:
            ticks = [int(value) for value in file.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal: all but idle and iowait
    busy = sum(ticks[:8]) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def server_options(variant, workers):
    """odoo-bin options and environment of a variant with ``workers`` workers."""
    if variant == "cron":
        return ["--workers", "1", "--max-cron-threads", str(workers)], {}
    return (
        [
            "--workers",
            str(workers),
            "--max-cron-threads",
            "1",
            "--load",
            "base,web,queue_job",
            # the runner says in the log when it is ready (wait_ready reads it)
            f"--log-handler={RUNNER_LOGGER}:INFO",
        ],
        {"ODOO_QUEUE_JOB_CHANNELS": f"root:{workers}"},
    )


def sims_cpu_seconds(sims):
    """CPU seconds the shop simulators have used, all together (None: not known)."""
    seconds = [sim.cpu_seconds() for sim in sims]
    return None if None in seconds else sum(seconds)


def cpu_bound(result):
    """The lowest ratio this machine's cores allow: the work of the 1-worker run (the CPU seconds
    it kept the machine busy) cannot take less than those seconds spread over every core."""
    one, cpu, cores = result["seconds"].get(1), result["cpu"].get(1), os.cpu_count()
    if not one or not cpu or not cores:
        return []
    lines = [
        f"with 1 worker the import kept the cores busy {cpu:.1f} CPU s in {one:.1f} s: on "
        f"{cores} cores the same work takes at least {cpu / cores:.1f} s, a ratio of at least "
        f"{cpu / cores / one:.2f} with any number of workers"
    ]
    sims = result["sims_cpu"].get(1)
    if sims is not None:
        odoo = cpu - sims
        lines.append(
            f"without the shop simulators' {sims:.1f} CPU s (real shops answer from their own "
            f"machines): Odoo and PostgreSQL {odoo:.1f} CPU s, a ratio of at least "
            f"{odoo / cores / one:.2f} on {cores} cores"
        )
    return lines


def find_module(name, paths):
    """The addons folder among ``paths`` that holds module ``name``, or None."""
    for path in paths:
        if path and os.path.isfile(os.path.join(path, name, "__manifest__.py")):
            return path
    return None


class ScaleOut:
    def __init__(self, args, orders):
        self.args = args
        self.orders = orders
        self.tmp = tempfile.mkdtemp(prefix="smc-bench-scaleout-")
        conf = configparser.ConfigParser()
        conf.read(args.conf)
        self.addons_path = [p.strip() for p in conf["options"]["addons_path"].split(",")]
        # where a bridge or queue_job may be: given folders, the configuration's addons path,
        # the repository itself (a bridge kept beside the add-on's code), pip's odoo/addons
        pip_addons = os.path.join(sysconfig.get_paths()["purelib"], "odoo", "addons")
        self.search_path = [
            *args.extra_addons,
            *self.addons_path,
            MODULE_DIR,
            os.path.dirname(MODULE_DIR),
            pip_addons,
        ]

    # --- the variants --------------------------------------------------------------------------
    def queue_job_paths(self):
        """(addons folders to add, None) for the queue_job variant, or (None, why not)."""
        bridge = find_module(BRIDGE_MODULE, self.search_path)
        if bridge is None:
            return None, (
                f"no module {BRIDGE_MODULE} on the addons path or in the repository (issue 18 "
                "builds it)"
            )
        queue_job = find_module("queue_job", self.search_path)
        if queue_job is None:
            return None, (
                f"{BRIDGE_MODULE} is in {bridge}, but OCA queue_job is not installed: "
                "pip install --no-deps 'odoo-addon-queue-job>=18.0,<18.1' (or give its folder "
                "with --extra-addons)"
            )
        return [path for path in (bridge, queue_job) if path not in self.addons_path], None

    def write_conf(self, variant, extra_paths):
        conf = configparser.ConfigParser()
        conf.read(self.args.conf)
        options = conf["options"]
        options["addons_path"] = ",".join(dict.fromkeys([*self.addons_path, *extra_paths]))
        options["http_port"] = str(self.args.http_port)
        options["gevent_port"] = str(self.args.http_port + 1)
        # generous limits: the measurement is not cut short by Odoo's watchdog (the product's
        # own time budget follows limit_time_real_cron)
        for name in ("limit_time_real", "limit_time_real_cron", "limit_time_cpu"):
            options[name] = str(self.args.server_time_limit)
        path = os.path.join(self.tmp, f"odoo-{variant}.conf")
        with open(path, "w") as file:
            conf.write(file)
        return path

    def odoo_bin(self, conf, db, *options, env=None, **popen):
        command = [sys.executable, self.args.odoo_bin, "-c", conf, "-d", db, *options]
        return subprocess.Popen(command, env={**os.environ, **(env or {})}, **popen)

    # --- one row --------------------------------------------------------------------------------
    def run(self):
        """``{variant: result}``; a result has ``seconds`` {workers: s}, ``checks``, ``info``, or
        ``skipped`` (why), or ``error`` (what went wrong)."""
        variants = {"cron": ([], None)}
        paths, why_not = self.queue_job_paths()
        variants["queue_job"] = (paths, why_not)
        sims = [
            Simulator(backend, self.orders, self.args.seed + index, lines=3)
            for index, backend in enumerate(BACKENDS)
        ]
        results = {}
        try:
            accounts = [
                sim.account_spec(f"{sim.backend} shop {index + 1}")
                for index, sim in enumerate(sims)
            ]
            for variant, (extra_paths, skipped) in variants.items():
                if skipped:
                    results[variant] = {"skipped": skipped}
                    continue
                for sim in sims:
                    sim.set_latency(0)  # the set-up reads the lists at once
                try:
                    results[variant] = self.run_variant(variant, extra_paths, sims, accounts)
                except RuntimeError as exc:  # the other variant is still measured
                    results[variant] = {"error": str(exc)}
        finally:
            for sim in sims:
                sim.stop()
        return results

    def run_variant(self, variant, extra_paths, sims, accounts):
        conf = self.write_conf(variant, extra_paths)
        template = f"{self.args.template}_so_{variant}"
        copy_db(self.args.template, template, self.args.data_dir)
        try:
            if variant == "queue_job":
                install = self.odoo_bin(conf, template, "-i", BRIDGE_MODULE, "--stop-after-init")
                if install.wait() != 0:
                    return {"skipped": f"{BRIDGE_MODULE} did not install (see above)"}
            prepared = run_worker(conf, "scaleout-prepare", template, accounts)
            if not prepared["triggers"]:
                return {"skipped": "no scheduled action of marketplace.account runs an import"}
            for sim in sims:
                sim.set_latency(LATENCY_MS)
            result = {"seconds": {}, "cpu": {}, "sims_cpu": {}, "checks": [], "info": []}
            for workers in WORKER_COUNTS:
                for sim in sims:
                    sim.reset_requests()
                sims_before = sims_cpu_seconds(sims)
                measured = self.measure(variant, conf, template, workers, prepared)
                sims_after = sims_cpu_seconds(sims)
                measured["sims_cpu"] = (
                    None if None in (sims_before, sims_after) else sims_after - sims_before
                )
                measured["http"] = sum(sim.requests() for sim in sims)
                result["seconds"][workers] = measured["seconds"]
                result["cpu"][workers] = measured["cpu"]
                result["sims_cpu"][workers] = measured["sims_cpu"]
                result["checks"].append(measured["check"])
                seconds = measured["seconds"]
                result["info"].append(
                    f"{workers} worker{'s' if workers > 1 else ''}: "
                    + (f"{seconds:.1f} s" if seconds is not None else "did not finish")
                    + f" (first run after {measured['first_run']:.1f} s, first order after "
                    f"{measured['first_order'] or 0:.1f} s), "
                    f"{measured['found']} orders, "
                    f"{measured['http']} HTTP requests, {measured['runs']} import runs"
                    + (f", jobs {measured['jobs']}" if measured.get("jobs") else "")
                    + (
                        f", the machine's {os.cpu_count()} cores busy {measured['cpu']:.1f} CPU s"
                        if measured["cpu"] is not None
                        else ""
                    )
                    + (
                        f" (the shop simulators {measured['sims_cpu']:.1f})"
                        if measured["sims_cpu"] is not None
                        else ""
                    )
                )
            result["info"] += cpu_bound(result)
            return result
        finally:
            drop_db(template, self.args.data_dir)

    def measure(self, variant, conf, template, workers, prepared):
        db = f"{template}_{workers}"
        copy_db(template, db, self.args.data_dir)
        log = os.path.join(self.tmp, f"{db}.log")
        options, env = server_options(variant, workers)
        server = self.odoo_bin(
            conf,
            db,
            *options,
            "--logfile",
            log,
            "--log-level",
            self.args.server_log_level,
            env=env,
            start_new_session=True,  # its workers form a group of their own, stopped together
        )
        connection = db_connect(db)
        try:
            self.wait_ready(server, connection, variant, workers, log)
            busy_before = machine_busy_seconds()
            started = self.trigger(connection, db, prepared["triggers"])
            self.first_run = self.wake_until_started(server, connection, db, started, log)
            seconds, found = self.poll(server, connection, prepared["expected"], started, log)
            busy_after = machine_busy_seconds()
            measured = self.count(connection, prepared["expected"], workers)
            measured.update(
                seconds=seconds,
                found=found,
                first_run=self.first_run,
                first_order=self.first_order,
                cpu=None if busy_before is None else busy_after - busy_before,
            )
            return measured
        finally:
            connection.close()
            self.stop(server)
            drop_db(db, self.args.data_dir)

    # --- the server -----------------------------------------------------------------------------
    def wait_ready(self, server, connection, variant, workers, log):
        """Up when /web/health answers, every cron worker listens for triggers (a trigger sent
        before would wait for the workers' next minute) and queue_job's runner is connected."""
        deadline = time.monotonic() + 180
        url = f"http://127.0.0.1:{self.args.http_port}/web/health"
        crons = workers if variant == "cron" else 1
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"odoo-bin stopped at start: see {log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"odoo-bin did not get ready within 3 minutes: see {log}")
            time.sleep(0.3)
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status != 200:
                    continue
                if self.cron_listeners(connection, server.pid) < crons:
                    continue
                if variant == "queue_job" and not self.job_runner_ready(log, connection):
                    continue
                return

    @staticmethod
    def cron_listeners(connection, server_pid):
        """How many of the server's workers listen for cron triggers: a cron worker's first
        act is a connection to the postgres database, on which it LISTENs and commits."""
        children = []
        path = f"/proc/{server_pid}/task/{server_pid}/children"
        with contextlib.suppress(OSError), open(path) as file:
            children = file.read().split()
        with connection.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = 'postgres' "
                "AND application_name = ANY(%s) AND state = 'idle' "
                "AND query IN ('LISTEN cron_trigger', 'COMMIT')",
                [[f"odoo-{pid}" for pid in children]],
            )
            return cr.fetchone()[0]

    @staticmethod
    def job_runner_ready(log, connection):
        """queue_job's runner has said it is ready for the database (it keeps no query of its
        own in pg_stat_activity: its connection's last query is a keep-alive)."""
        with connection.cursor() as cr:
            cr.execute("SELECT current_database()")
            db = cr.fetchone()[0]
        with contextlib.suppress(OSError), open(log, errors="replace") as file:
            return any(f"queue job runner ready for db {db}" in line for line in file)
        return False

    @staticmethod
    def notify(db):
        """Wake the cron workers as ``ir.cron._notifydb`` does: they LISTEN on a connection to
        the ``postgres`` database, and a notification only reaches listeners of its database."""
        connection = db_connect("postgres")
        try:
            with connection.cursor() as cr:
                cr.execute("NOTIFY cron_trigger, %s", [db])
        finally:
            connection.close()

    def trigger(self, connection, db, triggers):
        """Start the import as ``ir.cron._trigger`` does: a trigger row, then the notification
        that wakes the cron workers. Returns the moment the clock starts."""
        started = time.perf_counter()
        with connection.cursor() as cr:
            for cron in triggers:
                cr.execute(
                    "INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, create_date, "
                    "write_uid, write_date) VALUES (%s, now() AT TIME ZONE 'UTC', 1, "
                    "now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC')",
                    [cron["id"]],
                )
        self.notify(db)
        return started

    def wake_until_started(self, server, connection, db, started, log):
        """Notify the cron workers again every 2 seconds until an import run exists; returns
        the seconds until one did. A safety net: a worker that missed the first notification
        (not quite listening yet) would sleep its minute out, and the clock with it."""
        notified = time.perf_counter()
        while True:
            with connection.cursor() as cr:
                cr.execute("SELECT count(*) FROM marketplace_run")
                if cr.fetchone()[0]:
                    return time.perf_counter() - started
            if time.perf_counter() - started > 120:
                raise RuntimeError(f"no import started within 2 minutes: see {log}")
            if server.poll() is not None:
                raise RuntimeError(f"odoo-bin stopped before the import: see {log}")
            time.sleep(POLL_SECONDS)
            if time.perf_counter() - notified > 2:
                self.notify(db)
                notified = time.perf_counter()

    def poll(self, server, connection, expected, started, log):
        """Seconds until every expected order is in, and how many are; ``self.first_order``:
        seconds until the first was."""
        wanted = {int(account): len(ids) for account, ids in expected.items()}
        last_found, last_change = -1, time.monotonic()
        self.first_order = None
        while True:
            with connection.cursor() as cr:
                cr.execute(
                    "SELECT marketplace_account_id, count(*) FROM sale_order "
                    "WHERE marketplace_account_id = ANY(%s) GROUP BY 1",
                    [list(wanted)],
                )
                counts = dict(cr.fetchall())
            if all(counts.get(account, 0) >= count for account, count in wanted.items()):
                return time.perf_counter() - started, sum(counts.values())
            found = sum(counts.values())
            if found and self.first_order is None:
                self.first_order = time.perf_counter() - started
            if found != last_found:
                last_found, last_change = found, time.monotonic()
            if server.poll() is not None:
                raise RuntimeError(f"odoo-bin stopped during the import: see {log}")
            if time.monotonic() - last_change > self.args.stall_seconds:
                return None, found  # stuck: what is missing is reported by count()
            time.sleep(POLL_SECONDS)

    @staticmethod
    def count(connection, expected, workers):
        """Each shop order exactly once, none lost: the check of one measurement."""
        with connection.cursor() as cr:
            cr.execute(
                "SELECT marketplace_account_id, marketplace_order_id, count(*) FROM sale_order "
                "WHERE marketplace_account_id IS NOT NULL GROUP BY 1, 2"
            )
            rows = cr.fetchall()
            cr.execute("SELECT count(*), coalesce(sum(failed_count), 0) FROM marketplace_run")
            runs, failed = cr.fetchone()
            cr.execute(
                "SELECT left(reason, 300), count(*) FROM marketplace_retry "
                "WHERE state = 'pending' GROUP BY 1 ORDER BY 2 DESC LIMIT 3"
            )
            retries = cr.fetchall()
            jobs = None
            cr.execute("SELECT to_regclass('queue_job') IS NOT NULL")
            if cr.fetchone()[0]:
                cr.execute("SELECT state, count(*) FROM queue_job GROUP BY 1 ORDER BY 1")
                jobs = ", ".join(f"{count} {state}" for state, count in cr.fetchall())
        found = {(str(account), order) for account, order, __ in rows}
        doubled = sum(count - 1 for __, __, count in rows if count > 1)
        wanted = {(account, order) for account, ids in expected.items() for order in ids}
        lost = len(wanted - found)
        extra = len(found - wanted)
        ok = not lost and not doubled and not extra
        label = f"{workers} worker{'s' if workers > 1 else ''}"
        text = (
            f"every order once with {label}: {len(wanted & found)} of {len(wanted)} "
            f"({lost} lost, {doubled} doubled, {extra} not listed)"
        )
        if failed or retries:
            text += f"; the runs report {failed} failed orders"
            text += "".join(
                f"; {count} on the retry list: {' '.join((reason or '').split())}"
                for reason, count in retries
            )
        return {"check": (text, ok), "runs": runs, "jobs": jobs}

    @staticmethod
    def stop(server):
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # the group started with the server only
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        # workers still finishing after their parent left (prefork): the same group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
