import json
import logging
from dataclasses import dataclass
from datetime import datetime

from psycopg2 import errors as pg_errors

from odoo.exceptions import UserError, ValidationError

from ..clients.parsing import clean_text
from ..const import NEVER_IMPORTED_STATUSES, OTTO_ANNOUNCED
from .errors import CONCURRENT_UPDATE_ERRORS, OrderImportError, concurrent_update_message
from .items import ItemFollower
from .page_writer import PageWriter
from .partners import PartnerResolver
from .payments import PaymentSync
from .products import ProductResolver
from .return_notes import ReturnSync
from .sale_values import SaleOrderBuilder

_logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one shop order; becomes a line of the run log."""

    order_id: str
    order_ref: str
    status: str
    result: str  # created, updated, skipped, failed; unchanged (not logged)
    message: str
    changed_at: datetime | None = None
    sale_order_id: int | None = None
    retryable: bool = False
    payload: dict | None = None
    # False for an order the listing showed unchanged and that was therefore not read in full
    read: bool = True

    def log_values(self, run_id):
        # PostgreSQL refuses a NUL in any text: the log line must be written, whatever came in
        return {
            "run_id": run_id,
            "marketplace_order_id": clean_text(self.order_id or "") or False,
            "marketplace_order_ref": clean_text(self.order_ref or "") or False,
            "marketplace_status": clean_text(self.status or "") or False,
            "result": self.result,
            "message": clean_text(self.message or ""),
            "sale_order_id": self.sale_order_id or False,
            "retryable": self.retryable,
            "payload": json.dumps(self.payload, indent=1, sort_keys=True, default=str)[:100_000]
            if self.payload is not None
            else False,
        }


class OrderSync:
    """Create or update the sales documents of a page of orders: the whole page in one batch
    (``PageWriter``) inside one savepoint; when that fails, each order in a savepoint of its own,
    so that one bad order is logged with its reason and payload and the others go on.

    ``select`` is what the clients ask before reading a page in full: the orders unchanged since
    Odoo last saw them (same change date and status) and new orders in statuses that are not
    imported need no reading, so a run with nothing new costs no detail or address request."""

    def __init__(self, account, client):
        self.account = account
        self.env = account.env
        self.client = client
        self.mappings = {mapping.code: mapping for mapping in account.status_mapping_ids}
        self.never_imported = NEVER_IMPORTED_STATUSES.get(account.backend, set())
        self.partners = PartnerResolver(account)
        self.products = ProductResolver(account)
        self.builder = SaleOrderBuilder(account)
        self.items = ItemFollower(account)
        self.writer = PageWriter(self)
        self.batched_pages = 0  # pages written in one batch
        self.fallback_pages = 0  # pages written order by order after the batch failed
        self.SaleOrder = self.env["sale.order"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        self._existing_cache = {}

    # --- what to read ----------------------------------------------------------------------------
    def select(self, identities):
        """The ids of the orders of a page that need reading in full."""
        existing = self._existing({ident.order_id for ident in identities})
        wanted = set()
        for ident in identities:
            sale = existing.get(ident.order_id)
            if sale is not None:
                if self._changed_since_import(sale, ident):
                    wanted.add(ident.order_id)
            elif not ident.status or self._skip_reason(ident.status) is None:
                # an order whose status cannot be read is read, to fail with its reason
                wanted.add(ident.order_id)
        return wanted

    def _changed_since_import(self, sale, ident):
        if ident.status != sale.marketplace_status:
            return True
        if ident.changed_at is None:  # the list does not say (CS-Cart): the status decides
            return False
        return ident.changed_at != sale.marketplace_changed_at

    def _skip_reason(self, status):
        """Why a new order in ``status`` is not imported, or None when it is."""
        mapping = self.mappings.get(status)
        if mapping is None:
            return self.env._(
                "Status %s is not in the account's status mapping: not imported. Load the "
                "statuses from the shop, or add the status to the mapping.",
                status,
            )
        if status in self.never_imported or not mapping.selected:
            if self.account.backend == "otto" and status == OTTO_ANNOUNCED:
                return self.env._(
                    "Announced order (prepayment pending): not imported, the account does not "
                    "import announced orders."
                )
            return self.env._("Orders in the status %s are not imported.", mapping.display_name)
        return None

    # --- a page ----------------------------------------------------------------------------------
    def process_page(self, page):
        """Return the ``Outcome`` of every order, unread order and failure of an ``OrderPage``."""
        outcomes = [self._failed_payload(failure) for failure in page.failures]
        order_ids = {order.order_id for order in page.orders}
        order_ids |= {ident.order_id for ident in page.unread}
        existing = self._existing(order_ids)
        for ident in page.unread:
            outcomes.append(self._unread(ident, existing.get(ident.order_id)))
        # the same order twice in one answer: the last copy wins, for the documents and the
        # payment alike
        latest = {order.order_id: order for order in page.orders}
        orders = list(latest.values())
        to_create = [o for o in orders if o.order_id not in existing]
        self.partners.prefetch(orders)
        self.products.prefetch(line for order in to_create for line in order.lines)
        outcomes += self._write(orders, existing)
        self._existing_cache = {}
        # payment entries of the page's paid orders, once their documents are written
        synced = [o for o in outcomes if o.sale_order_id and o.order_id in latest]
        payments = PaymentSync(self.account)
        notes = payments.sync(
            [(self.SaleOrder.browse(o.sale_order_id), latest[o.order_id]) for o in synced]
        )
        self._add_notes(synced, notes, payments.failed)
        # the returns and refunds they report (OTTO's RETURNED items, a status meaning returned
        # or refunded), with their documents, once the payment entries are
        returns = ReturnSync(self.account)
        notes = returns.sync(
            [(self.SaleOrder.browse(o.sale_order_id), latest[o.order_id]) for o in synced]
        )
        self._add_notes(synced, notes, returns.failed)
        return outcomes

    def _add_notes(self, synced, notes, failed):
        for outcome in (o for o in synced if o.sale_order_id in notes):
            outcome.message = f"{outcome.message} {notes[outcome.sale_order_id]}"
            if outcome.sale_order_id in failed:
                # the document is in, its payment entry (or return) is not: not a success,
                # tried again
                outcome.result = "failed"
                outcome.retryable = True
            elif outcome.result == "unchanged":
                outcome.result = "updated"

    def _unread(self, ident, sale):
        if sale is not None:
            return Outcome(
                ident.order_id,
                ident.order_ref,
                ident.status,
                "unchanged",
                self.env._("No change since the last import."),
                ident.changed_at,
                sale_order_id=sale.id,
                read=False,
            )
        return Outcome(
            ident.order_id,
            ident.order_ref,
            ident.status,
            "skipped",
            self._skip_reason(ident.status) or self.env._("Not imported."),
            ident.changed_at,
        )

    def _existing(self, order_ids):
        """The orders imported before, whoever they belong to now: a salesperson's run must see
        the orders of the others too, or it would import them again or miss their changes."""
        missing = sorted(set(order_ids) - set(self._existing_cache))
        if missing:
            sales = self.SaleOrder.sudo().search(
                [
                    ("marketplace_account_id", "=", self.account.id),
                    ("marketplace_order_id", "in", missing),
                ]
            )
            found = {sale.marketplace_order_id: sale for sale in sales}
            for order_id in missing:
                self._existing_cache[order_id] = found.get(order_id)
        return {
            order_id: self._existing_cache[order_id]
            for order_id in order_ids
            if self._existing_cache.get(order_id) is not None
        }

    # --- writing -----------------------------------------------------------------------------
    def _write(self, orders, existing):
        """The page in one batch; when the batch fails, order by order."""
        if len(orders) > 1:
            self.partners.begin_order()
            self.builder.begin_order()
            try:
                with self.env.cr.savepoint():
                    outcomes = self.writer.write_page(orders, existing)
            except Exception:  # the orders one by one say which one, and why
                _logger.info("A page of %s fell back to order by order", self.account.name)
                self.partners.forget_order()
                self.builder.forget_order()
                self.fallback_pages += 1
            else:
                self.batched_pages += 1
                return outcomes
        return [self._write_one(order, existing.get(order.order_id)) for order in orders]

    def _write_one(self, order, sale):
        self.partners.begin_order()
        self.builder.begin_order()
        try:
            with self.env.cr.savepoint():
                [outcome] = self.writer.write_page([order], {order.order_id: sale} if sale else {})
        except OrderImportError as exc:
            return self._failed(order, str(exc), exc.retryable)
        except (UserError, ValidationError) as exc:
            return self._failed(order, exc.args[0] if exc.args else str(exc), True)
        except pg_errors.UniqueViolation:
            return self._failed(
                order,
                self.env._("The order was imported at the same time elsewhere; tried again."),
                True,
            )
        except CONCURRENT_UPDATE_ERRORS:
            _logger.info("Marketplace order %s met a concurrent update", order.order_ref)
            return self._failed(order, concurrent_update_message(self.env), True)
        except Exception as exc:
            _logger.exception("Marketplace order %s could not be imported", order.order_ref)
            return self._failed(order, self.env._("Unexpected error: %s", exc), True)
        return outcome

    def _outcome(self, order, result, message, sale=None):
        return Outcome(
            order.order_id,
            order.order_ref,
            order.status,
            result,
            message,
            order.changed_at,
            sale_order_id=sale.id if sale else None,
        )

    def _failed(self, order, message, retryable, forget=True):
        if forget:
            # what the rolled-back savepoint created must not be handed to the next orders
            self.partners.forget_order()
            self.builder.forget_order()
        outcome = self._outcome(order, "failed", message)
        outcome.retryable = retryable
        outcome.payload = order.raw
        return outcome

    def _failed_payload(self, failure):
        return Outcome(
            failure.order_id,
            failure.order_ref,
            failure.status,
            "failed",
            failure.message,
            failure.changed_at,
            retryable=failure.retryable,
            payload=failure.raw,
        )

    # --- helpers of the page writer -----------------------------------------------------------
    def _shop_warnings(self, order):
        """What the client had to assume or mend in the shop's order, for its run line."""
        warnings = list(order.warnings)
        if order.cleaned_fields:
            warnings.append(
                self.env._(
                    "Control characters (such as NUL) removed from the shop's text: %s. Check "
                    "these fields on the shop.",
                    ", ".join(dict.fromkeys(order.cleaned_fields)),
                )
            )
        return warnings

    def _state_label(self, state):
        return {
            "draft": self.env._("quotation"),
            "sent": self.env._("quotation sent"),
            "sale": self.env._("sales order"),
            "cancel": self.env._("cancelled"),
        }.get(state, state)

    def _check_charge_products(self, order):
        if any(fee.amount for fee in order.shipping) and not self.account.shipping_product_id:
            raise OrderImportError(self.env._("Choose a shipping product on the account."))
        if any(d.amount for d in order.discounts) and not self.account.discount_product_id:
            raise OrderImportError(self.env._("Choose a discount product on the account."))

    def _fiscal_position(self, buyer, delivery):
        return (
            self.env["account.fiscal.position"]
            .with_company(self.account.company_id)
            ._get_fiscal_position(buyer, delivery=delivery)
        )

    def _total_check(self, sale, order):
        if not sale.currency_id.compare_amounts(sale.amount_total, float(order.total)):
            return []
        odoo_total = f"{sale.amount_total:.2f}"
        shop_total = f"{order.total:.2f}"
        return [
            self.env._(
                "The Odoo total %(odoo)s differs from the shop's total %(shop)s %(currency)s: "
                "check prices and taxes.",
                odoo=odoo_total,
                shop=shop_total,
                currency=order.currency,
            )
        ]

    def _replace_backlog_partner(self, sale, buyer, invoice, delivery):
        fiscal_position = self._fiscal_position(buyer, delivery)
        sale.write(
            {
                "partner_id": buyer.id,
                "partner_invoice_id": invoice.id,
                "partner_shipping_id": delivery.id,
                "pricelist_id": sale.pricelist_id.id,
                "user_id": sale.user_id.id,
                "team_id": sale.team_id.id,
                "fiscal_position_id": fiscal_position.id,
                "marketplace_backlog": False,
            }
        )
        self.builder.remap_taxes(sale, fiscal_position)
