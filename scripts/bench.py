"""Benchmark driver: the connector's imports against the bare Odoo ORM, in one run.

Rows (``--rows``, default all):

import    for N orders (three lines each, statuses mixed) served by the OTTO simulator in its
          own process:
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
payments  the import with payment entries against the payments floor: the batched floor plus the
          same payment entries, per page one create of the transactions, one of the payments,
          one posting (floor_payments.py).
latency   one CS-Cart account (an HTTP request per order read) imported from a shop answering in
          150 ms against the same shop answering at once.
scaleout  8 accounts on 3 backends, shops at 150 ms, imported by a real odoo-bin server through
          its scheduled action with 4 workers against 1, every order once (bench_scaleout.py);
          with Odoo's cron workers, and with queue_job when the bridge module is there.
Each worker is a fresh process on a fresh copy of the database, so peak memory is its own.
"""

import argparse
import math
import os
import sys
import time

from bench_common import Simulator, copy_db, drop_db, run_worker

ROWS = ("import", "payments", "latency", "scaleout")
PAGE_SIZE = 128
LATENCY_MS = 150
TARGETS = {"latency": 1.5, "payments": 1.2, "scaleout": 0.35}


class Bench:
    def __init__(self, args):
        self.args = args
        self.measured = {}  # a measurement asked by two rows is made once

    def measure(self, mode, orders, backend="otto", latency_ms=0):
        key = (mode, orders, backend, latency_ms)
        if key not in self.measured:
            self.measured[key] = self._measure(mode, orders, backend, latency_ms)
        return self.measured[key]

    def _measure(self, mode, orders, backend, latency_ms):
        args = self.args
        sim = Simulator(backend, orders, args.seed, lines=3, latency_ms=latency_ms)
        db = f"{args.template}_{mode}_{backend}_{orders}"
        copy_db(args.template, db, args.data_dir)
        account = sim.account_spec(
            f"{backend} bench", payment_create=mode in ("import-payments", "payments-floor")
        )
        try:
            result = run_worker(args.conf, mode, db, [account])
            result["sim_requests"] = sim.requests()
        finally:
            sim.stop()
            drop_db(db, args.data_dir)
        return result


def per_doc(result):
    return result["queries"] / max(result["documents"], 1)


def table_row(name, r):
    speed = r["documents"] / r["seconds"]
    return (
        f"{name:<34} {r['documents']:>6} {r['seconds']:>8.1f} {speed:>9.1f} "
        f"{per_doc(r):>8.1f} {r.get('http_first', 0):>6} {r['peak_rss_mb']:>8.1f} "
        f"{r['peak_rss_mb'] - r['base_rss_mb']:>8.1f}"
    )


def print_table(rows):
    header = ("", "docs", "seconds", "docs/s", "SQL/doc", "HTTP", "peak MB", "+MB")
    widths = (6, 8, 9, 8, 6, 8, 8)
    print()
    print(
        f"{header[0]:<34} " + " ".join(f"{h:>{w}}" for h, w in zip(header[1:], widths, strict=True))
    )
    for name, result in rows:
        print(table_row(name, result))
    print()


def ratio_check(label, value, target):
    return (f"{label} = {value:.2f}", value <= target, f"<= {target}")


def import_rows(bench, n, memory_n, rows, checks, infos):
    floor = bench.measure("floor", n)
    batched = bench.measure("batched-floor", n)
    imported = bench.measure("import", n)
    fallback = bench.measure("import-fallback", n)
    paid = bench.measure("import-payments", n)
    big = bench.measure("import", memory_n)
    rows += [
        ("floor, order by order", floor),
        ("floor, batched per page", batched),
        (f"import {n}", imported),
        (f"import {n}, failing orders", fallback),
        (f"import {n}, payment entries", paid),
        (f"import {memory_n}", big),
    ]
    time_ratio = imported["seconds"] / batched["seconds"]
    sql_ratio = per_doc(imported) / per_doc(batched)
    http_budget = math.ceil(n / PAGE_SIZE) + 2
    memory_ratio = big["peak_rss_mb"] / imported["peak_rss_mb"]
    checks += [
        ratio_check("import time / batched floor time", time_ratio, 1.2),
        ratio_check("SQL per document, import / batched floor", sql_ratio, 1.15),
        (
            f"HTTP requests, first import = {imported['http_first']}",
            imported["http_first"] <= http_budget,
            f"<= ceil({n}/{PAGE_SIZE}) + 2 = {http_budget}",
        ),
        (
            f"HTTP requests, nothing new = {imported['http_again']}",
            imported["http_again"] <= 2,
            "<= 2",
        ),
        ratio_check(f"peak memory {memory_n} / {n} orders", memory_ratio, 1.2),
    ]
    infos += [
        f"import time / order-by-order floor time = "
        f"{imported['seconds'] / floor['seconds']:.2f}; batched floor / order-by-order floor = "
        f"{batched['seconds'] / floor['seconds']:.2f}",
        f"failing orders: {fallback['failed']} orders failed, {fallback['fallback_pages']} "
        f"of {fallback['fallback_pages'] + fallback['batched_pages']} pages fell back to order by "
        f"order; the import took {fallback['seconds'] / imported['seconds']:.2f} x as long",
        f"payment entries: {paid['seconds'] / imported['seconds']:.2f} x the import time, "
        f"{per_doc(paid):.1f} SQL per document",
    ]
    return imported


def payments_rows(bench, n, rows, checks, infos):
    paid = bench.measure("import-payments", n)
    floor = bench.measure("payments-floor", n)
    if not any(name == f"import {n}, payment entries" for name, __ in rows):
        rows.append((f"import {n}, payment entries", paid))
    rows.append(("floor, batched + payment entries", floor))
    checks.append(
        ratio_check(
            "payments: import with payment entries / payments floor",
            paid["seconds"] / floor["seconds"],
            TARGETS["payments"],
        )
    )
    same = (paid["payments"], paid["payments_total"]) == (
        floor["payments"],
        floor["payments_total"],
    )
    infos.append(
        f"payments: the import made {paid['payments']} entries ({paid['payments_total']:.2f}), "
        f"the floor {floor['payments']} ({floor['payments_total']:.2f})"
        + ("" if same else "  << THEY DIFFER: the floor does not make the import's entries")
        + f"; SQL per document {per_doc(paid):.1f} against {per_doc(floor):.1f}"
    )


def latency_rows(bench, n, rows, checks, infos):
    at_once = bench.measure("import", n, "cscart", 0)
    late = bench.measure("import", n, "cscart", LATENCY_MS)
    rows += [
        (f"import {n} CS-Cart, shop at 0 ms", at_once),
        (f"import {n} CS-Cart, shop at {LATENCY_MS} ms", late),
    ]
    checks.append(
        ratio_check(
            f"latency: import at {LATENCY_MS} ms / at 0 ms",
            late["seconds"] / at_once["seconds"],
            TARGETS["latency"],
        )
    )
    infos.append(
        f"latency: {late['http_first']} HTTP requests for {n} CS-Cart orders; waiting on the "
        f"shop alone would take {late['http_first'] * LATENCY_MS / 1000:.1f} s one after the other"
    )


def scaleout_rows(args, n, checks, infos):
    from bench_scaleout import BACKENDS, ScaleOut

    print(
        f"Scale-out: {len(BACKENDS)} accounts ({', '.join(sorted(set(BACKENDS)))}), {n} orders "
        f"each, shops at {LATENCY_MS} ms, a real odoo-bin server with 1 and with 4 workers",
        flush=True,
    )
    results = ScaleOut(args, n).run()
    skipped = []
    for variant, result in results.items():
        name = "scale-out" if variant == "cron" else f"scale-out with {variant}"
        if "skipped" in result:
            skipped.append(f"{name}: {result['skipped']}")
            continue
        if "error" in result:
            checks.append((f"{name}: could not be measured: {result['error']}", False, ""))
            continue
        one, four = result["seconds"][1], result["seconds"][4]
        if one is None or four is None:
            checks.append((f"{name}: an import did not finish (see the orders below)", False, ""))
        else:
            checks.append(
                ratio_check(
                    f"{name}: wall time with 4 workers / with 1", four / one, TARGETS["scaleout"]
                )
            )
        checks += [(f"{name}: {text}", ok, "") for text, ok in result["checks"]]
        infos += [f"{name}: {line}" for line in result["info"]]
    return skipped


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--conf", required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument(
        "--orders",
        type=int,
        default=None,
        help="orders per measurement (default 1000 for the import and payments rows, 500 per "
        "account for the latency and scale-out rows)",
    )
    parser.add_argument("--memory-orders", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--rows", default=",".join(ROWS), help=f"comma-separated, of {', '.join(ROWS)}"
    )
    parser.add_argument("--odoo-bin", help="the scale-out row's server (odoo-bin of ODOO_SRC)")
    parser.add_argument(
        "--http-port",
        type=int,
        default=int(os.environ.get("SMC_HTTP_PORT", 8069)),
        help="the scale-out server's HTTP port (the next one is its gevent port)",
    )
    parser.add_argument(
        "--extra-addons",
        action="append",
        default=[],
        metavar="DIR",
        help="an addons folder where the scale-out row looks for the queue_job bridge and "
        "queue_job (repeatable)",
    )
    parser.add_argument("--server-time-limit", type=int, default=3600)
    parser.add_argument(
        "--server-log-level",
        default="warn",
        help="the scale-out server's log level (its log file is in /tmp/smc-bench-scaleout-*)",
    )
    parser.add_argument(
        "--stall-seconds",
        type=int,
        default=300,
        help="the scale-out row gives up on an import without a new order for this long",
    )
    args = parser.parse_args()
    rows_wanted = [row.strip() for row in args.rows.split(",") if row.strip()]
    unknown = set(rows_wanted) - set(ROWS)
    if unknown:
        parser.error(f"unknown rows {', '.join(sorted(unknown))}; known: {', '.join(ROWS)}")
    if "scaleout" in rows_wanted and not args.odoo_bin:
        parser.error("the scale-out row needs --odoo-bin")
    started = time.time()
    n = args.orders or 1000
    n_accounts = args.orders or 500
    bench = Bench(args)
    rows, checks, infos, skipped = [], [], [], []
    imported = None
    print(
        f"Benchmark: rows {', '.join(rows_wanted)}; three lines per order, statuses mixed "
        f"(seed {args.seed})",
        flush=True,
    )
    if "import" in rows_wanted:
        imported = import_rows(bench, n, args.memory_orders, rows, checks, infos)
    if "payments" in rows_wanted:
        payments_rows(bench, n, rows, checks, infos)
    if "latency" in rows_wanted:
        latency_rows(bench, n_accounts, rows, checks, infos)
    if rows:
        print_table(rows)
    if "scaleout" in rows_wanted:
        skipped = scaleout_rows(args, n_accounts, checks, infos)
        print()
    for text, ok, target in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}" + (f"  (target {target})" if target else ""))
    for text in skipped:
        print(f"  skip  {text}")
    print()
    for text in infos:
        print(f"  info  {text}")
    if imported is not None:
        print(
            f"\n({imported['documents']} of {n} orders become documents; the others are in "
            f"statuses the default mapping does not import.)"
        )
    print(f"(Benchmark took {time.time() - started:.0f} s.)")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
