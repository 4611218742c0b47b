"""18.0.1.1.0: runs say what work they did (``marketplace.run.kind``) beside who started them.

The update adds the column with its default, "import"; the sending runs logged before it are
those of trigger "export"."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "UPDATE marketplace_run SET kind = 'export' WHERE trigger = 'export' AND kind != 'export'"
    )
