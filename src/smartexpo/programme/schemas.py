"""The programme API's schemas: what the public reads, what organisers send, what visitors
reserve (docs/api.md, "Programme").

Bodies that may be left out altogether (publishing, reserving) are plain pydantic models that
the operation validates itself (`core.bodies.body_checked`), so that an empty body means the
defaults and anything else is held to the schema the OpenAPI document shows.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from smartexpo.core.api import Names
from smartexpo.core.instants import Instant
from smartexpo.programme.models import SessionFormat
from smartexpo.programme.services.editing import MAX_SEATS

Format = Literal[*SessionFormat.values]
MAX_LIST = 200  # speakers, tags or sectors of one session


class NamesIn(Schema):
    en: str = Field(..., max_length=200, description="required, not blank")
    zh: str = Field("", max_length=200, description="empty: the English stands in")


class TitleIn(Schema):
    en: str = Field(..., max_length=300, description="required, not blank")
    zh: str = Field("", max_length=300, description="empty: the English stands in")


class TextIn(Schema):
    en: str = Field("", max_length=20_000)
    zh: str = Field("", max_length=20_000)


class TitlePatch(Schema):
    """A partial change of a bilingual title: a language left out keeps its text."""

    en: str = Field(None, max_length=300, description="not blank")
    zh: str = Field(None, max_length=300)


class TextPatch(Schema):
    en: str = Field(None, max_length=20_000)
    zh: str = Field(None, max_length=20_000)


# --- forums -----------------------------------------------------------------------------------


class ForumIn(Schema):
    code: str = Field(..., max_length=32, description="unique in the edition")
    name: NamesIn
    sector: str | None = Field(None, max_length=40, description="a sector's code")
    host: TextIn | None = Field(None, description="who organises the forum")
    description: TextIn | None = None


class ForumOut(Schema):
    code: str
    name: Names
    sector: str | None = Field(None, description="a sector's code")
    host: Names
    description: Names


# --- sessions as published --------------------------------------------------------------------


class SpeakerRef(Schema):
    id: int
    name: Names


class SpeakerRefDetail(SpeakerRef):
    affiliation: Names


class SessionItem(Schema):
    id: int
    forum: str = Field(description="the forum's code")
    title: Names
    starts_at: str = Field(description="ISO 8601 with the edition's offset")
    ends_at: str
    room: str = Field(description="the code of a zone of kind room")
    format: Format
    speakers: list[SpeakerRef]
    seats: int | None = Field(description="null: no reservation needed")
    available: int | None = Field(
        description="seats less confirmed reservations, never below 0 (null: no reservation needed)"
    )
    day: str = Field(description="the local date of the start")
    tags: list[str] = Field(description="technology tags' codes")
    sectors: list[str] = Field(description="sectors' codes")


class SessionDetail(SessionItem):
    forum_name: Names
    room_name: Names
    abstract: Names
    speakers: list[SpeakerRefDetail]
    version: int = Field(description="the release this answer comes from")


class SpeakerOut(Schema):
    id: int
    name: Names
    affiliation: Names
    bio: Names
    sessions: list[int] = Field(description="their published sessions' ids, in programme order")


class SpeakerIn(Schema):
    name: NamesIn
    affiliation: str | TextIn | None = Field(
        None, description="a text (English) or {en, zh}; at most 200 characters each"
    )
    bio: TextIn | None = None


class SpeakerCreated(Schema):
    id: int
    name: Names
    affiliation: Names
    bio: Names
    published: bool = Field(description="whether a published session names the speaker yet")


# --- the organisers' working copy -------------------------------------------------------------


class SessionIn(Schema):
    forum: str = Field(..., max_length=32, description="a forum's code")
    title: TitleIn
    abstract: TextIn | None = None
    starts_at: Instant
    ends_at: Instant = Field(..., description="after starts_at")
    room: str = Field(..., max_length=32, description="the code of a zone of kind room")
    format: Format = SessionFormat.TALK
    seats: int | None = Field(
        None,
        ge=1,
        le=MAX_SEATS,
        description="a seat quota, which makes reservation required; null: none",
    )
    reservation_required: bool | None = Field(
        None, description="true without seats: reservation for the room's capacity"
    )
    speakers: list[int] | None = Field(None, max_length=MAX_LIST, description="speakers' ids")
    tags: list[str] | None = Field(None, max_length=MAX_LIST, description="technology tags")
    sectors: list[str] | None = Field(None, max_length=MAX_LIST, description="sectors' codes")


class SessionPatch(Schema):
    """A partial change: a field left out keeps its value. `seats: null` drops the quota (the
    room's capacity is offered when reservation stays required)."""

    forum: str = Field(None, max_length=32, description="a forum's code")
    title: TitlePatch = None
    abstract: TextPatch = None
    starts_at: Instant = None
    ends_at: Instant = None
    room: str = Field(None, max_length=32, description="the code of a zone of kind room")
    format: Format = None
    seats: int | None = Field(None, ge=1, le=MAX_SEATS)
    reservation_required: bool = None
    cancelled: bool = Field(None, description="true: leaves the programme at the next release")
    speakers: list[int] = Field(None, max_length=MAX_LIST, description="all of them, in order")
    tags: list[str] = Field(None, max_length=MAX_LIST)
    sectors: list[str] = Field(None, max_length=MAX_LIST)


class WarningOut(Schema):
    code: str = Field(
        description="speaker_double_booked, room_double_booked, outside_opening_hours, "
        "seats_above_capacity or reservations_above_seats"
    )
    message: str
    sessions: list[int]
    detail: dict[str, Any]


class SessionWorking(Schema):
    """A session of the working copy, as saved, with the warnings it raises now."""

    id: int
    forum: str
    title: Names
    abstract: Names
    starts_at: str
    ends_at: str
    day: str
    room: str
    format: Format
    speakers: list[SpeakerRef]
    tags: list[str]
    sectors: list[str]
    seats: int | None = Field(description="what the next release publishes (null: no reservation)")
    seat_quota: int | None = Field(description="null: the room's capacity")
    reservation_required: bool
    cancelled: bool
    published: bool = Field(description="whether the latest release has this session")
    warnings: list[str] = Field(description="the codes of the warnings it raises")
    warning_details: list[WarningOut]


# --- releases ---------------------------------------------------------------------------------


class Place(Schema):
    starts_at: str
    ends_at: str
    room: str


class Moved(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    from_: Place = Field(..., alias="from")
    to: Place


class Changes(Schema):
    added: list[int] = []
    cancelled: list[int] = []
    moved: list[Moved] = []
    changed: list[int] = []


class PublishIn(BaseModel):
    confirm: bool = Field(
        False, description="publish even with open warnings (else 409 unconfirmed_warnings)"
    )
    comment: str = Field("", max_length=300)


class ReleaseOut(Schema):
    version: int
    published_at: str
    comment: str
    changes: Changes
    warnings: list[WarningOut] = Field(description="the open warnings its publisher confirmed")


class PublishOut(ReleaseOut):
    sessions: int = Field(description="how many sessions the release publishes")


# --- reservations, favourites, agenda ---------------------------------------------------------


class ReservationIn(BaseModel):
    force: bool = Field(False, description="reserve despite an overlap with the agenda")
    waitlist: bool = Field(True, description="false: 409 session_full rather than wait")


class ReservationOut(Schema):
    session: int
    status: Literal["confirmed", "waitlisted"]
    position: int | None = Field(None, description="1 = next in line; only when waitlisted")


class AgendaOut(Schema):
    reservations: list[ReservationOut]
    favourites: list[int]
    feed: str = Field(description="the absolute path of the agenda's secret iCalendar feed")
