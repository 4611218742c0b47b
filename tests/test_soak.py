"""The short soak in the test command: ``scripts/soak.sh --short`` (README, "Soak") starts the three
simulated shops and a real Odoo server with its cron threads on a database of its own, lets the
shops have a bad day (faults in both directions, new orders and status changes, deliveries
validated) and counts, per shop, what was lost or doubled. Plain pytest: it runs the script as a
merchant's machine would, in a process of its own, and fails when the script does."""

import logging
import os
import subprocess
from pathlib import Path

_logger = logging.getLogger(__name__)

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "soak.sh"
# the set-up is cached; the soak itself takes about a minute
TIMEOUT = 900


def test_short_soak_loses_and_doubles_nothing():
    result = subprocess.run(
        [str(SCRIPT), "--short"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
        env=dict(os.environ),
        check=False,
    )
    _logger.info("The short soak:\n%s", result.stdout)  # its figures, in the test log
    report = result.stdout.strip().splitlines()
    assert result.returncode == 0, "\n".join(report[-60:])
    assert "SOAK PASSED" in result.stdout
