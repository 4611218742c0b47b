"""Writing the sales documents of a page of shop orders, as a batch.

``PageWriter.write_page(orders, existing)`` turns the orders of a page into documents: it plans
every new order first (products, charges, buyers: look-ups only, so an order that cannot be imported
fails alone, before anything is written), then creates the page's new buyers in one call, their
new contacts in another, the page's new orders with their lines in one more, and moves the
documents to the state their status asks for one group per target state (one confirmation for
all the orders to confirm). Orders imported before are updated one by one (their changes
differ), their state moves grouped the same way.

The hub (``order_sync.OrderSync``) calls it once for the whole page inside one savepoint, and,
when that fails, once per order inside a savepoint each: the same code, so the documents, the
notes and the log lines are the same whichever path wrote them.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from odoo.exceptions import UserError, ValidationError

from ..clients.records import Order
from ..const import OTTO_ANNOUNCED
from .documents import move_documents
from .errors import OrderImportError


@dataclass
class CreatePlan:
    order: Order
    mapping: object
    backlog: bool
    product_lines: list
    partners: tuple  # (buyer, invoice, delivery, warnings), records or partners.NewPartner
    sale: object = None
    notes: list = field(default_factory=list)


@dataclass
class UpdatePlan:
    order: Order
    sale: object
    mapping: object
    old_status: str
    notes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    status_changed: bool = False
    change: str = ""


class PageWriter:
    def __init__(self, sync):
        self.sync = sync
        self.env = sync.env
        self.account = sync.account
        self.mappings = sync.mappings

    def write_page(self, orders, existing):
        """Return the ``Outcome`` of each order, in the order of ``orders``."""
        sync = self.sync
        outcomes = {}
        creates, updates = [], []
        for order in orders:
            sale = existing.get(order.order_id)
            if sale:
                updates.append(self._plan_update(order, sale))
                continue
            reason = sync._skip_reason(order.status)
            if reason:
                outcomes[order.order_id] = sync._outcome(order, "skipped", reason)
                continue
            try:
                creates.append(self._plan_create(order))
            except OrderImportError as exc:
                # nothing was planned for it: the other orders' plans stand
                outcomes[order.order_id] = sync._failed(
                    order, str(exc), exc.retryable, forget=False
                )
            except (UserError, ValidationError) as exc:
                message = exc.args[0] if exc.args else str(exc)
                outcomes[order.order_id] = sync._failed(order, message, True, forget=False)
        for plan in self._create(creates):
            outcomes[plan.order.order_id] = sync._outcome(
                plan.order, "created", " ".join(plan.notes), plan.sale
            )
        for plan in self._update(updates):
            result = "updated" if plan.notes else "unchanged"
            message = " ".join(plan.notes) or self.env._("No change since the last import.")
            outcomes[plan.order.order_id] = sync._outcome(plan.order, result, message, plan.sale)
        return [outcomes[order.order_id] for order in orders]

    # --- new orders ------------------------------------------------------------------------------
    def _plan_create(self, order):
        """Look-ups only; raises before planning anything when the order cannot be imported."""
        sync = self.sync
        sync.builder.check_order(order)
        product_lines = [(line, *sync.products.resolve(line)) for line in order.lines]
        sync._check_charge_products(order)
        backlog = order.status == OTTO_ANNOUNCED and not order.invoice_address
        if backlog:
            placeholder = sync.partners.backlog_partner()
            partners = (placeholder, placeholder, placeholder, [])
        else:
            partners = sync.partners.plan(order)
        return CreatePlan(order, self.mappings[order.status], backlog, product_lines, partners)

    def _create(self, plans):
        if not plans:
            return []
        sync = self.sync
        sync.partners.create_planned()
        values_list = []
        for plan in plans:
            buyer, invoice, delivery, warnings = sync.partners.realize(plan.partners)
            fiscal_position = sync._fiscal_position(buyer, delivery)
            values, tax_warnings = sync.builder.order_values(
                plan.order, (buyer, invoice, delivery), plan.product_lines, fiscal_position
            )
            values["marketplace_backlog"] = plan.backlog
            values_list.append(values)
            plan.notes = warnings + tax_warnings
        sales = sync.SaleOrder.create(values_list)
        for plan, sale in zip(plans, sales, strict=True):
            plan.sale = sale
        self._mark_shop_statuses(plans)
        by_mapping = defaultdict(list)
        for plan in plans:
            by_mapping[plan.mapping].append(plan)
        for mapping, group in by_mapping.items():
            move_documents(
                sync.SaleOrder.union(*(plan.sale for plan in group)),
                mapping.document_state,
                mapping.display_name,
                self.account.user_id,
            )
        for plan in plans:
            notes = [self.env._("Created as %s.", sync._state_label(plan.sale.state))]
            if plan.backlog:
                notes.append(self.env._("Backlog until the marketplace sends the address."))
            plan.notes = notes + sync._shop_warnings(plan.order) + plan.notes
            plan.notes += sync._total_check(plan.sale, plan.order)
        return plans

    def _mark_shop_statuses(self, plans):
        """The status the mapping's "Change Status To" asks for, marked as an update to the shop:
        the import sends it once every page is read (see ImportRun), with the sender's
        exactly-once protection."""
        updates = [
            {
                "account_id": self.account.id,
                "sale_order_id": plan.sale.id,
                "kind": "status",
                "key": "status:import",
                "event": "import",
                "status_code": plan.mapping.change_status_to.code,
            }
            for plan in plans
            if plan.mapping.change_status_to
        ]
        if updates:
            self.env["marketplace.export"].sudo().create(updates)

    # --- orders imported before ------------------------------------------------------------------
    def _plan_update(self, order, sale):
        """Write what changed but the document state, which moves with its group."""
        sync = self.sync
        plan = UpdatePlan(order, sale, self.mappings.get(order.status), sale.marketplace_status)
        values = {}
        if order.changed_at and order.changed_at != sale.marketplace_changed_at:
            values["marketplace_changed_at"] = order.changed_at
        if sale.marketplace_backlog and order.invoice_address:
            buyer, invoice, delivery, plan.warnings = sync.partners.resolve(order)
            sync._replace_backlog_partner(sale, buyer, invoice, delivery)
            plan.notes.append(self.env._("Address received from the marketplace."))
        if order.recycling != sale.marketplace_recycling:
            values["marketplace_recycling"] = order.recycling
        if sale.currency_id.compare_amounts(float(order.total), sale.marketplace_total):
            # the shop's total now (items cancelled): "Total Differs" shows what Odoo must follow
            values["marketplace_total"] = float(order.total)
        if order.status != sale.marketplace_status:
            values["marketplace_status"] = order.status
            plan.status_changed = True
        if values:
            sale.write(values)
        return plan

    def _update(self, plans):
        by_mapping = defaultdict(list)
        for plan in plans:
            if plan.status_changed and plan.mapping is not None:
                by_mapping[plan.mapping].append(plan)
        for mapping, group in by_mapping.items():
            sales = self.sync.SaleOrder.sudo().union(*(plan.sale for plan in group))
            changes = move_documents(
                sales, mapping.document_state, mapping.display_name, self.account.user_id
            )
            for plan in group:
                plan.change = changes[plan.sale.id]
        for plan in plans:
            self._finish_update(plan)
        return plans

    def _finish_update(self, plan):
        sale, order = plan.sale, plan.order
        items = []
        if sale.state != "cancel" and order.cancelled_item_ids:
            # some items were cancelled, the others keep the order's status
            items = self.sync.items.follow(sale, order)
        if plan.status_changed:
            if plan.mapping is None:
                change = self.env._("not in the status mapping, document left as it is")
            else:
                change = plan.change
            change = " ".join(filter(None, [change, *items]))
            if change:
                note = self.env._(
                    "Status %(old)s → %(new)s: %(change)s.",
                    old=plan.old_status,
                    new=order.status,
                    change=change.rstrip("."),
                )
            else:
                note = self.env._(
                    "Status %(old)s → %(new)s.", old=plan.old_status, new=order.status
                )
            plan.notes.append(note)
        else:
            plan.notes += items
        if plan.notes:
            plan.notes += self.sync._shop_warnings(order) + plan.warnings
