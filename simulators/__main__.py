"""Run one simulator in the foreground until Ctrl-C.

    python -m simulators {otto,prestashop,cscart} [--port 8701] [--orders 50] [--seed 7]
        [--host 127.0.0.1] [--fault KIND:PATH:TIMES ...] [--rate-limit-every N] [--lines N]
        [--legacy] [--storefronts N] [--shops N] [--timezone Europe/Paris]
        [--login L] [--secret S] [--showcase] [--live SECONDS] [--state FILE]
        [--latency-ms MS] [--fault-rate SHARE]

On start it prints one ``key=value`` line each: ``backend``, ``url``, ``login`` (empty for
PrestaShop), ``secret``, ``orders``; then one line per write it receives (status changes,
shipments, tracking numbers) and, with ``--live``, per change it makes itself.
``--fault rate_limit:/v4/orders:2`` queues a fault (PATH may be empty for any path, TIMES
defaults to 1); more knobs through the control endpoints (``POST /__sim/inject`` with
``{"kind", "path", "times", "retry_after", "status", "seconds", "applied", "method", "text"}``,
see ``faults.py``). ``--latency-ms 150`` answers every API request after 150 ms, as a real shop
does (concurrent requests overlap); ``POST /__sim/latency`` ``{"ms": 150}`` changes it.
``--fault-rate 0.05`` makes 5 % of the requests fail at random, as on the
soak's bad day (``faults.bad_day_menu``).

The demo's options: ``--showcase`` adds the hand-picked orders of ``demo.py``; ``--live 60``
makes the shop live: its clock follows the real time and every 60 seconds a few orders arrive
or change; ``--state FILE`` keeps the shop's data in FILE (read at start when it exists, then
``--orders``, ``--seed`` and ``--showcase`` do not apply; written after each change and at the
end), so that a restarted simulator answers with the same orders.
"""

import argparse
import os
import signal
import sys
import threading
import time
from datetime import datetime, timezone

from . import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from .demo import describe_write, live_tick, showcase
from .faults import FAULT_KINDS

SIMULATORS = {"otto": OttoSimulator, "prestashop": PrestaShopSimulator, "cscart": CsCartSimulator}


def parse_fault(text):
    kind, _, rest = text.partition(":")
    path, _, times = rest.rpartition(":") if rest.count(":") else (rest, "", "")
    if kind not in FAULT_KINDS:
        raise argparse.ArgumentTypeError(f"unknown fault kind {kind!r} ({', '.join(FAULT_KINDS)})")
    try:
        count = int(times or 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"TIMES must be a number in {text!r}") from None
    return kind, path or None, count


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m simulators", description=__doc__.split("\n")[0]
    )
    parser.add_argument("backend", choices=sorted(SIMULATORS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--orders", type=int, default=50, help="random orders to start with")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--fault", action="append", type=parse_fault, default=[], metavar="KIND:PATH:TIMES"
    )
    parser.add_argument("--rate-limit-every", type=int, default=None, metavar="N")
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0,
        metavar="SHARE",
        help="this share of the requests fail at random (faults.bad_day_menu)",
    )
    parser.add_argument(
        "--lines", type=int, default=None, metavar="N", help="products per order (default 1-4)"
    )
    parser.add_argument(
        "--legacy", action="store_true", help="CS-Cart: an old version without updated_at"
    )
    parser.add_argument("--storefronts", type=int, default=1, help="CS-Cart storefronts")
    parser.add_argument("--shops", type=int, default=1, help="PrestaShop multistore shops")
    parser.add_argument("--timezone", default="Europe/Paris", help="PrestaShop shop time zone")
    parser.add_argument("--login", default=None, help="API login (default: made from the seed)")
    parser.add_argument("--secret", default=None, help="API secret (default: made from the seed)")
    parser.add_argument("--showcase", action="store_true", help="add the demo's chosen orders")
    parser.add_argument(
        "--live",
        type=float,
        default=0,
        metavar="SECONDS",
        help="follow the real time; new orders and changes every SECONDS",
    )
    parser.add_argument("--state", default=None, metavar="FILE", help="keep the shop's data here")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0,
        metavar="MS",
        help="answer every API request after MS milliseconds, as a real shop (default 0)",
    )
    return parser


def build_simulator(args):
    """The simulator the arguments describe, restored from ``--state`` when the file exists."""
    options = {
        "host": args.host,
        "port": args.port,
        "rate_limit_every": args.rate_limit_every,
        "lines": args.lines,
        "login": args.login,
        "secret": args.secret,
        "latency_ms": args.latency_ms,
    }
    if args.backend == "cscart":
        options.update(legacy=args.legacy, storefronts=args.storefronts)
    elif args.backend == "prestashop":
        options.update(shops=args.shops, timezone=args.timezone)
    if args.state and os.path.exists(args.state):
        try:
            return SIMULATORS[args.backend](seed=args.seed, orders=0, **options).load_state(
                args.state
            )
        except (ValueError, UnicodeDecodeError) as exc:
            raise SystemExit(
                f"{args.state} cannot be read ({exc}); delete it to start the shop afresh"
            ) from None
    sim = SIMULATORS[args.backend](seed=args.seed, orders=args.orders, **options)
    if args.showcase:
        showcase(sim)
    return sim


def follow_real_time(sim):
    """Move the simulator's clock up to now (never back)."""
    behind = (datetime.now(timezone.utc) - sim.clock).total_seconds()
    if behind > 0:
        sim.advance(behind)


def say(backend, text):
    sys.stdout.write(f"[{backend} {time.strftime('%H:%M:%S')}] {text}\n")
    sys.stdout.flush()


def main(argv=None):
    args = build_parser().parse_args(argv)
    sim = build_simulator(args)
    for kind, path, times in args.fault:
        sim.inject(kind, path, times)
    sim.random_faults(args.fault_rate, seed=args.seed)
    changed = threading.Event()

    def on_write(record):
        say(args.backend, "received " + describe_write(record))
        changed.set()

    sim.on_write = on_write
    if args.live:
        follow_real_time(sim)
    sim.start()
    lines = {
        "backend": args.backend,
        "url": sim.url,
        "login": sim.login or "",
        "secret": sim.secret,
        "orders": len(sim.orders),
    }
    sys.stdout.write("".join(f"{key}={value}\n" for key, value in lines.items()))
    sys.stdout.flush()
    stop = threading.Event()
    # Ctrl-C and kill end the loop: the shop's state is saved, nothing is cut halfway
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    next_tick = time.monotonic() + args.live
    try:
        if args.state:
            sim.save_state(args.state)
        while not stop.wait(0.5):
            if args.live:
                follow_real_time(sim)
                if time.monotonic() >= next_tick:
                    next_tick += args.live
                    for event in live_tick(sim):
                        say(args.backend, event)
                    changed.set()
            if args.state and changed.is_set():
                changed.clear()
                sim.save_state(args.state)
    finally:
        sim.stop()
        if args.state:
            sim.save_state(args.state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
