"""queue_job's test helpers (``trap_jobs``), importable on every Odoo 18.0 source tree.

queue_job 18.0.4 registers its method patcher in ``odoo.tests.common.SETATTR_SOURCES``, a
registry of later Odoo 18.0 trees (their tests warn when a test patches a model method from an
unknown file). Trees from before it (such as the 18.0 nightly of May 2025 these scripts use)
have neither the registry nor the warning: an empty registry stands in for it.
"""

import odoo.tests.common as odoo_tests_common

if not hasattr(odoo_tests_common, "SETATTR_SOURCES"):
    odoo_tests_common.SETATTR_SOURCES = {}

from odoo.addons.queue_job.tests.common import trap_jobs

__all__ = ["trap_jobs"]
