from odoo import fields, models


class MarketplaceRun(models.Model):
    """marketplace.run (inherited): the queue_job job whose run it is, for the job's related
    action (queue_job runs a job's method with ``job_uuid`` in the context)."""

    _inherit = "marketplace.run"

    queue_job_uuid = fields.Char(
        string="Job UUID",
        readonly=True,
        copy=False,
        index="btree_not_null",
        default=lambda self: self.env.context.get("job_uuid"),
    )
