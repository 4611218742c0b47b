"""PrestaShop credit slips (the webservice resource ``order_slip``, listed under
``order_slips``), mixed into ``PrestaShopClient``. Plain Python; the facts are PrestaShop's own
code (tests/vendor/prestashop/ORDER_SLIP_NOTES.md).

A slip is one refund of an order: ``associations.order_slip_details`` its order rows
(``id_order_detail``, the order's ``order_rows`` id; ``product_quantity``; ``amount_tax_incl``,
the row's refunded amount), ``total_shipping_tax_incl`` the shipping refunded. The refunded gross
is ``total_products_tax_incl + total_shipping_tax_incl``; a legacy partial refund (``partial``
1) leaves the totals empty and says ``amount`` and ``shipping_cost_amount`` instead. Slips are
read, never written (PrestaShop ignores the details of a slip sent through the webservice).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .parsing import local_to_utc, text, to_money, utc_to_local_text


@dataclass
class CreditSlip:
    slip_id: str
    order_id: str
    changed_at: datetime | None
    amount: Decimal  # the refunded gross, shipping included
    shipping: Decimal  # the shipping refunded
    rows: list = field(default_factory=list)  # [{"row", "quantity", "amount"}]
    partial: bool = False
    raw: dict = field(default_factory=dict, repr=False)


def _money(raw, name):
    try:
        return to_money(raw.get(name), name) if text(raw.get(name)) else Decimal(0)
    except ValueError:
        return Decimal(0)


def parse_slip(raw, tz_name):
    """A ``CreditSlip`` of one slip of the webservice's answer; None when it is not one."""
    if not isinstance(raw, dict) or not text(raw.get("id")) or not text(raw.get("id_order")):
        return None
    partial = text(raw.get("partial")) == "1"
    associations = raw.get("associations") if isinstance(raw.get("associations"), dict) else {}
    details = associations.get("order_slip_details") or []
    if isinstance(details, dict):  # one detail written as an object
        details = [details]
    rows = []
    for detail in details if isinstance(details, list) else []:
        if not isinstance(detail, dict) or not text(detail.get("id_order_detail")):
            continue
        try:
            quantity = int(Decimal(text(detail.get("product_quantity")) or "0"))
        except ArithmeticError:
            quantity = 0
        rows.append(
            {
                "row": text(detail.get("id_order_detail")),
                "quantity": quantity,
                "amount": _money(detail, "amount_tax_incl"),
            }
        )
    if partial:
        shipping = _money(raw, "shipping_cost_amount")
        amount = _money(raw, "amount") + shipping
    else:
        shipping = _money(raw, "total_shipping_tax_incl")
        amount = _money(raw, "total_products_tax_incl") + shipping
    try:
        changed_at = local_to_utc(text(raw.get("date_upd") or raw.get("date_add")), tz_name)
    except (ValueError, OverflowError):
        changed_at = None
    return CreditSlip(
        slip_id=text(raw.get("id")),
        order_id=text(raw.get("id_order")),
        changed_at=changed_at,
        amount=amount,
        shipping=shipping,
        rows=rows,
        partial=partial,
        raw=raw,
    )


class PrestaShopSlipsMixin:
    """The shop's credit slips."""

    def iter_slip_pages(self, since):
        """Pages ([``CreditSlip``]) of the slips changed since ``since`` (naive UTC), oldest
        change first."""
        offset = 0
        while True:
            params = {
                "display": "full",
                "date": "1",
                "filter[date_upd]": f">[{utc_to_local_text(since, self.shop_timezone)}]",
                "sort": "[date_upd_ASC,id_ASC]",
                "limit": f"{offset},{self.page_size}",
            }
            raws = self._list("order_slip", "order_slips", **params)
            slips = [parse_slip(raw, self.shop_timezone) for raw in raws]
            yield [slip for slip in slips if slip is not None]
            if len(raws) < self.page_size:
                return
            offset += self.page_size
