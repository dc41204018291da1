"""Writes to the venue: booths are validated against their hall and against each other."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.venue.models import Booth, Zone, ZoneKind


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
