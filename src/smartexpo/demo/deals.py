"""The demo's deals ledger (illustrative): the projects signed at and around both demo editions,
entered through the deals services, so that every one is logged in the edition's hash chain.

The public figures are the totals only: sce-2019 closed with 530 projects worth 816.9 billion
yuan, 89 of them signed at the venue and 441 elsewhere; sce-2018 with 501 projects worth 612
billion yuan. The tally (`deals.selectors.tally`) gives exactly those figures. Everything about
the single projects is invented and marked so: every title ends in "(illustrative)" /
"（示例）", every summary and evidence text says it, and the deals pages show `DEALS_NOTE`.

Choices (docs/deals-demo.md):

- Amounts have a heavy tail (log-normal, weighted by kind: framework agreements are large,
  licences small), rounded to 10,000 units; about a fifth of the counterparts are foreign and
  most of those sign in US dollars or euros at a rate recorded in `ExchangeRate` (invented
  rates, about each period's level, given with the deal as the rate it keeps). The largest
  deal in yuan takes what the others leave of the public total, so the sum is exact.
- Cancelled projects come on top of the public totals: the tally leaves out what is
  cancelled, so the 530 (501) projects in force are the public figures, and a few more
  illustrative projects (signed elsewhere, then cancelled with dated evidence) show the
  follow-up of a project that fell through.
- At the expo: on the expo's days; in 2019 about three in five at the demo programme's
  signing-ceremony sessions (`programme.Session` of format "signing"), on the ceremony's day.
  Elsewhere: during the expo at district and partner-city events, or in the weeks before.
- A few amounts are confidential (counted in the tally, never listed).

Deterministic (one seeded `random.Random` per edition, drawing over the edition's exhibitors'
slugs and its ceremonies, not over database ids) and idempotent: a deal is found again by its
`ref` ("demo-0001"…), never entered twice, and only the status moves it lacks are made.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from smartexpo.deals.models import Deal, DealStatus, ExchangeRate, LogEntry
from smartexpo.deals.selectors import totals
from smartexpo.deals.services.deals import deal_create, deal_status_set
from smartexpo.demo import catalogue_data as catalogue
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.programme.models import Session, SessionFormat
from smartexpo.venue.models import Expo

DATA = json.loads(Path(__file__).with_name("deals.json").read_text("utf-8"))
DEALS_NOTE: dict[str, str] = DATA["note"]
REF_PREFIX = "demo-"
CENT = Decimal("0.01")
ROUND_TO = Decimal(10_000)  # amounts are agreed in tens of thousands (万元)
MIN_AMOUNT = Decimal(500_000)
# The follow-up's order: a move is made only when it goes past the deal's present status.
ORDER = {"signed": 0, "registered": 1, "started": 2, "operating": 3, "cancelled": 4}
# Days between the steps of the follow-up: (fewest, most).
STEP_DAYS = {"registered": (20, 150), "started": (30, 270), "operating": (120, 540)}
EARLY_DAYS = 45  # deals signed elsewhere before the expo: up to this many days before it
ELSEWHERE_DURING = 0.65  # the share of the deals signed elsewhere that are signed during it
SIGMA = 1.5  # the spread of the log-normal amounts
CAP_SHARE = Decimal("0.06")  # no single project above this share of the edition's total
SECTOR_NAMES = {code: (en, zh) for code, en, zh in catalogue.SECTORS}


@dataclass(frozen=True)
class Ceremony:
    id: int
    day: dt.date
    sector: str | None
    title_en: str
    title_zh: str


@dataclass(frozen=True)
class Company:
    """An exhibitor of the edition as a party: its slug, country, sector and home province."""

    slug: str
    country: str
    sector: str
    region: str
    city: str


@dataclass(frozen=True)
class PlannedDeal:
    ref: str
    data: dict  # the API-shaped input of `deal_create`
    moves: tuple[tuple[str, dt.date, str], ...]  # (status, on, evidence) after `signed`
    amount_cny: Decimal
    public: bool  # counted in the public totals (False: an illustrative cancelled addition)


@dataclass
class DealsReport:
    planned: int = 0
    created: int = 0
    moves: int = 0
    totals: dict = field(default_factory=dict)
    entries: int = 0


def _weighted(rng: random.Random, table: dict[str, float] | list, key=None):
    if isinstance(table, dict):
        return rng.choices(list(table), weights=list(table.values()))[0]
    return rng.choices(table, weights=[key(row) for row in table])[0]


def _rate(currency: str, on: dt.date) -> tuple[Decimal, dt.date]:
    """The demo's recorded rate of `currency` on `on` or the latest day before it."""
    rows = [(dt.date.fromisoformat(d), Decimal(r)) for d, r in DATA["rates"][currency]]
    day, rate = max((row for row in rows if row[0] <= on), key=lambda row: row[0])
    return rate, day


def _round(value: Decimal) -> Decimal:
    return max((value / ROUND_TO).to_integral_value(ROUND_HALF_EVEN) * ROUND_TO, MIN_AMOUNT)


def _counterpart(rng: random.Random, sector: str, companies: list[Company]) -> dict:
    """Party 0, the investor, buyer or licensee: an exhibitor, a Chinese firm or a foreign one."""
    if companies and rng.random() < DATA["exhibitor_share"]:
        same = [c for c in companies if c.sector == sector] or companies
        company = rng.choice(same)
        return {"exhibitor": company.slug, "region": company.region, "city": company.city}
    word_en, word_zh = rng.choice(DATA["org_words"])
    if rng.random() < DATA["foreign_share"]:
        country, _w, _cur, form_en, form_zh, places = _weighted(
            rng, DATA["countries"], key=lambda row: row[1]
        )
        region, city_en, city_zh = rng.choice(places)
        stem_en, stem_zh = rng.choice(DATA["foreign_stems"])
        return {
            "name": {
                "en": f"{stem_en} {word_en} {form_en}",
                "zh": f"{city_zh}{stem_zh}{word_zh}{form_zh}",
            },
            "country": country,
            "region": region,
            "city": city_en,
        }
    province_en, _province_zh, _w, cities = _weighted(
        rng, DATA["provinces"], key=lambda row: row[2]
    )
    city_en, city_zh = rng.choice(cities)
    stem_en, stem_zh = rng.choice(catalogue.STEMS)
    form_en, form_zh = rng.choice(catalogue.COMPANY_FORMS)
    return {
        "name": {
            "en": f"{city_en} {stem_en} {word_en} {form_en}",
            "zh": f"{city_zh}{stem_zh}{word_zh}{form_zh}",
        },
        "country": "CN",
        "region": province_en,
        "city": city_en,
    }


def _host(rng: random.Random, kind: str, counterpart: dict, sector: str, companies) -> dict:
    """Party 1: the Chongqing side (a district or park), or for a purchase or a licence an
    exhibitor that sells or licenses."""
    if kind in ("procurement", "licence") and "exhibitor" not in counterpart and companies:
        same = [c for c in companies if c.sector == sector] or companies
        company = rng.choice(same)
        return {"exhibitor": company.slug, "region": company.region, "city": company.city}
    en, zh = rng.choice(DATA["hosts"])
    return {
        "name": {"en": en, "zh": zh},
        "country": "CN",
        "region": "Chongqing",
        "city": "Chongqing",
    }


def _moves(rng: random.Random, final: str, signed_on: dt.date, ref: str, today: dt.date):
    """The dated steps from `signed` to `final` (`cancelled`: possibly after registering)."""
    steps = list(("registered", "started", "operating")[: ORDER.get(final, 0)])
    if final == "cancelled":
        steps = ["registered"] if rng.random() < 0.5 else []
    moves, on = [], signed_on
    for status in steps:
        low, high = STEP_DAYS[status]
        on = on + dt.timedelta(days=rng.randint(low, high))
        moves.append((status, on))
    if final == "cancelled":
        on = on + dt.timedelta(days=rng.randint(60, 400))
        moves.append(("cancelled", on))
    return tuple(
        (
            status,
            day,
            DATA["evidence"][status].format(code=f"{ref.upper()}-{status[:3].upper()}"),
        )
        for status, day in moves
        if day <= today
    )


def _texts(rng, sector: str, kind: str, where: tuple[str, str]) -> tuple[dict, dict]:
    template_en, template_zh = rng.choice(DATA["titles"][sector])
    place_en, place_zh = rng.choice(DATA["places"])
    mark = DATA["mark"]
    title = {
        "en": template_en.format(place=place_en) + mark["en"],
        "zh": template_zh.format(place_zh=place_zh) + mark["zh"],
    }
    kinds = DATA["kinds"][kind]
    sector_en, sector_zh = SECTOR_NAMES[sector]
    summary = {
        "en": DATA["summary"]["en"].format(
            kind_en=kinds["en"], sector_en=sector_en.lower(), where_en=where[0]
        ),
        "zh": DATA["summary"]["zh"].format(
            kind_zh=kinds["zh"], sector_zh=sector_zh, where_zh=where[1]
        ),
    }
    return title, summary


def _apportion(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, by largest remainder (sums exactly)."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [math.floor(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def deals_plan(
    *,
    slug: str,
    days: list[dt.date],
    ceremonies: list[Ceremony],
    companies: list[Company],
    seed: int = 2019,
    today: dt.date,
) -> list[PlannedDeal]:
    """The edition's illustrative deals, without touching the database: the public ones
    (exactly the edition's projects, yuan total and deals at the expo) in signing order, then
    the cancelled additions. Empty for an edition the demo has no figures for."""
    facts = DATA["editions"].get(slug)
    if facts is None:
        return []
    rng = random.Random(f"{seed}:deals:{slug}")
    n, at_expo = facts["projects"], facts["at_expo"]
    kinds = {k: v["weight"] for k, v in DATA["kinds"].items()}
    at_ceremony = round(at_expo * facts["ceremony_share"]) if ceremonies else 0
    # The first ceremony (the main forum's, the opening day) signs the most projects.
    per_ceremony = _apportion(at_ceremony, [3.0] + [1.0] * (len(ceremonies) - 1))
    wheres: list[tuple[str, Ceremony | None]] = [
        ("ceremony", c) for c, k in zip(ceremonies, per_ceremony, strict=False) for _ in range(k)
    ]
    wheres += [("venue", None)] * (at_expo - at_ceremony) + [("elsewhere", None)] * (n - at_expo)
    drafts = []
    for where, ceremony in wheres:
        if ceremony is not None:
            day = ceremony.day
            sector = ceremony.sector if ceremony.sector and rng.random() < 0.8 else None
        elif where == "venue" or rng.random() < ELSEWHERE_DURING:
            day, sector = rng.choice(days), None
        else:
            day, sector = days[0] - dt.timedelta(days=rng.randint(1, EARLY_DAYS)), None
        sector = sector or _weighted(rng, DATA["sector_weights"])
        kind = _weighted(rng, kinds)
        weight = math.exp(rng.gauss(0, SIGMA)) * DATA["kinds"][kind]["scale"]
        drafts.append([day, rng.random(), where, ceremony, sector, kind, weight])
    drafts.sort(key=lambda d: (d[0], d[1]))
    total = Decimal(facts["amount"])
    targets = _targets(total, [d[6] for d in drafts])
    statuses = facts["statuses"]
    planned: list[dict] = []
    for i, ((day, _tie, where, ceremony, sector, kind, _w), target) in enumerate(
        zip(drafts, targets, strict=True)
    ):
        ref = f"{REF_PREFIX}{i + 1:04d}"
        counterpart = _counterpart(rng, sector, companies)
        parties = [counterpart, _host(rng, kind, counterpart, sector, companies)]
        data, amount_cny = _amount(rng, counterpart, target, day, companies)
        texts = DATA["where"][where]
        where_text = (
            (
                texts[0].format(ceremony=ceremony.title_en),
                texts[1].format(ceremony_zh=ceremony.title_zh),
            )
            if ceremony
            else tuple(texts)
        )
        title, summary = _texts(rng, sector, kind, where_text)
        data.update(
            ref=ref,
            title=title,
            summary=summary,
            sector=sector,
            kind=kind,
            amount_estimated=rng.random() < DATA["estimated_share"][kind],
            signed_on=day.isoformat(),
            at_expo=where != "elsewhere",
            parties=parties,
        )
        if kind == "investment":
            data["investment_form"] = _weighted(rng, DATA["kinds"]["investment"]["forms"])
        if ceremony is not None:
            data["ceremony"] = ceremony.id
        final = _weighted(rng, statuses)
        planned.append({"data": data, "cny": amount_cny, "final": final, "day": day})
    _balance(planned, total)
    _confidential(rng, planned, facts["confidential"])
    deals = [
        PlannedDeal(
            ref=p["data"]["ref"],
            data=p["data"],
            moves=_moves(rng, p["final"], p["day"], p["data"]["ref"], today),
            amount_cny=p["cny"],
            public=True,
        )
        for p in planned
    ]
    return deals + _cancelled(rng, facts, days, companies, today, total / n)


def _amount(
    rng, counterpart: dict, target: Decimal, day: dt.date, companies
) -> tuple[dict, Decimal]:
    """The amount as signed: in yuan, or for most foreign counterparts in their currency at the
    demo's recorded rate (kept with the deal); and its value in yuan as the rules compute it."""
    country = counterpart.get("country")
    if "exhibitor" in counterpart:
        country = next((c.country for c in companies if c.slug == counterpart["exhibitor"]), "CN")
    currency = "CNY"
    if country != "CN" and rng.random() < DATA["foreign_currency_share"]:
        by_country = {row[0]: row[2] for row in DATA["countries"]}
        currency = by_country.get(country, "USD")
    if currency == "CNY":
        amount = _round(target)
        return {"amount": f"{amount:f}", "currency": "CNY"}, amount
    rate, rate_on = _rate(currency, day)
    amount = _round(target / rate)
    cny = (amount * rate).quantize(CENT, rounding=ROUND_HALF_EVEN)
    data = {
        "amount": f"{amount:f}",
        "currency": currency,
        "rate": f"{rate:f}",
        "rate_on": rate_on.isoformat(),
    }
    return data, cny


def _targets(total: Decimal, weights: list[float]) -> list[Decimal]:
    """`total` in proportion to `weights`, none above `CAP_SHARE` of it: the capped ones are
    held at the cap and the rest shared again among the others."""
    cap = total * CAP_SHARE
    capped: set[int] = set()
    while True:
        free = total - cap * len(capped)
        share = sum(w for i, w in enumerate(weights) if i not in capped)
        targets = [cap if i in capped else free * Decimal(w / share) for i, w in enumerate(weights)]
        over = {i for i, t in enumerate(targets) if t > cap} - capped
        if not over:
            return targets
        capped |= over


def _balance(planned: list[dict], total: Decimal) -> None:
    """The largest deal in yuan takes what the others leave of the public total: exact."""
    biggest = max((p for p in planned if p["data"]["currency"] == "CNY"), key=lambda p: p["cny"])
    rest = sum((p["cny"] for p in planned if p is not biggest), Decimal(0))
    amount = total - rest
    if amount <= 0:
        raise ValueError("the demo's deals exceed the edition's total")
    biggest["cny"] = amount
    biggest["data"]["amount"] = f"{amount:f}"


def _confidential(rng: random.Random, planned: list[dict], count: int) -> None:
    candidates = [p for p in planned if p["data"]["currency"] == "CNY"]
    for p in rng.sample(candidates, k=min(count, len(candidates))):
        p["data"]["amount_confidential"] = True


def _cancelled(rng, facts, days, companies, today, mean: Decimal) -> list[PlannedDeal]:
    """Illustrative projects outside the public totals, signed elsewhere and later cancelled."""
    out = []
    for i in range(facts["cancelled"]):
        ref = f"{REF_PREFIX}x{i + 1:03d}"
        day = days[0] - dt.timedelta(days=rng.randint(1, EARLY_DAYS))
        sector = _weighted(rng, DATA["sector_weights"])
        kind = _weighted(rng, {k: v["weight"] for k, v in DATA["kinds"].items()})
        counterpart = _counterpart(rng, sector, companies)
        amount = _round(mean * Decimal(math.exp(rng.gauss(-0.5, 1.0))))
        title, _summary = _texts(rng, sector, kind, tuple(DATA["where"]["elsewhere"]))
        data = {
            "ref": ref,
            "title": title,
            "summary": DATA["cancelled_summary"],
            "sector": sector,
            "kind": kind,
            "amount": f"{amount:f}",
            "currency": "CNY",
            "signed_on": day.isoformat(),
            "at_expo": False,
            "parties": [counterpart, _host(rng, kind, counterpart, sector, companies)],
        }
        if kind == "investment":
            data["investment_form"] = _weighted(rng, DATA["kinds"]["investment"]["forms"])
        moves = _moves(rng, "cancelled", day, ref, today)
        out.append(PlannedDeal(ref=ref, data=data, moves=moves, amount_cny=amount, public=False))
    return out


# --- the database ------------------------------------------------------------------------


def demo_rates_seed() -> int:
    """The demo's recorded exchange rates (invented, about each period's level); a rate an
    organiser recorded for the same day is kept. Returns how many were written."""
    written = 0
    for currency, rows in DATA["rates"].items():
        if currency.startswith("_"):
            continue
        for day, rate in rows:
            _row, made = ExchangeRate.objects.get_or_create(
                currency=currency,
                on=dt.date.fromisoformat(day),
                defaults={"rate": Decimal(rate), "source": DATA["rate_source"]},
            )
            written += made
    return written


def _ceremonies(expo: Expo) -> list[Ceremony]:
    sessions = (
        Session.objects.filter(expo=expo, format=SessionFormat.SIGNING, cancelled=False)
        .select_related("forum__sector", "room")
        .order_by("starts_at", "room__code")
    )
    return [
        Ceremony(
            id=s.pk,
            day=s.starts_at.astimezone(expo.tz).date(),
            sector=s.forum.sector.code if s.forum and s.forum.sector else None,
            title_en=s.title_en,
            title_zh=s.title_zh or s.title_en,
        )
        for s in sessions
    ]


def _companies(expo: Expo) -> list[Company]:
    """The edition's exhibitors whose home province the demo knows (or foreign ones)."""
    known = DATA["exhibitor_regions"]
    places = DATA["place_regions"]
    out = []
    rows = Exhibitor.objects.filter(expo=expo).order_by("slug")
    for slug, country, sector, name in rows.values_list(
        "slug", "country", "sector__code", "name_en"
    ):
        if not sector:
            continue
        if country != "CN":
            out.append(Company(slug, country, sector, "", ""))
        elif slug in known:
            out.append(Company(slug, country, sector, *known[slug]))
        elif (place := next((p for p in places if name.startswith(p + " ")), None)) is not None:
            out.append(Company(slug, country, sector, places[place], place))
    return out


def demo_deals_plan(
    *, expo: Expo, seed: int = 2019, today: dt.date | None = None
) -> list[PlannedDeal]:
    """The plan of `expo`'s demo deals over what the database holds of the edition; the
    follow-up as of `today` (default: the edition's today)."""
    return deals_plan(
        slug=expo.slug,
        days=list(expo.days),
        ceremonies=_ceremonies(expo),
        companies=_companies(expo),
        seed=seed,
        today=today or timezone.localdate(timezone=expo.tz),
    )


def demo_deals_seed(*, expo: Expo, seed: int = 2019, today: dt.date | None = None) -> DealsReport:
    """Enter `expo`'s illustrative deals through the deals services (each logged in the
    chain) and move their follow-up as of `today` (default: the edition's today); a deal
    already there (by `ref`) is not entered again, and only the status moves it lacks are
    made. Idempotent."""
    report = DealsReport()
    plan = demo_deals_plan(expo=expo, seed=seed, today=today)
    if not plan:
        return report
    demo_rates_seed()
    have = {
        ref: (pk, status)
        for ref, pk, status in Deal.objects.filter(
            expo=expo, ref__startswith=REF_PREFIX
        ).values_list("ref", "pk", "status")
    }
    with transaction.atomic():
        for deal in plan:
            found = have.get(deal.ref)
            if found is None:
                made = deal_create(expo=expo, data=deal.data)
                found = (made.pk, DealStatus.SIGNED)
                report.created += 1
            pk, status = found
            for move, on, evidence in deal.moves:
                if ORDER[move] <= ORDER[status]:
                    continue
                deal_status_set(expo=expo, deal_id=pk, status=move, on=on, evidence=evidence)
                status = move
                report.moves += 1
    report.planned = len(plan)
    report.totals = totals(expo=expo)
    report.entries = LogEntry.objects.filter(expo=expo).count()
    return report


def demo_deals_note(*, expo: Expo) -> dict[str, str] | None:
    """The note a page shows beside `expo`'s deals when they are the demo's illustrative ones
    (None otherwise): only the totals are public figures."""
    if (
        expo.slug in DATA["editions"]
        and Deal.objects.filter(expo=expo, ref__startswith=REF_PREFIX).exists()
    ):
        return DEALS_NOTE
    return None
