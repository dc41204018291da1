""" "No thanks": a visitor declining an exhibitor, or an exhibitor declining a visitor.

Either side's dismissal keeps the pair out of both sides' recommendations (`selectors`), and
gives their pair score as 0. Each side may take back its own dismissal, never the other's.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from smartexpo.exhibitors.models import Exhibitor
from smartexpo.recommend.models import Dismissal, DismissedBy
from smartexpo.tickets.models import Registration


def dismissal_add(
    *, registration: Registration, exhibitor: Exhibitor, by: str
) -> tuple[Dismissal, bool]:
    """Record that `by` (a `DismissedBy`) declines the pair: (the dismissal, whether it is
    new). Said twice, or by two requests at once, it is one dismissal (the unique constraint
    decides the race)."""
    found = Dismissal.objects.filter(registration=registration, exhibitor=exhibitor, by=by)
    existing = found.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            made = Dismissal.objects.create(
                expo_id=registration.expo_id,
                registration=registration,
                exhibitor=exhibitor,
                by=DismissedBy(by),
            )
    except IntegrityError:
        return found.get(), False
    return made, True


def dismissal_remove(*, registration: Registration, exhibitor: Exhibitor, by: str) -> bool:
    """Take back `by`'s own dismissal of the pair; whether there was one."""
    deleted, _kinds = Dismissal.objects.filter(
        registration=registration, exhibitor=exhibitor, by=by
    ).delete()
    return deleted > 0
