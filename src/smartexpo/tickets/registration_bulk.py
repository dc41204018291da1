"""Many registrations at once: group imports and the demo's visitors.

Every row is validated first; then, under the write lock, capacity is decided in memory and
written with one conditional UPDATE per (type, day) and bulk inserts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets import identity
from smartexpo.tickets.catalogue import catalogue_load
from smartexpo.tickets.issuing import (
    REGISTRATION_COLUMNS,
    TICKET_COLUMNS,
    json_param,
    manage_digest,
    manage_token_for,
    new_nonce,
    new_serial,
    secret_digest,
    sign,
)
from smartexpo.tickets.keys import signing_key_active
from smartexpo.tickets.models import (
    DayQuota,
    Registration,
    RegistrationStatus,
    Ticket,
    TicketDay,
    TicketStatus,
)
from smartexpo.tickets.registration_clean import Clean, registration_clean
from smartexpo.venue.models import Expo

# --- many registrations at once --------------------------------------------------------------


@dataclass
class BulkResult:
    created: list[tuple[int, int]] = field(default_factory=list)  # (row index, registration id)
    errors: list[tuple[int, str, dict]] = field(default_factory=list)  # (row index, code, detail)


def registrations_bulk_create(
    *, expo: Expo, rows: list[dict], source: str = "import", batch_size: int = 5000
) -> BulkResult:
    """Register many people: every valid row that fits is registered, every other row gets its
    reason (`invalid` with fields, `duplicate`, `sold_out`); nothing is half-written.

    Rows are taken in order, so when a day runs out the earlier rows win."""
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
        _bulk_batch(expo, key, cleaned[start : start + batch_size], source, result)
    result.created.sort()
    result.errors.sort(key=lambda e: e[0])
    return result


def _bulk_batch(expo, key, batch: list[tuple[int, Clean]], source: str, result: BulkResult):
    with transaction.atomic():
        held = _held_pairs(expo, [c.id_hash for _i, c in batch if c.id_hash])
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
        _bulk_write(expo, key, accepted, source, result)


def _held_pairs(expo: Expo, hashes: list[str]) -> set[tuple[str, dt.date]]:
    """(id hash, day) of every valid ticket day these people already hold."""
    held: set[tuple[str, dt.date]] = set()
    table = connection.ops.quote_name(TicketDay._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(hashes), 900):
            chunk = hashes[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                # The WHERE repeats the partial unique index's own condition, so that SQLite
                # (which matches it term by term) searches that index instead of the edition.
                f"SELECT id_hash, day FROM {table} WHERE expo_id = %s "  # noqa: S608
                f"AND valid AND NOT (id_hash = '') AND id_hash IN ({marks})",
                [expo.pk, *chunk],
            )
            for id_hash, day in cursor.fetchall():
                held.add((id_hash, day if isinstance(day, dt.date) else dt.date.fromisoformat(day)))
    return held


def _allocate_ids(model, count: int) -> list[int]:
    """Ids for rows about to be inserted in bulk (so no read-back is needed).

    SQLite: the transaction holds the write lock, so the next ids after MAX(id) are ours.
    PostgreSQL: taken from the identity sequence, as the database would have."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        top = cursor.fetchone()[0]
        return list(range(top + 1, top + 1 + count))


def _insert_many(model, columns: list[str], rows: list[tuple]) -> None:
    """One prepared INSERT run over many rows: the ORM's per-object compilation costs ten
    times the database's own work at demo scale (700,000 registrations)."""
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    table = connection.ops.quote_name(model._meta.db_table)
    # Names come from the model's own metadata, quoted; every value is a bound parameter.
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _bulk_write(expo, key, accepted: list[tuple[int, Clean]], source: str, result: BulkResult):
    ops = connection.ops
    now = timezone.now()
    now_db = ops.adapt_datetimefield_value(now)
    nonces = [new_nonce() for _ in accepted]
    digests = [manage_digest(manage_token_for(n)) for n in nonces]
    registration_ids = _allocate_ids(Registration, len(accepted))
    _insert_many(
        Registration,
        ["id", *REGISTRATION_COLUMNS, "confirmation_sent_at"],
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
                json_param(c.interests),
                c.language,
                digest,
                nonce,
                source,
                RegistrationStatus.ACTIVE,
                now_db,
                0,
                None,
                None,
                # Demo visitors have made-up addresses: nothing to send them.
                now_db if source == "demo" else None,
            )
            for (_i, c), nonce, digest, rid in zip(
                accepted, nonces, digests, registration_ids, strict=True
            )
        ],
    )
    serials = [new_serial() for _ in accepted]
    digests = [
        secret_digest(sign(serial, key, c.ticket_type.id, c.days))
        for (_i, c), serial in zip(accepted, serials, strict=True)
    ]
    ticket_ids = _allocate_ids(Ticket, len(accepted))
    _insert_many(
        Ticket,
        ["id", *TICKET_COLUMNS],
        [
            (
                tid,
                expo.pk,
                rid,
                c.ticket_type.id,
                serial,
                key.kid,
                json_param([d.isoformat() for d in c.days]),
                TicketStatus.VALID,
                now_db,
                digest,
            )
            for (_i, c), rid, tid, serial, digest in zip(
                accepted, registration_ids, ticket_ids, serials, digests, strict=True
            )
        ],
    )
    _insert_many(
        TicketDay,
        ["expo", "ticket", "day", "id_hash", "valid"],
        [
            (expo.pk, tid, ops.adapt_datefield_value(d), c.id_hash, True)
            for (_i, c), tid in zip(accepted, ticket_ids, strict=True)
            for d in c.days
        ],
    )
    result.created.extend((i, rid) for (i, _c), rid in zip(accepted, registration_ids, strict=True))
