"""Appending to an edition's change log (docs/deals-ledger.md).

One writer at a time per edition: the append locks the edition's `Ledger` row, numbers the
entry after the head, chains it to the head's hash and moves the head, all inside the caller's
transaction. The deal's change and its entry commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from smartexpo.deals import chain
from smartexpo.deals.models import Ledger, LogEntry
from smartexpo.venue.models import Expo


def instant_text(at: dt.datetime) -> str:
    """An entry's `at` as it is hashed and published: UTC, microseconds, a trailing Z."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


ENTRY_COLUMNS = ("seq", "at", "deal", "change", "prev", "hash")


def entry_bodies(rows) -> list[dict[str, Any]]:
    """Entries as `entry_body` gives them, from `values_list(*ENTRY_COLUMNS)` rows (a whole
    log is read this way: no model object per entry)."""
    return [
        {"seq": s, "at": instant_text(a), "deal": d, "change": c, "prev": p, "hash": h}
        for s, a, d, c, p, h in rows
    ]


def entry_body(entry: LogEntry) -> dict[str, Any]:
    """An entry as the public log gives it and as its hash covers it (with `hash`)."""
    return {
        "seq": entry.seq,
        "at": instant_text(entry.at),
        "deal": entry.deal,
        "change": entry.change,
        "prev": entry.prev,
        "hash": entry.hash,
    }


def log_append(*, expo: Expo, deal_id: int, change: dict[str, Any]) -> LogEntry:
    """Append one entry for `deal_id` with its public `change`; must run in a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_append runs inside the transaction that changes the deal")
    Ledger.objects.get_or_create(expo=expo)
    ledger = Ledger.objects.select_for_update().get(expo=expo)
    at = timezone.now()
    body = {
        "seq": ledger.seq + 1,
        "at": instant_text(at),
        "deal": deal_id,
        "change": change,
        "prev": ledger.head,
    }
    digest = chain.entry_hash(body)
    entry = LogEntry.objects.create(
        expo=expo,
        seq=body["seq"],
        at=at,
        deal=deal_id,
        change=change,
        prev=ledger.head,
        hash=digest,
    )
    Ledger.objects.filter(pk=ledger.pk).update(seq=entry.seq, head=digest)
    return entry
