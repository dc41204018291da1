"""The recommendations' part of a person's data (`docs/personal-data.md`): the exhibitors they
said "No thanks" to, the exhibitors that said it to them, and their booth visits (badge reads at
booths, stored by crowd under their tickets' serials). Erasure deletes all three."""

from __future__ import annotations

from typing import Any

from smartexpo.crowd.models import BoothVisit
from smartexpo.recommend.models import Dismissal
from smartexpo.tickets.models import Registration, Ticket


def _serials(registration: Registration) -> list[int]:
    return list(Ticket.objects.filter(registration=registration).values_list("serial", flat=True))


def registration_recommend_data(*, registration: Registration) -> dict[str, Any]:
    """Everything the recommendations keep about the registration (a selector)."""
    dismissals = (
        Dismissal.objects.filter(registration=registration)
        .select_related("exhibitor")
        .order_by("id")
    )
    visits = (
        BoothVisit.objects.filter(expo_id=registration.expo_id, serial__in=_serials(registration))
        .select_related("zone")
        .order_by("at", "id")
    )
    return {
        "dismissals": [
            {
                "exhibitor": d.exhibitor_id,
                "exhibitor_name": {"en": d.exhibitor.name_en, "zh": d.exhibitor.name_zh},
                "by": d.by,
                "created_at": d.created_at,
            }
            for d in dismissals
        ],
        "booth_visits": [
            {"ticket": v.serial, "zone": v.zone.code, "day": v.day.isoformat(), "at": v.at}
            for v in visits
        ],
    }


def registration_recommend_erase(*, registration: Registration) -> int:
    """Delete the registration's dismissals (either side's) and booth visits; how many rows."""
    dismissals, _kinds = Dismissal.objects.filter(registration=registration).delete()
    visits, _kinds = BoothVisit.objects.filter(
        expo_id=registration.expo_id, serial__in=_serials(registration)
    ).delete()
    return dismissals + visits
