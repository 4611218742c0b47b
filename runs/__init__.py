"""One way to run an account's work (an import, a sending of updates, and the returns to come).

- ``account_run.AccountRun``: the template every kind of work specialises: create the run, take
  the account's lock for this kind of work, close the runs a crash left running, do the work
  within a deadline, finish the run, release the lock; in a cursor of its own, committed as it
  goes. ``importer.run.ImportRun`` and ``exporter.run.ExportRun`` are its two kinds today.
- ``budget``: how long a run may take (a person waiting on the screen, the scheduled action's
  share of Odoo's cron time limit, one deadline per execution of it).

Where an account's work is scheduled (now, inline; or as jobs of an engine) is the model's
``marketplace.account._schedule_account_work`` (models/marketplace_account_work.py).
"""
