"""The business meetings API's bodies and answers (docs/meetings.md)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt, field_validator, model_validator

from smartexpo.core.api import Names, PageParams
from smartexpo.core.instants import Instant
from smartexpo.meetings.models import (
    CAP_MAX,
    MESSAGE_MAX,
    SLOT_MINUTES_MAX,
    SLOT_MINUTES_MIN,
    TABLES_MAX,
)
from smartexpo.meetings.services.availability import BUSY_MAX

Id = Field(ge=1, lt=2**53)


class Ref(Schema):
    """A participant: `{"exhibitor": id}` or `{"registration": id}`, exactly one of the two."""

    exhibitor: StrictInt | None = Field(None, ge=1, lt=2**53)
    registration: StrictInt | None = Field(None, ge=1, lt=2**53)

    @model_validator(mode="after")
    def one_of_two(self):
        if (self.exhibitor is None) == (self.registration is None):
            raise ValueError('Exactly one of "exhibitor" and "registration".')
        return self

    def as_ref(self) -> dict[str, int]:
        if self.exhibitor is not None:
            return {"exhibitor": self.exhibitor}
        return {"registration": self.registration}


# A participant in an answer: `{"exhibitor": id}` or `{"registration": id}`.
RefOut = dict[str, int]


class RefParams(Schema):
    """Names a participant in a query string (an organiser's; a participant's own token may
    leave both out, meaning itself)."""

    exhibitor: int | None = Field(None, ge=1, lt=2**53)
    registration: int | None = Field(None, ge=1, lt=2**53)

    def as_ref(self) -> dict[str, int] | None:
        if self.exhibitor is not None and self.registration is not None:
            from smartexpo.core.errors import invalid

            raise invalid({"registration": 'At most one of "exhibitor" and "registration".'})
        if self.exhibitor is not None:
            return {"exhibitor": self.exhibitor}
        if self.registration is not None:
            return {"registration": self.registration}
        return None


# --- sessions --------------------------------------------------------------------------------

Cap = Field(None, ge=0, le=CAP_MAX, description=f"at most this many meetings (0 to {CAP_MAX})")


class SessionIn(Schema):
    code: str = Field(..., max_length=32)
    starts_at: Instant
    ends_at: Instant
    slot_minutes: StrictInt = Field(..., ge=SLOT_MINUTES_MIN, le=SLOT_MINUTES_MAX)
    tables: StrictInt = Field(..., ge=0, le=TABLES_MAX)
    zone: str | None = Field(None, max_length=32, description="the code of a zone of the edition")
    name: Names | None = None
    booth_meetings: StrictBool = Field(
        False, description="also place meetings at the exhibitor's booth (no table)"
    )
    cap_visitor: StrictInt | None = Cap
    cap_exhibitor: StrictInt | None = Cap


class SessionPatch(Schema):
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    slot_minutes: StrictInt | None = Field(None, ge=SLOT_MINUTES_MIN, le=SLOT_MINUTES_MAX)
    tables: StrictInt | None = Field(None, ge=0, le=TABLES_MAX)
    zone: str | None = Field(None, max_length=32)
    name: Names | None = None
    booth_meetings: StrictBool | None = None
    cap_visitor: StrictInt | None = Cap
    cap_exhibitor: StrictInt | None = Cap


class SessionOut(Schema):
    id: int
    code: str
    name: Names
    starts_at: dt.datetime
    ends_at: dt.datetime
    slot_minutes: int
    slots: int = Field(..., description="how many whole slots the session holds")
    tables: int
    zone: str | None
    booth_meetings: bool
    cap_visitor: int | None
    cap_exhibitor: int | None
    published_at: dt.datetime | None = Field(
        ..., description="when its meetings were last scheduled; null before"
    )


class SessionPage(Schema):
    count: int
    items: list[SessionOut]


# --- requests --------------------------------------------------------------------------------


class RequestIn(Schema):
    from_: Ref | None = Field(
        None,
        alias="from",
        description="the requester: an organiser names it; a participant's token is itself",
    )
    to: Ref
    priority: Literal["must", "want"]
    message: str = Field("", max_length=MESSAGE_MAX)

    @field_validator("message")
    @classmethod
    def no_nul(cls, value: str) -> str:
        # PostgreSQL stores no NUL in text: refused as input, never a 500.
        if "\x00" in value:
            raise ValueError("A message cannot contain NUL characters.")
        return value


class Party(Schema):
    participant: RefOut
    kind: Literal["exhibitor", "visitor"]
    name: str | None = Field(
        ..., description="an exhibitor's name; a visitor's masked name (null once erased)"
    )
    names: Names | None = None
    shared: dict[str, str] | None = Field(
        None, description="what a visitor shares with exhibitors (its consent)"
    )


class Parties(Schema):
    from_: Party = Field(..., alias="from")
    to: Party


class RequestOut(Schema):
    id: int
    status: Literal["pending", "accepted", "declined", "cancelled"]
    from_: RefOut = Field(..., alias="from")
    to: RefOut
    priority: Literal["must", "want"]
    message: str
    created_at: dt.datetime
    decided_at: dt.datetime | None = Field(..., description="when the status last changed")
    parties: Parties


class RequestPage(Schema):
    count: int
    items: list[RequestOut]


class RequestFilters(RefParams, PageParams):
    status: Literal["pending", "accepted", "declined", "cancelled"] | None = None
    direction: Literal["sent", "received"] | None = Field(
        None, description="of the participant's (or the one an organiser names): sent or received"
    )


# --- availability and participation ------------------------------------------------------------


class Interval(Schema):
    from_: Instant = Field(..., alias="from")
    to: Instant


class AvailabilityIn(Schema):
    participant: Ref | None = Field(
        None, description="required of an organiser; a participant's token sets its own"
    )
    busy: list[Interval] = Field(..., max_length=BUSY_MAX)


class IntervalOut(Schema):
    from_: dt.datetime = Field(..., alias="from")
    to: dt.datetime


class ReservedOut(IntervalOut):
    session: int = Field(..., description="the forum session reserved (programme)")


class AvailabilityOut(Schema):
    participant: RefOut
    busy: list[IntervalOut] = Field(..., description="marked busy: what PUT replaces")
    programme: list[ReservedOut] = Field(
        ..., description="reserved forum sessions, as published: busy too, read-only"
    )


class ParticipationIn(Schema):
    participant: Ref | None = Field(None, description="required of an organiser")
    open: StrictBool = Field(..., description="take meeting requests (a visitor's opt-in)")
    cap: StrictInt | None = Field(
        None, ge=0, le=CAP_MAX, description="a personal cap of meetings; null: none; omitted: kept"
    )


class ParticipantOut(Schema):
    participant: RefOut
    kind: Literal["exhibitor", "visitor"]
    open: bool
    cap: int | None
    no_shows: int
    since: dt.datetime | None = Field(..., description="first use; null: not yet a participant")


# --- suggestions -------------------------------------------------------------------------------


class Text(Schema):
    en: str
    zh: str


class SuggestedExhibitor(Schema):
    id: int
    slug: str
    name: Text
    sector: str
    booths: list[str]


class Suggestion(Schema):
    participant: RefOut
    score: float = Field(..., description="the pair's reciprocal score, 0 to 1")
    exhibitor: SuggestedExhibitor | None = None
    visitor: dict[str, str] | None = Field(
        None, description="what the visitor shares with exhibitors"
    )
    reasons: list[Text]


class SuggestionPage(Schema):
    count: int
    items: list[Suggestion]


class SuggestionParams(RefParams, PageParams):
    limit: int = Field(20, ge=1, description="1 or more")
