"""Writes to the exhibitor catalogue: profiles, approval, booth assignment."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.exhibitors import images
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


DESCRIPTION_LIMIT = 5000


def _validate_profile(fields: dict) -> None:
    # Translated for the portal's forms; the API answers in English, its only language.
    errors = {}
    if "name_en" in fields and not (fields["name_en"] or "").strip():
        errors["name_en"] = _("An English name is required.")
    limits = (
        ("name_en", 200),
        ("name_zh", 200),
        ("website", 200),
        ("description_en", DESCRIPTION_LIMIT),
        ("description_zh", DESCRIPTION_LIMIT),
    )
    for key, limit in limits:
        if key in fields and len(fields[key] or "") > limit:
            errors[key] = _("At most %(limit)d characters.") % {"limit": limit}
    website = fields.get("website")
    if website and not website.startswith(("http://", "https://")):
        errors["website"] = _("A web address starting with http:// or https://.")
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
    logo: bytes | Keep | None = KEEP,
) -> Exhibitor:
    """Change an exhibitor's own profile: bilingual names, descriptions, website, tags, logo.

    Only the fields given change (a PATCH); None empties a field, which the English name
    refuses. `tags`: the tag codes that replace the exhibitor's own, unchanged if None.
    `logo`: an uploaded picture's bytes (checked and resized by `images.image_store`, refused
    as `invalid` at `logo`), or None to remove the logo."""
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
    if logo is not KEEP:
        exhibitor.logo = (
            None
            if logo is None
            else images.image_store(
                exhibitor=exhibitor, data=logo, max_side=images.LOGO_SIDE, field="logo"
            )
        )
    exhibitor.save()
    exhibitor_refresh_search(exhibitor_ids=[exhibitor.pk])
    if logo is not KEEP:
        images.images_prune(exhibitor=exhibitor)
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


def _showcase_texts(**fields: str | None) -> dict[str, str]:
    """A showcase item's titles and descriptions, checked (`invalid` at the fields) and
    stripped, as the add and the update store them."""
    errors = {}
    if not (fields["title_en"] or "").strip():
        errors["title_en"] = _("A title is required.")
    for key, limit in (
        ("title_en", 200),
        ("title_zh", 200),
        ("description_en", DESCRIPTION_LIMIT),
        ("description_zh", DESCRIPTION_LIMIT),
    ):
        if len(fields[key] or "") > limit:
            errors[key] = _("At most %(limit)d characters.") % {"limit": limit}
    if errors:
        raise invalid(errors)
    return {key: (value or "").strip() for key, value in fields.items()}


@transaction.atomic
def showcase_item_add(
    *,
    exhibitor: Exhibitor,
    title_en: str,
    title_zh: str = "",
    description_en: str = "",
    description_zh: str = "",
    image: bytes | None = None,
) -> ShowcaseItem:
    """Add a product or technology to the end of an exhibitor's showcase, with a picture
    (`image`: an upload's bytes, checked and resized; `invalid` at `image` if refused)."""
    texts = _showcase_texts(
        title_en=title_en,
        title_zh=title_zh,
        description_en=description_en,
        description_zh=description_zh,
    )
    last = exhibitor.showcase.order_by("-position").values_list("position", flat=True).first()
    item = ShowcaseItem.objects.create(
        exhibitor=exhibitor,
        **texts,
        position=0 if last is None else last + 1,
        image=None
        if image is None
        else images.image_store(exhibitor=exhibitor, data=image, max_side=images.SHOWCASE_SIDE),
    )
    exhibitor_refresh_search(exhibitor_ids=[exhibitor.pk])
    return item


@transaction.atomic
def showcase_item_update(
    *,
    item: ShowcaseItem,
    title_en: str,
    title_zh: str = "",
    description_en: str = "",
    description_zh: str = "",
    image: bytes | Keep | None = KEEP,
) -> ShowcaseItem:
    """Change a showcase item's titles and descriptions, and its picture (`image`: an
    upload's bytes, None to remove it, KEEP to leave it)."""
    texts = _showcase_texts(
        title_en=title_en,
        title_zh=title_zh,
        description_en=description_en,
        description_zh=description_zh,
    )
    for key, value in texts.items():
        setattr(item, key, value)
    if image is not KEEP:
        item.image = (
            None
            if image is None
            else images.image_store(
                exhibitor=item.exhibitor, data=image, max_side=images.SHOWCASE_SIDE
            )
        )
    item.save()
    exhibitor_refresh_search(exhibitor_ids=[item.exhibitor_id])
    images.images_prune(exhibitor=item.exhibitor)
    return item


@transaction.atomic
def showcase_item_delete(*, item: ShowcaseItem) -> None:
    """Take an item off the showcase, with its picture."""
    exhibitor = item.exhibitor
    ShowcaseItem.objects.filter(pk=item.pk).delete()
    exhibitor_refresh_search(exhibitor_ids=[exhibitor.pk])
    images.images_prune(exhibitor=exhibitor)


@transaction.atomic
def showcase_item_move(*, item: ShowcaseItem, offset: int) -> None:
    """Move an item up (offset -1) or down (+1) the showcase's order; at either end it stays.

    The items are renumbered 0, 1, 2… in their current order first, so positions left equal
    or with gaps (by the back office, by deletions) move predictably."""
    ordered = list(
        ShowcaseItem.objects.filter(exhibitor_id=item.exhibitor_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    if item.pk not in ordered:
        return
    at = ordered.index(item.pk)
    to = at + offset
    if 0 <= to < len(ordered):
        ordered[at], ordered[to] = ordered[to], ordered[at]
    for position, pk in enumerate(ordered):
        ShowcaseItem.objects.filter(pk=pk).exclude(position=position).update(position=position)


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
