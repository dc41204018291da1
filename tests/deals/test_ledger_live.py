"""The ledger through a live server: concurrent organisers append in one unbroken chain, and
`smartexpo deals verify --url` checks it from outside through the public endpoints only."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.deals.models import Deal, LogEntry
from tests.concurrency import call_json, race

from .test_services import deal_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_writers_make_one_chain_that_verifies_remotely(production_server, expo, capsys):
    _token, raw = token_create(role=Role.ORGANIZER, name="Deals desk")
    url = f"{production_server}/api/v1/expos/test-2019/deals"
    calls = [
        (lambda n=n: call_json(url, raw, deal_data(amount=f"{n}.01", ref=f"R{n}")))
        for n in range(12)
    ]
    calls += [(lambda: call_json(url, raw, deal_data(amount="7.00", ref="R0")))]
    results = race(calls)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 12 + [409], results
    assert Deal.objects.count() == 12
    assert list(LogEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 13)
    )
    call_command("deals", "verify", "--expo", "test-2019", "--url", production_server, "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True, report
    assert report["entries"] == 12
    assert report["projects"] == 12
    # Either "R0" may have won its race (0.01 or 7.00): the sum is of the deals that exist.
    expected = sum(Deal.objects.values_list("amount_cny", flat=True), Decimal(0))
    assert report["amount"] == f"{expected:.2f}"
    assert expected in (Decimal("66.12"), Decimal("73.11"))


def test_verify_reports_an_unreachable_server(expo, capsys):
    with pytest.raises(SystemExit):
        call_command("deals", "verify", "--expo", "test-2019", "--url", "http://127.0.0.1:9")
    assert "could not read the ledger" in capsys.readouterr().err


def test_the_journalists_script_in_the_docs_verifies_a_live_server(production_server, expo):
    """docs/deals-ledger.md promises a reader's own script can check the ledger: run it."""
    from pathlib import Path

    from smartexpo.deals.services.deals import deal_create, deal_update

    first = deal_create(expo=expo, data=deal_data(amount="10.10"))
    deal_create(expo=expo, data=deal_data(amount="0.20", amount_confidential=True))
    deal_update(expo=expo, deal_id=first.pk, data={"amount_confidential": True})
    deal_update(expo=expo, deal_id=first.pk, data={"amount_confidential": False})
    deal_create(expo=expo, data=deal_data(title={"en": "Robots", "zh": "机器人"}))
    text = (Path(__file__).resolve().parents[2] / "docs" / "deals-ledger.md").read_text()
    script = text.split("```python\n", 1)[1].split("```", 1)[0]
    base = "https://expo.example.org/api/v1/expos/sce-2019/deals"
    assert base in script
    script = script.replace(base, f"{production_server}/api/v1/expos/test-2019/deals")
    printed = []
    exec(compile(script, "deals-ledger.md", "exec"), {"print": lambda *a: printed.append(a)})  # noqa: S102
    assert printed == [("the ledger holds:", 3, "projects,", "1250000010.80", "yuan")]
