"""Entering and changing deals through the services: the rules, the log they append."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from smartexpo.core.errors import SmartExpoError
from smartexpo.deals import chain
from smartexpo.deals.models import Deal, ExchangeRate, Ledger, LogEntry
from smartexpo.deals.services.deals import deal_create, deal_status_set, deal_update
from smartexpo.deals.services.ledger import entry_body


def deal_data(**extra):
    data = {
        "title": {"en": "Smart factory", "zh": "智能工厂"},
        "sector": "information-technology",
        "kind": "investment",
        "investment_form": "greenfield",
        "amount": "1250000000.50",
        "signed_on": "2019-08-26",
        "at_expo": True,
        "parties": [
            {"name": {"en": "Acme Holdings"}, "country": "DE", "region": "Bavaria"},
            {"exhibitor": "huawei"},
        ],
    }
    data.update(extra)
    return data


def log(expo):
    return [entry_body(e) for e in LogEntry.objects.filter(expo=expo).order_by("seq")]


def test_a_deal_is_entered_and_logged(expo):
    deal = deal_create(expo=expo, data=deal_data())
    assert deal.amount == Decimal("1250000000.50")
    assert deal.amount_cny == Decimal("1250000000.50")
    entries = log(expo)
    assert len(entries) == 1
    assert entries[0]["change"]["amount"] == "1250000000.50"
    assert entries[0]["change"]["parties"][1]["exhibitor"] == "huawei"
    assert chain.chain_problems(entries) == []
    assert Ledger.objects.get(expo=expo).head == entries[0]["hash"]


def test_a_change_logs_only_what_changed_and_the_chain_holds(expo):
    deal = deal_create(expo=expo, data=deal_data())
    deal_update(expo=expo, deal_id=deal.pk, data={"amount": "2000.00"})
    deal_update(expo=expo, deal_id=deal.pk, data={"amount": "2000.00"})  # no change
    deal_status_set(
        expo=expo, deal_id=deal.pk, status="registered", on="2019-09-10", evidence="Registry no. 1"
    )
    entries = log(expo)
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[1]["change"] == {"amount": "2000.00", "amount_cny": "2000.00"}
    assert entries[2]["change"] == {"status": "registered", "status_on": "2019-09-10"}
    assert chain.chain_problems(entries) == []


def test_a_foreign_amount_takes_the_recorded_rate(expo):
    ExchangeRate.objects.create(currency="USD", on=dt.date(2019, 8, 1), rate=Decimal("7.0814"))
    deal = deal_create(expo=expo, data=deal_data(amount="100.01", currency="USD"))
    assert deal.rate == Decimal("7.0814")
    assert deal.rate_on == dt.date(2019, 8, 1)
    assert deal.amount_cny == Decimal("708.21")


def test_bad_input_names_every_field(expo):
    with pytest.raises(SmartExpoError) as exc:
        deal_create(
            expo=expo,
            data=deal_data(amount=12.5, kind="gift", sector="nope", currency="USD", bogus=1),
        )
    fields = exc.value.detail["fields"]
    assert {"amount", "kind", "sector", "bogus"} <= set(fields)
    assert Deal.objects.count() == 0


def test_the_status_only_moves_forward(expo):
    deal = deal_create(expo=expo, data=deal_data())
    deal_status_set(expo=expo, deal_id=deal.pk, status="started", on="2019-10-01", evidence="Site")
    with pytest.raises(SmartExpoError) as exc:
        deal_status_set(
            expo=expo, deal_id=deal.pk, status="registered", on="2019-10-02", evidence="x"
        )
    assert exc.value.code == "status_backwards"


def test_the_log_refuses_update_and_delete(expo):
    deal_create(expo=expo, data=deal_data())
    for sql in ("UPDATE deals_logentry SET deal = 99", "DELETE FROM deals_logentry"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert LogEntry.objects.count() == 1


def test_the_tally_adds_up_and_is_signed(expo):
    from smartexpo.deals import selectors
    from smartexpo.deals.keys import keys_package
    from smartexpo.tickets.ticket_secrets import load_public_key_b64

    deal_create(expo=expo, data=deal_data(amount="0.10"))
    deal_create(expo=expo, data=deal_data(amount="0.20", amount_confidential=True))
    gone = deal_create(expo=expo, data=deal_data(amount="5.00"))
    deal_status_set(expo=expo, deal_id=gone.pk, status="cancelled", on="2019-09-01", evidence="x")
    tally = selectors.tally(expo=expo)
    assert tally["projects"] == 2
    assert tally["amount"] == "0.30"
    assert tally["confidential"] == {"projects": 1, "amount": "0.20"}
    assert tally["chain_head"] == Ledger.objects.get(expo=expo).head
    key = keys_package(expo=expo)["keys"][0]
    load_public_key_b64(key["public_key"]).verify(
        chain.b64url_decode(tally["signature"]), chain.tally_message(tally)
    )
