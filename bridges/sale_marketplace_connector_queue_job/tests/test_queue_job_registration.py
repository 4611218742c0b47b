"""As the add-on's tests/test_registration.py: Odoo's own test runner only runs the test modules
``tests/__init__.py`` imports."""

from odoo.addons.sale_marketplace_connector.tests.test_registration import (
    unregistered_test_modules,
)
from odoo.tests import tagged
from odoo.tests.common import BaseCase


@tagged("post_install", "-at_install")
class TestBridgeTestModulesRegistered(BaseCase):
    def test_odoo_runner_sees_every_odoo_test_module(self):
        missing = unregistered_test_modules(__file__, __package__)
        self.assertEqual(missing, [], "add them to tests/__init__.py")
