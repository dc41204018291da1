"""Writes to the exhibitor catalogue: profiles, approval, booth assignment."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.exhibitors.models import (
    BoothAssignment,
    Exhibitor,
    ExhibitorStatus,
    Sector,
    ShowcaseItem,
    Tag,
)
from smartexpo.venue.models import Booth, Expo

PROFILE_FIELDS = ("name_en", "name_zh", "description_en", "description_zh", "website")


def exhibitor_search_text(exhibitor: Exhibitor, tags: Iterable[Tag], showcase=()) -> str:
    """The lower-cased text the directory search matches terms against."""
    parts = [
        exhibitor.slug,
        exhibitor.name_en,
        exhibitor.name_zh,
        exhibitor.sector.name_en,
        exhibitor.sector.name_zh,
    ]
    for tag in tags:
        parts += [tag.code, tag.name_en, tag.name_zh]
    for item in showcase:
        parts += [item.title_en, item.title_zh]
    return " ".join(p for p in parts if p).lower()


def exhibitor_refresh_search(*, exhibitor_ids: Iterable[int]) -> int:
    """Recompute the search text of these exhibitors (after names, tags or showcase changed)."""
    exhibitors = list(
        Exhibitor.objects.filter(pk__in=list(exhibitor_ids))
        .select_related("sector")
        .prefetch_related("tags", "showcase")
    )
    for e in exhibitors:
        e.search_text = exhibitor_search_text(e, e.tags.all(), e.showcase.all())
    Exhibitor.objects.bulk_update(exhibitors, ["search_text"], batch_size=500)
    return len(exhibitors)


def _validate_profile(fields: dict) -> None:
    errors = {}
    if "name_en" in fields and not (fields["name_en"] or "").strip():
        errors["name_en"] = "An English name is required."
    for key, limit in (("name_en", 200), ("name_zh", 200), ("website", 200)):
        if key in fields and len(fields[key] or "") > limit:
            errors[key] = f"At most {limit} characters."
    website = fields.get("website")
    if website and not website.startswith(("http://", "https://")):
        errors["website"] = "A web address starting with http:// or https://."
    if errors:
        raise invalid(errors)


@transaction.atomic
def exhibitor_create(
    *,
    expo: Expo,
    slug: str,
    name_en: str,
    sector: Sector,
    name_zh: str = "",
    description_en: str = "",
    description_zh: str = "",
    website: str = "",
    country: str = "CN",
    fortune500: bool = False,
    tags: Iterable[Tag] = (),
    status: str = ExhibitorStatus.PENDING,
) -> Exhibitor:
    """Register a company as an exhibitor of an edition (pending approval by default)."""
    _validate_profile({"name_en": name_en, "name_zh": name_zh, "website": website})
    if Exhibitor.objects.filter(expo=expo, slug=slug).exists():
        raise SmartExpoError("exhibitor_exists", f"Exhibitor {slug!r} already exists.")
    exhibitor = Exhibitor.objects.create(
        expo=expo,
        slug=slug,
        name_en=name_en.strip(),
        name_zh=name_zh.strip(),
        sector=sector,
        description_en=description_en,
        description_zh=description_zh,
        website=website,
        country=country,
        fortune500=fortune500,
        status=status,
    )
    tags = list(tags)
    exhibitor.tags.set(tags)
    exhibitor.search_text = exhibitor_search_text(exhibitor, tags)
    exhibitor.save(update_fields=["search_text"])
    return exhibitor


class Keep(enum.Enum):
    """The value of a profile field that an update leaves as it is (not given)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@transaction.atomic
def exhibitor_update_profile(
    *,
    exhibitor: Exhibitor,
    name_en: str | Keep | None = KEEP,
    name_zh: str | Keep | None = KEEP,
    description_en: str | Keep | None = KEEP,
    description_zh: str | Keep | None = KEEP,
    website: str | Keep | None = KEEP,
    tags: Iterable[str] | None = None,
) -> Exhibitor:
    """Change an exhibitor's own profile: bilingual names, descriptions, website, tags.

    Only the fields given change (a PATCH); None empties a field, which the English name
    refuses. `tags`: the tag codes that replace the exhibitor's own, unchanged if None."""
    given = zip(
        PROFILE_FIELDS, (name_en, name_zh, description_en, description_zh, website), strict=True
    )
    fields = {key: value for key, value in given if value is not KEEP}
    _validate_profile(fields)
    for key, value in fields.items():
        setattr(exhibitor, key, (value or "").strip())
    if tags is not None:
        tag_objs = list(Tag.objects.filter(code__in=list(tags)))
        missing = sorted(set(tags) - {t.code for t in tag_objs})
        if missing:
            raise invalid({"tags": f"Unknown tags: {', '.join(missing)}."})
        exhibitor.tags.set(tag_objs)
    exhibitor.save()
    exhibitor_refresh_search(exhibitor_ids=[exhibitor.pk])
    exhibitor.refresh_from_db()
    return exhibitor


@transaction.atomic
def exhibitor_set_status(*, exhibitor: Exhibitor, status: str) -> Exhibitor:
    """Approve or reject an exhibitor; only approved exhibitors are listed publicly."""
    if status not in ExhibitorStatus.values:
        raise invalid({"status": f"Must be one of: {', '.join(ExhibitorStatus.values)}."})
    Exhibitor.objects.filter(pk=exhibitor.pk).update(status=status)
    exhibitor.status = status
    return exhibitor


@transaction.atomic
def showcase_item_add(
    *,
    exhibitor: Exhibitor,
    title_en: str,
    title_zh: str = "",
    description_en: str = "",
    description_zh: str = "",
) -> ShowcaseItem:
    """Add a product or technology to an exhibitor's showcase."""
    if not title_en.strip():
        raise invalid({"title_en": "A title is required."})
    position = exhibitor.showcase.count()
    item = ShowcaseItem.objects.create(
        exhibitor=exhibitor,
        title_en=title_en.strip(),
        title_zh=title_zh.strip(),
        description_en=description_en,
        description_zh=description_zh,
        position=position,
    )
    exhibitor_refresh_search(exhibitor_ids=[exhibitor.pk])
    return item


def booth_assign(*, booth: Booth, exhibitor: Exhibitor) -> BoothAssignment:
    """Give a booth to an exhibitor; a booth that is already taken is refused (`booth_taken`).

    The unique booth column decides, not a prior read: two organisers assigning the same booth
    at once get one assignment and one `booth_taken`, on SQLite and PostgreSQL alike.
    """
    if booth.expo_id != exhibitor.expo_id:
        raise invalid({"exhibitor": "The exhibitor belongs to another edition."})
    if exhibitor.status == ExhibitorStatus.REJECTED:
        raise SmartExpoError("exhibitor_rejected", "A rejected exhibitor cannot get a booth.")
    try:
        with transaction.atomic():
            return BoothAssignment.objects.create(
                expo_id=booth.expo_id, booth=booth, exhibitor=exhibitor
            )
    except IntegrityError:
        holder = BoothAssignment.objects.filter(booth=booth).select_related("exhibitor").first()
        detail = {"booth": booth.code}
        if holder is not None:
            detail["exhibitor"] = holder.exhibitor_id
            if holder.exhibitor_id == exhibitor.pk:
                raise SmartExpoError(
                    "booth_taken", f"Booth {booth.code} is already this exhibitor's.", detail
                ) from None
        raise SmartExpoError(
            "booth_taken", f"Booth {booth.code} is already assigned.", detail
        ) from None


@transaction.atomic
def booth_release(*, booth: Booth) -> bool:
    """Free a booth; returns whether it had been assigned."""
    deleted, _ = BoothAssignment.objects.filter(booth=booth).delete()
    return deleted > 0
