"""The Odoo side of the scale-out row's set-up (bench_worker.py scaleout-prepare): what each
account must import, and the scheduled actions held until the benchmark starts the import.
"""

from datetime import timedelta

from odoo import fields

# Modules whose scheduled actions stay active in the benchmark's database: the connector's (and
# its bridges', e.g. sale_marketplace_connector_queue_job) and queue_job's own (requeueing jobs
# of dead workers). Odoo's others (mail queue, digests, ...) are switched off: they would take
# cron workers from the import and make the two measurements differ by chance.
KEPT_MODULES = ("sale_marketplace_connector", "queue_job")
CONNECTOR_MODELS = ("marketplace.account", "marketplace.run", "marketplace.export")


def expected_orders(accounts):
    """``{account id: [shop order ids]}``: the orders a first import of each account creates a
    document for: those listed since the import period's start in a status ticked 'Import' in the
    account's status table (and not one the connector never imports). Read from the lists only,
    before the benchmark's clock (the shops answer at once then)."""
    try:
        from odoo.addons.sale_marketplace_connector.const import NEVER_IMPORTED_STATUSES
    except ImportError:  # moved by a later version: no status is never imported
        NEVER_IMPORTED_STATUSES = {}
    expected = {}
    for account in accounts:
        mappings = {mapping.code: mapping for mapping in account.status_mapping_ids}
        never = NEVER_IMPORTED_STATUSES.get(account.backend, set())
        wanted = set()

        def select(identities, mappings=mappings, never=never, wanted=wanted):
            for ident in identities:
                mapping = mappings.get(ident.status)
                if mapping is not None and mapping.selected and ident.status not in never:
                    wanted.add(ident.order_id)
            return set()  # no order read in full: the lists say enough

        since = fields.Datetime.now() - timedelta(days=account.import_period_days)
        for _page in account._get_client().iter_order_pages(since, select=select):
            pass
        expected[str(account.id)] = sorted(wanted)
    return expected


def hold_crons(env):
    """Hold every scheduled action until the benchmark triggers the import: the connector's wait
    (next call in a day), the other modules' are switched off (see KEPT_MODULES), pending
    triggers are dropped. Returns the import actions the benchmark triggers: the connector's
    active scheduled actions whose code runs an import."""
    Cron = env["ir.cron"].sudo()
    modules = {
        data.res_id: data.module
        for data in env["ir.model.data"].sudo().search([("model", "=", "ir.cron")])
    }
    later = fields.Datetime.now() + timedelta(days=1)
    triggers = []
    for cron in Cron.search([("active", "=", True)]):
        module = modules.get(cron.id, "")
        connector = module.startswith(KEPT_MODULES[0]) or cron.model_id.model in CONNECTOR_MODELS
        if connector:
            cron.nextcall = later
            if "import" in (cron.code or "") and cron.model_id.model == "marketplace.account":
                triggers.append({"id": cron.id, "name": cron.name})
        elif not module.startswith(KEPT_MODULES):
            cron.active = False
    env["ir.cron.trigger"].sudo().search([]).unlink()
    env.cr.commit()
    return triggers
