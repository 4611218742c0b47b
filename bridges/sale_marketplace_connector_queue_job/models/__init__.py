from . import marketplace_account, marketplace_run, queue_job
