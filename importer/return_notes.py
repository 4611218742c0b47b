"""What the shops report coming back or refunded, recorded once per order and key
(``marketplace.return``), and what the import notes of it.

``note_return`` finds a return again by its key or records it; what the shop reports only moves
forward (an OTTO item announced, then accepted or rejected, then RETURNED: refunded), and a
return that needs more (the money refunded after the goods came back) is open again.

``ReturnSync`` is the import's step, after the payment entries of a page: OTTO position items
the order reports RETURNED (OTTO refunded them: their price is on the order) and an order that
reached a status the status table marks Returned or Refunded (once per status; not when the
connector set that status itself after a credit note posted in Odoo) become returns, whose
documents are made at once (return_documents.py). The returns run reads the rest (Returns v3,
credit slips: return_readers.py).
"""

import logging
from functools import partial

from .errors import record_in_savepoint
from .return_documents import ReturnDocuments

_logger = logging.getLogger(__name__)

# OTTO's return statuses in the order they happen (accepted and rejected may follow each other:
# a partner may accept a return it rejected)
OTTO_RETURN_RANKS = {"ANNOUNCED": 1, "MISDIRECTED": 2, "REJECTED": 2, "ACCEPTED": 2, "RETURNED": 3}


def note_return(account, sale, key, source, shop_ref, **values):
    """The return ``key`` of ``sale``, recorded with ``values`` or brought forward to them;
    returns (record, whether it is new or changed)."""
    Return = account.env["marketplace.return"].sudo()
    record = Return.search([("sale_order_id", "=", sale.id), ("key", "=", key)], limit=1)
    if not record:
        return (
            Return.create(
                {
                    "account_id": account.id,
                    "sale_order_id": sale.id,
                    "key": key,
                    "source": source,
                    "shop_ref": shop_ref,
                    **values,
                }
            ),
            True,
        )
    changes = {}
    for flag in ("return_goods", "refund_money"):
        if values.get(flag) and not record[flag]:
            changes[flag] = True
    status = values.get("shop_status")
    if status and status != record.shop_status:
        old = OTTO_RETURN_RANKS.get(record.shop_status or "", 0)
        if source != "otto_item" or OTTO_RETURN_RANKS.get(status, 0) >= old:
            changes["shop_status"] = status
            changes["shop_date"] = values.get("shop_date") or record.shop_date
    for name in ("tracking", "amount", "items", "shipping_amount"):
        if values.get(name) and not record[name]:
            changes[name] = values[name]
    if not changes:
        return record, False
    if changes.keys() & {"return_goods", "refund_money"} or (
        changes.get("shop_status") in ("REJECTED",) and record.state == "open"
    ):
        changes["state"] = "open"
    record.write(changes)
    return record, True


class ReturnSync:
    """The returns the orders of a page report, after their documents and payment entries are
    written; their own documents made at once."""

    def __init__(self, account):
        self.account = account
        self.env = account.env
        self.mappings = {mapping.code: mapping for mapping in account.status_mapping_ids}
        self.documents = ReturnDocuments(account)
        self.failed = set()  # ids of the sales orders whose returns could not be recorded

    def sync(self, pairs):
        """``pairs``: ``[(sale.order, records.Order)]``; returns ``{sale order id: what was
        done}`` for the orders whose returns were recorded or could not be (those are in
        ``self.failed``)."""
        messages = {}
        for sale, order in pairs:
            if not sale or not self._reports_returns(order):
                continue
            message, why = record_in_savepoint(
                self.env,
                partial(self._sync_order, sale.sudo(), order),
                _logger,
                f"Returns of marketplace order {order.order_ref}",
                concurrent="",  # another run recorded it at the same time
            )
            if why is not None:
                self.failed.add(sale.id)
                message = self.env._(
                    "Its return or refund could not be recorded: %s The order stays on the "
                    "retry list until it is.",
                    why,
                )
            if message:
                messages[sale.id] = message
        return messages

    def _reports_returns(self, order):
        mapping = self.mappings.get(order.status)
        return bool(
            getattr(order, "returned_item_ids", None)
            or (mapping and (mapping.returned or mapping.refunded))
        )

    def _sync_order(self, sale, order):
        records = self.env["marketplace.return"].sudo()
        prices = {item: line.unit_price for line in order.lines for item in line.item_ids}
        for item in sorted(getattr(order, "returned_item_ids", None) or ()):
            record, __ = note_return(
                self.account,
                sale,
                f"item:{item}",
                "otto_item",
                item,
                return_goods=True,
                refund_money=True,
                shop_status="RETURNED",
                shop_date=order.changed_at,
                amount=float(prices.get(item, 0)),
            )
            records |= record
        mapping = self.mappings.get(order.status)
        if (
            mapping
            and (mapping.returned or mapping.refunded)
            and not self._set_by_connector(sale, mapping.code)
        ):
            record, __ = note_return(
                self.account,
                sale,
                f"status:{mapping.code}",
                "status",
                mapping.code,
                return_goods=mapping.returned,
                refund_money=mapping.refunded,
                shop_status=mapping.code,
                shop_date=order.changed_at,
            )
            records |= record
        return self.documents.process(sale, records)

    def _set_by_connector(self, sale, code):
        """Whether the connector set this status on the shop itself (a credit note posted in
        Odoo): the refund it reports is that credit note's."""
        return any(
            export.kind == "status" and export.status_code == code and export.state == "sent"
            for export in sale.marketplace_export_ids
        )
