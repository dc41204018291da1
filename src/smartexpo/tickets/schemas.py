"""What a registration sends: the schema that both validates the request and documents it.

The registration POST is answered ahead of django-ninja (`core.hot_routes`), but it validates
its body with this same pydantic model, so the OpenAPI document states exactly the limits the
server applies. The rules of the values themselves (a real ticket type and days, a valid
email and ID number, known interests) are `registration_clean.registration_clean`'s.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from smartexpo.tickets.identity import ID_TYPES
from smartexpo.tickets.models import Intent
from smartexpo.tickets.registration_clean import LANGUAGES, MAX_SECTORS, PROFILE_TEXTS
from smartexpo.venue.models import SHAREABLE_FIELDS

Item = Annotated[str, Field(max_length=64)]


class ProfileIn(BaseModel):
    """The networking profile: what a visitor tells about themselves, and `share`, their
    consent to give some of it to an exhibitor who scans their ticket (default: nothing)."""

    phone: str | None = Field(
        None,
        max_length=PROFILE_TEXTS["phone"],
        description="digits, an optional leading +, spaces, dashes, dots, brackets; "
        "at least 5 digits",
    )
    company: str | None = Field(None, max_length=PROFILE_TEXTS["company"])
    title: str | None = Field(None, max_length=PROFILE_TEXTS["title"], description="job title")
    sectors: list[Item] | None = Field(
        None, max_length=MAX_SECTORS, description="sector codes (`GET /api/v1/sectors`)"
    )
    intents: list[Item] | None = Field(
        None, max_length=len(Intent.values), description="of: " + ", ".join(Intent.values)
    )
    share: list[Item] | None = Field(
        None,
        max_length=len(SHAREABLE_FIELDS),
        description="the fields an exhibitor who scans the ticket may see, among the "
        "edition's `lead_fields` (of: " + ", ".join(SHAREABLE_FIELDS) + "); default none",
    )


class _PersonIn(ProfileIn):
    days: list[Item] = Field(..., min_length=1, max_length=32, description="dates, YYYY-MM-DD")
    name: str = Field(..., min_length=1, max_length=100, description="as on the ID document")
    email: str = Field(..., max_length=254)
    id_type: Literal[*ID_TYPES, ""] | None = Field(
        None, description="`resident` (the default) or `passport`"
    )
    id_number: str | None = Field(
        None,
        max_length=40,
        description="resident: 18 characters (GB 11643, with its check digit and a real birth "
        "date); passport: 5 to 20 letters and digits",
    )
    interests: list[Item] | None = Field(None, max_length=20, description="technology tag codes")
    language: Literal[*LANGUAGES, ""] | None = Field(
        None, description="the language of the confirmation email (default `en`)"
    )


class RegistrationIn(_PersonIn):
    ticket_type: str = Field(..., max_length=32)
    invitation: str | None = Field(
        None, max_length=32, description="the code a ticket type by invitation needs"
    )


class StaffPassIn(_PersonIn):
    ticket_type: str | None = Field(
        None, max_length=32, description="may be left out when one type is granted"
    )
    days: list[Item] | None = Field(
        None,
        min_length=1,
        max_length=32,
        description="dates, YYYY-MM-DD (default: every day of the pass)",
    )


class ProfilePatchIn(ProfileIn):
    """A change of the profile through the manage token: a field left out keeps its value;
    null clears it (an empty text, an empty list)."""

    interests: list[Item] | None = Field(
        None, max_length=20, description="technology tag codes (`GET /api/v1/tags`)"
    )
