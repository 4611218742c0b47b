"""The texts sent to the shops' order notes: document numbers, delivery dates and the tracking
numbers of further parcels. Written in the language of the account's responsible, with dates as
the shop's calendar has them.

Texts the buyer sees (CS-Cart shipment comments, PrestaShop messages visible to the buyer) carry
only what concerns the buyer: Odoo's own references (order S00042, delivery WH/OUT/00012) only
where the account shows them ("Show Odoo References to the Buyer"). Private PrestaShop messages,
which only the staff reads, always name them."""

from datetime import datetime
from zoneinfo import ZoneInfo


def _env(account):
    lang = account.user_id.lang or account.company_id.partner_id.lang or account.env.lang
    return account.env(context=dict(account.env.context, lang=lang))


def shop_date(account, moment):
    """A naive UTC datetime as the shop's date, e.g. '2026-11-25'."""
    if not moment:
        return ""
    if not isinstance(moment, datetime):
        return moment.isoformat()
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(
        ZoneInfo(account.shop_timezone or "UTC")
    )
    return local.date().isoformat()


def expected_date(order):
    """The commitment date, else the earliest scheduled date of the deliveries still to do."""
    if order.commitment_date:
        return order.commitment_date
    open_deliveries = order.picking_ids.filtered(
        lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
    )
    dates = [date for date in open_deliveries.mapped("scheduled_date") if date]
    return min(dates) if dates else order.expected_date


def confirm_note(account, order):
    """The order number and the expected delivery date, as the account sends them."""
    env = _env(account)
    lines = []
    if account.export_document_numbers:
        lines.append(env._("Odoo order %s", order.name))
    if account.export_delivery_dates:
        date = shop_date(account, expected_date(order))
        if date:
            lines.append(env._("Expected delivery: %s", date))
    return "\n".join(lines)


def ship_note(account, picking):
    env = _env(account)
    return env._(
        "Shipped on %(date)s (%(delivery)s)",
        date=shop_date(account, picking.date_done),
        delivery=picking.name,
    )


def invoice_note(account, move, buyer_sees=False):
    """The invoice number; in a text the buyer sees, without "Odoo" unless the account shows
    Odoo's references."""
    env = _env(account)
    if buyer_sees and not account.export_show_internal_refs:
        return env._("Invoice %s", move.name)
    return env._("Odoo invoice %s", move.name)


def shipment_comments(account, picking):
    """CS-Cart: the comments of a shipment, which the buyer sees on the order's page (document
    numbers and dates, as the account sends them); its staff notes are never written."""
    env = _env(account)
    order = picking.sale_id
    lines = []
    if account.export_document_numbers:
        if account.export_show_internal_refs:
            lines.append(
                env._(
                    "Odoo order %(order)s, delivery %(delivery)s",
                    order=order.name,
                    delivery=picking.name,
                )
            )
        lines += [
            invoice_note(account, move, buyer_sees=True)
            for move in order.invoice_ids
            if move.state == "posted" and move.move_type == "out_invoice"
        ]
    if account.export_delivery_dates:
        expected = order.commitment_date or picking.scheduled_date
        if expected:
            lines.append(env._("Expected delivery: %s", shop_date(account, expected)))
        lines.append(env._("Shipped on %s", shop_date(account, picking.date_done)))
    return "\n".join(lines)


def parcel_note(account, picking, number, carrier_name="", replaces=""):
    """PrestaShop: the message with the tracking number of a further parcel (its order carrier
    holds one number), or of a corrected one (``replaces``: the number it replaces)."""
    env = _env(account)
    private = account.prestashop_parcel_messages != "customer"
    carrier = f"{carrier_name} " if carrier_name else ""
    if replaces:
        text = env._(
            "Corrected tracking number: %(carrier)s%(number)s (replaces %(old)s)",
            carrier=carrier,
            number=number,
            old=replaces,
        )
    else:
        text = env._(
            "Tracking number of a further parcel: %(carrier)s%(number)s",
            carrier=carrier,
            number=number,
        )
    if private or account.export_show_internal_refs:
        text += f" ({picking.name})"
    return text
