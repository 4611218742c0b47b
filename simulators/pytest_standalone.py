"""A pytest plugin to run ``tests/test_simulators.py`` without Odoo and without a database:

    python -m pytest -q -p no:odoo -p simulators.pytest_standalone tests/test_simulators.py

The repository root is an Odoo add-on, so pytest imports the test module as
``<folder>.tests.test_simulators`` and first runs the add-on's ``__init__.py``, which needs the
Odoo registry. This plugin registers the add-on package and its ``tests`` package as empty
packages instead, so that only the test module (and the simulators it imports) is loaded. Under
pytest-odoo (the project's test command) the plugin is not used and not needed.
"""

import sys
import types
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parent.parent


def _empty_package(name, path):
    package = types.ModuleType(name)
    package.__path__ = [str(path)]
    package.__file__ = None
    sys.modules.setdefault(name, package)


def pytest_configure(config):
    _empty_package(ADDON_DIR.name, ADDON_DIR)
    _empty_package(f"{ADDON_DIR.name}.tests", ADDON_DIR / "tests")
