"""As the add-on's tests/test_registration.py: Odoo's own test runner only runs the test modules
``tests/__init__.py`` imports."""

import importlib
from pathlib import Path

from odoo.addons.sale_marketplace_connector.tests.test_registration import defines_odoo_tests
from odoo.tests import tagged
from odoo.tests.common import BaseCase
from odoo.tests.loader import get_test_modules

MODULE = "sale_marketplace_connector_queue_job"


@tagged("post_install", "-at_install")
class TestBridgeTestModulesRegistered(BaseCase):
    def test_odoo_runner_sees_every_odoo_test_module(self):
        registered = {module.__name__.rsplit(".", 1)[-1] for module in get_test_modules(MODULE)}
        missing = []
        for path in sorted(Path(__file__).parent.glob("test_*.py")):
            module = importlib.import_module(f"{__package__}.{path.stem}")
            if defines_odoo_tests(module) and path.stem not in registered:
                missing.append(path.stem)
        self.assertEqual(missing, [], "add them to tests/__init__.py")
