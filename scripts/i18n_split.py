"""Move the bridge add-ons' terms out of the main add-on's .pot into a .pot of their own.

Odoo's export of the main add-on walks its whole folder, the bridges under ``bridges/``
included; at run time a term is looked up in the translations of the add-on whose code says it,
so each bridge keeps its own ``i18n/``. Usage: ``i18n_split.py <main .pot> <bridges folder>``;
prints the written bridge .pot files."""

import sys
from pathlib import Path

import polib

MAIN = "addons/sale_marketplace_connector/"


def split(main_pot, bridges):
    pot = polib.pofile(main_pot, wrapwidth=78)
    found = {}
    for entry in list(pot):
        for path, __ in entry.occurrences:
            rest = path.split(MAIN + "bridges/", 1)
            if len(rest) == 2:
                found.setdefault(rest[1].split("/", 1)[0], []).append(entry)
                break
    for bridge, entries in found.items():
        out = polib.POFile(wrapwidth=78)
        out.metadata = dict(pot.metadata)
        out.header = pot.header.replace("sale_marketplace_connector", bridge)
        for entry in entries:
            copy = polib.POEntry(
                msgid=entry.msgid,
                msgstr="",
                comment=entry.comment,
                tcomment=entry.tcomment,
                flags=list(entry.flags),
                occurrences=[
                    (path.replace(MAIN + "bridges/", "addons/"), line)
                    for path, line in entry.occurrences
                    if "/bridges/" in path
                ],
            )
            out.append(copy)
            # a term the main add-on says too stays in its .pot, without the bridge's places
            entry.occurrences = [o for o in entry.occurrences if "/bridges/" not in o[0]]
            if not entry.occurrences:
                pot.remove(entry)
        target = Path(bridges) / bridge / "i18n" / f"{bridge}.pot"
        target.parent.mkdir(exist_ok=True)
        out.save(str(target))
        print(target)
    pot.save(main_pot)


if __name__ == "__main__":
    split(*sys.argv[1:])
