"""The recommendations API's shapes (docs/api.md, "Recommendations")."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from smartexpo.core.api import PageParams


class Text(Schema):
    en: str
    zh: str


class ExhibitorRef(Schema):
    id: int
    slug: str
    name: Text
    sector: str
    booths: list[str]


class SessionRef(Schema):
    id: int
    title: Text
    forum: str
    room: str
    starts_at: str
    ends_at: str


class Recommendation(Schema):
    exhibitor: ExhibitorRef | None = None
    session: SessionRef | None = None
    score: float
    reasons: list[Text]


class RecommendationPage(Schema):
    count: int
    built_at: dt.datetime = Field(description="When the model that answered was built")
    items: list[Recommendation]


class RecommendationParams(PageParams):
    kind: Literal["exhibitor", "session"] = "exhibitor"
    limit: int = Field(10, ge=1, description="1 or more; at most 50 recommendations are ranked")


class VisitorParams(PageParams):
    limit: int = Field(20, ge=1, description="1 to 200")


class SuggestedVisitor(Schema):
    registration: int
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    title: str | None = None


class VisitorSuggestion(Schema):
    visitor: SuggestedVisitor
    score: float
    reasons: list[Text]


class VisitorPage(Schema):
    count: int
    built_at: dt.datetime
    items: list[VisitorSuggestion]


class VisitorDismissalIn(Schema):
    exhibitor: int = Field(description="The exhibitor the visitor declines")


class ExhibitorDismissalIn(Schema):
    registration: int = Field(description="The visitor (registration id) the exhibitor declines")


class DismissalOut(Schema):
    registration: int
    exhibitor: int
    by: Literal["visitor", "exhibitor"]
    created_at: dt.datetime


class PairParams(Schema):
    registration: int = Field(ge=1, lt=2**53)
    exhibitor: int = Field(ge=1, lt=2**53)


class PairOut(Schema):
    registration: int
    exhibitor: int
    score: float
    built_at: dt.datetime
