"""What the soak (scripts/soak.py) counts: the shops' own records against Odoo's, per shop.

- Orders: every shop order in a status the account imports has exactly one sales order, whose
  total is the shop's and whose shop status is the shop's current one.
- Shipments: every delivery the warehouse validated reached its shop once, with its tracking
  number (OTTO: a shipment; PrestaShop: the order carrier's tracking number; CS-Cart: a
  shipment).
- Statuses: every status change Odoo marked to send reached the shop once (a change the shop
  ignores because the order is in that status already counts as reached).
- E-mails the shop sent the buyer for the connector's writes, and its notes: none twice.
"""

from collections import Counter
from decimal import Decimal

NAMES = {"otto": "OTTO Market", "prestashop": "PrestaShop", "cscart": "CS-Cart"}
DETAILS_SHOWN = 5
UNEXPECTED_FR = "Erreur inattendue"


# --- the shops' records -------------------------------------------------------------------------
def shop_records(sim):
    """What the shop holds and received, copied under its lock."""
    with sim._lock:
        records = SHOP_RECORDS[sim.backend](sim)
        records["requests"] = len(sim.requests)
        records["faults"] = Counter(fault_label(r) for r in sim.requests if "fault" in r)
    return records


def _otto_records(sim):
    from simulators.otto_orders import bucket_status

    orders = {
        key: {"status": bucket_status(order), "total": sim.expected_total(key)}
        for key, order in sim.orders.items()
        if isinstance(order, dict)
    }
    shipments = [
        (order_id, shipment["trackingKey"].get("trackingNumber"))
        for shipment in sim.shipments
        for order_id in shipment["salesOrderIds"]
    ]
    return {
        "orders": orders,
        "shipments": shipments,
        "statuses": [(str(change[0]), change[1]) for change in sim.status_changes],
        "emails": [],
        "notes": [],
    }


def _prestashop_records(sim):
    orders = {
        str(key): {"status": str(order["current_state"]), "total": sim.expected_total(key)}
        for key, order in sim.orders.items()
        if isinstance(order, dict)
    }
    threads = sim.resources["customer_threads"]
    notes = [
        (str(threads.get(str(m["id_customer_thread"]), {}).get("id_order")), m["message"])
        for m in sim.resources["customer_messages"].values()
    ]
    emails = [("state e-mail", str(e["order_id"]), e["template"]) for e in sim.emails]
    emails += [
        ("in transit", str(m["id_order"]), m["shipping_number"]) for m in sim.in_transit_mails
    ]
    return {
        "orders": orders,
        "shipments": [(str(order_id), number) for order_id, number in sim.tracking_updates],
        "statuses": [(str(order_id), str(state)) for order_id, state in sim.status_changes],
        "emails": emails,
        "notes": notes,
    }


def _cscart_records(sim):
    orders = {
        str(key): {"status": order["status"], "total": sim.expected_total(key)}
        for key, order in sim.orders.items()
        if isinstance(order, dict)
    }
    emails = [("status e-mail", str(e["order_id"]), e["to"], e["status"]) for e in sim.emails]
    emails += [
        ("shipment e-mail", str(m["order_id"]), m["tracking_number"]) for m in sim.shipment_mails
    ]
    return {
        "orders": orders,
        "shipments": [(str(s["order_id"]), s["tracking_number"]) for s in sim.shipments],
        "statuses": [(str(order_id), status) for order_id, status in sim.status_changes],
        "emails": emails,
        "notes": [],
    }


SHOP_RECORDS = {"otto": _otto_records, "prestashop": _prestashop_records, "cscart": _cscart_records}


def fault_label(record):
    """'502 after the write', '429 Retry-After', ...: a fault as the report counts it."""
    kind, options = record["fault"], record.get("fault_options") or {}
    write = record["method"] not in ("GET", "HEAD")
    after = " after the write" if write and options.get("applied") else ""
    if kind == "rate_limit":
        return "429 Retry-After"
    if kind == "server_error":
        return f"{options.get('status', 500)}{after}"
    if kind == "slow":
        return "no answer in time" + (after or (", written late" if write else ""))
    if kind == "disconnect":
        applied = options.get("applied", True)
        return "connection cut" + (" after the write" if write and applied else "")
    if kind == "trailing_output":
        return "2xx + trailing output"
    return kind


# --- Odoo's records ------------------------------------------------------------------------------
def odoo_records(rpc, accounts):
    """What Odoo holds, read as the administrator: {backend: {...}}."""
    ids = list(accounts.values())
    rows = {
        "sales": rpc.read_all(
            "sale.order",
            [("marketplace_account_id", "in", ids)],
            [
                "marketplace_account_id",
                "marketplace_order_id",
                "marketplace_status",
                "amount_total",
                "state",
            ],
        ),
        "exports": rpc.read_all(
            "marketplace.export",
            [("account_id", "in", ids)],
            [
                "account_id",
                "sale_order_id",
                "picking_id",
                "kind",
                "state",
                "status_code",
                "message",
            ],
        ),
        "retries": rpc.read_all(
            "marketplace.retry",
            [("account_id", "in", ids), ("state", "!=", "ignored")],
            ["account_id", "marketplace_order_id", "state", "reason"],
        ),
        "runs": rpc.read_all(
            "marketplace.run",
            [("account_id", "in", ids)],
            ["account_id", "trigger", "state", "started_at", "ended_at"],
        ),
        "mappings": rpc.read_all(
            "marketplace.status.mapping",
            [("account_id", "in", ids)],
            ["account_id", "code", "selected"],
        ),
        "accounts": rpc.read_all(
            "marketplace.account", [("id", "in", ids)], ["backend", "import_announced"]
        ),
        # a failure the connector could not put in the merchant's words is a bug, whatever
        # became of the order later (in the languages the run logs may be written in)
        "unexpected": rpc.read_all(
            "marketplace.run.line",
            [
                ("account_id", "in", ids),
                "|",
                "|",
                ("message", "ilike", "Unexpected error"),
                ("message", "ilike", "Unerwarteter Fehler"),
                ("message", "ilike", UNEXPECTED_FR),
            ],
            ["account_id", "marketplace_order_id", "message"],
        ),
    }
    result = {}
    for backend, account_id in accounts.items():
        result[backend] = {
            name: [row for row in values if _account_of(row) == account_id]
            for name, values in rows.items()
        }
        sales = result[backend]["sales"]
        result[backend]["order_ids"] = {sale["id"]: sale["marketplace_order_id"] for sale in sales}
    return result


def _account_of(row):
    account = row.get("account_id") or row.get("marketplace_account_id")
    if account is None:  # an account itself
        return row["id"]
    return account[0] if account else False


def imported_statuses(odoo):
    """The shop statuses whose new orders the account imports."""
    codes = {row["code"] for row in odoo["mappings"] if row["selected"]}
    [account] = odoo["accounts"]
    if account["backend"] == "otto" and not account["import_announced"]:
        codes.discard("ANNOUNCED")
    return codes


# --- the comparison ------------------------------------------------------------------------------
def compare(backend, shop, odoo, validated):
    """The figures of one shop and the details of what is wrong ({name: [text]})."""
    problems = {}
    figures = {"orders on the shop": len(shop["orders"])}
    wanted = imported_statuses(odoo)
    by_order = {}
    for sale in odoo["sales"]:
        by_order.setdefault(sale["marketplace_order_id"], []).append(sale)
    to_import = {key for key, order in shop["orders"].items() if order["status"] in wanted}
    figures["to import"] = len(to_import)
    figures["imported"] = len(by_order)
    problems["lost"] = sorted(
        f"order {key} ({shop['orders'][key]['status']}) not in Odoo"
        for key in to_import - set(by_order)
    )
    problems["duplicated"] = [
        f"order {key}: {len(sales)} sales orders"
        for key, sales in by_order.items()
        if len(sales) > 1
    ]
    problems["wrong totals"], problems["status behind"], problems["unknown to the shop"] = (
        [],
        [],
        [],
    )
    for key, sales in by_order.items():
        order = shop["orders"].get(key)
        if order is None:
            problems["unknown to the shop"].append(f"sales order of {key}")
            continue
        for sale in sales:
            if sale["marketplace_status"] != order["status"]:
                problems["status behind"].append(
                    f"order {key}: Odoo {sale['marketplace_status']}, shop {order['status']}"
                )
            total = Decimal(str(sale["amount_total"])).quantize(Decimal("0.01"))
            if sale["state"] != "cancel" and total != order["total"]:
                problems["wrong totals"].append(f"order {key}: Odoo {total}, shop {order['total']}")
    _compare_shipments(shop, odoo, validated, figures, problems)
    _compare_statuses(shop, odoo, figures, problems)
    figures["e-mails"] = len(shop["emails"])
    problems["e-mails twice"] = _twice(shop["emails"])
    figures["notes"] = len(shop["notes"])
    problems["notes twice"] = _twice(shop["notes"])
    problems["unexpected errors"] = [
        f"order {line['marketplace_order_id'] or '-'}: {_short(line['message'])}"
        for line in odoo["unexpected"]
    ]
    retries = odoo["retries"]
    figures["on the retry list"] = len(retries)
    problems["failing"] = [
        f"order {r['marketplace_order_id']} ({r['state']}): {_short(r['reason'])}" for r in retries
    ]
    return figures, problems


def _compare_shipments(shop, odoo, validated, figures, problems):
    order_ids = odoo["order_ids"]
    mine = [v for v in validated if v["sale"] in order_ids]
    on_shop = Counter(shop["shipments"])

    def arrived(v):
        return (order_ids[v["sale"]], v["tracking"]) in on_shop

    figures["shipments expected"] = len(mine)
    figures["shipments sent"] = sum(1 for v in mine if arrived(v))
    skipped = {
        e["picking_id"][0]: e["message"]
        for e in odoo["exports"]
        if e["kind"] == "shipment" and e["state"] == "not_needed" and e["picking_id"]
    }
    missing = [v for v in mine if not arrived(v)]
    figures["shipments not needed"] = sum(1 for v in missing if v["picking"] in skipped)
    problems["shipments lost"] = [
        f"{v['name']} of order {order_ids[v['sale']]} ({v['tracking']})"
        for v in missing
        if v["picking"] not in skipped
    ]
    problems["shipments not needed"] = [
        f"{v['name']}: {_short(skipped[v['picking']])}" for v in missing if v["picking"] in skipped
    ]
    problems["shipments twice"] = [
        f"order {order} {number}: {count} times"
        for (order, number), count in on_shop.items()
        if count > 1
    ]


def _compare_statuses(shop, odoo, figures, problems):
    marked = [e for e in odoo["exports"] if e["kind"] == "status"]
    needed = [e for e in marked if e["state"] != "not_needed"]
    changes = set(shop["statuses"])
    figures["statuses expected"] = len(needed)
    figures["statuses sent"] = sum(1 for e in needed if e["state"] == "sent")
    figures["statuses not needed"] = len(marked) - len(needed)
    lost = []
    for export in needed:
        order_id = odoo["order_ids"].get(export["sale_order_id"][0])
        code = export["status_code"]
        if export["state"] != "sent":
            state, message = export["state"], _short(export["message"])
            lost.append(f"order {order_id} -> {code}: {state}, {message}")
        elif (order_id, code) not in changes and shop["orders"].get(order_id, {}).get(
            "status"
        ) != code:
            lost.append(f"order {order_id} -> {code}: sent, but the shop never had it")
    problems["statuses lost"] = lost
    problems["statuses twice"] = _twice(shop["statuses"])


def _short(text):
    return " ".join((text or "").split())[:160]


def _twice(records):
    return [f"{record}: {count} times" for record, count in Counter(records).items() if count > 1]


# what makes the soak fail
FAILURES = (
    "lost",
    "duplicated",
    "wrong totals",
    "status behind",
    "unknown to the shop",
    "shipments lost",
    "shipments twice",
    "statuses lost",
    "statuses twice",
    "e-mails twice",
    "notes twice",
    "unexpected errors",
)


def runs_text(odoo):
    counts = {}
    for run in odoo["runs"]:
        kind = "export" if run["trigger"] == "export" else "import"
        counts.setdefault(kind, Counter())[run["state"]] += 1
    parts = []
    for kind in ("import", "export"):
        states = counts.get(kind, Counter())
        detail = ", ".join(f"{state} {count}" for state, count in sorted(states.items()))
        parts.append(f"{kind} {sum(states.values())} ({detail})")
    return ", ".join(parts)


def shop_block(backend, shop, odoo, figures, problems):
    f = figures
    faults = shop["faults"]
    total_faults = sum(faults.values())
    during = shop.get("bad day requests") or shop["requests"]
    share = 100.0 * total_faults / during if during else 0.0
    by_kind = ", ".join(
        f"{label} {count}" for label, count in sorted(faults.items(), key=lambda i: -i[1])
    )
    n = {name: len(problems[name]) for name in problems}
    lines = [
        f"{NAMES[backend]}",
        f"  orders      on the shop {f['orders on the shop']}, to import {f['to import']}, "
        f"imported {f['imported']}; lost {n['lost']}, duplicated {n['duplicated']}, wrong totals "
        f"{n['wrong totals']}, status behind {n['status behind']}",
        f"  shipments   expected {f['shipments expected']}, sent {f['shipments sent']}; duplicated "
        f"{n['shipments twice']}, lost {n['shipments lost']} "
        f"(not needed {f['shipments not needed']})",
        f"  statuses    expected {f['statuses expected']}, sent {f['statuses sent']}; duplicated "
        f"{n['statuses twice']}, lost {n['statuses lost']} (not needed {f['statuses not needed']})",
        f"  e-mails     {f['e-mails']}, twice {n['e-mails twice']}; notes {f['notes']}, twice "
        f"{n['notes twice']}; on the retry list {f['on the retry list']}",
        f"  faults      {total_faults} in {during} requests ({share:.1f} %; {shop['requests']} "
        f"in all): {by_kind or 'none'}",
        f"  runs        {runs_text(odoo)}; unexpected errors {n['unexpected errors']}",
    ]
    for name in (*FAILURES, "failing", "shipments not needed"):
        for text in problems.get(name, [])[:DETAILS_SHOWN]:
            lines.append(f"    {name}: {text}")
        if len(problems.get(name, [])) > DETAILS_SHOWN:
            lines.append(f"    {name}: ... {len(problems[name]) - DETAILS_SHOWN} more")
    return lines


def failed(problems):
    return sum(len(problems.get(name, [])) for name in FAILURES)
