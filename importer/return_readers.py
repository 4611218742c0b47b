"""What each shop reports of its returns and refunds beyond its orders, as notes the returns run
records (``return_notes.note_return``): OTTO Market's Returns v3 (the buyer's announcements,
the returns accepted or rejected), PrestaShop's credit slips. CS-Cart's REST API has no return
or credit memo resource: its returns are statuses of the order (the import's).

OTTO's Receipts v3, where the account reads them: a PARTIAL_REFUND receipt (a refund granted
without a return) is a refund of its amounts; a REFUND receipt adds only the delivery fees it
gives back (its items are the RETURNED items the import refunds at their price).

A reader yields pages of ``ReturnNote``; ``watermark`` is how far the shop's returns have been
read once every page is (by the shop's clock), or None to keep the account's.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from ..clients.otto_returns import return_tracking


@dataclass
class ReturnNote:
    """One return or refund the shop reports for its order ``order_id``."""

    order_id: str
    key: str
    source: str
    shop_ref: str
    values: dict = field(default_factory=dict)
    moment: datetime | None = None


class OttoReturnsReader:
    """Returns v3, by status: ANNOUNCED (the buyer sends the item back: a return is made for
    the warehouse), ACCEPTED (by the partner or by OTTO: the item comes back, OTTO refunds it
    and reports it RETURNED on the order, which the import reads with its price) and REJECTED.
    MISDIRECTED items (another partner's parcels in OTTO's warehouse) are not the partner's
    returns."""

    statuses = ("ANNOUNCED", "ACCEPTED", "REJECTED")

    def __init__(self, client, account=None):
        self.client = client
        self.watermark = None
        # Receipts v3, where the account reads them (the API user needs the receipts scope)
        self.receipts = bool(account and account.otto_read_receipts)

    def pages(self, since):
        started = None
        for status in self.statuses:
            notes = []
            for item in self.client.iter_returns(status, since=since):
                notes.append(self._note(item))
            started = started or self.client.last_response_date
            yield notes
        if self.receipts:
            notes = [self._receipt_note(r) for r in self.client.iter_receipts(since=since)]
            yield [note for note in notes if note]
        self.watermark = started

    def _note(self, item):
        values = {"shop_status": item["status"], "shop_date": item["moment"]}
        if item["status"] in ("ANNOUNCED", "ACCEPTED"):
            values["return_goods"] = True
        tracking = return_tracking(item["details"])
        if tracking:
            values["tracking"] = tracking
        return ReturnNote(
            order_id=item["order"],
            key=f"item:{item['item']}",
            source="otto_item",
            shop_ref=item["item"],
            values=values,
            moment=item["moment"],
        )

    def _receipt_note(self, receipt):
        """A refund receipt as a refund of amounts: a PARTIAL_REFUND (granted without a
        return) its items' amounts and delivery fees; a REFUND only the delivery fees it gives
        back (its items are the RETURNED position items, refunded at their price by the
        import); None when it gives back nothing more."""
        rows = []
        if receipt["type"] == "PARTIAL_REFUND":
            rows = [
                {"row": ids[0], "quantity": 0, "amount": str(gross)}
                for ids, gross in receipt["items"]
                if ids and gross
            ]
        amount = sum(float(row["amount"]) for row in rows) + float(receipt["delivery"])
        if not amount:
            return None
        return ReturnNote(
            order_id=receipt["order"],
            key=f"receipt:{receipt['number']}",
            source="receipt",
            shop_ref=receipt["number"],
            values={
                "refund_money": True,
                "amount": amount,
                "shipping_amount": float(receipt["delivery"]),
                "items": json.dumps(rows, sort_keys=True),
                "shop_status": receipt["type"],
                "shop_date": receipt["moment"],
            },
            moment=receipt["moment"],
        )


class PrestaShopSlipsReader:
    """Credit slips (``order_slip``) changed since the last read: each one a refund of its
    order's rows and shipping."""

    def __init__(self, client, account=None):
        self.client = client
        self.watermark = None

    def pages(self, since):
        for slips in self.client.iter_slip_pages(since):
            notes = [self._note(slip) for slip in slips]
            changes = [slip.changed_at for slip in slips if slip.changed_at]
            if changes:
                self.watermark = max([*changes, self.watermark or changes[0]])
            yield notes

    def _note(self, slip):
        return ReturnNote(
            order_id=slip.order_id,
            key=f"slip:{slip.slip_id}",
            source="slip",
            shop_ref=slip.slip_id,
            values={
                "refund_money": True,
                "amount": float(slip.amount),
                "shipping_amount": float(slip.shipping),
                "items": json.dumps(
                    [dict(row, amount=str(row["amount"])) for row in slip.rows], sort_keys=True
                ),
                "shop_status": "partial" if slip.partial else "",
                "shop_date": slip.changed_at,
            },
            moment=slip.changed_at,
        )


READERS = {"otto": OttoReturnsReader, "prestashop": PrestaShopSlipsReader}
