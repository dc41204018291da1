"""Capturing a lead: a ticket's secret, verified as a scanner verifies it, becomes the one lead
of its visitor for the exhibitor; a second scan of the same visitor updates that lead.

The unique constraint (exhibitor, registration) is what makes "the same visitor scanned twice
is one lead" hold under concurrent scans: the loser of a race for the insert finds the winner's
lead and updates it, inside a savepoint, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.leads.models import MAX_RATING, Lead
from smartexpo.leads.selectors import Capturer
from smartexpo.tickets import selectors as ticket_selectors
from smartexpo.venue.clock import edition_now
from smartexpo.venue.models import Expo

# Ids and serials only: a log line must never carry what a visitor did not share.
logger = logging.getLogger("smartexpo.leads")

MAX_NOTE = 4000
MAX_TAGS = 20
MAX_TAG = 40
# A booth device's clock may run a little ahead of the server's; more than this is a mistake.
CLOCK_SKEW = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class LeadFields:
    """What the exhibitor writes on a lead; None: leave as it is (a new lead: empty)."""

    note: str | None = None
    rating: int | None = None
    tags: list[str] | None = None


def clean_fields(*, note=None, rating=None, tags=None) -> LeadFields:
    """The exhibitor's note, rating (0 to 5) and tags (trimmed, without repeats in any case),
    checked; `invalid` names every field that is not."""
    errors: dict[str, str] = {}
    if note is not None:
        if not isinstance(note, str):
            errors["note"] = "A text is expected."
        elif len(note) > MAX_NOTE:
            errors["note"] = f"At most {MAX_NOTE} characters."
        else:
            note = note.strip()
    if rating is not None and (
        not isinstance(rating, int) or isinstance(rating, bool) or not 0 <= rating <= MAX_RATING
    ):
        errors["rating"] = f"A whole number from 0 to {MAX_RATING}."
    if tags is not None:
        tags, problem = _clean_tags(tags)
        if problem:
            errors["tags"] = problem
    if errors:
        raise invalid(errors)
    return LeadFields(note, rating, tags)


def _clean_tags(tags) -> tuple[list[str], str | None]:
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        return [], "A list of texts is expected."
    kept: dict[str, str] = {}
    for tag in tags:
        tag = " ".join(tag.split())
        if not tag:
            continue
        if len(tag) > MAX_TAG or "|" in tag:
            return [], f"A tag has at most {MAX_TAG} characters and no '|'."
        kept.setdefault(tag.lower(), tag)
    if len(kept) > MAX_TAGS:
        return [], f"At most {MAX_TAGS} tags."
    return list(kept.values()), None


def tags_text(tags: list[str]) -> str:
    """The `Lead.tags_text` of a list of tags."""
    return "|" + "|".join(t.lower() for t in tags) + "|" if tags else ""


def _captured_at(expo: Expo, value) -> dt.datetime:
    now = edition_now(expo)
    if value is None:
        return now
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise invalid({"captured_at": "An instant with its UTC offset is expected."})
    if value > now + CLOCK_SKEW:
        raise invalid({"captured_at": "A lead cannot be captured in the future."})
    return value


def lead_capture(
    *,
    expo: Expo,
    capturer: Capturer,
    secret,
    fields: LeadFields | None = None,
    captured_at: dt.datetime | None = None,
) -> tuple[Lead, bool]:
    """Capture the visitor whose ticket `secret` is for the capturer's exhibitor; return the
    lead and whether it is new. Scanning a visitor the exhibitor already has updates that lead
    with the fields given (and keeps the earliest capture time: an offline scan synced late
    may be the first). Refusals: `lead_capture_off` (409) when the edition has lead capture
    off, `invalid` (422) for a secret that does not verify, `revoked` (409)."""
    if not expo.lead_capture:
        raise SmartExpoError("lead_capture_off", "Lead capture is off for this edition.")
    fields = fields or LeadFields()
    at = _captured_at(expo, captured_at)
    ticket = ticket_selectors.ticket_of_secret(expo=expo, secret=secret)
    exhibitor = capturer.exhibitor
    try:
        with transaction.atomic():
            lead = Lead.objects.create(
                expo=expo,
                exhibitor=exhibitor,
                registration=ticket.registration,
                serial=ticket.serial,
                device=capturer.device,
                note=fields.note or "",
                rating=fields.rating,
                tags=fields.tags or [],
                tags_text=tags_text(fields.tags or []),
                captured_at=at,
                updated_at=timezone.now(),
            )
    except IntegrityError:
        # Another scan of the same visitor made the lead first (now, or before): that one.
        lead = Lead.objects.get(exhibitor=exhibitor, registration=ticket.registration)
        lead = _update(lead, fields, earliest=at)
        logger.info("lead %s scanned again by exhibitor %s", lead.pk, exhibitor.pk)
        return lead, False
    logger.info("lead %s captured by exhibitor %s (serial %s)", lead.pk, exhibitor.pk, lead.serial)
    return lead, True


def lead_update(*, lead: Lead, fields: LeadFields) -> Lead:
    """Change the exhibitor's note, rating or tags of a lead (the fields given)."""
    return _update(lead, fields)


def _update(lead: Lead, fields: LeadFields, *, earliest: dt.datetime | None = None) -> Lead:
    changed = ["updated_at"]
    if fields.note is not None:
        lead.note = fields.note
        changed.append("note")
    if fields.rating is not None:
        lead.rating = fields.rating
        changed.append("rating")
    if fields.tags is not None:
        lead.tags, lead.tags_text = fields.tags, tags_text(fields.tags)
        changed += ["tags", "tags_text"]
    if earliest is not None and earliest < lead.captured_at:
        lead.captured_at = earliest
        changed.append("captured_at")
    lead.updated_at = timezone.now()
    lead.save(update_fields=changed)
    return lead
