"""The Odoo documents of an order's returns and refunds (``marketplace.return`` records): the
return of the goods, the credit note and the refund payment, each made once.

- **Goods** (``return_goods``): a return of the delivery that shipped them (return_pickings.py),
  left open for the warehouse: OTTO position items one by one (announced by the buyer, accepted,
  or RETURNED), a status meaning returned for everything the order's deliveries shipped. Nothing
  delivered yet: an OTTO item waits for its delivery; a whole order has nothing to give back.
- **Credit note** (``refund_money``): of the units OTTO refunded (RETURNED items), as far as the
  order's posted invoices hold them: a line's units to credit are what its posted invoices hold
  beyond what the buyer keeps (``posted_units - (ordered - returned)``), so a unit no invoice
  held (not invoiced yet, or invoiced on delivered quantities after the return) is not credited,
  and a credit note made by hand counts too. An order not invoiced yet waits: the next run
  credits what the invoice holds once it is posted. A PrestaShop credit slip: its rows and
  shipping as the slip says (whole units at the line's price, else the amount alone), once the
  order has a posted invoice. A status meaning refunded: everything the posted invoices still
  hold; not when the shop's own refunds (credit slips, refunded items) said what went back.
- **Refund payment**: of what the shop refunded (OTTO: the price the buyer paid for each item;
  a credit slip: its amount; a refunded status: what the order's entries hold), never more than
  the order's payment entries hold; none when the account records no payments. Matched with the
  credit note.
- An OTTO item that is on no line of the Odoo order: its refund is booked as an amount (the
  refund payment) and an activity asks a person to issue the credit note: never dropped.

A record is done once each of its parts is; the others wait for the next run (the returns run
goes over the open ones).
"""

import json

from odoo import fields

from ..activities import decision_user, has_open_activity
from ..ledger.refunds import Refunds, posted_units
from .items import item_ids
from .return_pickings import ReturnPickings, shipped_by

# OTTO return statuses under which the goods do not come back into the warehouse
NO_GOODS_STATUSES = ("REJECTED", "MISDIRECTED")


def unmatched_summary(env):
    return env._("Marketplace refund to match")


class ReturnDocuments:
    def __init__(self, account):
        self.account = account
        self.env = account.env
        self.pickings = ReturnPickings(account)
        self.refunds = Refunds(account)

    def process(self, sale, records):
        """Make what is missing of ``records`` (the open returns of ``sale``); return what the
        order's log line says of it ('' when nothing was made)."""
        sale = sale.sudo()
        records = records.filtered(lambda r: r.state == "open")
        if not records or not has_documents(sale):
            return ""  # nothing delivered, invoiced or paid yet: the returns wait
        notes = []
        notes += self._goods(sale, records)
        notes += self._money(sale, records)
        for record in records:
            self._settle(record)
        return " ".join(note for note in notes if note)

    # --- the goods -------------------------------------------------------------------------------
    def _goods(self, sale, records):
        env = self.env
        wanted = records.filtered(
            lambda r: (
                r.return_goods
                and not r.goods_done
                and not r.picking_id
                and r.shop_status not in NO_GOODS_STATUSES
            )
        )
        for record in records - wanted:
            settled = (
                not record.return_goods
                or record.picking_id
                or record.shop_status in NO_GOODS_STATUSES
            )
            if not record.goods_done and settled:
                record.goods_done = True
        if not wanted:
            return []
        notes = []
        whole = wanted.filtered(lambda r: r.source != "otto_item")
        if whole:
            pickings = self.pickings.of_everything(sale)
            whole.write({"goods_done": True, "picking_id": pickings[:1].id or False})
            if pickings:
                notes.append(
                    env._(
                        "Return %(returns)s made of what the order's deliveries shipped (the shop "
                        "reports %(status)s): validate it when the goods arrive.",
                        returns=", ".join(pickings.mapped("name")),
                        status=self._status_label(whole[0].shop_ref),
                    )
                )
            else:
                notes.append(
                    env._(
                        "The shop reports %s, but nothing of the order was delivered: no "
                        "return to make.",
                        self._status_label(whole[0].shop_ref),
                    )
                )
        items = wanted - whole
        lines = self._lines_by_item(sale)
        entries, owners = [], []
        for record in items:
            line = lines.get(record.shop_ref)
            if not line:
                record.goods_done = True  # on no line: nothing of Odoo's to take back
                continue
            entries.append((line, 1, shipped_by(sale, record.shop_ref)))
            owners.append(record)
        if entries:
            pickings, missing = self.pickings.of_units(sale, entries)
            for picking, indexes in pickings.items():
                chosen = items.browse([owners[i].id for i in indexes])
                chosen.write({"picking_id": picking.id, "goods_done": True})
                notes.append(
                    env._(
                        "Return %(picking)s made for %(count)s item(s) %(why)s: validate it when "
                        "the goods arrive.",
                        picking=picking.name,
                        count=len(chosen),
                        why=self._otto_why(chosen),
                    )
                )
            for index in missing:
                owners[index].message = env._(
                    "Waits for the delivery of the item to be validated in Odoo: its return "
                    "is made then."
                )
        return notes

    def _otto_why(self, records):
        env = self.env
        statuses = set(records.mapped("shop_status"))
        tracking = ", ".join(filter(None, records.mapped("tracking")))
        if statuses == {"ANNOUNCED"}:
            why = env._("announced by the buyer on OTTO")
        elif "RETURNED" in statuses:
            why = env._("OTTO refunded")
        else:
            why = env._("accepted on OTTO")
        return f"({why}, {tracking})" if tracking else f"({why})"

    # --- the money -------------------------------------------------------------------------------
    def _money(self, sale, records):
        wanted = records.filtered(
            lambda r: r.refund_money and not (r.credit_done and r.refund_done)
        )
        if not wanted:
            return []
        notes = []
        statuses = wanted.filtered(lambda r: r.source == "status")
        if statuses:
            notes += self._whole_order(sale, statuses)
        # PrestaShop credit slips and OTTO refund receipts: amounts and rows the shop names
        slips = wanted.filtered(lambda r: r.source in ("slip", "receipt"))
        for slip in slips:
            notes += self._slip(sale, slip)
        items = wanted.filtered(lambda r: r.source == "otto_item")
        if items:
            notes += self._items(sale, items)
        return notes

    def _items(self, sale, records):
        env = self.env
        lines = self._lines_by_item(sale)
        unmatched = records.filtered(lambda r: r.shop_ref not in lines)
        matched = records - unmatched
        notes = []
        move = None
        to_credit = matched.filtered(lambda r: not r.credit_done)
        if to_credit:
            units, chosen, waiting = self._units_to_credit(sale, to_credit, lines)
            if units:
                move = self.refunds.credit_note(
                    sale,
                    units=units,
                    reason=env._(
                        "%(marketplace)s: %(count)s item(s) of order %(number)s refunded",
                        marketplace=self._marketplace(),
                        count=len(chosen),
                        number=sale.marketplace_order_ref,
                    ),
                )
                chosen.write({"credit_note_id": move.id, "credit_done": True})
            if not waiting:
                (to_credit - chosen).write({"credit_done": True})
            elif not units:
                for record in to_credit - chosen:
                    record.message = env._(
                        "Refunded on the shop; the order's invoice is not posted yet: its "
                        "credit note follows once it is."
                    )
        tx = self._refund_records(sale, matched.filtered(lambda r: not r.refund_done))
        if move or tx:
            notes.append(
                env._(
                    "%(marketplace)s refunded returned items of this order (%(count)s): "
                    "%(documents)s.",
                    marketplace=self._marketplace(),
                    count=len(matched),
                    documents=self.refunds.documents_text(sale, move, tx),
                )
            )
        for record in unmatched:
            notes.append(self._unmatched(sale, record))
        return notes

    def _units_to_credit(self, sale, records, lines):
        """({sale line: units} to credit now, the records they settle, whether some wait for an
        invoice): a line's units are what its posted invoices hold beyond what the buyer keeps
        (every item of the line OTTO refunded counts, credited or not)."""
        refunded = sale.marketplace_return_ids.filtered(
            lambda r: r.source == "otto_item" and r.refund_money and r.shop_ref in lines
        )
        units, chosen = {}, records.browse()
        waiting = False
        for line in records.mapped(lambda r: lines[r.shop_ref]):
            returned = len(refunded.filtered(lambda r, line=line: lines[r.shop_ref] == line))
            mine = records.filtered(lambda r, line=line: lines[r.shop_ref] == line)
            count = int(round(posted_units(line) - (line.product_uom_qty - returned)))
            count = max(0, min(count, len(mine)))
            if count:
                units[line] = count
                chosen |= mine[:count]
            if count < len(mine) and sale.invoice_status == "to invoice":
                waiting = True  # more may be invoiced (and then credited) later
        return units, chosen, waiting

    def _unmatched(self, sale, record):
        """A refund Odoo cannot match to the order's lines: booked as an amount, a person
        issues the credit note."""
        env = self.env
        record.credit_done = True
        tx = self._refund_records(sale, record.filtered(lambda r: not r.refund_done))
        amount = self.refunds.amount_text(sale, record.amount)
        note = env._(
            "%(marketplace)s refunded %(amount)s for item %(item)s of order %(number)s, which is "
            "on no line of the Odoo order: %(booked)s Issue the credit note for it and match it "
            "with the refund.",
            marketplace=self._marketplace(),
            amount=amount,
            item=record.shop_ref,
            number=sale.marketplace_order_ref,
            booked=env._("the refund payment %s records the amount.", tx.payment_id.name)
            if tx
            else env._("no payment entry records it."),
        )
        record.write({"message": note, "state": "attention"})
        target = tx.payment_id or sale
        if not has_open_activity(target, unmatched_summary, note_part=record.shop_ref):
            target.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(target),
                summary=unmatched_summary(env),
                note=note,
                user_id=decision_user(sale, self.account.user_id).id,
            )
        sale.message_post(body=note)
        return note

    def _slip(self, sale, record):
        """A PrestaShop credit slip (an OTTO refund receipt): its rows and shipping credited as
        the slip says, its amount refunded."""
        env = self.env
        receipt = record.source == "receipt"
        move = None
        if not record.credit_done:
            if not posted_units_any(sale):
                if sale.invoice_status != "to invoice":
                    record.credit_done = True  # Odoo will not invoice it: nothing to credit
                else:
                    record.message = env._(
                        "Refunded on the shop; the order's invoice is not posted yet: its "
                        "credit note follows once it is."
                    )
            else:
                units, amounts, unknown = self._slip_lines(sale, record)
                move = self.refunds.credit_note(
                    sale,
                    units=units,
                    amounts=amounts,
                    reason=env._(
                        "%(marketplace)s: refund receipt %(slip)s of order %(number)s",
                        marketplace=self._marketplace(),
                        slip=record.shop_ref,
                        number=sale.marketplace_order_ref,
                    )
                    if receipt
                    else env._(
                        "%(marketplace)s: credit slip %(slip)s of order %(number)s",
                        marketplace=self._marketplace(),
                        slip=record.shop_ref,
                        number=sale.marketplace_order_ref,
                    ),
                )
                record.write({"credit_note_id": move.id if move else False, "credit_done": True})
                if unknown:
                    record.state = "attention"
                    record.message = env._(
                        "Rows %s of the shop's refund are on no line of the Odoo order: credit "
                        "them by hand.",
                        ", ".join(unknown),
                    )
        tx = self._refund_records(sale, record.filtered(lambda r: not r.refund_done))
        if not (move or tx):
            return []
        if receipt:
            return [
                env._(
                    "OTTO refund receipt %(receipt)s (%(kind)s) of %(amount)s: %(documents)s.",
                    receipt=record.shop_ref,
                    kind=record.shop_status,
                    amount=self.refunds.amount_text(sale, record.amount),
                    documents=self.refunds.documents_text(sale, move, tx),
                )
            ]
        return [
            env._(
                "Credit slip %(slip)s of %(amount)s: %(documents)s.",
                slip=record.shop_ref,
                amount=self.refunds.amount_text(sale, record.amount),
                documents=self.refunds.documents_text(sale, move, tx),
            )
        ]

    def _slip_lines(self, sale, record):
        """({sale line: units}, [(sale line, amount, label)], rows on no line) of a slip."""
        env = self.env
        by_row = {}
        for line in sale.order_line:
            for row in item_ids(line):
                by_row[row] = line
        units, amounts, unknown = {}, [], []
        currency = sale.currency_id
        for row in json.loads(record.items or "[]"):
            line = by_row.get(str(row.get("row")))
            if not line:
                unknown.append(str(row.get("row")))
                continue
            quantity = int(row.get("quantity") or 0)
            amount = float(row.get("amount") or 0)
            if quantity and not currency.compare_amounts(amount, line.price_unit * quantity):
                units[line] = units.get(line, 0) + quantity
            else:
                amounts.append(
                    (
                        line,
                        amount,
                        env._("Refund of %(product)s", product=line.name.split("\n")[0]),
                    )
                )
        shipping = record.shipping_amount
        if shipping:
            line = sale.order_line.filtered("is_delivery")[:1]
            if not line:
                unknown.append(env._("shipping"))
            elif not currency.compare_amounts(shipping, line.price_unit * line.product_uom_qty):
                units[line] = units.get(line, 0) + line.product_uom_qty
            else:
                amounts.append((line, shipping, env._("Refund of the shipping")))
        return units, amounts, unknown

    def _whole_order(self, sale, records):
        """A status meaning refunded: everything the invoices hold is credited, everything the
        entries hold refunded, unless the shop's own refunds said what went back."""
        env = self.env
        others = sale.marketplace_return_ids.filtered(
            lambda r: r.refund_money and r.source != "status"
        )
        label = self._status_label(records[0].shop_ref)
        if others:
            records.write({"credit_done": True, "refund_done": True})
            for record in records:
                record.message = env._(
                    "The shop reports %s; its own refunds of the order (credit slips, refunded "
                    "items) say what went back: nothing more is refunded.",
                    label,
                )
            return []
        move = None
        if not records.filtered("credit_done"):
            units = {
                line: posted_units(line)
                for line in sale.order_line
                if posted_units(line) > 0 and not line.display_type
            }
            if units:
                move = self.refunds.credit_note(
                    sale,
                    units=units,
                    reason=env._(
                        "%(marketplace)s: order %(number)s refunded (%(status)s)",
                        marketplace=self._marketplace(),
                        number=sale.marketplace_order_ref,
                        status=label,
                    ),
                )
                records.write({"credit_note_id": move.id, "credit_done": True})
            elif sale.invoice_status != "to invoice":
                records.write({"credit_done": True})
            else:
                for record in records:
                    record.message = env._(
                        "Refunded on the shop; the order's invoice is not posted yet: its "
                        "credit note follows once it is."
                    )
        tx = None
        if not records.filtered("refund_done"):
            __, __, held = self.refunds.held(sale)
            tx = self.refunds.refund(
                sale,
                held,
                records[0].shop_date,
                shop_ref=sale.marketplace_order_ref,
                shop_id=sale.marketplace_order_id,
            )
            records.write({"refund_done": True, "transaction_id": tx.id if tx else False})
            records.amount = abs(tx.amount) if tx else 0.0
        if not (move or tx):
            return []
        note = env._(
            "The shop reports order %(number)s as %(status)s: the buyer got the money back. "
            "Posted entries are never edited: %(documents)s records it.",
            number=sale.marketplace_order_ref,
            status=label,
            documents=self.refunds.documents_text(sale, move, tx),
        )
        if tx:
            self.refunds.ledger.tell(sale, tx, note)
        return [note]

    def _refund_records(self, sale, records):
        """One refund payment of what ``records`` refunded; they are settled with it (or
        without, when the order has no payment entry to refund). Matched with the credit
        notes."""
        if not records:
            return None
        amount = sale.currency_id.round(sum(records.mapped("amount")))
        tx = None
        if amount > 0:
            tx = self.refunds.refund(
                sale,
                amount,
                max(filter(None, records.mapped("shop_date")), default=None),
                shop_ref=sale.marketplace_order_ref,
                shop_id=sale.marketplace_order_id,
            )
        records.write({"refund_done": True, "transaction_id": tx.id if tx else False})
        self.refunds.match(sale)
        return tx

    # --- the end ---------------------------------------------------------------------------------
    def _settle(self, record):
        if record.state != "open":
            return
        goods = not record.return_goods or record.goods_done
        money = not record.refund_money or (record.credit_done and record.refund_done)
        if goods and money:
            record.write(
                {
                    "state": "done",
                    "message": self._done_message(record),
                }
            )

    def _done_message(self, record):
        env = self.env
        parts = []
        if record.picking_id:
            parts.append(env._("return %s", record.picking_id.name))
        if record.credit_note_id:
            parts.append(env._("credit note %s", record.credit_note_id.name))
        if record.transaction_id:
            tx = record.transaction_id
            parts.append(env._("refund payment %s", tx.payment_id.name or tx.reference))
        if record.shop_status in NO_GOODS_STATUSES:
            return env._("The shop reports the return %s: nothing to do.", record.shop_status)
        if not parts:
            return env._("Nothing to make in Odoo: nothing of it was delivered, invoiced or paid.")
        return env._("Done: %s.", ", ".join(parts))

    # --- helpers ---------------------------------------------------------------------------------
    def _lines_by_item(self, sale):
        """{OTTO position item id: the order line it is a unit of} (product lines only)."""
        lines = {}
        for line in sale.order_line.filtered(
            lambda line: not line.is_delivery and not line.display_type
        ):
            if line.product_id == self.account.discount_product_id:
                continue
            for item in item_ids(line):
                lines.setdefault(item, line)
        return lines

    def _marketplace(self):
        backends = dict(self.account._fields["backend"]._description_selection(self.env))
        return backends.get(self.account.backend, self.account.backend)

    def _status_label(self, code):
        row = self.account.status_mapping_ids.filtered(lambda m: m.code == code)[:1]
        return row.display_name if row else code


def has_documents(sale):
    """Whether the order has something a return takes back or a refund gives back: a done
    delivery, a posted invoice, a payment entry."""
    return bool(
        any(picking.state == "done" for picking in sale.picking_ids)
        or any(move.state == "posted" for move in sale.invoice_ids)
        or sale.marketplace_payment_ids
    )


def posted_units_any(sale):
    """Whether any line of the order is held by a posted invoice."""
    return any(posted_units(line) > 0 for line in sale.order_line)
