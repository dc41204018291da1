"""What registering needs to know of an edition, kept per process under the catalogue stamp:
its ticket types (days, quota ids, access), the tag and sector codes, the fields its visitors
may share with exhibitors, and the key that signs new tickets (`core.stamps`: a change made
by any process is seen by the next request)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from smartexpo.core.stamps import READ, StampedCache
from smartexpo.exhibitors.models import Sector, Tag
from smartexpo.tickets.models import (
    Access,
    DayQuota,
    SigningKey,
    TicketType,
)
from smartexpo.tickets.services.signing_keys import signing_key_active
from smartexpo.venue.models import Expo

# --- the cached catalogue validation needs ---------------------------------------------------


@dataclass(frozen=True)
class TypeInfo:
    id: int
    code: str
    all_days: bool
    quota_ids: dict[dt.date, int]
    access: str = Access.OPEN
    # The type's own sales window (`tickets.sales` intersects it with its edition's).
    sales_open_at: dt.datetime | None = None
    sales_close_at: dt.datetime | None = None

    @property
    def days(self) -> frozenset[dt.date]:
        return frozenset(self.quota_ids)


@dataclass
class Catalogue:
    expo_id: int
    types: dict[str, TypeInfo]
    tags: frozenset[str]
    sectors: frozenset[str] = frozenset()
    # `Expo.lead_fields`: what a visitor of the edition may agree to share (`share`).
    lead_fields: frozenset[str] = frozenset()


def catalogue_load(expo_id: int) -> Catalogue:
    quotas: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for qid, type_id, day in DayQuota.objects.filter(ticket_type__expo_id=expo_id).values_list(
        "id", "ticket_type_id", "day"
    ):
        quotas[type_id][day] = qid
    types = {
        code: TypeInfo(tid, code, all_days, quotas[tid], access, opens, closes)
        for tid, code, all_days, access, opens, closes in TicketType.objects.filter(
            expo_id=expo_id
        ).values_list("id", "code", "all_days", "access", "sales_open_at", "sales_close_at")
    }
    lead_fields = Expo.objects.filter(pk=expo_id).values_list("lead_fields", flat=True).first()
    return Catalogue(
        expo_id=expo_id,
        types=types,
        tags=frozenset(Tag.objects.values_list("code", flat=True)),
        sectors=frozenset(Sector.objects.values_list("code", flat=True)),
        lead_fields=frozenset(lead_fields or ()),
    )


_catalogues: StampedCache[int, Catalogue] = StampedCache(catalogue_load)


def catalogue_for(expo: Expo, *, version=READ) -> Catalogue:
    """The ticket types, their days, the tag and sector codes and the shareable fields of an
    edition, kept per process while
    the catalogue stamp (`version`, read now unless given) is unchanged."""
    return _catalogues.get(expo.pk, version=version)


def _active_key_load(expo_id: int) -> SigningKey:
    return signing_key_active(expo=Expo.objects.get(pk=expo_id))


active_keys: StampedCache[int, SigningKey] = StampedCache(_active_key_load)
