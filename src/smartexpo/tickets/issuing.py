"""Issuing tickets: manage tokens, serials, signatures, and the objects an answer is made of.

Registration (one at a time, in bulk) and the approval of requests issue tickets the same way:
a conditional UPDATE takes a place on every day, then the ticket and the days it holds for its
person are inserted; the per-person-per-day unique index refuses a second ticket for a day.
The statements are `tickets.queries`'; what goes into them (serials, signed secrets, manage
tokens derived from a nonce) and the refusals they lead to are here.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Model
from django.db.models.base import ModelState

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets.keys import private_key, signing_key_get
from smartexpo.tickets.models import (
    DayQuota,
    Registration,
    SigningKey,
    Ticket,
    TicketDay,
)
from smartexpo.tickets.ticket_secrets import TicketClaims, sign_secret
from smartexpo.venue.models import Expo

MANAGE_PREFIX = "sxm_"


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


def new_nonce() -> str:
    return secrets.token_hex(16)


def new_serial() -> int:
    # Random rather than sequential: serials then say nothing about how many tickets exist.
    return secrets.randbelow(2**53 - 2) + 1


@dataclass
class Issued:
    registration: Registration
    manage_token: str
    tickets: list[Ticket]
    secrets: list[str]


def duplicate_error(days) -> SmartExpoError:
    return SmartExpoError(
        "duplicate",
        "This ID number already holds a ticket for one of these days.",
        {"days": sorted(d.isoformat() for d in days)},
    )


def held_days(expo_id: int, id_hash: str, days) -> list[dt.date]:
    if not id_hash:
        return []
    # exclude(id_hash="") restates the partial index's condition so that it is used.
    return list(
        TicketDay.objects.filter(expo_id=expo_id, id_hash=id_hash, day__in=days, valid=True)
        .exclude(id_hash="")
        .values_list("day", flat=True)
    )


def sign(serial: int, key: SigningKey, type_id: int, days) -> str:
    claims = TicketClaims(serial=serial, type_id=type_id, days=tuple(days))
    return sign_secret(claims, kid=key.kid, private_key=private_key(record=key))


def secret_digest(secret: str) -> str:
    """What a ticket stores of its secret: the first 16 bytes of its SHA-256, in hex."""
    return hashlib.sha256(secret.encode("ascii")).digest()[:16].hex()


class FullDays(Exception):
    """A day of the registration had no place left (raised inside its transaction, so that
    everything it wrote rolls back)."""


def sold_out(quota_ids: list[int]) -> SmartExpoError:
    """The `sold_out` refusal naming which of these days' quotas are full."""
    full = DayQuota.objects.filter(pk__in=quota_ids, sold__gte=F("size")).values_list(
        "day", flat=True
    )
    return SmartExpoError(
        "sold_out",
        "No places left on some of these days.",
        {"days": sorted(d.isoformat() for d in full)},
    )


def ticket_prepare(expo: Expo, key: SigningKey, type_id: int, days, now) -> tuple[Ticket, str]:
    """A new ticket (not yet saved) for these days, with a fresh serial, and its secret."""
    serial = new_serial()
    secret = sign(serial, key, type_id, days)
    ticket = instance(
        Ticket,
        expo=expo,
        expo_id=expo.pk,
        ticket_type_id=type_id,
        serial=serial,
        kid=key.kid,
        days=[d.isoformat() for d in days],
        created_at=now,
        secret_digest=secret_digest(secret),
    )
    return ticket, secret


_blank_fields: dict[type, dict] = {}


def instance(model, **values):
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


def ticket_secret(ticket: Ticket) -> str:
    """The ticket's signed secret, re-derived (Ed25519 signatures are deterministic)."""
    key = signing_key_get(expo_id=ticket.expo_id, kid=ticket.kid)
    days = [dt.date.fromisoformat(d) for d in ticket.days]
    return sign(ticket.serial, key, ticket.ticket_type_id, days)
