"""Odoo's own test runner (``odoo-bin --test-enable``, as OCA's CI and Odoo.sh run it) only runs
the test modules that ``tests/__init__.py`` imports; pytest-odoo finds every file by itself. A
test module that pytest runs and Odoo skips would go unnoticed: this test names it."""

import importlib
from pathlib import Path

from odoo.tests import tagged
from odoo.tests.common import BaseCase
from odoo.tests.loader import get_test_modules

MODULE = "sale_marketplace_connector"


def defines_odoo_tests(module):
    return any(
        isinstance(value, type)
        and issubclass(value, BaseCase)
        and value.__module__ == module.__name__
        for value in vars(module).values()
    )


@tagged("post_install", "-at_install")
class TestEveryTestModuleRegistered(BaseCase):
    def test_odoo_runner_sees_every_odoo_test_module(self):
        registered = {module.__name__.rsplit(".", 1)[-1] for module in get_test_modules(MODULE)}
        missing = []
        for path in sorted(Path(__file__).parent.glob("test_*.py")):
            module = importlib.import_module(f"{__package__}.{path.stem}")
            if defines_odoo_tests(module) and path.stem not in registered:
                missing.append(path.stem)
        self.assertEqual(missing, [], "add them to tests/__init__.py")

    def test_the_check_recognises_an_odoo_test_module(self):
        # the check above is only worth something if it tells Odoo test modules from others
        self.assertTrue(defines_odoo_tests(importlib.import_module(f"{__package__}.test_account")))
        self.assertFalse(
            defines_odoo_tests(importlib.import_module(f"{__package__}.test_client_mapping"))
        )
