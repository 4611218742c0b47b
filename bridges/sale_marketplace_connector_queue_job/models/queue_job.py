from odoo import models


class QueueJob(models.Model):
    _inherit = "queue.job"

    def related_action_marketplace_run(self):
        """The related action of an account's job: its run (the runs of its tries, when it was
        tried more than once), else the account."""
        self.ensure_one()
        runs = self.env["marketplace.run"].search(
            [("queue_job_uuid", "=", self.uuid)], order="id desc"
        )
        if not runs:
            return self.related_action_open_record()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_run_action"
        )
        if len(runs) == 1:
            action.update({"res_id": runs.id, "view_mode": "form", "views": [(False, "form")]})
        else:
            action.update({"domain": [("id", "in", runs.ids)], "context": {}})
        return action
