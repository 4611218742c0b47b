"""Property tests of the three clients' normalisers over random and hostile payloads (issue 17):
either a ``MalformedOrderError`` whose message names the field, or a normalised order that keeps
the rules (lines, whole units, no negative item, no control character, its total the sum of its
parts where the shop's is); never another exception. Plain pytest, no Odoo."""

from hypothesis import given

from ..clients import cscart, otto, prestashop
from ..clients.base import BaseClient
from . import hostile


@hostile.PLAIN
@given(hostile.otto_orders())
def test_otto_normaliser(case):
    raw, mutations = case
    # OTTO's total is the sum of its parts by construction: always consistent
    hostile.check_normalised(lambda: otto.parse_order(raw), raw, mutations, always_consistent=True)
    # the identity of any payload is read without raising (the log needs it)
    order_id, order_ref, __, __ = otto.identify_order(raw)
    assert isinstance(order_id, str) and isinstance(order_ref, str)


@hostile.PLAIN
@given(hostile.prestashop_orders())
def test_prestashop_normaliser(case):
    bundle, mutations = case

    def parse():
        return prestashop.parse_order(
            bundle["order"],
            bundle["addresses"],
            bundle["customers"],
            {"8": "FR"},
            {"1": "EUR"},
            "Europe/Paris",
        )

    hostile.check_normalised(parse, bundle, mutations)


@hostile.PLAIN
@given(hostile.cscart_orders())
def test_cscart_normaliser(case):
    raw, mutations = case
    hostile.check_normalised(lambda: cscart.parse_order(raw, "EUR"), raw, mutations)
    order_id, __, __, status = cscart.identify_order(raw)
    assert isinstance(order_id, str) and isinstance(status, str)


@hostile.PLAIN
@given(hostile.otto_orders())
def test_a_page_never_raises(case):
    """Through the clients' page making: an order or a failure with its reason, never a crash."""
    raw, __ = case
    page = BaseClient("http://shop.test")._make_page([raw], otto.parse_order, otto.identify_order)
    assert len(page.orders) + len(page.failures) == 1
    for failure in page.failures:
        assert failure.message.startswith("Malformed order in the shop's answer: ")
        assert not any(words in failure.message for words in hostile.RAW_PYTHON)
