"""The marketplace payments in Odoo's books, in one place.

- ``entries.Ledger``: the operations on an account's payment entries: pay (a done payment
  transaction, whose Odoo post-processing makes the payment), refund or add a difference (an
  entry of its own: a posted entry is never edited), cancel an open entry (a draft: nothing was
  posted), ask a person (an activity on the payment, once); and how a transaction's payment is
  booked (customer, receivable account, memo, draft or posted)
- ``journal``: the account's payment provider and bank journal, made on first use
- ``matching``: the payments matched with the order's invoices, the difference written off once
  within the tolerance, or shown ("Payment Differs") with the reason

The import decides which operation a shop's status means (``importer/payments.py``); the models
call the matching when an invoice or a payment is posted, reset or matched by hand. An Odoo-side
event (a credit note, a return: issue 19) calls the same operations.
"""
