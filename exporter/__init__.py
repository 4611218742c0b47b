"""Write-back: Odoo-side logic that sends to the shops what happened to their orders in Odoo.

- ``marks``: what the models call when a delivery is validated, an order confirmed, invoiced or
  cancelled: they mark ``marketplace.export`` records to send, nothing more (never a request)
- ``run.ExportRun``: one sending run of one account (lock, commits, run log of trigger "export")
- ``otto``, ``prestashop``, ``cscart``: how each update goes to each shop, exactly once
- ``base``, ``carriers``, ``notes``: outcomes and shared helpers, carrier codes, note texts
"""
