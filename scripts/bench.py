"""Benchmark driver: the connector's OTTO import against the bare Odoo ORM, in one run.

For N orders (three lines each, statuses mixed) served by the OTTO simulator in its own process:
  floor          a worker creates the same customers, orders and lines the import creates,
                 directly through the ORM, order by order (one create and one confirmation per
                 order; orders read from the simulator beforehand, outside the clock);
  batched floor  the same documents, per page one create per kind of record and one
                 confirmation: what Odoo itself can do, the floor the import is held to;
  import         a worker runs the connector's import (the scheduled path: a commit per page);
  again          the same worker imports once more with nothing new (HTTP requests counted);
  fallback       the import with one order in about 128 that cannot be written: its page falls
                 back to order by order (what that costs);
  payments       the import with payment entries (OTTO's default), for their cost;
  memory         a worker imports 5 x N orders: its peak memory against the N-order import's.
Each worker is a fresh process on a fresh copy of the database, so peak memory is its own.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE_DIR = os.path.dirname(HERE)


def psql_env():
    env = dict(os.environ)
    env.update(
        PGHOST=os.environ["SMC_DB_HOST"],
        PGPORT=os.environ["SMC_DB_PORT"],
        PGUSER=os.environ["SMC_DB_USER"],
        PGPASSWORD=os.environ["SMC_DB_PASSWORD"],
    )
    return env


def copy_db(template, name, data_dir):
    subprocess.run(
        ["dropdb", "--if-exists", name], env=psql_env(), check=True, stderr=subprocess.DEVNULL
    )
    subprocess.run(["createdb", "-T", template, name], env=psql_env(), check=True)
    src = os.path.join(data_dir, "filestore", template)
    if os.path.isdir(src):
        subprocess.run(["cp", "-a", src, os.path.join(data_dir, "filestore", name)], check=True)


def drop_db(name, data_dir):
    subprocess.run(
        ["dropdb", "--if-exists", name], env=psql_env(), check=False, stderr=subprocess.DEVNULL
    )
    subprocess.run(["rm", "-rf", os.path.join(data_dir, "filestore", name)], check=False)


class Simulator:
    """The OTTO simulator in a process of its own, so that its orders weigh nothing here."""

    def __init__(self, orders, seed):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulators",
                "otto",
                "--orders",
                str(orders),
                "--seed",
                str(seed),
                "--lines",
                "3",
            ],
            cwd=MODULE_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.info = {}
        while "orders" not in self.info:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the simulator did not start")
            key, _, value = line.strip().partition("=")
            self.info[key] = value

    def requests(self):
        with urllib.request.urlopen(self.info["url"] + "/__sim/stats", timeout=10) as answer:
            return json.load(answer)["requests"]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def run_worker(args, mode, db, sim):
    command = [
        sys.executable,
        os.path.join(HERE, "bench_worker.py"),
        mode,
        "--conf",
        args.conf,
        "--db",
        db,
        "--url",
        sim.info["url"],
        "--login",
        sim.info["login"],
        "--secret",
        sim.info["secret"],
    ]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(args, mode, orders):
    sim = Simulator(orders, args.seed)
    db = f"{args.template}_{mode}_{orders}"
    copy_db(args.template, db, args.data_dir)
    try:
        result = run_worker(args, mode, db, sim)
        result["sim_requests"] = sim.requests()
    finally:
        sim.stop()
        drop_db(db, args.data_dir)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--conf", required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--memory-orders", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = time.time()
    n = args.orders
    print(
        f"Benchmark: {n} OTTO orders, three lines each, statuses mixed (seed {args.seed})",
        flush=True,
    )
    floor = measure(args, "floor", n)
    batched = measure(args, "batched-floor", n)
    imported = measure(args, "import", n)
    fallback = measure(args, "import-fallback", n)
    paid = measure(args, "import-payments", n)
    big = measure(args, "import", args.memory_orders)
    page_size = 128

    def per_doc(r):
        return r["queries"] / max(r["documents"], 1)

    def row(name, r):
        speed = r["documents"] / r["seconds"]
        return (
            f"{name:<26} {r['documents']:>6} {r['seconds']:>8.1f} {speed:>9.1f} "
            f"{per_doc(r):>8.1f} {r.get('http_first', 0):>6} {r['peak_rss_mb']:>8.1f} "
            f"{r['peak_rss_mb'] - r['base_rss_mb']:>8.1f}"
        )

    print()
    header = ("", "docs", "seconds", "docs/s", "SQL/doc", "HTTP", "peak MB", "+MB")
    print(
        f"{header[0]:<26} "
        + " ".join(f"{h:>{w}}" for h, w in zip(header[1:], (6, 8, 9, 8, 6, 8, 8), strict=True))
    )
    print(row("floor, order by order", floor))
    print(row("floor, batched per page", batched))
    print(row(f"import {n}", imported))
    print(row(f"import {n}, failing orders", fallback))
    print(row(f"import {n}, payment entries", paid))
    print(row(f"import {args.memory_orders}", big))
    print()
    time_ratio = imported["seconds"] / batched["seconds"]
    sql_ratio = per_doc(imported) / per_doc(batched)
    http_budget = math.ceil(n / page_size) + 2
    memory_ratio = big["peak_rss_mb"] / imported["peak_rss_mb"]
    checks = [
        (
            f"import time / batched floor time = {time_ratio:.2f}",
            time_ratio <= 1.2,
            "<= 1.2",
        ),
        (
            f"SQL per document, import / batched floor = {sql_ratio:.2f}",
            sql_ratio <= 1.15,
            "<= 1.15",
        ),
        (
            f"HTTP requests, first import = {imported['http_first']}",
            imported["http_first"] <= http_budget,
            f"<= ceil({n}/{page_size}) + 2 = {http_budget}",
        ),
        (
            f"HTTP requests, nothing new = {imported['http_again']}",
            imported["http_again"] <= 2,
            "<= 2",
        ),
        (
            f"peak memory {args.memory_orders} / {n} orders = {memory_ratio:.2f}",
            memory_ratio <= 1.2,
            "<= 1.2",
        ),
    ]
    for text, ok, target in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}  (target {target})")
    print(
        f"\n  info  import time / order-by-order floor time = "
        f"{imported['seconds'] / floor['seconds']:.2f}; batched floor / order-by-order floor = "
        f"{batched['seconds'] / floor['seconds']:.2f}"
    )
    print(
        f"  info  failing orders: {fallback['failed']} orders failed, {fallback['fallback_pages']} "
        f"of {fallback['fallback_pages'] + fallback['batched_pages']} pages fell back to order by "
        f"order; the import took {fallback['seconds'] / imported['seconds']:.2f} x as long"
    )
    print(
        f"  info  payment entries: {paid['seconds'] / imported['seconds']:.2f} x the import time, "
        f"{per_doc(paid):.1f} SQL per document"
    )
    print(
        f"\n({imported['documents']} of {n} orders become documents; the others are in statuses "
        f"the default mapping does not import. Benchmark took {time.time() - started:.0f} s.)"
    )
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
