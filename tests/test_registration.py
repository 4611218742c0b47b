"""Odoo's own test runner (``odoo-bin --test-enable``, as OCA's CI and Odoo.sh run it) only runs
the test modules that ``tests/__init__.py`` imports; pytest-odoo finds every file by itself. A
test module that pytest runs and Odoo skips would go unnoticed: this test names it."""

import ast
import importlib
from pathlib import Path

from odoo.tests import tagged
from odoo.tests.common import BaseCase


def registered_modules(tests_dir):
    """The test modules ``tests/__init__.py`` imports, read from its text. (Odoo's
    ``get_test_modules`` lists every ``test_*`` submodule of the package that is imported, and
    in a pytest run every file is: it would see all of them registered.)"""
    tree = ast.parse((tests_dir / "__init__.py").read_text())
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module
        for alias in node.names
    }


def unregistered_test_modules(tests_file, package):
    """The test modules beside ``tests_file`` (of ``package``) that define Odoo tests but that
    ``tests/__init__.py`` does not import: Odoo's runner would never run them."""
    tests_dir = Path(tests_file).parent
    registered = registered_modules(tests_dir)
    missing = []
    for path in sorted(tests_dir.glob("test_*.py")):
        module = importlib.import_module(f"{package}.{path.stem}")
        if defines_odoo_tests(module) and path.stem not in registered:
            missing.append(path.stem)
    return missing


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
        missing = unregistered_test_modules(__file__, __package__)
        self.assertEqual(missing, [], "add them to tests/__init__.py")

    def test_the_check_recognises_an_odoo_test_module(self):
        # the check above is only worth something if it tells Odoo test modules from others
        self.assertTrue(defines_odoo_tests(importlib.import_module(f"{__package__}.test_account")))
        self.assertFalse(
            defines_odoo_tests(importlib.import_module(f"{__package__}.test_client_mapping"))
        )
