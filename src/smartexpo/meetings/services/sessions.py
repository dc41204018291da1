"""Meeting sessions: an organiser defines them (start, end, slot length, tables in a zone,
meetings at booths, caps) and changes them; once a session's meetings are published, what
would move them (its times, its slot length, tables or booths in use) is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.meetings.models import Meeting, MeetingSession
from smartexpo.venue.models import Expo, Zone, code_validator

NAME_MAX = 200
# What `session_update` may change; the first three decide the slots.
TIMING = ("starts_at", "ends_at", "slot_minutes")
FIELDS = (
    *TIMING,
    "tables",
    "zone",
    "name_en",
    "name_zh",
    "booth_meetings",
    "cap_visitor",
    "cap_exhibitor",
)


def _zone(expo: Expo, code: str | None) -> Zone | None:
    if code is None:
        return None
    zone = None if "\x00" in code else Zone.objects.filter(expo=expo, code=code).first()
    if zone is None:
        raise invalid({"zone": _("No zone of this edition has this code.")})
    return zone


def _check(values: dict[str, Any]) -> None:
    """The rules between fields: the end after the start, at least one slot, somewhere to meet;
    and names that fit (PostgreSQL stores no NUL in text)."""
    for field in ("name_en", "name_zh"):
        text = values.get(field) or ""
        if len(text) > NAME_MAX or "\x00" in text:
            raise invalid({field: _("At most %(n)d characters, no NUL.") % {"n": NAME_MAX}})
    starts, ends = values["starts_at"], values["ends_at"]
    if ends <= starts:
        raise invalid({"ends_at": _("The end must be after the start.")})
    if ends - starts < dt.timedelta(minutes=values["slot_minutes"]):
        raise invalid({"slot_minutes": _("The session must hold at least one slot.")})
    if not values["tables"] and not values["booth_meetings"]:
        raise invalid({"tables": _("A session needs tables, or meetings at booths.")})


@transaction.atomic
def session_create(
    *,
    expo: Expo,
    code: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    slot_minutes: int,
    tables: int,
    zone: str | None = None,
    name_en: str = "",
    name_zh: str = "",
    booth_meetings: bool = False,
    cap_visitor: int | None = None,
    cap_exhibitor: int | None = None,
) -> MeetingSession:
    """Define a meeting session of the edition (`zone`: a zone's code). Refusals: `invalid`
    (a bad code, the end not after the start, no whole slot, neither tables nor booths, an
    unknown zone); 409 `session_exists` when the edition has one with this code."""
    try:
        code_validator(code)
    except ValidationError as exc:
        raise invalid({"code": exc.messages[0]}) from None
    values = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "slot_minutes": slot_minutes,
        "tables": tables,
        "booth_meetings": booth_meetings,
    }
    _check({**values, "name_en": name_en, "name_zh": name_zh})
    if MeetingSession.objects.filter(expo=expo, code=code).exists():
        raise _exists(code)
    try:
        with transaction.atomic():
            return MeetingSession.objects.create(
                expo=expo,
                code=code,
                zone=_zone(expo, zone),
                name_en=name_en,
                name_zh=name_zh,
                cap_visitor=cap_visitor,
                cap_exhibitor=cap_exhibitor,
                **values,
            )
    except IntegrityError:  # the same code made at the same time
        raise _exists(code) from None


def _exists(code: str) -> SmartExpoError:
    return SmartExpoError(
        "session_exists", _("A meeting session with this code exists."), {"code": code}
    )


@transaction.atomic
def session_update(*, session: MeetingSession, changes: dict[str, Any]) -> MeetingSession:
    """Change the fields given (`FIELDS`; `zone` a zone's code or None). Once the session has
    meetings (it was solved), its times and slot length are fixed (409 `session_published`),
    its tables cannot drop below the highest table in use nor its booth meetings be turned off
    while some are placed at booths (409 `session_in_use`)."""
    session = MeetingSession.objects.select_for_update().get(pk=session.pk)
    changes = {k: v for k, v in changes.items() if k in FIELDS}
    if "zone" in changes:
        changes["zone"] = _zone(session.expo, changes["zone"])
    values = {f: changes.get(f, getattr(session, f)) for f in FIELDS}
    _check(values)
    meetings = Meeting.objects.filter(session=session)
    moved = [f for f in TIMING if values[f] != getattr(session, f)]
    if moved and (session.published_at is not None or meetings.exists()):
        raise SmartExpoError(
            "session_published",
            _("The session's meetings are published: its times and slots cannot change."),
            {"fields": moved},
        )
    highest = max(meetings.exclude(table=None).values_list("table", flat=True), default=0)
    if values["tables"] < highest:
        raise SmartExpoError(
            "session_in_use",
            _("Meetings are placed at tables this change would remove."),
            {"tables_in_use": highest},
        )
    if not values["booth_meetings"] and meetings.exclude(booth=None).exists():
        raise SmartExpoError(
            "session_in_use", _("Meetings are placed at booths."), {"booth_meetings": True}
        )
    for field, value in changes.items():
        setattr(session, field, value)
    session.save()
    return session
