"""The demo seeder: the 2019 Smart China Expo and the 2018 edition before it.

Deterministic (one `random.Random(seed)` drives every choice) and idempotent: rows are upserted
by their natural keys (edition slug, zone/booth code, exhibitor slug), and only those that
differ from the plan are written, so running it twice keeps the same ids and the same data and
writes next to nothing. Everything is written in bulk, in one transaction.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from smartexpo.demo import catalogue_data as data
from smartexpo.demo import editions as facts
from smartexpo.demo.booth_zones import seed_booth_zones
from smartexpo.demo.hall_plan import allocate_booths
from smartexpo.demo.layout import BoothSpot, PlannedExhibitor
from smartexpo.demo.programme import demo_programme_seed
from smartexpo.demo.upsert import upsert
from smartexpo.exhibitors.models import (
    BoothAssignment,
    Exhibitor,
    ExhibitorStatus,
    Sector,
    ShowcaseItem,
    Tag,
)
from smartexpo.exhibitors.services import exhibitor_search_text
from smartexpo.venue.models import Booth, Expo, Gate, Zone, ZoneKind

Progress = Callable[[str, int], None]


@dataclass
class SeedReport:
    editions: list[str] = field(default_factory=list)
    exhibitors: dict[str, int] = field(default_factory=dict)
    booths: dict[str, int] = field(default_factory=dict)
    programme: dict[str, int] = field(default_factory=dict)


# The edition that gets the demo's forum programme (`demo.programme`).
PROGRAMME_EDITION = "sce-2019"


def seed_taxonomy() -> tuple[dict[str, Sector], dict[str, Tag]]:
    """Sectors and technology tags, shared by every edition."""
    upsert(
        Sector,
        [
            Sector(code=c, name_en=en, name_zh=zh, position=i)
            for i, (c, en, zh) in enumerate(data.SECTORS)
        ],
        ["code"],
        ["name_en", "name_zh", "position"],
    )
    upsert(
        Tag,
        [
            Tag(code=c, name_en=en, name_zh=zh, position=i)
            for i, (c, en, zh) in enumerate(data.TAGS)
        ],
        ["code"],
        ["name_en", "name_zh", "position"],
    )
    return (
        {s.code: s for s in Sector.objects.all()},
        {t.code: t for t in Tag.objects.all()},
    )


def seed_edition(ed: facts.EditionFacts) -> Expo:
    """Create or refresh one demo edition's facts, keeping its id."""
    previous = Expo.objects.filter(slug=ed.previous).first() if ed.previous else None
    expo, _ = Expo.objects.update_or_create(
        slug=ed.slug,
        defaults={
            "name_en": ed.name_en,
            "name_zh": ed.name_zh,
            "starts_on": ed.starts_on,
            "ends_on": ed.ends_on,
            "timezone": "Asia/Shanghai",
            "venue_en": facts.VENUE_EN,
            "venue_zh": facts.VENUE_ZH,
            "city_en": facts.CITY_EN,
            "city_zh": facts.CITY_ZH,
            "tagline_en": ed.tagline_en,
            "tagline_zh": ed.tagline_zh,
            "description_en": ed.description_en,
            "description_zh": ed.description_zh,
            "expected_visitors": ed.expected_visitors,
            "venue_area_m2": ed.venue_area_m2,
            "countries": ed.countries,
            "previous": previous,
            "is_published": True,
            "sales_close_at": ed.sales_close_at,
        },
    )
    return expo


def seed_venue(expo: Expo) -> dict[str, Zone]:
    """Venue zone, 17 halls, the conference centre and its forum rooms, the entrance gates'
    queue zones, and the gates."""
    halls = facts.hall_layout()
    hall_area = sum(h["width"] * h["depth"] for h in halls)
    rows = [
        Zone(
            expo=expo,
            code="CIEC",
            kind=ZoneKind.VENUE,
            name_en=facts.VENUE_EN,
            name_zh=facts.VENUE_ZH,
            # Halls plus concourses, entrance halls and the central avenue.
            area_m2=Decimal(round(hall_area * 1.35)),
            capacity=int(hall_area * facts.HALL_PEOPLE_PER_M2 * 1.2),
            position=0,
        )
    ]
    for h in halls:
        area = Decimal(str(h["width"] * h["depth"]))
        rows.append(
            Zone(
                expo=expo,
                code=h["code"],
                kind=ZoneKind.HALL,
                name_en=h["name_en"],
                name_zh=h["name_zh"],
                area_m2=area,
                capacity=int(area * Decimal(str(facts.HALL_PEOPLE_PER_M2))),
                plan_x=Decimal(str(h["x"])),
                plan_y=Decimal(str(h["y"])),
                plan_width=Decimal(str(h["width"])),
                plan_depth=Decimal(str(h["depth"])),
                group_en=h["group_en"],
                group_zh=h["group_zh"],
                position=h["position"],
            )
        )
    cc = facts.CONFERENCE_CENTRE
    rows.append(
        Zone(
            expo=expo,
            code=cc["code"],
            kind=ZoneKind.OTHER,
            name_en=cc["name_en"],
            name_zh=cc["name_zh"],
            area_m2=Decimal("12000"),
            capacity=6000,
            position=30,
        )
    )
    for i, (code, en, zh, seats, area) in enumerate(facts.FORUM_ROOMS):
        rows.append(
            Zone(
                expo=expo,
                code=code,
                kind=ZoneKind.ROOM,
                name_en=en,
                name_zh=zh,
                area_m2=Decimal(str(area)),
                capacity=seats,
                position=31 + i,
            )
        )
    # The multi-function hall's forum stages, after the hall itself exists (they name it).
    upsert(Zone, rows, ["expo", "code"], ZONE_FIELDS)
    hall_m = Zone.objects.get(expo=expo, code=facts.MULTI_HALL["code"])
    rows = [
        Zone(
            expo=expo,
            code=code,
            kind=ZoneKind.ROOM,
            hall=hall_m,
            name_en=en,
            name_zh=zh,
            area_m2=Decimal(str(area)),
            capacity=seats,
            position=31 + len(facts.FORUM_ROOMS) + i,
        )
        for i, (code, en, zh, seats, area) in enumerate(facts.HALL_ROOMS)
    ]
    upsert(Zone, rows, ["expo", "code"], [*ZONE_FIELDS, "hall"])
    rows = [
        Zone(
            expo=expo,
            code=facts.queue_code(code),
            kind=ZoneKind.QUEUE,
            name_en=f"{en} queue",
            name_zh=f"{zh}排队区",
            area_m2=Decimal(lanes * facts.QUEUE_M2_PER_LANE),
            capacity=int(lanes * facts.QUEUE_M2_PER_LANE * facts.QUEUE_PEOPLE_PER_M2),
            position=60 + i,
        )
        for i, (code, en, zh, lanes) in enumerate(facts.ENTRANCE_GATES)
    ]
    upsert(Zone, rows, ["expo", "code"], ZONE_FIELDS)
    zones = {z.code: z for z in Zone.objects.filter(expo=expo)}

    gates = [
        Gate(
            expo=expo,
            code=code,
            name_en=en,
            name_zh=zh,
            zone=zones["CIEC"],
            lanes=lanes,
            queue_zone=zones[facts.queue_code(code)],
        )
        for code, en, zh, lanes in facts.ENTRANCE_GATES
    ]
    gates += [
        Gate(
            expo=expo,
            code=f"G-{h['code']}",
            name_en=f"{h['name_en']} gate",
            name_zh=f"{h['name_zh']}入口",
            zone=zones[h["code"]],
            lanes=2 if h["code"] != "M" else 4,
        )
        for h in halls
    ]
    # Every forum room has a door with a scanner: it admits into the session running there.
    gates += [
        Gate(
            expo=expo,
            code=facts.door_code(code),
            name_en=f"{en} door",
            name_zh=f"{zh}入口",
            zone=zones[code],
            lanes=2 if seats >= 500 else 1,
        )
        for code, en, zh, seats, _area in [*facts.FORUM_ROOMS, *facts.HALL_ROOMS]
    ]
    upsert(Gate, gates, ["expo", "code"], ["name_en", "name_zh", "zone", "lanes", "queue_zone"])
    return zones


ZONE_FIELDS = [
    "kind",
    "name_en",
    "name_zh",
    "area_m2",
    "capacity",
    "plan_x",
    "plan_y",
    "plan_width",
    "plan_depth",
    "group_en",
    "group_zh",
    "position",
]


def plan_exhibitors(
    rng: random.Random, count: int, notable_share: float = 1.0
) -> list[PlannedExhibitor]:
    """The exhibitors of an edition: the notable companies, then generated Chinese firms."""
    notable = data.NOTABLE_EXHIBITORS
    if notable_share < 1.0:
        # The six companies the seed article names always take part.
        keep = notable[:6] + [n for n in notable[6:] if rng.random() < notable_share]
    else:
        keep = list(notable)
    planned = [
        PlannedExhibitor(
            slug=n["slug"],
            name_en=n["name_en"],
            name_zh=n["name_zh"],
            sector=n["sector"],
            tags=list(n["tags"]),
            country=n["country"],
            website=n["website"],
            fortune500=n["fortune500"],
            description_en=n["description_en"],
            description_zh=n["description_zh"],
            showcase=list(n["showcase"]),
            size="L" if n["fortune500"] else rng.choice(["M", "M", "R"]),
        )
        for n in keep
    ]
    sector_codes = [code for code, _en, _zh in data.SECTORS]
    # Information technology and intelligent manufacturing dominate a smart-industry expo.
    sector_weights = [30, 6, 4, 6, 5, 5, 7, 18, 10, 4]
    used_names: set[str] = {p.name_en for p in planned}
    used_slugs: set[str] = {p.slug for p in planned}
    while len(planned) < count:
        sector = rng.choices(sector_codes, weights=sector_weights)[0]
        place = rng.choice(data.PLACES)
        stem = rng.choice(data.STEMS)
        suffix = rng.choice(data.SECTOR_SUFFIXES[sector])
        form = rng.choice(data.COMPANY_FORMS)
        name_en = f"{place[0]} {stem[0]} {suffix[0]} {form[0]}"
        if name_en in used_names:
            continue
        name_zh = f"{place[1]}{stem[1]}{suffix[1]}{form[1]}"
        slug = f"{place[0]}-{stem[0]}-{suffix[0]}".lower().replace("'", "").replace(" ", "-")
        slug = slug.replace(",", "").replace(".", "")
        base, n = slug, 2
        while slug in used_slugs:
            slug, n = f"{base}-{n}", n + 1
        used_names.add(name_en)
        used_slugs.add(slug)
        short_en, short_zh = f"{stem[0]} {suffix[0]}", f"{stem[1]}{suffix[1]}"
        desc_en, desc_zh, desc_tags = rng.choice(data.SECTOR_DESCRIPTIONS[sector])
        showcase = rng.sample(data.SHOWCASE_TEMPLATES[sector], k=rng.randint(1, 3))
        planned.append(
            PlannedExhibitor(
                slug=slug,
                name_en=name_en,
                name_zh=name_zh,
                sector=sector,
                # The tags of what the description says the firm does, the first the surest.
                tags=desc_tags[: rng.randint(1, len(desc_tags))],
                country="CN",
                website=f"https://www.{slug[:40].rstrip('-')}.example.cn",
                fortune500=False,
                description_en=desc_en.format(name=short_en),
                description_zh=desc_zh.format(name_zh=short_zh),
                showcase=showcase,
                size=rng.choices(["M", "R", "S"], weights=[20, 30, 50])[0],
            )
        )
    return planned


def seed_exhibitors(
    expo: Expo,
    planned: list[PlannedExhibitor],
    sectors: dict[str, Sector],
    tags: dict[str, Tag],
) -> dict[str, Exhibitor]:
    """Upsert the planned exhibitors with their tags and showcases."""
    rows = []
    for p in planned:
        e = Exhibitor(
            expo=expo,
            slug=p.slug,
            name_en=p.name_en,
            name_zh=p.name_zh,
            status=ExhibitorStatus.APPROVED,
            sector=sectors[p.sector],
            description_en=p.description_en,
            description_zh=p.description_zh,
            website=p.website,
            country=p.country,
            fortune500=p.fortune500,
        )
        e.search_text = exhibitor_search_text(
            e,
            [tags[t] for t in p.tags],
            [ShowcaseItem(title_en=s[0], title_zh=s[1]) for s in p.showcase],
        )
        rows.append(e)
    upsert(
        Exhibitor,
        rows,
        ["expo", "slug"],
        [
            "name_en",
            "name_zh",
            "status",
            "sector",
            "description_en",
            "description_zh",
            "website",
            "country",
            "fortune500",
            "search_text",
        ],
    )
    slugs = [p.slug for p in planned]
    # The demo editions belong to the seeder: exhibitors an earlier demo had and this one does
    # not (another seed, newer demo data) go, so the edition matches the plan exactly.
    Exhibitor.objects.filter(expo=expo).exclude(slug__in=slugs).delete()
    by_slug = {e.slug: e for e in Exhibitor.objects.filter(expo=expo, slug__in=slugs)}
    _sync_tags(planned, by_slug, tags)
    _sync_showcases(planned, by_slug)
    return by_slug


def seed_booths(
    expo: Expo,
    zones: dict[str, Zone],
    spots: list[BoothSpot],
    planned: list[PlannedExhibitor],
    exhibitors: dict[str, Exhibitor],
) -> int:
    """Upsert the booths of the layout and assign them to the planned exhibitors."""
    upsert(
        Booth,
        [
            Booth(
                expo=expo,
                hall=zones[s.hall],
                code=s.code,
                x=Decimal(str(s.x)),
                y=Decimal(str(s.y)),
                width=Decimal(str(s.width)),
                depth=Decimal(str(s.depth)),
            )
            for s in spots
        ],
        ["expo", "code"],
        ["hall", "x", "y", "width", "depth"],
    )
    codes = [s.code for s in spots]
    # Booths of an earlier layout that this one no longer has.
    Booth.objects.filter(expo=expo).exclude(code__in=codes).delete()
    booths = {b.code: b for b in Booth.objects.filter(expo=expo)}
    _sync_assignments(
        expo,
        {
            booths[sp.code].pk: exhibitors[planned[sp.owner].slug].pk
            for sp in spots
            if sp.owner is not None
        },
    )
    _name_hall_themes(zones, spots, planned)
    seed_booth_zones(expo=expo, zones=zones, spots=spots, planned=planned, booths=booths)
    return len(spots)


# A second seed with the same plan writes nothing below: rows that are already right keep their
# ids, so links to them (an organiser's bookmark, a test's fixture) survive a re-run.


def _sync_tags(planned: list[PlannedExhibitor], by_slug: dict[str, Exhibitor], tags) -> None:
    """Give the exhibitors exactly their planned tags, touching only the links that differ."""
    through = Exhibitor.tags.through
    ids = [by_slug[p.slug].pk for p in planned]
    wanted = {(by_slug[p.slug].pk, tags[t].pk) for p in planned for t in p.tags}
    have = {
        (e, t): pk
        for pk, e, t in through.objects.filter(exhibitor_id__in=ids).values_list(
            "pk", "exhibitor_id", "tag_id"
        )
    }
    stale = [pk for key, pk in have.items() if key not in wanted]
    if stale:
        through.objects.filter(pk__in=stale).delete()
    through.objects.bulk_create(
        [through(exhibitor_id=e, tag_id=t) for e, t in sorted(wanted - have.keys())],
        batch_size=1000,
    )


def _sync_showcases(planned: list[PlannedExhibitor], by_slug: dict[str, Exhibitor]) -> None:
    """Replace the showcase of the exhibitors whose items differ from the plan, only theirs."""
    ids = [by_slug[p.slug].pk for p in planned]
    have: dict[int, list[tuple]] = {}
    for row in (
        ShowcaseItem.objects.filter(exhibitor_id__in=ids)
        .order_by("exhibitor_id", "position", "id")
        .values_list("exhibitor_id", "title_en", "title_zh", "description_en", "description_zh")
    ):
        have.setdefault(row[0], []).append(tuple(row[1:]))
    changed = {
        by_slug[p.slug].pk: p
        for p in planned
        if have.get(by_slug[p.slug].pk, []) != [tuple(item) for item in p.showcase]
    }
    if not changed:
        return
    ShowcaseItem.objects.filter(exhibitor_id__in=list(changed)).delete()
    ShowcaseItem.objects.bulk_create(
        [
            ShowcaseItem(
                exhibitor_id=pk,
                title_en=item[0],
                title_zh=item[1],
                description_en=item[2],
                description_zh=item[3],
                position=n,
            )
            for pk, p in changed.items()
            for n, item in enumerate(p.showcase)
        ],
        batch_size=1000,
    )


def _sync_assignments(expo: Expo, wanted: dict[int, int]) -> None:
    """Make the edition's booth assignments exactly `wanted` (booth id: exhibitor id)."""
    have = dict(BoothAssignment.objects.filter(expo=expo).values_list("booth_id", "exhibitor_id"))
    stale = [booth for booth, exhibitor in have.items() if wanted.get(booth) != exhibitor]
    if stale:
        BoothAssignment.objects.filter(expo=expo, booth_id__in=stale).delete()
    BoothAssignment.objects.bulk_create(
        [
            BoothAssignment(expo=expo, booth_id=booth, exhibitor_id=exhibitor)
            for booth, exhibitor in sorted(wanted.items())
            if have.get(booth) != exhibitor
        ],
        batch_size=1000,
    )


def _name_hall_themes(zones, spots, planned) -> None:
    """A hall's theme is the sector most of its exhibitors belong to."""
    sector_names = {code: (en, zh) for code, en, zh in data.SECTORS}
    counts: dict[str, dict[str, int]] = {}
    for s in spots:
        if s.owner is not None:
            hall = counts.setdefault(s.hall, {})
            sector = planned[s.owner].sector
            hall[sector] = hall.get(sector, 0) + 1
    changed = []
    for code, zone in zones.items():
        if zone.kind != ZoneKind.HALL:
            continue
        by_sector = counts.get(code)
        # An empty hall is themed for nobody, whatever an earlier plan put in it.
        theme = ("", "")
        if by_sector:
            theme = sector_names[max(sorted(by_sector), key=lambda k: by_sector[k])]
        if (zone.theme_en, zone.theme_zh) != theme:
            zone.theme_en, zone.theme_zh = theme
            changed.append(zone)
    Zone.objects.bulk_update(changed, ["theme_en", "theme_zh"])


def demo_seed(*, seed: int = 2019, progress: Progress | None = None) -> SeedReport:
    """Create or refresh both demo editions; safe to run any number of times."""
    report = SeedReport()
    step = progress or (lambda label, advance: None)
    with transaction.atomic():
        sectors, tags = seed_taxonomy()
        step("taxonomy", 1)
        for ed in facts.EDITIONS:
            rng = random.Random(f"{seed}:{ed.slug}")
            expo = seed_edition(ed)
            zones = seed_venue(expo)
            step(f"{ed.slug} venue", 1)
            share = 1.0 if ed.slug == "sce-2019" else 0.7
            planned = plan_exhibitors(rng, ed.exhibitors, notable_share=share)
            exhibitors = seed_exhibitors(expo, planned, sectors, tags)
            step(f"{ed.slug} exhibitors", 1)
            spots = allocate_booths(planned)
            report.booths[ed.slug] = seed_booths(expo, zones, spots, planned, exhibitors)
            step(f"{ed.slug} booths", 1)
            if ed.slug == PROGRAMME_EDITION:
                report.programme = demo_programme_seed(expo=expo, seed=seed)
                step(f"{ed.slug} programme", 1)
            report.editions.append(ed.slug)
            report.exhibitors[ed.slug] = len(planned)
    return report


SEED_STEPS = 1 + 3 * len(facts.EDITIONS) + 1
