from ..clients.errors import MarketplaceError


class StatusPusher:
    """Set on the shop the statuses the mapping asks for right after an import ("Change Status
    To"), once per order.

    A run calls it after reading every page: changing an order's status on the shop moves the
    order to the end of the shop's change-date order, which would shift the pages still to be
    read. An order waits with ``marketplace_status_to_push`` until the shop accepts the status;
    every run tries again. Orders are searched as the connector: a salesperson's run must see
    the orders of the others too.
    """

    def __init__(self, account, client):
        self.account = account
        self.env = account.env
        self.client = client
        self.names = {m.code: m.display_name for m in account.status_mapping_ids}

    def push_pending(self, limit=200):
        """Return ``[(sale order, done, message)]`` for the orders waiting for a status."""
        pending = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("marketplace_account_id", "=", self.account.id),
                    ("marketplace_status_to_push", "!=", False),
                ],
                order="id",
                limit=limit,
            )
        )
        results = []
        for sale in pending:
            code = sale.marketplace_status_to_push
            name = self.names.get(code, code)
            if sale.marketplace_status == code:
                sale.marketplace_status_to_push = False
                results.append((sale, True, self.env._("The shop already reports %s.", name)))
                continue
            try:
                self.client.set_status(sale.marketplace_order_id, code)
            except MarketplaceError as exc:
                message = self.env._(
                    "Could not set the status %(status)s on the shop (tried again by the next "
                    "run): %(error)s",
                    status=name,
                    error=exc,
                )
                results.append((sale, False, message))
                continue
            sale.marketplace_status_to_push = False
            results.append((sale, True, self.env._("Status set on the shop: %s.", name)))
        return results
