"""Deliveries as warehouses make them: packed in several packages, kits (phantom bills of
materials, module mrp, installed in the test database), backorders cancelled."""

from odoo.tests import Form


class ParcelsMixin:
    """For ``MarketplaceExportCase`` subclasses."""

    def deliver_in_packages(self, sale, packages, tracking, carrier="DHL Paket", **values):
        """Validate the open delivery of ``sale`` packed as ``packages`` [{sku: qty}] (one
        package each, created in this order; what no package holds goes to a backorder);
        return (the delivery, the packages in the order Odoo's carriers number them)."""
        picking = self.open_delivery(sale)
        picking.write(
            {
                "carrier_id": self.carriers[carrier].id if carrier else False,
                "carrier_tracking_ref": tracking or False,
                **values,
            }
        )
        picking.move_line_ids.unlink()
        created = self.env["stock.quant.package"]
        for index, content in enumerate(packages):
            package = self.env["stock.quant.package"].create({"name": f"{sale.name}-P{index + 1}"})
            created |= package
            for sku, quantity in content.items():
                move = picking.move_ids.filtered(
                    lambda m, sku=sku: m.product_id.default_code == sku
                )
                self.env["stock.move.line"].create(
                    {
                        "move_id": move.id,
                        "picking_id": picking.id,
                        "product_id": move.product_id.id,
                        "product_uom_id": move.product_uom.id,
                        "location_id": move.location_id.id,
                        "location_dest_id": move.location_dest_id.id,
                        "quantity": quantity,
                        "result_package_id": package.id,
                    }
                )
        picking.move_ids.picked = True
        self._validate(picking)
        return picking, picking.move_line_ids.result_package_id

    def _validate(self, picking, backorder=True):
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            wizard = Form(self.env[result["res_model"]].with_context(**result["context"])).save()
            if backorder:
                wizard.process()
            else:
                wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "done")

    def make_kit(self, sku, components):
        """Make the product of ``sku`` a kit of ``components`` {name: quantity per kit}; return
        the component products {name: product}."""
        kit = self.products[sku]
        products = {
            name: self.env["product.product"].create(
                {"name": name, "default_code": name, "type": "consu"}
            )
            for name in components
        }
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "product_id": kit.id,
                "type": "phantom",
                "product_qty": 1,
                "bom_line_ids": [
                    (0, 0, {"product_id": products[name].id, "product_qty": quantity})
                    for name, quantity in components.items()
                ],
            }
        )
        return products
