"""The soak: a long bad day of the three shops, and a count of what was lost or doubled.

    scripts/soak.sh [--short] [--orders 1000] [--seconds 420] [--fault-rate 0.07] [--seed 2026]

The three simulators (OTTO Market, PrestaShop, CS-Cart) start with ``--orders`` orders each;
Odoo serves the demo's database (German company, carriers, products, one account per shop) with
two cron threads, and its scheduled actions (import, send updates) are kept coming: whenever one
is idle its next call is set to now. For ``--seconds`` the shops get new orders and status
changes every ``--tick`` seconds, a warehouse user validates the deliveries of paid orders
(carrier, tracking number) through JSON-RPC, and ``--fault-rate`` of the requests to the shops
fail (``simulators.faults.bad_day_menu``: 429 with Retry-After, 500/502/503, answers later than
the accounts' timeout, connections cut before and after the shop carried a write out, 2xx with
trailing output). Then the faults and the shops' changes stop and the scheduled actions run until
quiet (nothing left to send, every order in Odoo in its shop status, two clean import runs per
account; at most ``--quiet-bound`` seconds; updates waiting for a later try are brought forward,
as time would). Prints per shop what soak_report.py counts; exits 1 when anything was lost or
doubled or it did not get quiet, 2 when the soak itself broke.
"""

import argparse
import os
import socket
import sys
import threading
import time
import traceback
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the add-on's folder: its simulators, without Odoo

from soak_odoo import (  # noqa: E402
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    WAREHOUSE_LOGIN,
    WAREHOUSE_PASSWORD,
    OdooServer,
    Rpc,
    RpcError,
    Schedule,
    Warehouse,
    prepare_database,
    utc_now_text,
)
from soak_report import compare, failed, odoo_records, shop_block, shop_records  # noqa: E402

from simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator  # noqa: E402
from simulators.demo import live_tick  # noqa: E402
from simulators.faults import bad_day_menu  # noqa: E402

BACKENDS = (
    ("otto", OttoSimulator),
    ("prestashop", PrestaShopSimulator),
    ("cscart", CsCartSimulator),
)
# the test command's: fewer orders at start, so that most of the work happens in the bad day
SHORT = {
    "orders": 40,
    "seconds": 35,
    "tick": 0.5,
    "fault_rate": 0.15,
    "ship_pause": 0.2,
    "quiet_bound": 90,
    "report_every": 10,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-bin", required=True)
    parser.add_argument("--port", type=int, default=0, help="Odoo's HTTP port (0: a free one)")
    parser.add_argument("--log-dir", required=True)
    parser.add_argument(
        "--short", action="store_true", help="the test command's soak: " + str(SHORT)
    )
    parser.add_argument("--orders", type=int, default=1000, help="orders of each shop at start")
    parser.add_argument("--seconds", type=float, default=420, help="how long the bad day lasts")
    parser.add_argument("--tick", type=float, default=2.0, help="seconds between shop changes")
    parser.add_argument("--fault-rate", type=float, default=0.07, help="share of requests failing")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=int, default=3, help="the accounts' request timeout")
    parser.add_argument("--pace", type=float, default=3.0, help="seconds between cron nudges")
    parser.add_argument(
        "--ship-pause", type=float, default=1.0, help="seconds between two deliveries validated"
    )
    parser.add_argument("--quiet-bound", type=float, default=420)
    parser.add_argument(
        "--cron-budget",
        type=float,
        default=None,
        help="seconds one execution of the scheduled import may take (system parameter "
        "sale_marketplace_connector.cron_time_budget; default: 80 %% of the server's limit)",
    )
    parser.add_argument("--report-every", type=float, default=60)
    args = parser.parse_args()
    if args.short:
        for name, value in SHORT.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
    return args


def say(text):
    print(f"[soak {time.strftime('%H:%M:%S')}] {text}", flush=True)


def free_port():
    """A port nothing listens on (the shops take theirs the same way)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Loop(threading.Thread):
    """``step()`` every ``every`` seconds until stopped; an exception ends the soak."""

    def __init__(self, name, every, step):
        super().__init__(name=name, daemon=True)
        self.every, self.step = every, step
        self.halt = threading.Event()
        self.error = None

    def run(self):
        try:
            while not self.halt.is_set():
                self.step()
                self.halt.wait(self.every)
        except Exception:
            self.error = traceback.format_exc()

    def stop(self):
        self.halt.set()
        self.join(timeout=600)


class ShopLife:
    """The shops' clocks follow the real time; every tick each shop gets new orders and changes
    (``simulators.demo.live_tick``)."""

    def __init__(self, sims, tick):
        self.sims, self.tick = sims, tick
        self.next_tick = time.monotonic() + tick
        self.events = {sim.backend: {"new orders": 0, "changes": 0} for sim in sims}

    def step(self):
        for sim in self.sims:
            behind = (datetime.now(timezone.utc) - sim.clock).total_seconds()
            if behind > 0:
                sim.advance(behind)
        if time.monotonic() < self.next_tick:
            return
        self.next_tick += self.tick
        for sim in self.sims:
            for event in live_tick(sim):
                kind = "new orders" if event.startswith("new order") else "changes"
                self.events[sim.backend][kind] += 1


class Soak:
    def __init__(self, args):
        self.args = args
        self.started = time.monotonic()
        self.phases = {}
        self.sims = []
        self.server = None
        self.loops = []
        self.bad_day_requests = {}  # requests each shop got while faults were injected

    def run(self):
        args = self.args
        for position, (_backend, cls) in enumerate(BACKENDS):
            sim = cls(seed=args.seed + position, orders=args.orders).start()
            self.sims.append(sim)
        say(f"shops started: {', '.join(f'{s.backend} {s.url}' for s in self.sims)}")
        self.accounts = prepare_database(
            args.conf, args.db, {s.backend: s for s in self.sims}, args.timeout, args.cron_budget
        )
        log_path = os.path.join(args.log_dir, "odoo.log")
        if not args.port:
            args.port = free_port()
        self.server = OdooServer(
            sys.executable, args.odoo_bin, args.conf, args.db, args.port, log_path
        )
        self.server.wait_ready()
        url = self.server.url
        self.admin = Rpc(url, args.db, ADMIN_LOGIN, ADMIN_PASSWORD)
        self.schedule = Schedule(Rpc(url, args.db, ADMIN_LOGIN, ADMIN_PASSWORD))
        self.warehouse = Warehouse(
            Rpc(url, args.db, ADMIN_LOGIN, ADMIN_PASSWORD),
            Rpc(url, args.db, WAREHOUSE_LOGIN, WAREHOUSE_PASSWORD),
            self.accounts,
            args.seed,
        )
        self.phases["set-up"] = time.monotonic() - self.started
        say(f"Odoo serves {args.db} on {url} (log {log_path}); the bad day begins")
        self.bad_day()
        self.quiet()
        return self.report()

    # --- the bad day -----------------------------------------------------------------------------
    def bad_day(self):
        args = self.args
        begun = time.monotonic()
        menu = bad_day_menu(slow_seconds=args.timeout + 1)
        for position, sim in enumerate(self.sims):
            sim.random_faults(args.fault_rate, menu, seed=args.seed * 10 + position)
        self.life = ShopLife(self.sims, args.tick)
        life = Loop("shops", 0.2, self.life.step)
        pace = Loop("schedule", args.pace, self.schedule.nudge)
        warehouse = Loop("warehouse", 1.0, self.ship)
        self.loops = [life, pace, warehouse]
        for loop in self.loops:
            loop.start()
        next_report = begun + args.report_every
        while time.monotonic() - begun < args.seconds:
            self.check_loops()
            time.sleep(0.5)
            if time.monotonic() >= next_report:
                next_report += args.report_every
                self.progress(begun)
        life.stop()
        warehouse.stop()
        for sim in self.sims:
            sim.random_faults(0)
            sim.clear_faults()
            self.bad_day_requests[sim.backend] = sim.request_count()
        self.phases["bad day"] = time.monotonic() - begun
        say("the faults and the shops' changes stop; the scheduled actions go on until quiet")

    def ship(self):
        for picking in self.warehouse.ready(limit=10):
            self.warehouse.validate(picking)
            if self.loops[2].halt.wait(self.args.ship_pause):
                return

    def check_loops(self):
        for loop in self.loops:
            if loop.error:
                raise RuntimeError(f"the {loop.name} loop broke:\n{loop.error}")

    def progress(self, begun):
        orders = sum(len(sim.orders) for sim in self.sims)
        sales = self.admin.call(
            "sale.order", "search_count", [("marketplace_account_id", "!=", False)]
        )
        to_send = self.admin.call("marketplace.export", "search_count", [("state", "=", "to_send")])
        faults = sum(1 for sim in self.sims for r in list(sim.requests) if "fault" in r)
        say(
            f"{time.monotonic() - begun:.0f} s: {orders} orders on the shops, {sales} in Odoo, "
            f"{len(self.warehouse.validated)} deliveries validated, {to_send} updates to send, "
            f"{faults} faults, {self.schedule.nudges} cron nudges"
        )

    # --- quiet ----------------------------------------------------------------------------------
    def quiet(self):
        args = self.args
        begun = time.monotonic()
        since = utc_now_text()
        self.brought_forward = 0
        self.quiet_reason = "not checked"
        while True:
            self.check_loops()
            self.quiet_reason = self.not_quiet(since)
            if self.quiet_reason is None:
                break
            if time.monotonic() - begun > args.quiet_bound:
                say(f"not quiet after {args.quiet_bound:.0f} s: {self.quiet_reason}")
                break
            time.sleep(3)
        for loop in self.loops:
            loop.stop()
        self.phases["quiet"] = time.monotonic() - begun

    def not_quiet(self, since):
        """None when nothing is left to do, else what is."""
        now = utc_now_text()
        pending = self.admin.read_all(
            "marketplace.export", [("state", "=", "to_send")], ["next_attempt_at"]
        )
        later = [e["id"] for e in pending if e["next_attempt_at"] and e["next_attempt_at"] > now]
        if later:  # the later and later tries, brought forward as time would
            try:
                self.admin.call("marketplace.export", "write", later, {"next_attempt_at": now})
                self.brought_forward += len(later)
            except RpcError:
                pass  # being sent
        if pending:
            return f"{len(pending)} updates to send"
        runs = self.admin.read_all(
            "marketplace.run", [("started_at", ">=", since)], ["account_id", "trigger", "state"]
        )
        if any(run["state"] == "running" for run in runs):
            return "a run is running"
        for backend, account_id in self.accounts.items():
            clean = [
                r
                for r in runs
                if r["account_id"][0] == account_id
                and r["trigger"] == "cron"
                and r["state"] == "done"
            ]
            if len(clean) < 2:
                return f"{backend}: {len(clean)} clean import runs since the faults stopped"
        odoo = odoo_records(self.admin, self.accounts)
        for sim in self.sims:
            __, problems = compare(sim.backend, shop_records(sim), odoo[sim.backend], [])
            for name in ("lost", "status behind", "failing"):
                if problems[name]:
                    return f"{sim.backend}: {len(problems[name])} {name}"
        return None

    # --- the count ------------------------------------------------------------------------------
    def report(self):
        args = self.args
        odoo = odoo_records(self.admin, self.accounts)
        validated = self.warehouse.validated
        total_failures = 0
        lines = [
            "",
            f"Soak: three shops, {args.orders} orders each at start, {args.seconds:.0f} s of new "
            f"orders and status changes (every {args.tick:g} s) while the scheduled actions run, "
            f"{args.fault_rate:.0%} of the requests failing (seed {args.seed})"
            + (
                f", the scheduled import's budget {args.cron_budget:g} s"
                if args.cron_budget
                else ""
            ),
            "",
        ]
        for sim in self.sims:
            shop = shop_records(sim)
            figures, problems = compare(sim.backend, shop, odoo[sim.backend], validated)
            total_failures += failed(problems)
            shop["bad day requests"] = self.bad_day_requests.get(sim.backend, 0)
            lines += shop_block(sim.backend, shop, odoo[sim.backend], figures, problems)
            events = self.life.events[sim.backend]
            lines.append(
                f"  the shop's day: {events['new orders']} new orders, {events['changes']} status "
                "changes during the soak"
            )
            lines.append("")
        refused = self.warehouse.refused
        lines.append(
            f"Deliveries validated: {len(validated)} ({len(refused)} refused by Odoo, the order "
            f"having moved meanwhile); cron nudges: {self.schedule.nudges}; updates brought "
            f"forward in the quiet phase: {self.brought_forward}"
        )
        for name, text in refused[:5]:
            lines.append(f"    not validated: {name}: {text}")
        wall = time.monotonic() - self.started
        phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.phases.items())
        restarts = self.server.restarts()
        if restarts:
            lines.append(
                f"Odoo restarted itself {restarts} times: a thread passed the server's real-time "
                f"limit (the threads' stacks are in {self.server.log_path})"
            )
        lines.append(f"Wall time: {wall:.0f} s ({phases})")
        quiet = self.quiet_reason is None
        if not quiet:
            lines.append(f"Not quiet at the end: {self.quiet_reason}")
        ok = quiet and not total_failures
        lines.append(
            "SOAK PASSED: nothing lost, nothing doubled"
            if ok
            else f"SOAK FAILED: {total_failures} things lost, doubled or wrong"
            + ("" if quiet else ", and it did not get quiet")
        )
        print("\n".join(lines), flush=True)
        return 0 if ok else 1

    def close(self):
        for loop in self.loops:
            loop.halt.set()
        if self.server:
            self.server.stop()
        for sim in self.sims:
            sim.stop()


def main():
    soak = Soak(parse_args())
    try:
        status = soak.run()
    except Exception:
        traceback.print_exc()
        log = soak.server.log_path if soak.server else None
        if log and os.path.exists(log):
            with open(log) as file:
                tail = file.readlines()[-40:]
            print(f"--- the end of {log} ---\n" + "".join(tail), file=sys.stderr)
        status = 2
    finally:
        soak.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
