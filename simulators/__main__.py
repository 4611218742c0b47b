"""Run one simulator in the foreground until Ctrl-C.

    python -m simulators {otto,prestashop,cscart} [--port 8701] [--orders 50] [--seed 7]
        [--host 127.0.0.1] [--fault KIND:PATH:TIMES ...] [--rate-limit-every N] [--lines N]
        [--legacy] [--storefronts N] [--shops N] [--timezone Europe/Paris]

On start it prints one ``key=value`` line each: ``backend``, ``url``, ``login`` (empty for
PrestaShop), ``secret``, ``orders``. ``--fault rate_limit:/v4/orders:2`` queues a fault (PATH
may be empty for any path, TIMES defaults to 1); more knobs through the control endpoints
(``POST /__sim/inject`` with ``{"kind", "path", "times", "retry_after", "status", "seconds"}``).
"""

import argparse
import contextlib
import signal
import sys
import threading

from . import CsCartSimulator, OttoSimulator, PrestaShopSimulator
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
        "--lines", type=int, default=None, metavar="N", help="products per order (default 1-4)"
    )
    parser.add_argument(
        "--legacy", action="store_true", help="CS-Cart: an old version without updated_at"
    )
    parser.add_argument("--storefronts", type=int, default=1, help="CS-Cart storefronts")
    parser.add_argument("--shops", type=int, default=1, help="PrestaShop multistore shops")
    parser.add_argument("--timezone", default="Europe/Paris", help="PrestaShop shop time zone")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    options = {
        "host": args.host,
        "port": args.port,
        "rate_limit_every": args.rate_limit_every,
        "lines": args.lines,
    }
    if args.backend == "cscart":
        options.update(legacy=args.legacy, storefronts=args.storefronts)
    elif args.backend == "prestashop":
        options.update(shops=args.shops, timezone=args.timezone)
    sim = SIMULATORS[args.backend](seed=args.seed, orders=args.orders, **options)
    for kind, path, times in args.fault:
        sim.inject(kind, path, times)
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
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with contextlib.suppress(KeyboardInterrupt):
            while not stop.wait(0.5):
                continue
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
