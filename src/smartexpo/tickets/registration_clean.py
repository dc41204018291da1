"""A registration's fields, checked against the edition's catalogue before anything is written.

Needs no query but the catalogue stamp's (`tickets.catalogue`); the creation services
(`tickets.services.registration`, `.registration_bulk`, `.waitlist`) take its `Clean` values.
The messages are in the active language (the public form's visitor's); the API's requests
run with none activated, in English.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.core.stamps import READ
from smartexpo.tickets import identity
from smartexpo.tickets.catalogue import Catalogue, TypeInfo, catalogue_for
from smartexpo.venue.models import Expo

LANGUAGES = ("en", "zh-hans")
MAX_INTERESTS = 20


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

    def person(self) -> dict:
        """The registration's fields about the person, as a registration row stores them."""
        return {
            "name": self.name,
            "email": self.email,
            "id_type": self.id_type,
            "id_hash": self.id_hash,
            "id_masked": self.id_masked,
            "interests": self.interests,
            "language": self.language,
        }


def _parse_days(values, errors: dict[str, str]) -> list[dt.date]:
    if not isinstance(values, list | tuple) or not values:
        errors["days"] = _("At least one day is required.")
        return []
    days = []
    for value in values:
        try:
            days.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
        except ValueError:
            errors["days"] = _("%(value)r is not a date (YYYY-MM-DD).") % {"value": value}
            return []
    if len(set(days)) != len(days):
        errors["days"] = _("A day is listed twice.")
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
        errors["ticket_type"] = _("Unknown ticket type %(code)r.") % {"code": ticket_type}
    parsed = _parse_days(days, errors)
    if tt is not None and "days" not in errors:
        outside = [d.isoformat() for d in parsed if d not in tt.quota_ids]
        if outside:
            errors["days"] = _("This ticket type is not valid on %(days)s.") % {
                "days": ", ".join(outside)
            }
        elif tt.all_days and set(parsed) != tt.days:
            errors["days"] = _("This pass covers all its days; list every one of them.")
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = _("A name is required.")
    elif len(name) > 100:
        errors["name"] = _("At most 100 characters.")
    email = email.strip() if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("A valid email address is required.")
    id_hash = id_masked = ""
    if id_number not in (None, ""):
        try:
            id_type, canonical = identity.normalise_id(id_type, id_number, today=today)
            id_hash = identity.id_hash(id_type, canonical, key=hash_key or identity.id_hash_key())
            id_masked = identity.mask_id(canonical, id_type=id_type)
        except identity.IdNumberError as exc:
            errors[exc.field] = exc.message
    elif id_type not in (None, "", *identity.ID_TYPES):
        errors["id_type"] = _("Unknown ID type; use one of: %(types)s.") % {
            "types": ", ".join(identity.ID_TYPES)
        }
    else:
        id_type = ""
    interests = list(dict.fromkeys(interests or []))
    if len(interests) > MAX_INTERESTS:
        errors["interests"] = _("At most %(count)d interests.") % {"count": MAX_INTERESTS}
    elif unknown := [i for i in interests if i not in catalogue.tags]:
        errors["interests"] = _("Unknown interests: %(codes)s.") % {
            "codes": ", ".join(map(str, unknown))
        }
    language = language or "en"
    if language not in LANGUAGES:
        errors["language"] = _("One of: %(values)s.") % {"values": ", ".join(LANGUAGES)}
    if errors:
        raise invalid(errors)
    return Clean(tt, parsed, name, email, id_type or "", id_hash, id_masked, interests, language)


def registration_problems(*, expo: Expo, version=READ, **fields) -> dict[str, str]:
    """What `registration_clean` finds wrong with these fields, by field (empty if nothing)."""
    fields.pop("invitation", None)  # judged with the ticket type's access, later
    try:
        registration_clean(catalogue_for(expo, version=version), **fields)
    except SmartExpoError as exc:
        return exc.detail.get("fields", {})
    return {}
