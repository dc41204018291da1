"""The tally's breakdowns for the public pages: totals by sector, kind, country and province of
the counterpart, at the expo against elsewhere; year over year against the previous edition at
the same day of the expo; and the follow-up (how many projects reached each status, by age).

Everything is computed in Python from one read of the edition's deals (and one of the
counterparts, one of the status history), with exact `Decimal` sums: SQLite cannot add decimals
exactly. That read is memoised per process and edition, keyed by the ledger's head
(`selectors.head`): every change of a deal appends a log entry and moves the head, so a memo
for the current head is never stale, and the same head gives every server the same answer.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from smartexpo.deals import selectors
from smartexpo.deals.models import STATUS_LINE, Deal, DealParty, DealStatus, StatusChange
from smartexpo.deals.records import money
from smartexpo.venue.models import Expo

# The follow-up's ages since signing, in whole months: [lower, upper) (None: no upper end).
AGE_BUCKETS = (("lt6m", 0, 6), ("6to12m", 6, 12), ("1to2y", 12, 24), ("gt2y", 24, None))
FOLLOW_UP_STATUSES = (*STATUS_LINE, DealStatus.CANCELLED)


@dataclass(frozen=True)
class Row:
    """One deal as the breakdowns read it."""

    id: int
    sector: str
    kind: str
    at_expo: bool
    yuan: Decimal
    confidential: bool
    signed_on: dt.date
    status: str
    country: str
    region: str


@dataclass
class Ledger:
    """An edition's deals at one head of its log, with the answers derived from them so far."""

    key: tuple
    rows: list[Row]
    reached: dict[int, set[str]]
    derived: dict[Any, Any] = field(default_factory=dict)


_memo: dict[int, Ledger] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop what this process remembers (tests rebuild the database under it)."""
    with _lock:
        _memo.clear()


def _read(expo: Expo) -> tuple[list[Row], dict[int, set[str]]]:
    """Every deal of the edition, cancelled ones too (the follow-up counts them), in three
    queries whatever their number."""
    counterparts = {
        deal: (country, region)
        for deal, country, region in DealParty.objects.filter(
            deal__expo=expo, position=0
        ).values_list("deal_id", "country", "region")
    }
    rows = []
    for pk, sector, kind, here, yuan, secret, signed_on, status in (
        Deal.objects.filter(expo=expo)
        .order_by("id")
        .values_list(
            "id",
            "sector__code",
            "kind",
            "at_expo",
            "amount_cny",
            "amount_confidential",
            "signed_on",
            "status",
        )
    ):
        country, region = counterparts.get(pk, ("", ""))
        rows.append(Row(pk, sector, kind, here, yuan, secret, signed_on, status, country, region))
    reached: dict[int, set[str]] = defaultdict(set)
    for deal, status in StatusChange.objects.filter(deal__expo=expo).values_list(
        "deal_id", "status"
    ):
        reached[deal].add(status)
    return rows, dict(reached)


def ledger(*, expo: Expo) -> Ledger:
    """The edition's deals at the current head of its log (read again only when it moved)."""
    key = selectors.head(expo=expo)
    memo = _memo.get(expo.pk)
    if memo is not None and memo.key == key:
        return memo
    # A writer may append between the head and the rows: read until the head holds still, so
    # that the rows are exactly the state at the head they are remembered under.
    for _attempt in range(5):
        rows, reached = _read(expo)
        again = selectors.head(expo=expo)
        if again == key:
            break
        key = again
    fresh = Ledger(key=key, rows=rows, reached=reached)
    with _lock:
        _memo[expo.pk] = fresh
    # Tens of thousands of objects that live until the head moves: left out of the garbage
    # collector's full collections, which would otherwise walk them all every few hundred
    # requests (the pages' latency tail under load); as `recommend.selectors.served_model`.
    # The memo they replace is freed by reference counts.
    gc.freeze()
    return fresh


def _derived(book: Ledger, name: Any, compute) -> Any:
    if name not in book.derived:
        book.derived[name] = compute()
    return book.derived[name]


class _Sum:
    """Projects and yuan of a group; `secret` counts the confidential amounts in it."""

    __slots__ = ("amount", "projects", "secret")

    def __init__(self) -> None:
        self.projects, self.amount, self.secret = 0, Decimal(0), 0

    def add(self, row: Row) -> None:
        self.projects += 1
        self.amount += row.yuan
        self.secret += row.confidential

    def out(self, **label: Any) -> dict[str, Any]:
        # A group holding exactly one confidential amount would give it away (its total less the
        # listed deals' amounts): its amount is withheld; its projects still count.
        shown = None if self.secret == 1 else money(self.amount)
        return {**label, "projects": self.projects, "amount": shown}


def _groups(rows: list[Row], key) -> list[dict[str, Any]]:
    sums: dict[str, _Sum] = defaultdict(_Sum)
    for row in rows:
        label = key(row)
        if label is not None:
            sums[label].add(row)
    ordered = sorted(sums.items(), key=lambda kv: (-kv[1].amount, -kv[1].projects, kv[0]))
    return [s.out(code=label) for label, s in ordered]


def breakdown(*, expo: Expo) -> dict[str, Any]:
    """The tally of the deals not cancelled: projects, yuan (confidential amounts included),
    at the expo and elsewhere, and by sector, kind, country of the counterpart (party 0) and
    province of a counterpart in China; groups by amount, largest first."""
    book = ledger(expo=expo)
    return _derived(book, "breakdown", lambda: _breakdown(book))


def _breakdown(book: Ledger) -> dict[str, Any]:
    live = [r for r in book.rows if r.status != DealStatus.CANCELLED]
    total, here, elsewhere = _Sum(), _Sum(), _Sum()
    for row in live:
        total.add(row)
        (here if row.at_expo else elsewhere).add(row)
    return {
        "projects": total.projects,
        "amount": money(total.amount),
        "confidential": sum(r.confidential for r in live),
        "at_expo": here.out(),
        "elsewhere": elsewhere.out(),
        "by_sector": _groups(live, lambda r: r.sector),
        "by_kind": _groups(live, lambda r: r.kind),
        "by_country": _groups(live, lambda r: r.country or None),
        "by_province": _groups(live, lambda r: (r.region or None) if r.country == "CN" else None),
        "countries": sorted({r.country for r in book.rows if r.country}),
        "provinces": sorted({r.region for r in book.rows if r.region}),
        "chain_seq": book.key[0],
        "chain_head": book.key[1],
    }


# --- year over year ------------------------------------------------------------------------


def edition_days(expo: Expo) -> int:
    return (expo.ends_on - expo.starts_on).days + 1


def cut_off(expo: Expo, day: int | None) -> dt.date | None:
    """The last signing day counted at day `day` of the edition: start + day − 1 (day 0 is the
    eve of the opening); None (no cut-off) for the whole edition."""
    if day is None:
        return None
    return expo.starts_on + dt.timedelta(days=day - 1)


def default_day(expo: Expo, today: dt.date) -> int:
    """Today's day of the edition while it runs (1 on the opening day), else its last day."""
    if expo.starts_on <= today <= expo.ends_on:
        return (today - expo.starts_on).days + 1
    return edition_days(expo)


def _side(expo: Expo, day: int | None) -> dict[str, Any]:
    book = ledger(expo=expo)

    def compute() -> dict[str, Any]:
        until = cut_off(expo, day)
        counted = _Sum()
        for row in book.rows:
            if row.status != DealStatus.CANCELLED and (until is None or row.signed_on <= until):
                counted.add(row)
        # The comparison is of the totals, which the tally shows anyway: never withheld.
        return {
            "expo": expo,
            "until": until,
            "projects": counted.projects,
            "amount": money(counted.amount),
        }

    return _derived(book, ("side", day), compute)


def year_over_year(*, expo: Expo, day: int | None) -> dict[str, Any]:
    """This edition against `expo.previous` at the same day of the expo (`day` None: both
    whole editions): each side's projects and yuan, and the change (None without a previous
    edition; the percentage None when the previous side is zero)."""
    this = _side(expo, day)
    previous = expo.previous
    if previous is None:
        return {"day": day, "this": this, "previous": None, "change": None}
    before = _side(previous, day)
    now_amount, then_amount = Decimal(this["amount"]), Decimal(before["amount"])
    change = {
        "projects": this["projects"] - before["projects"],
        "amount": money(now_amount - then_amount),
        "projects_pct": _pct(this["projects"], before["projects"]),
        "amount_pct": _pct(now_amount, then_amount),
    }
    return {"day": day, "this": this, "previous": before, "change": change}


def _pct(now: Decimal | int, then: Decimal | int) -> str | None:
    if not then:
        return None
    return f"{(Decimal(now - then) * 100 / Decimal(then)).quantize(Decimal('0.1')):f}"


# --- follow-up -----------------------------------------------------------------------------


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from `earlier` to `later` (0 if later is not after it)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def age_bucket(signed_on: dt.date, today: dt.date) -> str:
    months = months_between(signed_on, today)
    for code, lower, upper in AGE_BUCKETS:
        if months >= lower and (upper is None or months < upper):
            return code
    raise AssertionError(months)  # the last bucket has no upper end


def reached(row: Row, history: set[str]) -> set[str]:
    """The statuses a deal has reached: its own, every one its history records, and along the
    line signed → registered → started → operating every step before one it reached (a project
    operating was registered, recorded or not)."""
    held = {row.status, DealStatus.SIGNED, *history}
    furthest = max((STATUS_LINE.index(s) for s in held if s in STATUS_LINE), default=0)
    return held | set(STATUS_LINE[: furthest + 1])


def follow_up(*, expo: Expo, today: dt.date) -> dict[str, Any]:
    """Per age since signing (relative to `today`), how many projects were signed and how many
    reached each status; cancelled deals count (they were signed, and their cancellation is
    part of the follow-up)."""
    book = ledger(expo=expo)
    return _derived(book, ("follow-up", today), lambda: _follow_up(book, today))


def _follow_up(book: Ledger, today: dt.date) -> dict[str, Any]:
    counts = {code: dict.fromkeys(FOLLOW_UP_STATUSES, 0) for code, _lo, _hi in AGE_BUCKETS}
    totals = dict.fromkeys(FOLLOW_UP_STATUSES, 0)
    for row in book.rows:
        bucket = counts[age_bucket(row.signed_on, today)]
        for status in reached(row, book.reached.get(row.id, set())):
            bucket[status] += 1
            totals[status] += 1
    return {
        "today": today,
        "rows": [{"age": code, "counts": counts[code]} for code, _lo, _hi in AGE_BUCKETS],
        "totals": totals,
        "projects": len(book.rows),
    }
