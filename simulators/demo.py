"""The simulated shops of the demo (``python -m simulators ... --showcase --live 60``).

- ``showcase(sim)``: orders a merchant should see once, on top of the random ones: OTTO orders
  with several units of one item, a delivery fee, a discount, a recycling request, announced
  orders without an address, one cancelled by OTTO, one with an item OTTO cancelled and one with
  a product the merchant's catalogue lacks; a PrestaShop order in each default state and a
  CS-Cart order in each status, their buyers in France, Belgium and Germany; CS-Cart's own
  "Refunded" status (a credit memo, the stock put back: ``REFUNDED_STATUS``).
- ``live_tick(sim)``: a minute of a shop's life: a few new orders, payments arriving, buyers
  cancelling or returning. Everything random goes through the simulator's ``rng``. An order the
  merchant shipped from Odoo comes back once per shop, in the shop's own way (``_comes_back``):
  on OTTO its buyer announces the return of an item (Returns v3), on PrestaShop the merchant
  refunds an item and the shipping (a credit slip), on CS-Cart the order is refunded (the
  "Refunded" status).
- ``describe_write(record)``: one line for a write the shop received (status, shipment,
  tracking number), as the demo prints them.
"""

import json
import re
from datetime import timedelta
from xml.etree import ElementTree

from .data import parse_iso
from .otto_orders import bucket_status

COUNTRIES = ("FR", "BE", "DE")
UNKNOWN_SKU = "GRILL-XXL"  # a product the demo's catalogue does not have: the order fails
# CS-Cart has no refunded status of its own: a store makes one (credit memo, stock back)
REFUNDED_STATUS = ("E", {"description": "Refunded", "appearance_type": "C", "inventory": "I"})


# --- showcase orders ---------------------------------------------------------------------------
def showcase(sim):
    """Add the demo's hand-picked orders, placed over the last days; returns them."""
    return SHOWCASES[sim.backend](sim)


def _ago(sim, hours):
    return sim.clock - timedelta(hours=hours)


def _otto_showcase(sim):
    return [
        # several units of one item, a delivery fee
        sim.add_order(
            "PROCESSABLE",
            [("HT-50100-GR", 4), ("KK-8080", 2)],
            delivery_fee="4.95",
            discount=None,
            order_date=_ago(sim, 30),
        ),
        # a discount, shown on the items and as an initial discount
        sim.add_order(
            "PROCESSABLE",
            [("TS-5", 1), ("GP-28", 1)],
            delivery_fee=None,
            discount="10.00",
            order_date=_ago(sim, 26),
        ),
        # the buyer asks OTTO to take the old appliance back (Recycling & Entsorgung)
        sim.add_order(
            "PROCESSABLE",
            [("KVA-BARISTA", 1)],
            delivery_fee="5.95",
            discount=None,
            weee_pickup=True,
            order_date=_ago(sim, 20),
        ),
        # prepayment pending: no address yet (backlog)
        sim.add_order("ANNOUNCED", [("BK-DRACHE", 1), ("PZ-1000", 1)], order_date=_ago(sim, 9)),
        sim.add_order("ANNOUNCED", [("LED-DESK-01", 2)], order_date=_ago(sim, 5)),
        # unpaid for 7 days: OTTO cancelled it
        sim.add_order(
            "CANCELLED_BY_MARKETPLACE",
            [("YM-PURPLE", 1)],
            payment_method="PREPAYMENT",
            order_date=_ago(sim, 24 * 8),
        ),
        # three units, OTTO could not deliver one of them
        sim.add_order(
            "PROCESSABLE",
            [("WS-3P", 3)],
            delivery_fee="4.95",
            discount=None,
            item_statuses=["PROCESSABLE", "PROCESSABLE", "CANCELLED_BY_MARKETPLACE"],
            order_date=_ago(sim, 14),
        ),
        # a product the merchant has not created in Odoo: the order waits on the retry list
        sim.add_order(
            "PROCESSABLE",
            [(UNKNOWN_SKU, 1)],
            prices={UNKNOWN_SKU: "129.00"},
            delivery_fee=None,
            discount=None,
            order_date=_ago(sim, 3),
        ),
    ]


def _prestashop_showcase(sim):
    states = sorted(sim.order_states, key=int)
    return [
        sim.add_order(
            status=int(state),
            country=COUNTRIES[position % len(COUNTRIES)],
            order_date=_ago(sim, 4 + 5 * position),
        )
        for position, state in enumerate(states)
    ]


def _cscart_showcase(sim):
    letter, params = REFUNDED_STATUS
    if letter not in sim.statuses:
        params = dict(params)
        description = params.pop("description")
        sim.statuses[letter] = (description, "Remboursé", "#999999")
        sim.status_params[letter] = params
    letters = [status for status in sim.statuses if status != letter] + ["N"]
    return [
        sim.add_order(
            letter,
            country=COUNTRIES[position % len(COUNTRIES)],
            order_date=_ago(sim, 3 + 6 * position),
        )
        for position, letter in enumerate(letters)
    ]


SHOWCASES = {"otto": _otto_showcase, "prestashop": _prestashop_showcase, "cscart": _cscart_showcase}


# --- live ----------------------------------------------------------------------------------------
def live_tick(sim):
    """A minute of the shop: 0 to 2 new orders and 0 to 2 status changes, dated at the
    simulator's clock. Returns one text per event."""
    rng = sim.rng
    events = []
    with sim._lock:
        back = _comes_back(sim)
        if back:
            events.append(back)
        for _ in range(rng.choice((0, 1, 1, 2))):
            events.append("new order " + order_text(sim, NEW_ORDERS[sim.backend](sim, rng)))
        for _ in range(rng.choice((0, 1, 1, 2))):
            event = CHANGES[sim.backend](sim, rng)
            if event:
                events.append(event)
    return events


def _new_otto_order(sim, rng):
    status = "ANNOUNCED" if rng.random() < 0.2 else "PROCESSABLE"
    return sim.add_order(status, country="AUT" if rng.random() < 0.1 else "DEU")


def _new_prestashop_order(sim, rng):
    state = rng.choices((2, 10, 1, 11), weights=(60, 25, 10, 5))[0]
    return sim.add_order(status=state, country=rng.choices(COUNTRIES, weights=(70, 15, 15))[0])


def _new_cscart_order(sim, rng):
    status = rng.choices(("P", "O", "Y"), weights=(65, 30, 5))[0]
    return sim.add_order(status, country=rng.choices(COUNTRIES, weights=(75, 15, 10))[0])


NEW_ORDERS = {
    "otto": _new_otto_order,
    "prestashop": _new_prestashop_order,
    "cscart": _new_cscart_order,
}


def _pick(rng, candidates):
    """One (action, order) among the actions that have orders to act on, by weight."""
    usable = [(weight, action, orders) for weight, action, orders in candidates if orders]
    if not usable:
        return None, None
    __, action, orders = rng.choices(usable, weights=[weight for weight, *__ in usable])[0]
    return action, rng.choice(orders)


def _otto_change(sim, rng):
    by_status = {}
    for order in sim.orders.values():
        if isinstance(order, dict):
            by_status.setdefault(bucket_status(order), []).append(order)
    announced = by_status.get("ANNOUNCED", [])
    # orders the merchant shipped from Odoo come back through Returns v3 (``_comes_back``)
    shipped = {item["salesOrderId"] for s in sim.shipments for item in s["positionItems"]}
    sent = [o for o in by_status.get("SENT", []) if o["salesOrderId"] not in shipped]
    # OTTO cancels a prepayment after days without payment: never one placed a moment ago
    overdue = [o for o in announced if parse_iso(o["orderDate"]) < sim.clock - timedelta(hours=2)]
    action, order = _pick(
        rng,
        [
            (6, "paid", announced),
            (1, "unpaid", overdue),
            (1, "returned", sent),
        ],
    )
    if action is None:
        return None
    order_id = order["salesOrderId"]
    if action == "paid":
        sim.release_announced(order_id)
        return f"order {order['orderNumber']} paid: PROCESSABLE, address released"
    if action == "unpaid":
        sim.cancel_by_marketplace(order_id)
        return f"order {order['orderNumber']} not paid in time: CANCELLED_BY_MARKETPLACE"
    sim.set_status(order_id, "RETURNED")
    return f"order {order['orderNumber']} sent back by the buyer: RETURNED"


def _prestashop_change(sim, rng):
    by_state = {}
    for order in sim.orders.values():
        if isinstance(order, dict):
            by_state.setdefault(str(order.get("current_state")), []).append(order)
    action, order = _pick(
        rng,
        [
            (5, "2", by_state.get("10", []) + by_state.get("1", [])),  # the payment arrived
            (1, "6", by_state.get("10", []) + by_state.get("2", [])),  # the buyer cancelled
            (1, "7", by_state.get("5")),  # refunded
        ],
    )
    if action is None:
        return None
    sim.set_status(order["id"], action)
    name = sim.order_states[action]["name"][0]["value"]
    return f"order {order['reference']} (id {order['id']}) now in state {action} ({name})"


def _cscart_change(sim, rng):
    by_status = {}
    for order in sim.orders.values():
        if isinstance(order, dict):
            by_status.setdefault(order.get("status"), []).append(order)
    action, order = _pick(
        rng,
        [
            (5, "P", by_status.get("O", []) + by_status.get("Y", [])),  # paid
            (1, "I", by_status.get("O")),  # cancelled
            (1, "P", by_status.get("B")),  # back in stock
        ],
    )
    if action is None:
        return None
    sim.set_status(order["order_id"], action)
    return f"order {order['order_id']} now {action} ({sim.statuses[action][0]})"


CHANGES = {"otto": _otto_change, "prestashop": _prestashop_change, "cscart": _cscart_change}


def _comes_back(sim):
    """Once per shop: the first order the merchant shipped from Odoo (its shipment or tracking
    number sent to the shop) comes back (a text), or None. OTTO: the buyer announces the return
    of its first item; PrestaShop: the merchant refunds its first row and the shipping (a
    credit slip); CS-Cart: the order is refunded."""
    done = getattr(sim, "demo_returned", None)
    if done is None:
        done = sim.demo_returned = []
    if done:
        return None
    if sim.backend == "otto":
        shipped = [item["salesOrderId"] for s in sim.shipments for item in s["positionItems"]]
        if not shipped:
            return None
        order = sim.order(shipped[0])
        (back,) = sim.announce_return(shipped[0], 1)
        done.append(shipped[0])
        return (
            f"order {order['orderNumber']}: the buyer announces the return of item "
            f"{back['positionItemId']} (Returns v3 ANNOUNCED)"
        )
    if sim.backend == "prestashop":
        shipped = [str(order_id) for order_id, __ in sim.tracking_updates]
        if not shipped:
            return None
        order = sim.orders[shipped[0]]
        row = order["associations"]["order_rows"][0]
        slip = sim.add_slip(shipped[0], [(row["id"], 1)], shipping=True)
        done.append(shipped[0])
        return (
            f"order {order['reference']} (id {order['id']}): credit slip {slip['id']} refunds "
            f"one {row['product_reference']} and the shipping"
        )
    letter = REFUNDED_STATUS[0]
    shipped = [shipment["order_id"] for shipment in sim.shipments]
    if not shipped or letter not in sim.statuses:
        return None
    sim.set_status(shipped[0], letter)
    done.append(shipped[0])
    return f"order {shipped[0]} refunded: now {letter} ({sim.statuses[letter][0]})"


def order_text(sim, order):
    """'A4BXK7Q2ZP (PROCESSABLE, 54.90 EUR)': an order as the demo prints it."""
    if sim.backend == "otto":
        currency = order["positionItems"][0]["itemValueGrossPrice"]["currency"]
        total = sim.expected_total(order["salesOrderId"])
        return f"{order['orderNumber']} ({bucket_status(order)}, {total} {currency})"
    if sim.backend == "prestashop":
        total = sim.expected_total(order["id"])
        state = order["current_state"]
        return f"{order['reference']} (id {order['id']}, state {state}, {total})"
    return f"{order['order_id']} ({order['status']}, {sim.expected_total(order['order_id'])})"


# --- what the shop received ---------------------------------------------------------------------
def describe_write(record, limit=240):
    """'POST /v1/shipments -> 201: carrier=DHL trackingNumber=0034... salesOrderId=...'."""
    details = " ".join(f"{key}={value}" for key, value in _leaves(record["body"]))
    if len(details) > limit:
        details = details[: limit - 3] + "..."
    text = f"{record['method']} {record['path']} -> {record['status']}"
    return f"{text}: {details}" if details else text


def _leaves(body):
    """(key, value) of the scalar values of a JSON, form or XML body, each pair once."""
    if isinstance(body, str):
        text = body.strip()
        if text.startswith("<"):
            try:
                root = ElementTree.fromstring(text)
            except ElementTree.ParseError:
                return [("body", _squeeze(text))]
            pairs = [(node.tag, (node.text or "").strip()) for node in root.iter() if not len(node)]
            return _unique([(key, value) for key, value in pairs if value])
        try:
            body = json.loads(text)
        except ValueError:
            return [("body", _squeeze(text))] if text else []
    pairs = []

    def walk(value, key):
        if isinstance(value, dict):
            for name, child in value.items():
                walk(child, name)
        elif isinstance(value, list):
            for child in value:
                walk(child, key)
        elif value not in (None, ""):
            pairs.append((key or "value", value))

    walk(body, None)
    return _unique(pairs)


def _unique(pairs):
    seen, result = set(), []
    for key, value in pairs:
        if (key, str(value)) not in seen:
            seen.add((key, str(value)))
            result.append((key, value))
    return result


def _squeeze(text):
    return re.sub(r"\s+", " ", text)[:120]
