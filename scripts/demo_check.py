"""Check the demo end to end, as a person would use it: start ``scripts/demo.sh``, read its
summary, open /web/health, log in as admin through JSON-RPC and compare the overview with the
summary, stop it with Ctrl-C (SIGINT) and check that none of its processes is left; then start it
a second time and check that nothing was imported twice.

    SMC_HTTP_PORT=8169 SMC_DEMO_DB=smc_demo_check python scripts/demo_check.py [--fresh]

``--fresh`` drops the demo database first (the first start then builds everything). Prints what
it checks; exits non-zero at the first thing that is wrong.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
BANNER = re.compile(r"^\s+Odoo:\s+(http://\S+)")
ACCOUNT = re.compile(r"^(\S.*?)  (http://\S+)$")
THIS_START = re.compile(r"this start:\s+(\d+) created, (\d+) updated, (\d+) skipped, (\d+) failed")
IN_ODOO = re.compile(r"in Odoo:\s+(\d+) quotations \((\d+) backlog\), (\d+) sales orders")


def say(text):
    print(f"demo_check: {text}", flush=True)


def fail(text):
    say(f"FAILED: {text}")
    sys.exit(1)


def start_demo(log_path):
    """The demo in a session of its own, as a terminal's foreground job is."""
    log = open(log_path, "w")  # noqa: SIM115 (kept open for the process)
    process = subprocess.Popen(
        [str(REPO / "scripts" / "demo.sh")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            fail(f"the demo ended before serving (see {log_path})")
        log.write(line)
        log.flush()
        lines.append(line.rstrip("\n"))
        match = BANNER.match(lines[-1])
        if match:
            return process, lines, match.group(1), log
    fail("the demo did not serve within 15 minutes")


def parse_summary(lines):
    accounts, current = {}, None
    for line in lines:
        match = ACCOUNT.match(line)
        if match and not line.startswith(" "):
            current = accounts.setdefault(match.group(1), {"url": match.group(2)})
            continue
        if current is None:
            continue
        if match := THIS_START.search(line):
            current["created"], current["updated"], current["skipped"], current["failed"] = map(
                int, match.groups()
            )
        elif match := IN_ODOO.search(line):
            current["quotations"], current["backlog"], current["orders"] = map(int, match.groups())
        elif "failing:" in line:
            current.setdefault("failing", []).append(line.split("failing:", 1)[1].strip())
    if len(accounts) != 3:
        fail(f"three accounts expected in the summary, got {sorted(accounts)}")
    return accounts


class Odoo:
    def __init__(self, url, db):
        self.url, self.session = url, requests.Session()
        health = self.session.get(f"{url}/web/health", timeout=10)
        if health.json().get("status") != "pass":
            fail(f"/web/health says {health.text}")
        answer = self.rpc("/web/session/authenticate", db=db, login="admin", password="admin")
        if not answer.get("uid"):
            fail("admin / admin cannot log in")

    def rpc(self, path, **params):
        answer = self.session.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            timeout=60,
        ).json()
        if "error" in answer:
            fail(f"{path}: {answer['error']['data']['message']}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            "/web/dataset/call_kw", model=model, method=method, args=list(args), kwargs=kwargs
        )

    def imported(self):
        """{(account name, shop order id): sale order id}."""
        rows = self.call(
            "sale.order",
            "search_read",
            [("marketplace_account_id", "!=", False)],
            fields=["marketplace_account_id", "marketplace_order_id"],
        )
        return {
            (row["marketplace_account_id"][1], row["marketplace_order_id"]): row["id"]
            for row in rows
        }


def demo_processes(process):
    """The demo script and every process it started (its session)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == process.pid:
                    found.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return found


def stop_with_ctrl_c(process, log):
    started = demo_processes(process)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does with Ctrl-C
    try:
        output, __ = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        fail("the demo did not stop within 90 s of Ctrl-C")
    log.write(output)
    log.close()
    time.sleep(1)
    left = [pid for pid in started if Path(f"/proc/{pid}").exists()]
    if left:
        fail(f"processes left after Ctrl-C: {left}")
    say(f"Ctrl-C stopped the demo and its {len(started) - 1} processes, none is left")


def check_start(name, db, fresh_counts=None):
    process, lines, url, log = start_demo(f"/tmp/demo_check_{db}_{name}.log")
    try:
        summary = parse_summary(lines)
        for account, numbers in summary.items():
            say(f"{name} start, {account}: {numbers}")
        odoo = Odoo(url, db)
        say(f"{url}/web/health passes, admin logs in")
        overview = {
            row["name"]: row
            for row in odoo.call(
                "marketplace.account",
                "search_read",
                [],
                fields=["name", "order_count", "backlog_count", "retry_count"],
            )
        }
        for account, numbers in summary.items():
            row = overview[account]
            in_summary = numbers["quotations"] + numbers["orders"]
            if row["order_count"] < in_summary or row["backlog_count"] < numbers["backlog"]:
                fail(f"{account}: the overview shows {row}, the summary {numbers}")
            if row["retry_count"] != len(numbers.get("failing", [])):
                fail(f"{account}: {row['retry_count']} orders to retry, summary lists {numbers}")
        imported = odoo.imported()
    except SystemExit:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=90)
        raise
    stop_with_ctrl_c(process, log)
    return summary, imported


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", action="store_true", help="drop the demo database first")
    args = parser.parse_args()
    db = os.environ.get("SMC_DEMO_DB", "smc_demo")
    if args.fresh:
        subprocess.run(
            [
                "bash",
                "-c",
                f'source "{REPO}/scripts/common.sh"; ensure_postgres; drop_db "$0"',
                db,
            ],
            check=True,
        )
        say(f"dropped {db}")
    first_summary, first = check_start("first", db)
    if args.fresh:
        total = sum(n["created"] for n in first_summary.values())
        if total < 40:
            fail(f"a first import of the showcase shops creates more than {total} orders")
    second_summary, second = check_start("second", db)
    lost = {key for key in first if key not in second}
    moved = {key for key in first if key in second and first[key] != second[key]}
    if lost or moved:
        fail(f"orders of the first start lost {sorted(lost)} or imported again {sorted(moved)}")
    created = sum(numbers["created"] for numbers in second_summary.values())
    new = len(second) - len(first)
    if created > new:
        fail(f"the second start says {created} created, Odoo has {new} new orders")
    say(
        f"second start: the {len(first)} orders of the first are the same records, "
        f"{created} new ones created (orders the shops made since), nothing imported twice"
    )
    say("OK")


if __name__ == "__main__":
    main()
