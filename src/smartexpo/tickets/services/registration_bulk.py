"""Many registrations at once: group imports and the demo's visitors.

Every row is validated first; then, under the write lock, capacity is decided in memory and
written with one conditional UPDATE per (type, day) and bulk inserts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets import identity, queries
from smartexpo.tickets.catalogue import catalogue_load
from smartexpo.tickets.issuing import (
    manage_digest,
    manage_token_for,
    new_nonce,
    new_serial,
    secret_digest,
    sign,
)
from smartexpo.tickets.models import (
    DayQuota,
    Registration,
    RegistrationStatus,
    Ticket,
    TicketDay,
    TicketStatus,
)
from smartexpo.tickets.registration_clean import Clean, registration_clean
from smartexpo.tickets.services.signing_keys import signing_key_active
from smartexpo.venue.models import Expo

# --- many registrations at once --------------------------------------------------------------


@dataclass
class BulkResult:
    created: list[tuple[int, int]] = field(default_factory=list)  # (row index, registration id)
    errors: list[tuple[int, str, dict]] = field(default_factory=list)  # (row index, code, detail)


def registrations_bulk_create(
    *,
    expo: Expo,
    rows: list[dict],
    source: str = "import",
    batch_size: int = 5000,
    booked_at: Sequence[dt.datetime] | None = None,
) -> BulkResult:
    """Register many people: every valid row that fits is registered, every other row gets its
    reason (`invalid` with fields, `duplicate`, `sold_out`); nothing is half-written.

    Rows are taken in order, so when a day runs out the earlier rows win. `booked_at`, one
    aware instant per row, is when each registration was made (its and its ticket's
    `created_at`; default now): a history registered after the fact (the demo's past
    editions) keeps its booking dates. It is the caller's data, not a person's input, so a
    naive instant or a wrong length is a programming error (ValueError), not a row's error."""
    if booked_at is not None:
        _booked_at_check(booked_at, len(rows))
    result = BulkResult()
    catalogue = catalogue_load(expo.pk)
    hash_key = identity.id_hash_key()
    today = timezone.localdate()
    key = signing_key_active(expo=expo)
    cleaned: list[tuple[int, Clean]] = []
    for index, row in enumerate(rows):
        try:
            clean = registration_clean(catalogue, hash_key=hash_key, today=today, **row)
            cleaned.append((index, clean))
        except SmartExpoError as exc:
            result.errors.append((index, exc.code, exc.detail))
        except TypeError:
            result.errors.append((index, "invalid", {"fields": {"row": "Unexpected columns."}}))
    for start in range(0, len(cleaned), batch_size):
        _bulk_batch(expo, key, cleaned[start : start + batch_size], source, result, booked_at)
    result.created.sort()
    result.errors.sort(key=lambda e: e[0])
    return result


def _booked_at_check(booked_at: Sequence[dt.datetime], rows: int) -> None:
    if len(booked_at) != rows:
        raise ValueError(f"booked_at has {len(booked_at)} instants for {rows} rows.")
    for index, at in enumerate(booked_at):
        if not isinstance(at, dt.datetime) or timezone.is_naive(at):
            raise ValueError(f"booked_at[{index}] is not an aware datetime: {at!r}.")


def _bulk_batch(
    expo,
    key,
    batch: list[tuple[int, Clean]],
    source: str,
    result: BulkResult,
    booked_at: Sequence[dt.datetime] | None,
):
    with transaction.atomic():
        held = queries.held_pairs(expo.pk, [c.id_hash for _i, c in batch if c.id_hash])
        quota_ids = {q for _i, c in batch for q in (c.ticket_type.quota_ids[d] for d in c.days)}
        # Under the write lock (SQLite) or these rows' locks (PostgreSQL) nobody else can take
        # places until commit, so the room read here is the room there is.
        room = dict(
            DayQuota.objects.filter(pk__in=quota_ids)
            .select_for_update()
            .order_by("pk")
            .values_list("pk", F("size") - F("sold"))
        )
        accepted: list[tuple[int, Clean]] = []
        taken: Counter[int] = Counter()
        for index, clean in batch:
            pairs = [(clean.id_hash, d) for d in clean.days] if clean.id_hash else []
            if clean.id_hash and (dupes := [d for h, d in pairs if (h, d) in held]):
                result.errors.append((index, "duplicate", {"days": [d.isoformat() for d in dupes]}))
                continue
            qids = [clean.ticket_type.quota_ids[d] for d in clean.days]
            if full := [d for d, q in zip(clean.days, qids, strict=True) if room[q] - taken[q] < 1]:
                result.errors.append((index, "sold_out", {"days": [d.isoformat() for d in full]}))
                continue
            taken.update(qids)
            held.update(pairs)
            accepted.append((index, clean))
        for qid, n in taken.items():
            updated = DayQuota.objects.filter(pk=qid, sold__lte=F("size") - n).update(
                sold=F("sold") + n
            )
            if updated != 1:  # cannot happen under the lock; refuse rather than oversell
                raise SmartExpoError("conflict", "Quota changed during the import; try again.")
        _bulk_write(expo, key, accepted, source, result, booked_at)


def _bulk_write(
    expo,
    key,
    accepted: list[tuple[int, Clean]],
    source: str,
    result: BulkResult,
    booked_at: Sequence[dt.datetime] | None,
):
    ops = connection.ops
    now = timezone.now()
    now_db = ops.adapt_datetimefield_value(now)
    if booked_at is None:
        created = [now_db] * len(accepted)
    else:
        created = [ops.adapt_datetimefield_value(booked_at[i]) for i, _c in accepted]
    nonces = [new_nonce() for _ in accepted]
    digests = [manage_digest(manage_token_for(n)) for n in nonces]
    registration_ids = queries.ids_allocate(Registration, len(accepted))
    queries.rows_insert(
        Registration,
        ["id", *queries.REGISTRATION_COLUMNS, "confirmation_sent_at"],
        [
            (
                rid,
                expo.pk,
                c.ticket_type.id,
                c.name,
                c.email,
                c.id_type,
                c.id_hash,
                c.id_masked,
                queries.json_param(c.interests),
                c.language,
                digest,
                nonce,
                source,
                RegistrationStatus.ACTIVE,
                at,
                0,
                None,
                None,
                *queries.profile_params(c.profile_row()),
                # Demo visitors have made-up addresses: nothing to send them (marked as sent
                # when they registered).
                at if source == "demo" else None,
            )
            for (_i, c), nonce, digest, rid, at in zip(
                accepted, nonces, digests, registration_ids, created, strict=True
            )
        ],
    )
    serials = [new_serial() for _ in accepted]
    digests = [
        secret_digest(sign(serial, key, c.ticket_type.id, c.days))
        for (_i, c), serial in zip(accepted, serials, strict=True)
    ]
    ticket_ids = queries.ids_allocate(Ticket, len(accepted))
    queries.rows_insert(
        Ticket,
        ["id", *queries.TICKET_COLUMNS],
        [
            (
                tid,
                expo.pk,
                rid,
                c.ticket_type.id,
                serial,
                key.kid,
                queries.json_param([d.isoformat() for d in c.days]),
                TicketStatus.VALID,
                at,
                digest,
            )
            for (_i, c), rid, tid, serial, digest, at in zip(
                accepted, registration_ids, ticket_ids, serials, digests, created, strict=True
            )
        ],
    )
    queries.rows_insert(
        TicketDay,
        queries.TICKET_DAY_COLUMNS,
        [
            (expo.pk, tid, ops.adapt_datefield_value(d), c.id_hash, True)
            for (_i, c), tid in zip(accepted, ticket_ids, strict=True)
            for d in c.days
        ],
    )
    result.created.extend((i, rid) for (i, _c), rid in zip(accepted, registration_ids, strict=True))
