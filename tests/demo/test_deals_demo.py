"""The demo's deals ledger (`demo.deals`): the public totals to the cent, the spreads, the
illustrative marks, the chain, and a second seed that writes nothing.

Seeded once for the module (`demo_world`): the catalogue and programme of both editions (the
parties and ceremonies the deals name), then the deals, without visitors or meetings."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest

from smartexpo.deals import chain
from smartexpo.deals.models import Deal, DealStatus, ExchangeRate, Ledger, LogEntry, StatusChange
from smartexpo.deals.selectors import deals_public, tally
from smartexpo.deals.services.ledger import entry_body
from smartexpo.demo.deals import (
    DATA,
    DEALS_NOTE,
    REF_PREFIX,
    Ceremony,
    deals_plan,
    demo_deals_note,
    demo_deals_seed,
)
from smartexpo.demo.management.commands.demo import Command
from smartexpo.demo.seed import demo_seed
from smartexpo.programme.models import Session
from smartexpo.venue.models import Expo
from tests.demo.worlds import demo_world

pytestmark = pytest.mark.django_db

PUBLIC = {
    "sce-2019": {"projects": 530, "amount": "816900000000.00", "at_expo": 89},
    "sce-2018": {"projects": 501, "amount": "612000000000.00"},
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build():
        demo_seed()
        old = Expo.objects.get(slug="sce-2018")
        # 2018 first as of a day in 2019 (its follow-up cut short), then in full: the second
        # seed must add only the moves the first could not make yet.
        reports = {"sce-2018 early": demo_deals_seed(expo=old, today=dt.date(2019, 3, 1))}
        for slug in ("sce-2018", "sce-2019"):
            reports[slug] = demo_deals_seed(expo=Expo.objects.get(slug=slug))
        return reports

    with demo_world(django_db_blocker, build) as reports:
        yield reports


@pytest.fixture
def expo(world):
    return Expo.objects.get(slug="sce-2019")


@pytest.mark.parametrize("slug", ["sce-2019", "sce-2018"])
def test_the_signed_tally_gives_the_public_figures_exactly(world, slug):
    signed = tally(expo=Expo.objects.get(slug=slug))
    for key, value in PUBLIC[slug].items():
        assert signed[key] == value
    assert signed["currency"] == "CNY"
    assert sum(row["projects"] for row in signed["by_sector"]) == PUBLIC[slug]["projects"]
    assert sum(Decimal(row["amount"]) for row in signed["by_sector"]) == Decimal(
        PUBLIC[slug]["amount"]
    )


def test_2019_signs_89_at_the_expo_and_441_elsewhere(expo):
    live = Deal.objects.filter(expo=expo).exclude(status=DealStatus.CANCELLED)
    assert live.filter(at_expo=True).count() == 89
    assert live.filter(at_expo=False).count() == 441
    days = set(expo.days)
    assert all(d in days for d in live.filter(at_expo=True).values_list("signed_on", flat=True))
    # Elsewhere: during the expo or in the weeks before it, never after its last day.
    assert max(live.values_list("signed_on", flat=True)) <= expo.ends_on


def test_some_2019_deals_are_signed_at_the_programme_signing_ceremonies(expo):
    at_ceremonies = Deal.objects.filter(expo=expo, ceremony__isnull=False).select_related(
        "ceremony"
    )
    assert 0 < at_ceremonies.count() < 89
    for deal in at_ceremonies:
        assert deal.at_expo
        assert deal.ceremony.format == "signing"
        assert deal.signed_on == deal.ceremony.starts_at.astimezone(expo.tz).date()
    used = {d.ceremony_id for d in at_ceremonies}
    assert used == set(
        Session.objects.filter(expo=expo, format="signing").values_list("pk", flat=True)
    )


def test_cancelled_projects_come_on_top_of_the_public_totals(world):
    for slug, facts in DATA["editions"].items():
        deals = Deal.objects.filter(expo__slug=slug)
        cancelled = deals.filter(status=DealStatus.CANCELLED)
        assert cancelled.count() == facts["cancelled"] > 0
        assert deals.count() == PUBLIC[slug]["projects"] + facts["cancelled"]
        assert not cancelled.filter(at_expo=True).exists()
        for deal in cancelled:
            assert deal.status_changes.filter(status="cancelled").count() == 1


@pytest.mark.parametrize("slug", ["sce-2019", "sce-2018"])
def test_the_chain_of_every_entry_verifies(world, slug):
    expo = Expo.objects.get(slug=slug)
    entries = [entry_body(e) for e in LogEntry.objects.filter(expo=expo).order_by("seq")]
    deals = Deal.objects.filter(expo=expo).count()
    moves = StatusChange.objects.filter(deal__expo=expo).count()
    # One entry per deal entered and per status move: nothing was written around the services.
    assert len(entries) == deals + moves
    assert chain.chain_problems(entries) == []
    assert Ledger.objects.get(expo=expo).head == entries[-1]["hash"]
    assert tally(expo=expo)["chain_head"] == entries[-1]["hash"]


def test_a_second_seed_writes_nothing(world):
    for slug in ("sce-2019", "sce-2018"):
        expo = Expo.objects.get(slug=slug)
        before = (
            Deal.objects.filter(expo=expo).count(),
            LogEntry.objects.filter(expo=expo).count(),
            Ledger.objects.get(expo=expo).head,
            ExchangeRate.objects.count(),
        )
        report = demo_deals_seed(expo=expo)
        assert (report.created, report.moves) == (0, 0)
        assert report.planned == before[0]
        after = (
            Deal.objects.filter(expo=expo).count(),
            LogEntry.objects.filter(expo=expo).count(),
            Ledger.objects.get(expo=expo).head,
            ExchangeRate.objects.count(),
        )
        assert after == before


def test_a_reseed_makes_only_the_status_moves_that_are_missing(world):
    """2018 was seeded first as of 1 March 2019 (a follow-up cut short), then again: the
    second seed entered no deal and made only the later moves."""
    early, later = world["sce-2018 early"], world["sce-2018"]
    assert early.created == early.planned and later.created == 0
    assert early.moves > 0 and later.moves > 0
    moves = StatusChange.objects.filter(deal__expo__slug="sce-2018")
    assert moves.count() == early.moves + later.moves
    assert moves.filter(on__gt=dt.date(2019, 3, 1)).count() == later.moves
    assert moves.filter(on__lte=dt.date(2019, 3, 1)).count() == early.moves


def test_the_spreads_are_plausible(expo):
    deals = Deal.objects.filter(expo=expo)
    sectors = set(deals.values_list("sector__code", flat=True))
    assert sectors == set(DATA["sector_weights"])
    assert set(deals.values_list("kind", flat=True)) == set(DATA["kinds"])
    forms = Counter(deals.filter(kind="investment").values_list("investment_form", flat=True))
    assert set(forms) == {"greenfield", "expansion", "joint_venture"}
    statuses = Counter(deals.values_list("status", flat=True))
    assert set(statuses) == {"signed", "registered", "started", "operating", "cancelled"}
    amounts = sorted(deals.exclude(status="cancelled").values_list("amount_cny", flat=True))
    # A heavy tail: the largest tenth of the projects holds more than half the money.
    top = sum(amounts[-len(amounts) // 10 :], Decimal(0))
    assert top > sum(amounts, Decimal(0)) / 2
    assert amounts[0] < amounts[len(amounts) // 2] / 10
    counterparts = Counter(
        (p.country, p.region)
        for d in deals.prefetch_related("parties")
        for p in d.parties.all()
        if p.position == 0
    )
    countries = {country for country, _ in counterparts}
    assert "CN" in countries and len(countries) >= 8
    assert len({region for country, region in counterparts if country == "CN"}) >= 10
    assert deals.filter(parties__exhibitor__isnull=False).exists()
    assert deals.filter(parties__position=0, parties__exhibitor__isnull=True).exists()


def test_foreign_amounts_keep_a_recorded_rate_and_convert_exactly(expo):
    foreign = Deal.objects.filter(expo=expo).exclude(currency="CNY")
    assert set(foreign.values_list("currency", flat=True)) == {"USD", "EUR"}
    for deal in foreign:
        recorded = ExchangeRate.objects.get(currency=deal.currency, on=deal.rate_on)
        assert recorded.rate == deal.rate
        assert deal.rate_on <= deal.signed_on
        assert deal.amount_cny == (deal.amount * deal.rate).quantize(Decimal("0.01"))


def test_confidential_amounts_count_but_are_not_listed(expo):
    secret = Deal.objects.filter(expo=expo, amount_confidential=True)
    assert secret.count() == DATA["editions"]["sce-2019"]["confidential"]
    listed = set(deals_public(expo=expo).values_list("pk", flat=True))
    assert not listed & set(secret.values_list("pk", flat=True))
    assert tally(expo=expo)["projects"] == 530
    for entry in LogEntry.objects.filter(expo=expo, deal__in=secret.values("pk")):
        assert "amount" not in entry.change and "amount_cny" not in entry.change


def test_every_project_is_marked_illustrative(world):
    deals = Deal.objects.filter(expo__slug__in=PUBLIC)
    assert deals.exclude(ref__startswith=REF_PREFIX).count() == 0
    for deal in deals:
        assert deal.title_en.endswith(DATA["mark"]["en"])
        assert deal.title_zh.endswith(DATA["mark"]["zh"])
        assert deal.summary_en.startswith("Illustrative demo project")
        assert deal.summary_zh.startswith("示例演示项目")
    for change in StatusChange.objects.filter(deal__expo__slug__in=PUBLIC):
        assert change.evidence.startswith("Illustrative demo evidence")
    assert demo_deals_note(expo=Expo.objects.get(slug="sce-2019")) == DEALS_NOTE
    assert "816.9" in DEALS_NOTE["en"] and "8169" in DEALS_NOTE["zh"]


def test_the_deals_pages_say_the_projects_are_illustrative(world):
    from django.test import Client
    from django.utils.html import escape

    english = Client().get("/expos/sce-2019/deals/").content.decode()
    chinese = Client().get("/zh-hans/expos/sce-2019/deals/list/").content.decode()
    assert escape(DEALS_NOTE["en"]) in english
    assert escape(DEALS_NOTE["zh"]) in chinese


def test_demo_seed_runs_the_deals_step(world):
    out = StringIO()
    command = Command(stdout=out)
    command.seed_deals(seed=2019)
    text = out.getvalue()
    assert "sce-2019: illustrative deals: 530 projects in force worth 816900000000.00 yuan" in text
    assert "sce-2018: illustrative deals: 501 projects in force worth 612000000000.00 yuan" in text
    assert "0 entered and 0 status moves this run" in text


@pytest.mark.parametrize("seed", [1, 7, 2018, 99999])
def test_any_seed_lands_on_the_exact_totals(seed):
    """The plan alone (no database): whatever the draw, the public sums are exact."""
    days = [dt.date(2019, 8, 26) + dt.timedelta(days=i) for i in range(4)]
    ceremonies = [
        Ceremony(id=i + 1, day=days[i % 3], sector=None, title_en=f"C{i}", title_zh=f"C{i}")
        for i in range(5)
    ]
    plan = deals_plan(
        slug="sce-2019",
        days=days,
        ceremonies=ceremonies,
        companies=[],
        seed=seed,
        today=dt.date(2026, 1, 1),
    )
    public = [d for d in plan if d.public]
    assert len(public) == 530
    assert sum((d.amount_cny for d in public), Decimal(0)) == Decimal("816900000000.00")
    assert sum(d.data["at_expo"] for d in public) == 89
    assert all(d.amount_cny > 0 for d in plan)
    assert len({d.ref for d in plan}) == len(plan)
    again = deals_plan(
        slug="sce-2019",
        days=days,
        ceremonies=ceremonies,
        companies=[],
        seed=seed,
        today=dt.date(2026, 1, 1),
    )
    assert again == plan
