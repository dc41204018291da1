"""Writes to the venue: booths are validated against their hall and against each other; an
edition's sales window is set with its ends checked; an edition's lead-capture settings are set
with the fields checked; an edition's demo clock is set and cleared."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.core.instants import YEARS
from smartexpo.venue.models import SHAREABLE_FIELDS, Booth, Expo, Zone, ZoneKind

# "Not given: keep what is stored" in a partial change, where None means "clear that end".
KEEP = object()
SALES_FIELDS = {"sales_open_at": "sales_opens_at", "sales_close_at": "sales_closes_at"}


def sales_window_problems(
    *, opens_at: dt.datetime | None, closes_at: dt.datetime | None
) -> dict[str, str]:
    """What is wrong with a sales window (`{}`: nothing), by the API's field names: an end
    without its UTC offset, or a closing that is not after the opening. Either end may be
    None (no limit that side). Shared by editions and ticket types."""
    problems = {}
    for name, value in (("sales_opens_at", opens_at), ("sales_closes_at", closes_at)):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            problems[name] = "An ISO 8601 date and time with its UTC offset."
    if not problems and opens_at is not None and closes_at is not None and closes_at <= opens_at:
        problems["sales_closes_at"] = "Registration must close after it opens."
    return problems


def sales_window_change(obj, *, opens_at=KEEP, closes_at=KEEP) -> None:
    """Apply a partial change of `obj`'s sales window (an edition or a ticket type, read
    under lock by the caller), refused as `invalid` with the API's field names if the window
    it makes is wrong. `KEEP` keeps an end; None clears it."""
    if opens_at is not KEEP:
        obj.sales_open_at = opens_at
    if closes_at is not KEEP:
        obj.sales_close_at = closes_at
    if problems := sales_window_problems(opens_at=obj.sales_open_at, closes_at=obj.sales_close_at):
        raise invalid(problems)
    obj.save(update_fields=list(SALES_FIELDS))


@transaction.atomic
def expo_sales_window_set(*, expo: Expo, opens_at=KEEP, closes_at=KEEP) -> Expo:
    """Set when the edition's registration opens (`opens_at`) and closes (`closes_at`): an
    aware datetime, None to clear that end (open from the start; close at the end of the last
    day), or `KEEP` (the default) to leave it. The window is checked with the stored end it
    keeps, read under lock so that two changes of one end each cannot make a closing before
    the opening. Refusal: `invalid` (422) at `sales_opens_at` / `sales_closes_at`."""
    locked = Expo.objects.select_for_update().get(pk=expo.pk)
    sales_window_change(locked, opens_at=opens_at, closes_at=closes_at)
    return locked


def lead_fields_problem(values) -> str | None:
    """What is wrong with an edition's `lead_fields` (None: nothing): a list of distinct names
    of `SHAREABLE_FIELDS`, in any order."""
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        return "A list of field names."
    if unknown := [v for v in values if v not in SHAREABLE_FIELDS]:
        return f"Unknown fields: {', '.join(unknown)}; of {', '.join(SHAREABLE_FIELDS)}."
    if len(set(values)) != len(values):
        return "A field is listed twice."
    return None


def lead_fields_ordered(values) -> list[str]:
    """The fields in `SHAREABLE_FIELDS` order, the order exports show them in."""
    return [f for f in SHAREABLE_FIELDS if f in values]


@transaction.atomic
def expo_lead_settings_set(*, expo: Expo, lead_capture=KEEP, lead_fields=KEEP) -> Expo:
    """Set whether exhibitors may capture leads in the edition (`lead_capture`) and which
    fields its visitors may share with them (`lead_fields`, of `SHAREABLE_FIELDS`); `KEEP`
    leaves a setting as it is. Narrowing `lead_fields` changes no visitor's stored `share`:
    what a lead shows is what both allow when it is read. Refusal: `invalid` (422)."""
    errors = {}
    if lead_capture is not KEEP and not isinstance(lead_capture, bool):
        errors["lead_capture"] = "true or false."
    if lead_fields is not KEEP and (problem := lead_fields_problem(lead_fields)):
        errors["lead_fields"] = problem
    if errors:
        raise invalid(errors)
    locked = Expo.objects.select_for_update().get(pk=expo.pk)
    changed = []
    if lead_capture is not KEEP:
        locked.lead_capture = lead_capture
        changed.append("lead_capture")
    if lead_fields is not KEEP:
        locked.lead_fields = lead_fields_ordered(lead_fields)
        changed.append("lead_fields")
    if changed:
        locked.save(update_fields=changed)
    return locked


def _overlaps(a: tuple[Decimal, Decimal, Decimal, Decimal], b: tuple[Decimal, ...]) -> bool:
    ax, ay, aw, ad = a
    bx, by, bw, bd = b
    # Touching edges share a wall, which is how booths stand in a row: not an overlap.
    return ax < bx + bw and bx < ax + aw and ay < by + bd and by < ay + ad


def booth_geometry_check(
    *, hall: Zone, x: Decimal, y: Decimal, width: Decimal, depth: Decimal, exclude_pk=None
) -> None:
    """Refuse a rectangle that is empty, leaves the hall, or overlaps another booth."""
    if hall.kind != ZoneKind.HALL:
        raise invalid({"hall": "Booths stand in a hall."})
    if width <= 0 or depth <= 0:
        raise invalid({"width": "Width and depth must be positive."})
    if x < 0 or y < 0:
        raise invalid({"x": "Coordinates start at the hall's north-west corner (0, 0)."})
    if (
        hall.plan_width is not None
        and hall.plan_depth is not None
        and (x + width > hall.plan_width or y + depth > hall.plan_depth)
    ):
        raise SmartExpoError(
            "booth_outside_hall",
            "The booth does not fit inside the hall.",
            {
                "hall": hall.code,
                "hall_width": str(hall.plan_width),
                "hall_depth": str(hall.plan_depth),
            },
        )
    others = Booth.objects.filter(hall=hall).exclude(pk=exclude_pk)
    # Only candidates whose bounding ranges intersect need the exact test.
    others = others.filter(x__lt=x + width, y__lt=y + depth)
    for other in others.only("code", "x", "y", "width", "depth"):
        if _overlaps((x, y, width, depth), (other.x, other.y, other.width, other.depth)):
            raise SmartExpoError(
                "booth_overlap",
                f"The booth overlaps booth {other.code}.",
                {"booth": other.code},
            )


@transaction.atomic
def booth_create(
    *, hall: Zone, code: str, x: Decimal, y: Decimal, width: Decimal, depth: Decimal
) -> Booth:
    """Create a booth on a hall's floor plan after checking its place on it."""
    x, y, width, depth = (Decimal(str(v)) for v in (x, y, width, depth))
    if Booth.objects.filter(expo_id=hall.expo_id, code=code).exists():
        raise SmartExpoError("booth_exists", f"Booth {code} already exists.", {"booth": code})
    booth_geometry_check(hall=hall, x=x, y=y, width=width, depth=depth)
    return Booth.objects.create(
        expo_id=hall.expo_id, hall=hall, code=code, x=x, y=y, width=width, depth=depth
    )


def demo_clock_set(*, expo: Expo, at: dt.datetime, now: dt.datetime | None = None) -> Expo:
    """Give the edition a demo clock that reads `at` now (`now`: the real time unless given) and
    runs on at the real pace (`venue.clock.edition_now`): a rehearsal or a demo of an edition
    whose days are not today. The edition's cache follows at once (its row moves the catalogue
    stamp, `core.stamps`).

    Refused while the edition is really held (today, at its venue, is one of its days): its
    gates must then decide by the real day."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise invalid({"at": "The demo clock's instant needs its UTC offset."})
    if not YEARS[0] <= at.year <= YEARS[1]:
        raise invalid({"at": f"The demo clock's year must be from {YEARS[0]} to {YEARS[1]}."})
    now = now or timezone.now()
    today = now.astimezone(expo.tz).date()
    if expo.starts_on <= today <= expo.ends_on:
        raise SmartExpoError(
            "edition_running",
            f"{expo.slug} is being held today ({today:%Y-%m-%d} at its venue): its gates "
            "decide by the real time, so it cannot have a demo clock.",
            {"expo": expo.slug},
        )
    expo.clock_offset = at - now
    Expo.objects.filter(pk=expo.pk).update(clock_offset=expo.clock_offset)
    return expo


def demo_clock_clear(*, expo: Expo) -> bool:
    """Put the edition back on the real time; False if it had no demo clock."""
    expo.clock_offset = None
    changed = Expo.objects.filter(pk=expo.pk, clock_offset__isnull=False).update(clock_offset=None)
    return bool(changed)
