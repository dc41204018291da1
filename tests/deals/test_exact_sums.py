"""The sums are exact: amounts that floats would get wrong (cents past 2^53, 0.1 + 0.2) add up
to the cent in the tally, on both databases."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartexpo.deals import selectors
from smartexpo.deals.models import Deal
from smartexpo.deals.services.deals import deal_create

from .test_services import deal_data

# Near 10^16 yuan the cents need 61 bits: a double keeps 53. Small ones repeat 0.1 and 0.2.
amounts = st.one_of(
    st.decimals(
        min_value=Decimal("9007199254740.99"), max_value=Decimal("9999999999999999.99"), places=2
    ),
    st.sampled_from([Decimal("0.10"), Decimal("0.20"), Decimal("0.30"), Decimal("0.01")]),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(amounts, min_size=1, max_size=6))
def test_the_tally_is_the_exact_sum(expo, values):
    # The examples share one edition: each adds its deals to what the earlier ones left.
    before = selectors.tally(expo=expo)
    for value in values:
        deal_create(expo=expo, data=deal_data(amount=f"{value:f}"))
    tally = selectors.tally(expo=expo)
    assert Decimal(tally["amount"]) == Decimal(before["amount"]) + sum(values, Decimal(0))
    assert tally["amount"] == f"{Decimal(tally['amount']):.2f}"
    assert tally["projects"] == before["projects"] + len(values)


def test_amounts_keep_every_cent_in_the_database(expo):
    value = "9999999999999999.99"
    deal = deal_create(expo=expo, data=deal_data(amount=value))
    deal.refresh_from_db()
    assert f"{deal.amount:f}" == value
    assert Deal.objects.filter(amount=Decimal(value)).count() == 1
