"""Organisers' edits of the working programme: forums, speakers, sessions.

Nothing here is public until the next release (`publishing.programme_publish`). A session is
saved with whatever warnings it raises (`programme.warnings`); the caller shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.exhibitors.models import Sector, Tag
from smartexpo.programme.models import Forum, Session, SessionFormat, SessionSpeaker, Speaker
from smartexpo.programme.warnings import ProgrammeWarning, programme_warnings, session_warnings
from smartexpo.venue.models import Expo, Zone, ZoneKind, code_validator

# A session's fields an edit may set (`session_update`), besides its relations.
SESSION_FIELDS = (
    "title_en",
    "title_zh",
    "abstract_en",
    "abstract_zh",
    "starts_at",
    "ends_at",
    "format",
    "reservation_required",
    "seat_quota",
    "cancelled",
)
MAX_SEATS = 100_000


@transaction.atomic
def forum_create(
    *,
    expo: Expo,
    code: str,
    name_en: str,
    name_zh: str = "",
    host_en: str = "",
    host_zh: str = "",
    sector: str | None = None,
    description_en: str = "",
    description_zh: str = "",
) -> Forum:
    """Create a forum (a track) of the edition's programme; its code is unique in the edition
    (409 `forum_exists` otherwise). `sector`: a sector's code."""
    errors: dict[str, str] = {}
    try:
        code_validator(code or "")
    except ValidationError:
        errors["code"] = "Letters, digits, '.', '_' and '-', at most 32."
    if not (name_en or "").strip():
        errors["name.en"] = "An English name is required."
    sector_obj = None
    if sector:
        sector_obj = Sector.objects.filter(code=sector).first()
        if sector_obj is None:
            errors["sector"] = f"Unknown sector: {sector}."
    if errors:
        raise invalid(errors)
    if Forum.objects.filter(expo=expo, code=code).exists():
        raise SmartExpoError("forum_exists", f"Forum {code} already exists.", {"code": code})
    return Forum.objects.create(
        expo=expo,
        code=code,
        name_en=name_en.strip(),
        name_zh=(name_zh or "").strip(),
        host_en=host_en,
        host_zh=host_zh,
        sector=sector_obj,
        description_en=description_en,
        description_zh=description_zh,
        position=Forum.objects.filter(expo=expo).count(),
    )


def speaker_create(
    *,
    expo: Expo,
    name_en: str,
    name_zh: str = "",
    affiliation_en: str = "",
    affiliation_zh: str = "",
    bio_en: str = "",
    bio_zh: str = "",
) -> Speaker:
    """Create a speaker of the edition (public once a published session names them)."""
    if not (name_en or "").strip():
        raise invalid({"name.en": "An English name is required."})
    return Speaker.objects.create(
        expo=expo,
        name_en=name_en.strip(),
        name_zh=(name_zh or "").strip(),
        affiliation_en=affiliation_en or "",
        affiliation_zh=affiliation_zh or "",
        bio_en=bio_en or "",
        bio_zh=bio_zh or "",
    )


def _resolve(expo: Expo, changes: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The objects an edit names by code or id (forum, room, speakers, tags, sectors)."""
    out: dict[str, Any] = {}
    if "forum" in changes:
        out["forum"] = Forum.objects.filter(expo=expo, code=changes["forum"]).first()
        if out["forum"] is None:
            errors["forum"] = f"Unknown forum: {changes['forum']}."
    if "room" in changes:
        out["room"] = Zone.objects.filter(
            expo=expo, code=changes["room"], kind=ZoneKind.ROOM
        ).first()
        if out["room"] is None:
            errors["room"] = f"Not a forum room of this edition: {changes['room']}."
    if changes.get("speakers") is not None:
        ids = list(dict.fromkeys(changes["speakers"]))
        found = {s.pk: s for s in Speaker.objects.filter(expo=expo, pk__in=ids)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            errors["speakers"] = f"Unknown speakers: {', '.join(missing)}."
        out["speakers"] = [found[i] for i in ids if i in found]
    for field, model in (("tags", Tag), ("sectors", Sector)):
        if changes.get(field) is not None:
            codes = list(dict.fromkeys(changes[field]))
            objs = list(model.objects.filter(code__in=codes))
            missing = sorted(set(codes) - {o.code for o in objs})
            if missing:
                errors[field] = f"Unknown {field}: {', '.join(missing)}."
            out[field] = objs
    return out


def _check_fields(values: dict[str, Any], errors: dict[str, str]) -> None:
    if "title_en" in values and not (values["title_en"] or "").strip():
        errors["title.en"] = "An English title is required."
    for key in ("starts_at", "ends_at"):
        value = values.get(key)
        if key in values and (not isinstance(value, dt.datetime) or value.tzinfo is None):
            errors[key] = "A date and time with its UTC offset is required."
    if "format" in values and values["format"] not in SessionFormat.values:
        errors["format"] = f"One of: {', '.join(SessionFormat.values)}."
    quota = values.get("seat_quota")
    if quota is not None and (
        isinstance(quota, bool) or not isinstance(quota, int) or not 1 <= quota <= MAX_SEATS
    ):
        errors["seats"] = f"A whole number from 1 to {MAX_SEATS:,}, or null."


def _apply_relations(session: Session, related: dict[str, Any]) -> None:
    if "speakers" in related:
        SessionSpeaker.objects.filter(session=session).delete()
        SessionSpeaker.objects.bulk_create(
            [
                SessionSpeaker(session=session, speaker=speaker, position=i)
                for i, speaker in enumerate(related["speakers"])
            ]
        )
    if "tags" in related:
        session.tags.set(related["tags"])
    if "sectors" in related:
        session.sectors.set(related["sectors"])


@transaction.atomic
def session_create(
    *,
    expo: Expo,
    forum: str,
    room: str,
    title_en: str,
    title_zh: str = "",
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    format: str = SessionFormat.TALK,
    abstract_en: str = "",
    abstract_zh: str = "",
    seats: int | None = None,
    reservation_required: bool | None = None,
    speakers: Iterable[int] | None = None,
    tags: Iterable[str] | None = None,
    sectors: Iterable[str] | None = None,
) -> tuple[Session, list[ProgrammeWarning]]:
    """Create a session in the working programme; it is saved with its warnings, which are
    returned with it. `forum` and `room` are codes, `speakers` ids. `seats` sets a seat quota
    and makes reservation required; `reservation_required` without `seats` offers the room's
    capacity."""
    values = {
        "title_en": title_en,
        "title_zh": (title_zh or "").strip(),
        "abstract_en": abstract_en or "",
        "abstract_zh": abstract_zh or "",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "format": format,
        "seat_quota": seats,
        "reservation_required": bool(reservation_required) or seats is not None,
    }
    errors: dict[str, str] = {}
    _check_fields(values, errors)
    related = _resolve(
        expo,
        {
            "forum": forum,
            "room": room,
            "speakers": speakers,
            "tags": tags,
            "sectors": sectors,
        },
        errors,
    )
    if not errors and ends_at <= starts_at:
        errors["ends_at"] = "A session must end after it starts."
    if errors:
        raise invalid(errors)
    values["title_en"] = values["title_en"].strip()
    session = Session.objects.create(
        expo=expo, forum=related.pop("forum"), room=related.pop("room"), **values
    )
    _apply_relations(session, related)
    return session, session_warnings(session=session)


@transaction.atomic
def session_update(
    *, session: Session, changes: dict[str, Any]
) -> tuple[Session, list[ProgrammeWarning]]:
    """Change any field of a session of the working programme (public after the next
    release). `changes` holds model field names (`SESSION_FIELDS`), `forum` and `room` codes,
    `speakers` ids, `tags` and `sectors` codes, and `seats` (a quota, or None for the room's
    capacity; a quota makes reservation required). Returns the session and its warnings."""
    changes = dict(changes)
    if "seats" in changes:
        changes["seat_quota"] = changes.pop("seats")
        if changes["seat_quota"] is not None:
            changes.setdefault("reservation_required", True)
    unknown = sorted(
        set(changes) - set(SESSION_FIELDS) - {"forum", "room", "speakers", "tags", "sectors"}
    )
    errors: dict[str, str] = dict.fromkeys(unknown, "Not a field of a session.")
    values = {k: v for k, v in changes.items() if k in SESSION_FIELDS}
    if "title_zh" in values:
        values["title_zh"] = (values["title_zh"] or "").strip()
    _check_fields(values, errors)
    related = _resolve(
        session.expo, {k: v for k, v in changes.items() if k not in SESSION_FIELDS}, errors
    )
    starts = values.get("starts_at", session.starts_at)
    ends = values.get("ends_at", session.ends_at)
    if not errors and ends <= starts:
        errors["ends_at"] = "A session must end after it starts."
    if errors:
        raise invalid(errors)
    for key, value in values.items():
        setattr(session, key, value.strip() if key == "title_en" else value)
    for key in ("forum", "room"):
        if key in related:
            setattr(session, key, related.pop(key))
    session.save()
    _apply_relations(session, related)
    return session, session_warnings(session=session)


@transaction.atomic
def sessions_import(*, expo: Expo, rows: list[dict[str, Any]]) -> list[ProgrammeWarning]:
    """Create many sessions of the working programme at once (an organiser's import, the
    demo's programme), each row with `session_create`'s keyword arguments but `expo`. Every
    row is checked as `session_create` checks it, and none is saved unless all are (422
    `invalid`, the fields keyed `"<row>.<field>"`). Returns the warnings of the edition's whole
    working programme afterwards, computed once rather than per session."""
    errors: dict[str, str] = {}
    planned = []
    # What the rows may name, read once (`_resolve` asks per session).
    known = {
        "forum": {f.code: f for f in Forum.objects.filter(expo=expo)},
        "room": {z.code: z for z in Zone.objects.filter(expo=expo, kind=ZoneKind.ROOM)},
        "speakers": {sp.pk: sp for sp in Speaker.objects.filter(expo=expo)},
        "tags": {t.code: t for t in Tag.objects.all()},
        "sectors": {sec.code: sec for sec in Sector.objects.all()},
    }
    for n, row in enumerate(rows):
        seats = row.get("seats")
        values = {
            "title_en": row.get("title_en") or "",
            "title_zh": (row.get("title_zh") or "").strip(),
            "abstract_en": row.get("abstract_en") or "",
            "abstract_zh": row.get("abstract_zh") or "",
            "starts_at": row.get("starts_at"),
            "ends_at": row.get("ends_at"),
            "format": row.get("format", SessionFormat.TALK),
            "seat_quota": seats,
            "reservation_required": bool(row.get("reservation_required")) or seats is not None,
        }
        found: dict[str, str] = {}
        _check_fields(values, found)
        related = _resolve_known(known, row, found)
        if not found and values["ends_at"] <= values["starts_at"]:
            found["ends_at"] = "A session must end after it starts."
        errors.update({f"{n}.{key}": message for key, message in found.items()})
        values["title_en"] = values["title_en"].strip()
        planned.append((values, related))
    if errors:
        raise invalid(errors)
    sessions = Session.objects.bulk_create(
        [
            Session(expo=expo, forum=related["forum"], room=related["room"], **values)
            for values, related in planned
        ]
    )
    SessionSpeaker.objects.bulk_create(
        [
            SessionSpeaker(session=session, speaker=speaker, position=i)
            for session, (_v, related) in zip(sessions, planned, strict=True)
            for i, speaker in enumerate(related.get("speakers", []))
        ],
        batch_size=1000,
    )
    for field in ("tags", "sectors"):
        through = getattr(Session, field).through
        target = "tag_id" if field == "tags" else "sector_id"
        through.objects.bulk_create(
            [
                through(session_id=session.pk, **{target: obj.pk})
                for session, (_v, related) in zip(sessions, planned, strict=True)
                for obj in related.get(field, [])
            ],
            batch_size=1000,
        )
    return programme_warnings(expo=expo)


def _resolve_known(known: dict[str, dict], row: dict[str, Any], errors: dict[str, str]):
    """`_resolve` for one imported row, against what the edition has (`known`)."""
    out: dict[str, Any] = {}
    for key, label in (("forum", "forum"), ("room", "forum room of this edition")):
        out[key] = known[key].get(row.get(key))
        if out[key] is None:
            errors[key] = f"Not a {label}: {row.get(key)}."
    for key in ("speakers", "tags", "sectors"):
        wanted = list(dict.fromkeys(row.get(key) or ()))
        missing = [str(v) for v in wanted if v not in known[key]]
        if missing:
            errors[key] = f"Unknown {key}: {', '.join(missing)}."
        out[key] = [known[key][v] for v in wanted if v in known[key]]
    return out
