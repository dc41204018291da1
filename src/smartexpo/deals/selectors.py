"""Reading the ledger: the public list of deals, the change log, and the signed tally.

The tally is a function of the log's head: every change of any deal appends an entry and moves
the head, so a process keeps the last tally it signed per edition and signs again only when the
head (or the signing key) has moved. Every server computes the same tally for the same head, so
the memo stays true across servers without being shared.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from smartexpo.core.stamps import READ
from smartexpo.deals import chain, queries
from smartexpo.deals.keys import private_key, signing_key
from smartexpo.deals.models import ZERO_HASH, Deal, DealStatus, LogEntry
from smartexpo.deals.records import money
from smartexpo.deals.services.ledger import instant_text
from smartexpo.exhibitors.models import Sector
from smartexpo.venue.models import Expo

_tallies: dict[int, tuple[tuple, dict]] = {}
_tallies_lock = threading.Lock()


def forget_tallies() -> None:
    """Drop the signed tallies this process keeps (tests rebuild the database under it)."""
    with _tallies_lock:
        _tallies.clear()


def deals_public(
    *,
    expo: Expo,
    sector: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    at_expo: bool | None = None,
    country: str | None = None,
    region: str | None = None,
    q: str | None = None,
) -> QuerySet[Deal]:
    """The deals the public may list, newest signing first, with the filters given. A deal
    whose amount is confidential counts in the tally but is not listed."""
    qs = Deal.objects.filter(expo=expo, amount_confidential=False).select_related("sector")
    if sector:
        qs = qs.filter(sector__code=sector)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if at_expo is not None:
        qs = qs.filter(at_expo=at_expo)
    if country:
        qs = qs.filter(parties__position=0, parties__country=country.upper())
    if region:
        qs = qs.filter(parties__position=0, parties__region=region)
    if q:
        qs = qs.filter(Q(title_en__icontains=q) | Q(title_zh__icontains=q))
    return qs.order_by("-signed_on", "-id")


def log_entries(*, expo: Expo, after: int = 0) -> QuerySet[LogEntry]:
    """The change log in order, from the entry after `after` (a `seq`) on."""
    return LogEntry.objects.filter(expo=expo, seq__gt=after).order_by("seq")


def head(*, expo: Expo) -> tuple[int, str]:
    """(entries, head hash) of the edition's log; (0, 64 zeros) before the first."""
    row = queries.ledger_head(expo.pk)
    return (0, ZERO_HASH) if row is None else row


def totals(*, expo: Expo) -> dict[str, Any]:
    """The unsigned totals of the edition's deals that are not cancelled, exact: projects,
    yuan, at the expo, by sector (in the sectors' order), by kind, and the confidential part."""
    rows = Deal.objects.filter(expo=expo).exclude(status=DealStatus.CANCELLED)
    projects, amount, at_expo = 0, Decimal(0), 0
    by_sector: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    by_kind: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    hidden = [0, Decimal(0)]
    for sector, kind, here, yuan, secret in rows.values_list(
        "sector__code", "kind", "at_expo", "amount_cny", "amount_confidential"
    ):
        projects += 1
        amount += yuan
        at_expo += here
        for bucket in (by_sector[sector], by_kind[kind]):
            bucket[0] += 1
            bucket[1] += yuan
        if secret:
            hidden[0] += 1
            hidden[1] += yuan
    order = {code: i for i, code in enumerate(Sector.objects.values_list("code", flat=True))}
    return {
        "projects": projects,
        "amount": money(amount),
        "currency": "CNY",
        "at_expo": at_expo,
        "by_sector": [
            {"sector": code, "projects": n, "amount": money(total)}
            for code, (n, total) in sorted(by_sector.items(), key=lambda kv: order.get(kv[0], 0))
        ],
        "by_kind": [
            {"kind": kind, "projects": n, "amount": money(total)}
            for kind, (n, total) in sorted(by_kind.items())
        ],
        "confidential": {"projects": hidden[0], "amount": money(hidden[1])},
    }


def tally(*, expo: Expo, version=READ) -> dict[str, Any]:
    """The edition's signed tally (docs/api.md, "Deals"): the totals, the log's head and when
    it last moved (`as_of`), and the Ed25519 signature over the rest by the active deals key.
    `version`: the catalogue stamp the caller read (read now by default)."""
    key = signing_key(expo=expo, version=version)
    seq, head_hash = head(expo=expo)
    memo_key = (seq, head_hash, key.kid, key.public_key)
    memo = _tallies.get(expo.pk)
    if memo is not None and memo[0] == memo_key:
        return memo[1]
    # Every change of a deal moves the head in its own transaction: when the head reads the
    # same before and after the totals, the totals are exactly the state at that head.
    for _attempt in range(5):
        body = totals(expo=expo)
        again = head(expo=expo)
        if again == (seq, head_hash):
            break
        seq, head_hash = again
        memo_key = (seq, head_hash, key.kid, key.public_key)
    if seq:
        last = LogEntry.objects.filter(expo=expo, seq=seq).values_list("at", flat=True).first()
        as_of = instant_text(last)
    else:
        as_of = instant_text(timezone.now())
    body.update(chain_head=head_hash, as_of=as_of, kid=key.kid)
    signature = private_key(key).sign(chain.tally_message(body))
    signed = {**body, "signature": chain.b64url(signature)}
    with _tallies_lock:
        _tallies[expo.pk] = (memo_key, signed)
    return signed
