class OrderImportError(Exception):
    """An order cannot be imported; the message says why and what to do.

    ``retryable``: something in Odoo can be mended (create the product, the country) and the next
    run tries the order again. Otherwise only a change of the order on the shop can mend it.
    """

    def __init__(self, message, *, retryable=True):
        super().__init__(message)
        self.message = message
        self.retryable = retryable

    def __str__(self):
        return self.message
