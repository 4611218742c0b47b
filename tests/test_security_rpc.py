from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException


@tagged("post_install", "-at_install")
class TestSecretOverRpc(HttpCase):
    """What the browser's JSON-RPC gives a sales user: never the account's secret."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["marketplace.account"].create(
            {
                "name": "OTTO RPC",
                "backend": "otto",
                "api_login": "id",
                "api_secret": "rpc-secret-42",
            }
        )
        new_test_user(
            cls.env,
            login="rpc_salesman",
            password="rpc_salesman-pw1",
            groups="sales_team.group_sale_salesman",
        )
        new_test_user(
            cls.env,
            login="rpc_manager",
            password="rpc_manager-pw1",
            groups="sales_team.group_sale_manager",
        )

    def _read(self, fields):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/marketplace.account/read",
            {
                "model": "marketplace.account",
                "method": "read",
                "args": [self.account.ids, fields],
                "kwargs": {},
            },
        )

    def test_salesman_rpc_read(self):
        self.authenticate("rpc_salesman", "rpc_salesman-pw1")
        with self.assertRaises(JsonRpcException) as caught:
            self._read(["name", "api_secret"])
        self.assertIn("AccessError", str(caught.exception))
        records = self._read([])
        self.assertEqual(records[0]["name"], "OTTO RPC")
        self.assertNotIn("api_secret", records[0])
        self.assertNotIn("rpc-secret-42", str(records))

    def test_manager_rpc_read(self):
        self.authenticate("rpc_manager", "rpc_manager-pw1")
        self.assertEqual(self._read(["api_secret"])[0]["api_secret"], "rpc-secret-42")
