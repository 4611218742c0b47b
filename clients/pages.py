"""Reading a page of the shop's orders: each order normalised on its own (a malformed one becomes
a failure of that order alone, with its identity and the reason), and only the orders the
importer wants read in full. Mixed into ``BaseClient``."""

import logging

from .errors import MalformedOrderError
from .records import OrderFailure, OrderIdentity, OrderPage

_logger = logging.getLogger(__name__)


class PageReader:
    """How every client makes a page of orders of a shop's answer."""

    backend = None

    def _make_page(self, raws, parse, identify):
        """Normalise every raw order of a page; a malformed one becomes a failure, not a crash."""
        page = OrderPage()
        for raw in raws:
            try:
                page.orders.append(parse(raw))
            except MalformedOrderError as exc:
                page.failures.append(self._malformed(raw, identify, str(exc)))
            except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
                # a reading the parser does not guard yet: still a failure of this order alone
                _logger.warning("Unguarded reading of a %s order", self.backend, exc_info=True)
                page.failures.append(self._malformed(raw, identify, describe_error(exc)))
        return page

    def _malformed(self, raw, identify, reason):
        order_id, order_ref, changed_at, status = identify(raw)
        return OrderFailure(
            order_id=order_id,
            order_ref=order_ref,
            message=f"Malformed order in the shop's answer: {reason}",
            raw=raw if isinstance(raw, dict) else {"value": raw},
            changed_at=changed_at,
            status=status,
        )

    def _select_page(self, raws, identify, select, read):
        """The page of ``raws``: those ``select`` wants (all without ``select``) read in full by
        ``read(raws) -> OrderPage``, the others left as identities in ``page.unread``. A raw
        order without an id is always read, so that it fails with its reason."""
        if select is None:
            return read(raws)
        chosen, unread = self._choose(raws, identify, select)
        page = read(chosen) if chosen else OrderPage()
        page.unread = unread
        return page

    def _choose(self, raws, identify, select, always=()):
        """(the raws ``select`` wants read, the identities of the others); an order without an
        id, or whose id is in ``always``, is read whatever ``select`` says."""
        identities = [identity(raw, identify) for raw in raws]
        wanted = select([ident for ident in identities if ident.order_id])
        wanted = set(wanted) | (set(always) & {ident.order_id for ident in identities})
        chosen = [
            raw
            for raw, ident in zip(raws, identities, strict=True)
            if not ident.order_id or ident.order_id in wanted
        ]
        return chosen, [i for i in identities if i.order_id and i.order_id not in wanted]


def identity(raw, identify):
    order_id, order_ref, changed_at, status = identify(raw)
    return OrderIdentity(order_id, order_ref or order_id, status, changed_at)


def describe_error(exc):
    if isinstance(exc, KeyError):
        return f"the field {exc.args[0]!r} is missing"
    return str(exc) or type(exc).__name__
