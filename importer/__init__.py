"""Order import: Odoo-side logic that turns normalised shop orders into sales documents.

- ``run.ImportRun``: one run of one account (the account-run template of ``runs/``: lock,
  commits, run log; here paging, the watermark, the retry list)
- ``order_sync.OrderSync``: what happens to each order of a page (create, update, skip, fail)
- ``partners``, ``products``, ``sale_values``: buyers, products and the sales order's values
- ``documents``: moving a document to the state its shop status asks for
- ``payments.PaymentSync``: what the shop's statuses mean for the payment entries of a page's
  orders (the entries themselves are the ledger's: ``ledger/``)
- ``items``: OTTO items cancelled one by one; ``retries``: the retry list
"""
