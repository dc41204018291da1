"""A registration's fields, checked against the edition's catalogue before anything is written.

Needs no query but the catalogue stamp's (`tickets.catalogue`); the creation services
(`tickets.services.registration`, `.registration_bulk`, `.waitlist`) take its `Clean` values.
The messages are in the active language (the public form's visitor's); the API's requests
run with none activated, in English.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.core.stamps import READ
from smartexpo.tickets import identity
from smartexpo.tickets.catalogue import Catalogue, TypeInfo, catalogue_for
from smartexpo.tickets.models import Intent
from smartexpo.venue.models import Expo

LANGUAGES = ("en", "zh-hans")
MAX_INTERESTS = 20
MAX_SECTORS = 20
# The networking profile's text fields and their longest values (the model's columns).
PROFILE_TEXTS = {"phone": 32, "company": 200, "title": 200}
PROFILE_LISTS = ("sectors", "intents", "share")
PROFILE_FIELDS = (*PROFILE_TEXTS, *PROFILE_LISTS)
# A telephone number as people write it: digits, at most one leading +, spaces, dashes,
# dots and brackets; at least 5 digits (an extension is part of what exhibitors dial).
_PHONE = re.compile(r"\+?[0-9 ().\-]+")


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
    # The networking profile (all optional; `share` empty: nothing given to exhibitors).
    profile: dict = field(default_factory=dict)

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
            **self.profile_row(),
        }

    def profile_row(self) -> dict:
        """The profile's columns with their stored values (blank for what was not given)."""
        return {
            **{name: self.profile.get(name, "") for name in PROFILE_TEXTS},
            **{name: self.profile.get(name, []) for name in PROFILE_LISTS},
        }


def codes_clean(value, name: str, known, most: int, errors: dict[str, str]) -> list[str]:
    """A list of codes, each known, duplicates dropped (first kept); errors by field."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors[name] = _("A list of codes is required.")
        return []
    codes = list(dict.fromkeys(value))
    if len(codes) > most:
        errors[name] = _("At most %(count)d values.") % {"count": most}
    elif unknown := [c for c in codes if c not in known]:
        errors[name] = _("Unknown values: %(codes)s.") % {"codes": ", ".join(unknown)}
    return codes


def profile_clean(catalogue: Catalogue, fields: dict, errors: dict[str, str]) -> dict:
    """The networking profile's fields among `fields` (those present and not None), cleaned:
    texts trimmed and within their lengths, a phone number that looks like one, sectors and
    intents known, `share` within the edition's `lead_fields` (`Expo.lead_fields`). What is
    wrong goes to `errors` by field; returns the clean values of the fields given."""
    clean: dict = {}
    for name, longest in PROFILE_TEXTS.items():
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = _("A text is required.")
            continue
        value = value.strip()
        if len(value) > longest:
            errors[name] = _("At most %(count)d characters.") % {"count": longest}
        elif (
            name == "phone"
            and value
            and not (_PHONE.fullmatch(value) and sum(c.isdigit() for c in value) >= 5)
        ):
            errors[name] = _("Not a telephone number (digits, +, spaces and dashes).")
        clean[name] = value
    if fields.get("sectors") is not None:
        clean["sectors"] = codes_clean(
            fields["sectors"], "sectors", catalogue.sectors, MAX_SECTORS, errors
        )
    if fields.get("intents") is not None:
        clean["intents"] = codes_clean(fields["intents"], "intents", Intent.values, 5, errors)
    if fields.get("share") is not None:
        share = codes_clean(fields["share"], "share", catalogue.lead_fields, 5, errors)
        if "share" in errors and isinstance(fields["share"], list | tuple):
            errors["share"] = _("Only these fields may be shared in this edition: %(fields)s.") % {
                "fields": ", ".join(sorted(catalogue.lead_fields)) or "-"
            }
        clean["share"] = share
    return clean


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
    **profile,
) -> Clean:
    """Check every field against the catalogue; return clean values or raise `invalid` listing
    every field at fault. `profile`: the optional networking profile (`PROFILE_FIELDS`, judged
    by `profile_clean`). Makes no database query."""
    errors: dict[str, str] = {}
    if extra := set(profile) - set(PROFILE_FIELDS):
        raise TypeError(f"unexpected fields: {', '.join(sorted(extra))}")
    profile = profile_clean(catalogue, profile, errors)
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
    return Clean(
        tt, parsed, name, email, id_type or "", id_hash, id_masked, interests, language, profile
    )


def registration_problems(*, expo: Expo, version=READ, **fields) -> dict[str, str]:
    """What `registration_clean` finds wrong with these fields, by field (empty if nothing)."""
    fields.pop("invitation", None)  # judged with the ticket type's access, later
    try:
        registration_clean(catalogue_for(expo, version=version), **fields)
    except SmartExpoError as exc:
        return exc.detail.get("fields", {})
    return {}
