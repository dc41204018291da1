"""Registration: one person, one signed ticket, never past a day's quota.

The hot path is four statements in one transaction: a conditional UPDATE that takes a place on
every requested day at once (its row count says whether all had room), then the inserts of the
registration, its ticket and the ticket's days. The per-person-per-day unique index turns a
duplicate into an IntegrityError, which rolls everything back, quota included; only when a day
is full does the service look for a duplicate, so a duplicate is reported as such even then.
Validation needs no query but the catalogue stamp's: ticket types, their days and the tag list
are kept per process while the stamp is unchanged (`core.stamps`).

The bulk path (group import, demo visitors) validates every row, decides capacity in memory
under the write lock, and writes with one conditional UPDATE per (type, day) and bulk inserts.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model
from django.db.models.base import ModelState
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.core.stamps import READ, StampedCache
from smartexpo.exhibitors.models import Tag
from smartexpo.tickets import identity
from smartexpo.tickets.keys import private_key, signing_key_active, signing_key_get
from smartexpo.tickets.models import (
    DayQuota,
    Registration,
    RegistrationStatus,
    SigningKey,
    Ticket,
    TicketDay,
    TicketStatus,
    TicketType,
)
from smartexpo.tickets.ticket_secrets import TicketClaims, sign_secret
from smartexpo.venue.models import Expo

MANAGE_PREFIX = "sxm_"
LANGUAGES = ("en", "zh-hans")
MAX_INTERESTS = 20


# --- manage tokens ---------------------------------------------------------------------------


def manage_digest(raw: str) -> str:
    """The stored SHA-256 of a manage token (the token itself is never stored)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@functools.cache
def _manage_key(secret_key: str) -> bytes:
    return hashlib.sha256(b"smartexpo-manage-token:" + secret_key.encode()).digest()


def manage_token_for(nonce: str) -> str:
    """The registration's manage token, derived from its nonce with a server-only key."""
    key = _manage_key(settings.SECRET_KEY)
    mac = hmac.digest(key, nonce.encode("ascii"), "sha256")[:24]
    return MANAGE_PREFIX + base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def _new_nonce() -> str:
    return secrets.token_hex(16)


def _new_serial() -> int:
    # Random rather than sequential: serials then say nothing about how many tickets exist.
    return secrets.randbelow(2**53 - 2) + 1


# --- the cached catalogue validation needs ---------------------------------------------------


@dataclass(frozen=True)
class TypeInfo:
    id: int
    code: str
    all_days: bool
    quota_ids: dict[dt.date, int]

    @property
    def days(self) -> frozenset[dt.date]:
        return frozenset(self.quota_ids)


@dataclass
class Catalogue:
    expo_id: int
    types: dict[str, TypeInfo]
    tags: frozenset[str]


def _catalogue_load(expo_id: int) -> Catalogue:
    quotas: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for qid, type_id, day in DayQuota.objects.filter(ticket_type__expo_id=expo_id).values_list(
        "id", "ticket_type_id", "day"
    ):
        quotas[type_id][day] = qid
    types = {
        code: TypeInfo(id=tid, code=code, all_days=all_days, quota_ids=quotas[tid])
        for tid, code, all_days in TicketType.objects.filter(expo_id=expo_id).values_list(
            "id", "code", "all_days"
        )
    }
    return Catalogue(
        expo_id=expo_id, types=types, tags=frozenset(Tag.objects.values_list("code", flat=True))
    )


_catalogues: StampedCache[int, Catalogue] = StampedCache(_catalogue_load)


def catalogue_for(expo: Expo, *, version=READ) -> Catalogue:
    """The ticket types, their days and the tag codes of an edition, kept per process while
    the catalogue stamp (`version`, read now unless given) is unchanged."""
    return _catalogues.get(expo.pk, version=version)


def _active_key_load(expo_id: int) -> SigningKey:
    return signing_key_active(expo=Expo.objects.get(pk=expo_id))


_active_keys: StampedCache[int, SigningKey] = StampedCache(_active_key_load)


# --- validation ------------------------------------------------------------------------------


@dataclass
class Clean:
    ticket_type: TypeInfo
    days: list[dt.date]
    name: str
    email: str
    id_type: str
    id_hash: str
    id_masked: str
    interests: list[str]
    language: str


def _parse_days(values, errors: dict[str, str]) -> list[dt.date]:
    if not isinstance(values, list | tuple) or not values:
        errors["days"] = "At least one day is required."
        return []
    days = []
    for value in values:
        try:
            days.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
        except ValueError:
            errors["days"] = f"{value!r} is not a date (YYYY-MM-DD)."
            return []
    if len(set(days)) != len(days):
        errors["days"] = "A day is listed twice."
    return sorted(set(days))


def registration_clean(
    catalogue: Catalogue,
    *,
    ticket_type=None,
    days=None,
    name=None,
    email=None,
    id_type=None,
    id_number=None,
    interests=None,
    language=None,
    hash_key: bytes | None = None,
    today: dt.date | None = None,
) -> Clean:
    """Check every field against the catalogue; return clean values or raise `invalid` listing
    every field at fault. Makes no database query."""
    errors: dict[str, str] = {}
    tt = catalogue.types.get(ticket_type) if isinstance(ticket_type, str) else None
    if tt is None:
        errors["ticket_type"] = f"Unknown ticket type {ticket_type!r}."
    parsed = _parse_days(days, errors)
    if tt is not None and "days" not in errors:
        outside = [d.isoformat() for d in parsed if d not in tt.quota_ids]
        if outside:
            errors["days"] = f"This ticket type is not valid on {', '.join(outside)}."
        elif tt.all_days and set(parsed) != tt.days:
            errors["days"] = "This pass covers all its days; list every one of them."
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = "A name is required."
    elif len(name) > 100:
        errors["name"] = "At most 100 characters."
    email = email.strip() if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "A valid email address is required."
    id_hash = id_masked = ""
    if id_number not in (None, ""):
        try:
            id_type, canonical = identity.normalise_id(id_type, id_number, today=today)
            id_hash = identity.id_hash(id_type, canonical, key=hash_key or identity.id_hash_key())
            id_masked = identity.mask_id(canonical, id_type=id_type)
        except identity.IdNumberError as exc:
            errors[exc.field] = exc.message
    elif id_type not in (None, "", *identity.ID_TYPES):
        errors["id_type"] = f"Unknown ID type; use one of: {', '.join(identity.ID_TYPES)}."
    else:
        id_type = ""
    interests = list(dict.fromkeys(interests or []))
    if len(interests) > MAX_INTERESTS:
        errors["interests"] = f"At most {MAX_INTERESTS} interests."
    elif unknown := [i for i in interests if i not in catalogue.tags]:
        errors["interests"] = f"Unknown interests: {', '.join(map(str, unknown))}."
    language = language or "en"
    if language not in LANGUAGES:
        errors["language"] = f"One of: {', '.join(LANGUAGES)}."
    if errors:
        raise invalid(errors)
    return Clean(tt, parsed, name, email, id_type or "", id_hash, id_masked, interests, language)


def registration_problems(*, expo: Expo, version=READ, **fields) -> dict[str, str]:
    """What `registration_clean` finds wrong with these fields, by field (empty if nothing)."""
    try:
        registration_clean(catalogue_for(expo, version=version), **fields)
    except SmartExpoError as exc:
        return exc.detail.get("fields", {})
    return {}


# --- one registration ------------------------------------------------------------------------


@dataclass
class Issued:
    registration: Registration
    manage_token: str
    tickets: list[Ticket]
    secrets: list[str]


def _duplicate(days) -> SmartExpoError:
    return SmartExpoError(
        "duplicate",
        "This ID number already holds a ticket for one of these days.",
        {"days": sorted(d.isoformat() for d in days)},
    )


def _held_days(expo_id: int, id_hash: str, days) -> list[dt.date]:
    if not id_hash:
        return []
    # exclude(id_hash="") restates the partial index's condition so that it is used.
    return list(
        TicketDay.objects.filter(expo_id=expo_id, id_hash=id_hash, day__in=days, valid=True)
        .exclude(id_hash="")
        .values_list("day", flat=True)
    )


def _sign(serial: int, key: SigningKey, type_id: int, days) -> str:
    claims = TicketClaims(serial=serial, type_id=type_id, days=tuple(days))
    return sign_secret(claims, kid=key.kid, private_key=private_key(record=key))


def secret_digest(secret: str) -> str:
    """What a ticket stores of its secret: the first 16 bytes of its SHA-256, in hex."""
    return hashlib.sha256(secret.encode("ascii")).digest()[:16].hex()


def registration_create(*, expo: Expo, source: str = "api", version=READ, **fields) -> Issued:
    """Register one person and issue their signed ticket (`version`: the catalogue stamp the
    request read, see `core.stamps`).

    Refusals: `invalid` (422, every bad field), `duplicate` (the ID already holds a ticket for
    one of the days), `sold_out` (a day is full; `detail.days` names the full days)."""
    catalogue = catalogue_for(expo, version=version)
    clean = registration_clean(catalogue, **fields)
    key = _active_keys.get(expo.pk, version=version)
    tt, days = clean.ticket_type, clean.days
    quota_ids = [tt.quota_ids[d] for d in days]
    nonce = _new_nonce()
    manage = manage_token_for(nonce)
    now = timezone.now()
    serial = _new_serial()
    secret = _sign(serial, key, tt.id, days)
    day_texts = [d.isoformat() for d in days]
    registration = _instance(
        Registration,
        expo=expo,
        expo_id=expo.pk,
        ticket_type_id=tt.id,
        name=clean.name,
        email=clean.email,
        id_type=clean.id_type,
        id_hash=clean.id_hash,
        id_masked=clean.id_masked,
        interests=clean.interests,
        language=clean.language,
        manage_digest=manage_digest(manage),
        manage_nonce=nonce,
        source=source,
        created_at=now,
    )
    ticket = _instance(
        Ticket,
        expo=expo,
        expo_id=expo.pk,
        registration=registration,
        ticket_type_id=tt.id,
        serial=serial,
        kid=key.kid,
        days=day_texts,
        created_at=now,
        secret_digest=secret_digest(secret),
    )
    ops = connection.ops
    now_db = ops.adapt_datetimefield_value(now)

    def write(cursor) -> tuple[int, int]:
        _take_places(cursor, quota_ids)
        cursor.execute(
            _insert_sql(Registration, _REGISTRATION_COLUMNS),
            (
                expo.pk,
                tt.id,
                clean.name,
                clean.email,
                clean.id_type,
                clean.id_hash,
                clean.id_masked,
                _json_param(clean.interests),
                clean.language,
                registration.manage_digest,
                nonce,
                source,
                RegistrationStatus.ACTIVE,
                now_db,
                0,
            ),
        )
        # fetchall: a RETURNING statement left unfinished would block a savepoint's release.
        registration_id = cursor.fetchall()[0][0]
        cursor.execute(
            _insert_sql(Ticket, _TICKET_COLUMNS),
            (
                expo.pk,
                registration_id,
                tt.id,
                serial,
                key.kid,
                _json_param(day_texts),
                TicketStatus.VALID,
                now_db,
                ticket.secret_digest,
            ),
        )
        ticket_id = cursor.fetchall()[0][0]
        for day in days:
            cursor.execute(
                _insert_sql(TicketDay, _TICKET_DAY_COLUMNS, returning=False),
                (expo.pk, ticket_id, ops.adapt_datefield_value(day), clean.id_hash, True),
            )
        return registration_id, ticket_id

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            registration.pk, ticket.pk = write(cursor)
        ticket.registration_id = registration.pk
    except _FullDays:
        if held := _held_days(expo.pk, clean.id_hash, days):
            raise _duplicate(held) from None
        full = DayQuota.objects.filter(pk__in=quota_ids, sold__gte=F("size")).values_list(
            "day", flat=True
        )
        raise SmartExpoError(
            "sold_out",
            "No places left on some of these days.",
            {"days": sorted(d.isoformat() for d in full)},
        ) from None
    except IntegrityError:
        # The per-person-per-day index: this ID holds one of these days (perhaps since an
        # instant ago). Everything, quota included, was rolled back.
        raise _duplicate(_held_days(expo.pk, clean.id_hash, days) or days) from None
    # The answer is built from memory: the type is known, no query needed to name it.
    registration.ticket_type = ticket.ticket_type = TicketType(id=tt.id, code=tt.code, expo=expo)
    return Issued(registration, manage, [ticket], [secret])


class _FullDays(Exception):
    pass


_blank_fields: dict[type, dict] = {}


def _instance(model, **values):
    """A saved instance of `model` with these values and every other field at its default.

    Built without `Model.__init__`, which walks every field with its descriptors and signals:
    a tenth of a registration's time for the two objects the answer is made from. `values`
    must name a related object's `*_id` beside the object itself."""
    blank = _blank_fields.get(model)
    if blank is None:
        template = model()
        blank = _blank_fields[model] = {
            f.attname: getattr(template, f.attname) for f in model._meta.concrete_fields
        }
    obj = model.__new__(model)
    state = ModelState()
    state.adding, state.db = False, "default"
    related = {}
    for name, value in values.items():
        if isinstance(value, Model):
            related[name] = value
    obj.__dict__.update(blank)
    obj.__dict__.update({k: v for k, v in values.items() if k not in related})
    obj._state = state
    for name, value in related.items():
        setattr(obj, name, value)
    return obj


# The hot path speaks SQL through Django's cursor: the statements are what the ORM would send,
# without the ORM's per-call compilation, which cost more than the database's own work.
_REGISTRATION_COLUMNS = (
    "expo",
    "ticket_type",
    "name",
    "email",
    "id_type",
    "id_hash",
    "id_masked",
    "interests",
    "language",
    "manage_digest",
    "manage_nonce",
    "source",
    "status",
    "created_at",
    "confirmation_attempts",
)
_TICKET_COLUMNS = (
    "expo",
    "registration",
    "ticket_type",
    "serial",
    "kid",
    "days",
    "status",
    "created_at",
    "secret_digest",
)
_TICKET_DAY_COLUMNS = ("expo", "ticket", "day", "id_hash", "valid")
_sql_cache: dict[tuple, str] = {}


def _insert_sql(model, columns, *, returning: bool = True) -> str:
    """`INSERT … [RETURNING id]` for these columns, built once per process."""
    cache_key = (connection.vendor, model, columns, returning)
    sql = _sql_cache.get(cache_key)
    if sql is None:
        quote = connection.ops.quote_name
        names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        table = quote(model._meta.db_table)
        # Names come from the model's own metadata, quoted; every value is a bound parameter.
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        if returning:
            sql += " RETURNING id"
        _sql_cache[cache_key] = sql
    return sql


def _json_param(values: list[str]):
    """A JSON list parameter: text on SQLite, the driver's JSON wrapper on PostgreSQL.

    The lists are validated tag codes and ISO dates (no quotes or backslashes), so on SQLite a
    plain join is exact JSON and ten times cheaper than the encoder."""
    if connection.vendor == "sqlite":
        return '["' + '","'.join(values) + '"]' if values else "[]"
    return connection.ops.adapt_json_value(values, None)


def _take_places(cursor, quota_ids: list[int]) -> None:
    """One conditional UPDATE takes a place on every day, or the row count says a day is full."""
    table = connection.ops.quote_name(DayQuota._meta.db_table)
    marks = ", ".join(["%s"] * len(quota_ids))
    if connection.vendor == "postgresql" and len(quota_ids) > 1:
        # Lock several days in one order, so overlapping registrations cannot deadlock.
        cursor.execute(
            f"SELECT id FROM {table} WHERE id IN ({marks}) ORDER BY id FOR UPDATE",  # noqa: S608
            quota_ids,
        )
    cursor.execute(
        f"UPDATE {table} SET sold = sold + 1 WHERE id IN ({marks}) AND sold < size",  # noqa: S608
        quota_ids,
    )
    if cursor.rowcount != len(quota_ids):
        raise _FullDays()


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
    catalogue = _catalogue_load(expo.pk)
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
    nonces = [_new_nonce() for _ in accepted]
    digests = [manage_digest(manage_token_for(n)) for n in nonces]
    registration_ids = _allocate_ids(Registration, len(accepted))
    _insert_many(
        Registration,
        ["id", *_REGISTRATION_COLUMNS, "confirmation_sent_at"],
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
                _json_param(c.interests),
                c.language,
                digest,
                nonce,
                source,
                RegistrationStatus.ACTIVE,
                now_db,
                0,
                # Demo visitors have made-up addresses: nothing to send them.
                now_db if source == "demo" else None,
            )
            for (_i, c), nonce, digest, rid in zip(
                accepted, nonces, digests, registration_ids, strict=True
            )
        ],
    )
    serials = [_new_serial() for _ in accepted]
    digests = [
        secret_digest(_sign(serial, key, c.ticket_type.id, c.days))
        for (_i, c), serial in zip(accepted, serials, strict=True)
    ]
    ticket_ids = _allocate_ids(Ticket, len(accepted))
    _insert_many(
        Ticket,
        ["id", *_TICKET_COLUMNS],
        [
            (
                tid,
                expo.pk,
                rid,
                c.ticket_type.id,
                serial,
                key.kid,
                _json_param([d.isoformat() for d in c.days]),
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


# --- cancellation and secrets ----------------------------------------------------------------


def registration_cancel(*, registration: Registration) -> Registration:
    """Cancel a registration: its tickets are revoked and their places go to the next person on
    the waiting list or back to the quotas, in one transaction, so a revoked serial is listed
    from the moment the cancellation commits. Cancelling twice changes nothing the second time."""
    from smartexpo.tickets.waitlist import place_freed

    now = timezone.now()
    with transaction.atomic():
        changed = Registration.objects.filter(
            pk=registration.pk, status=RegistrationStatus.ACTIVE
        ).update(status=RegistrationStatus.CANCELLED, cancelled_at=now)
        if changed:
            tickets = list(
                Ticket.objects.filter(registration=registration, status=TicketStatus.VALID)
            )
            Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
                status=TicketStatus.REVOKED, revoked_at=now
            )
            TicketDay.objects.filter(ticket__in=tickets).update(valid=False)
            for ticket in tickets:
                for day in ticket.days:
                    # The next person waiting for that day gets it; else it returns to sale.
                    place_freed(
                        ticket_type_id=ticket.ticket_type_id, day=dt.date.fromisoformat(day)
                    )
    registration.refresh_from_db()
    return registration


def ticket_secret(ticket: Ticket) -> str:
    """The ticket's signed secret, re-derived (Ed25519 signatures are deterministic)."""
    key = signing_key_get(expo_id=ticket.expo_id, kid=ticket.kid)
    days = [dt.date.fromisoformat(d) for d in ticket.days]
    return _sign(ticket.serial, key, ticket.ticket_type_id, days)
