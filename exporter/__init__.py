"""Write-back: Odoo-side logic that sends to the shops what happened to their orders in Odoo.

- ``marks``: what the models call when a delivery is validated, an order confirmed, invoiced or
  cancelled: events (``events``), which each shop's sender turns into ``marketplace.export``
  records to send; nothing more (never a request)
- ``run.ExportRun``: one sending run of one account (the account-run template of ``runs/``)
- ``sender.Sender``: the sender every shop specialises (statuses, the events' defaults, and the
  steps of a shipment, ``shipments``); ``otto`` (+ ``otto_parcels``), ``prestashop``,
  ``cscart``: how each update goes to each shop, exactly once, and what each event means there
  (``shops`` names them)
- ``retries``: later and later, then given up; ``parcels``: the shop's items a delivery moved;
  ``base``, ``carriers``, ``notes``: outcomes and shared helpers, carrier codes, note texts
"""
