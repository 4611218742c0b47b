"""Order import: Odoo-side logic that turns normalised shop orders into sales documents.

- ``run.ImportRun``: one run of one account (lock, paging, watermark, commits, run log)
- ``order_sync.OrderSync``: what happens to each order of a page (create, update, skip, fail)
- ``partners``, ``products``, ``sale_values``: buyers, products and the sales order's values
- ``documents``: moving a document to the state its shop status asks for
- ``payments.PaymentSync``: the payment entries of the paid orders of a page
"""
