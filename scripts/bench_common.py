"""What the benchmark's drivers share: databases, simulators in processes of their own, workers.

Plain Python (no Odoo): bench.py and bench_scaleout.py run in the driver's process, the
measurements in worker processes (bench_worker.py), the shops in simulator processes.
"""

import json
import os
import subprocess
import sys
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


def db_connect(name):
    """A psycopg2 connection to database ``name`` (autocommit), for polling and triggers."""
    import psycopg2

    connection = psycopg2.connect(
        host=os.environ["SMC_DB_HOST"],
        port=os.environ["SMC_DB_PORT"],
        user=os.environ["SMC_DB_USER"],
        password=os.environ["SMC_DB_PASSWORD"],
        dbname=name,
        application_name="smc-bench",
    )
    connection.autocommit = True
    return connection


def copy_db(template, name, data_dir):
    subprocess.run(
        ["dropdb", "--if-exists", name], env=psql_env(), check=True, stderr=subprocess.DEVNULL
    )
    subprocess.run(["createdb", "-T", template, name], env=psql_env(), check=True)
    src = os.path.join(data_dir, "filestore", template)
    if os.path.isdir(src):
        subprocess.run(["cp", "-a", src, os.path.join(data_dir, "filestore", name)], check=True)


def drop_db(name, data_dir):
    # --force: connections a stopped server's workers left are closed, not a reason to stay
    subprocess.run(
        ["dropdb", "--if-exists", "--force", name],
        env=psql_env(),
        check=False,
        stderr=subprocess.DEVNULL,
    )
    subprocess.run(["rm", "-rf", os.path.join(data_dir, "filestore", name)], check=False)


class Simulator:
    """A shop simulator in a process of its own, so that its orders weigh nothing here.

    ``latency_ms``: the shop answers each API request after this delay (``--latency-ms``);
    ``port`` 0 takes any free port."""

    def __init__(self, backend, orders, seed, *, lines=3, latency_ms=0, port=0):
        self.backend = backend
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulators",
                backend,
                "--orders",
                str(orders),
                "--seed",
                str(seed),
                "--lines",
                str(lines),
                "--latency-ms",
                str(latency_ms),
                "--port",
                str(port),
            ],
            cwd=MODULE_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.info = {}
        while "orders" not in self.info:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the {backend} simulator did not start")
            key, _, value = line.strip().partition("=")
            self.info[key] = value

    def _control(self, action, body=None):
        data = None if body is None else json.dumps(body).encode()
        url = f"{self.info['url']}/__sim/{action}"
        with urllib.request.urlopen(url, data=data, timeout=10) as answer:
            return json.load(answer)

    def requests(self):
        return self._control("stats")["requests"]

    def reset_requests(self):
        self._control("reset", {})

    def set_latency(self, ms):
        self._control("latency", {"ms": ms})

    def account_spec(self, name, **options):
        """What bench_worker.py needs to make an account of this shop."""
        return {
            "name": name,
            "backend": self.backend,
            "url": self.info["url"],
            "login": self.info["login"],
            "secret": self.info["secret"],
            **options,
        }

    def cpu_seconds(self):
        """CPU seconds the simulator's process has used (user and system, /proc), or None."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as file:
                # the fields after the command's name (which may hold spaces): utime, stime are
                # the 14th and 15th fields of the line
                fields = file.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def run_worker(conf, mode, db, accounts, extra=()):
    """bench_worker.py ``mode`` on database ``db`` with the accounts (``Simulator.account_spec``);
    returns the JSON of its last line."""
    command = [
        sys.executable,
        os.path.join(HERE, "bench_worker.py"),
        mode,
        "--conf",
        conf,
        "--db",
        db,
        "--accounts",
        json.dumps(accounts),
        *extra,
    ]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])
