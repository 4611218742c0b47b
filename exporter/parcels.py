"""Which of the shop's items a delivery moved, and in which of its packages.

Odoo's carriers give one tracking number per package and join them with commas, in the order of
the delivery's packages (``stock_delivery``'s ``_get_packages_from_picking``: the packages of
the delivery's operations in their order, which lists the newest package first, then the goods
packed in none). A delivery of several packages is
sent as one parcel per package, with the items of that package.

Units are those of the sale line: a kit (a phantom bill of materials, module ``mrp``) counts the
kits its components make up, as Odoo's own delivered quantity does (``_compute_kit_quantities``),
never its components. A kit whose components are spread over several packages goes with the first
of them (which parcel holds "the kit" has no answer)."""

import json


def _kit_bom(line, moves):
    """The phantom bill of materials the line's moves were exploded from, else None (always
    None without ``mrp``)."""
    if "bom_line_id" not in moves._fields or not moves.bom_line_id:
        return None
    product = line.product_id
    boms = moves.bom_line_id.bom_id.filtered(
        lambda bom: (
            bom.type == "phantom"
            and (
                bom.product_id == product
                or (bom.product_tmpl_id == product.product_tmpl_id and not bom.product_id)
            )
        )
    )
    return boms[:1] or None


def line_units(line, moves):
    """Whole units of ``line`` (a sale.order.line) that these done moves delivered."""
    bom = _kit_bom(line, moves)
    if bom:
        order_qty = line.product_uom._compute_quantity(line.product_uom_qty, bom.product_uom_id)
        filters = {"incoming_moves": lambda move: True, "outgoing_moves": lambda move: False}
        kits = moves._compute_kit_quantities(line.product_id, order_qty, bom, filters)
        quantity = bom.product_uom_id._compute_quantity(kits, line.product_uom)
    else:
        quantity = sum(
            move.product_uom._compute_quantity(
                move.quantity, line.product_uom, rounding_method="HALF-UP"
            )
            for move in moves
        )
    return int(round(quantity))


def _done_moves(picking):
    return picking.move_ids.filtered(lambda move: move.state == "done" and move.sale_line_id)


def delivered_units(picking):
    """{sale line: whole units} a done delivery moved, lines in the order of its moves. A kit
    counts the kits this delivery completed: those all the line's deliveries make up, less
    those the others made up without it (a kit may be completed by a backorder)."""
    moves = _done_moves(picking)
    units = {}
    for line in moves.sale_line_id:  # in the order of the moves
        mine = moves.filtered(lambda m, line=line: m.sale_line_id == line)
        if _kit_bom(line, mine):
            delivered = line.move_ids.filtered(
                lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
            )
            units[line] = line_units(line, delivered) - line_units(line, delivered - mine)
        else:
            units[line] = line_units(line, mine)
    return {line: count for line, count in units.items() if count > 0}


def package_units(picking):
    """[(package name, {sale line: units})], one entry per parcel, in the order Odoo's carriers
    number them; [] when the delivery is one parcel (no package, or everything in one)."""
    moves = _done_moves(picking)
    # the delivery's operations in their order ("result_package_id desc, id": the newest package
    # first), as Odoo's carriers read them
    lines_of = picking.move_line_ids.filtered(lambda ml: ml.move_id in moves)
    packages = lines_of.result_package_id
    groups = [
        (package.name, lines_of.filtered(lambda ml, p=package: ml.result_package_id == p))
        for package in packages
    ]
    loose = lines_of.filtered(lambda ml: not ml.result_package_id)
    if loose:
        groups.append(("", loose))
    if len(groups) < 2:
        return []
    totals = delivered_units(picking)
    result = [(name, {}) for name, _lines in groups]
    for line, total in totals.items():
        placed = 0
        first = None
        for index, (_name, move_lines) in enumerate(groups):
            mine = move_lines.filtered(lambda ml, line=line: ml.move_id.sale_line_id == line)
            if not mine:
                continue
            first = index if first is None else first
            count = _units_in(line, mine)
            if count:
                result[index][1][line] = count
                placed += count
        if placed < total and first is not None:  # a kit split over several packages
            result[first][1][line] = result[first][1].get(line, 0) + total - placed
    return result


def _units_in(line, move_lines):
    """Whole units of ``line`` in these move lines (one package)."""
    moves = move_lines.move_id
    if _kit_bom(line, moves):
        # the package's share of each component move, as moves Odoo's kit rule can read
        shares = moves.browse()
        for move in moves:
            quantity = sum(
                ml.product_uom_id._compute_quantity(ml.quantity, move.product_uom)
                for ml in move_lines
                if ml.move_id == move
            )
            shares |= moves.new(
                {
                    "product_id": move.product_id.id,
                    "product_uom": move.product_uom.id,
                    "bom_line_id": move.bom_line_id.id,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "picked": True,
                    "quantity": quantity,
                }
            )
        return line_units(line, shares)
    quantity = sum(
        ml.product_uom_id._compute_quantity(
            ml.quantity, line.product_uom, rounding_method="HALF-UP"
        )
        for ml in move_lines
    )
    return int(round(quantity))


# --- the shop's items ----------------------------------------------------------------------------
def line_items(line):
    return [item for item in (line.marketplace_item_ids or "").split(",") if item]


def otto_items(units, taken=frozenset()):
    """{sale line: [position item ids]}: for each line, as many of its position items (one unit
    each) as units delivered, the ones no other delivery took, in line order."""
    chosen = {}
    for line, count in units.items():
        free = [item for item in line_items(line) if item not in taken]
        chosen[line] = free[:count]
    return chosen


def cscart_items(units):
    """{cart item id: quantity} (a CS-Cart line is one cart item)."""
    quantities = {}
    for line, count in units.items():
        items = line_items(line)
        if items and count > 0:
            quantities[items[0]] = quantities.get(items[0], 0) + count
    return quantities


def split_otto(by_line, groups):
    """The position items of each package: each package takes its units of each line from the
    delivery's items of that line, in order."""
    left = {line: list(items) for line, items in by_line.items()}
    return [
        {"package": name, "items": [i for line, n in units.items() for i in _take(left, line, n)]}
        for name, units in groups
    ]


def _take(left, line, count):
    items, left[line] = left.get(line, [])[:count], left.get(line, [])[count:]
    return items


def parcels_json(parcels):
    return json.dumps(parcels) if parcels else False
