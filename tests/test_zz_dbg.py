from odoo.addons.sale_marketplace_connector.tests.test_import_prestashop import (
    TestPrestaShopImport as Base,
)


class TestDbg(Base):
    def test_dbg(self):
        self.mapping("2").change_status_to = self.mapping("3")
        raw = self.add(2)
        run = self.fetch()
        print(
            "A",
            self.sim.orders[str(raw["id"])]["current_state"],
            self.sim.orders[str(raw["id"])]["date_upd"],
            self.account.imported_until,
        )
        self.sim.reset_requests()
        run = self.fetch()
        print(
            "B",
            run.state,
            run.message,
            run.line_ids.mapped("message"),
            [(r["path"], r["query"].get("filter[date_upd]")) for r in self.sim.requests],
        )
