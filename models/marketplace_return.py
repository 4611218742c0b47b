"""marketplace.return: one return or refund a shop reported for an imported order, and the Odoo
documents made of it (the return of the goods, the credit note, the refund payment).

A record is unique per (order, key) in the database, so a shop's return is found again by every
run and its documents are made once: OTTO Market one record per position item (``item:<id>``,
from Returns v3 and from the RETURNED items of Orders v4), PrestaShop one per credit slip
(``slip:<id>``), a status meaning returned or refunded one per order and status
(``status:<code>``). The import and the returns run fill them in (importer/return_notes.py,
importer/return_readers.py); importer/return_documents.py makes their documents.
"""

from odoo import api, fields, models

RETURN_SOURCES = [
    ("otto_item", "OTTO Position Item"),
    ("slip", "Credit Slip"),
    ("receipt", "OTTO Refund Receipt"),
    ("status", "Shop Status"),
]
RETURN_STATES = [
    ("open", "In Progress"),
    ("done", "Done"),
    ("attention", "Needs Attention"),
]


class MarketplaceReturn(models.Model):
    _name = "marketplace.return"
    _inherit = ["marketplace.order.record"]
    _description = "Marketplace Return or Refund"
    _order = "id desc"
    _rec_name = "key"

    currency_id = fields.Many2one(related="sale_order_id.currency_id")
    key = fields.Char(
        required=True,
        readonly=True,
        help="What this return is, unique per order: a shop's return or refund is handled once.",
    )
    source = fields.Selection(RETURN_SOURCES, required=True, readonly=True)
    shop_ref = fields.Char(
        string="Shop Reference",
        readonly=True,
        help="The shop's id of what came back: OTTO position item, PrestaShop credit slip, or "
        "the order status that means returned or refunded.",
    )
    shop_status = fields.Char(
        string="Shop Return Status",
        readonly=True,
        help="OTTO Market: the position item's return status (ANNOUNCED by the buyer, ACCEPTED, "
        "REJECTED, RETURNED: refunded to the buyer). Other shops: the order's status.",
    )
    shop_date = fields.Datetime(
        string="Reported On", readonly=True, help="When the shop reported it last."
    )
    tracking = fields.Char(
        string="Return Tracking",
        readonly=True,
        help="OTTO Market: the carrier and tracking numbers of the buyer's return parcel, as "
        "announced.",
    )
    items = fields.Text(
        readonly=True,
        help="What the shop says came back or was refunded: OTTO position items, the credit "
        "slip's order rows with their quantities and amounts.",
    )
    return_goods = fields.Boolean(
        string="Goods Come Back",
        readonly=True,
        help="The goods come back: a return of the delivery is made, validated when they arrive.",
    )
    refund_money = fields.Boolean(
        string="Money Refunded",
        readonly=True,
        help="The shop gave the buyer the money back: a credit note of what the invoice holds "
        "and a refund payment of what the payment entries hold.",
    )
    amount = fields.Monetary(
        string="Refunded Amount",
        readonly=True,
        help="What the shop refunded, taxes included (shipping included).",
    )
    shipping_amount = fields.Monetary(
        string="Shipping Refunded", readonly=True, help="The part of it for the shipping."
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Return",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="The receipt of the goods from the customer (a return of the delivery).",
    )
    credit_note_id = fields.Many2one(
        "account.move",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    transaction_id = fields.Many2one(
        "payment.transaction", string="Refund Transaction", readonly=True, ondelete="set null"
    )
    payment_id = fields.Many2one(
        related="transaction_id.payment_id", string="Refund Payment", readonly=True
    )
    # what is settled of it (importer/return_documents.py): the goods' return made (or nothing
    # to return), the credit note made (or nothing invoiced to credit), the refund payment made
    # (or no payment entry to refund)
    goods_done = fields.Boolean(readonly=True)
    credit_done = fields.Boolean(readonly=True)
    refund_done = fields.Boolean(readonly=True)
    state = fields.Selection(RETURN_STATES, required=True, default="open", readonly=True)
    message = fields.Text(readonly=True, help="What was done, what it waits for, or why not.")

    _sql_constraints = [
        ("key_order_unique", "UNIQUE(sale_order_id, key)", "This return is already recorded."),
    ]

    @api.depends("sale_order_id", "key", "shop_ref")
    def _compute_display_name(self):
        sources = dict(self._fields["source"]._description_selection(self.env))
        for record in self:
            record.display_name = " ".join(
                filter(
                    None,
                    [
                        record.sale_order_id.name,
                        sources.get(record.source, ""),
                        record.shop_ref or "",
                    ],
                )
            )

    def action_view_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
