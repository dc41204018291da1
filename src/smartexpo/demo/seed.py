"""The demo seeder: the 2019 Smart China Expo and the 2018 edition before it.

Deterministic (one `random.Random(seed)` drives every choice) and idempotent: rows are upserted
by their natural keys (edition slug, zone/booth code, exhibitor slug), so running it twice keeps
the same ids and the same data. Everything is written in bulk, in one transaction.
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
from smartexpo.demo.layout import (
    SIZES,
    BoothSpot,
    PlannedExhibitor,
    fits,
    hall_cells,
    pack_hall,
)
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


def _upsert(model, rows: list, unique_fields: list[str], update_fields: list[str]) -> None:
    if rows:
        model.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=unique_fields,
            update_fields=update_fields,
            batch_size=500,
        )


def seed_taxonomy() -> tuple[dict[str, Sector], dict[str, Tag]]:
    """Sectors and technology tags, shared by every edition."""
    _upsert(
        Sector,
        [
            Sector(code=c, name_en=en, name_zh=zh, position=i)
            for i, (c, en, zh) in enumerate(data.SECTORS)
        ],
        ["code"],
        ["name_en", "name_zh", "position"],
    )
    _upsert(
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
    """Venue zone, 17 halls, the conference centre and its forum rooms, and the gates."""
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
    _upsert(
        Zone,
        rows,
        ["expo", "code"],
        [
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
        ],
    )
    zones = {z.code: z for z in Zone.objects.filter(expo=expo)}

    gates = [
        Gate(expo=expo, code=code, name_en=en, name_zh=zh, zone=zones["CIEC"], lanes=lanes)
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
    _upsert(Gate, gates, ["expo", "code"], ["name_en", "name_zh", "zone", "lanes"])
    return zones


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
    tag_codes = [code for code, _en, _zh in data.TAGS]
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
        desc_en, desc_zh = rng.choice(data.SECTOR_DESCRIPTIONS[sector])
        showcase = rng.sample(data.SHOWCASE_TEMPLATES[sector], k=rng.randint(1, 3))
        planned.append(
            PlannedExhibitor(
                slug=slug,
                name_en=name_en,
                name_zh=name_zh,
                sector=sector,
                tags=rng.sample(tag_codes, k=rng.randint(1, 3)),
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


def allocate_booths(planned: list[PlannedExhibitor]) -> list[BoothSpot]:
    """Themed halls: exhibitors sorted by sector fill N1…N8, S1…S8; smart vehicles go to M first."""
    halls = facts.hall_layout()
    by_code = {h["code"]: h for h in halls}
    sector_order = {code: i for i, (code, _en, _zh) in enumerate(data.SECTORS)}
    order = sorted(
        range(len(planned)),
        key=lambda i: (sector_order[planned[i].sector], not planned[i].fortune500, i),
    )
    members: dict[str, list[tuple[int, str]]] = {h["code"]: [] for h in halls}
    multi = by_code["M"]
    queue = []
    for i in order:
        size = planned[i].size
        hall_members = members["M"]
        if planned[i].sector == "smart-vehicles" and fits(
            multi["width"], multi["depth"], [s for _o, s in hall_members] + [size]
        ):
            hall_members.append((i, size))
        else:
            queue.append(i)
    standard = [h for h in halls if h["code"] != "M"]
    total_cells = sum(hall_cells(h["width"], h["depth"]) for h in standard)
    demand = sum(SIZES[planned[i].size] for i in queue)
    # Spread exhibitors evenly over the halls instead of packing the first ones full.
    target = demand / len(standard)
    hall_iter = iter(standard)
    hall = next(hall_iter)
    for i in queue:
        size = planned[i].size
        current = members[hall["code"]]
        current_cells = sum(SIZES[s] for _o, s in current)
        full = not fits(hall["width"], hall["depth"], [s for _o, s in current] + [size])
        if full or (current_cells >= target and total_cells > demand and current):
            hall = next(hall_iter, None) or multi
            current = members[hall["code"]]
        current.append((i, size))
    spots: list[BoothSpot] = []
    for h in halls:
        spots.extend(pack_hall(h["code"], h["width"], h["depth"], members[h["code"]]))
    return spots


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
    _upsert(
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
    ids = [by_slug[s].pk for s in slugs]

    through = Exhibitor.tags.through
    through.objects.filter(exhibitor_id__in=ids).delete()
    through.objects.bulk_create(
        [
            through(exhibitor_id=by_slug[p.slug].pk, tag_id=tags[t].pk)
            for p in planned
            for t in dict.fromkeys(p.tags)
        ],
        batch_size=1000,
    )
    ShowcaseItem.objects.filter(exhibitor_id__in=ids).delete()
    ShowcaseItem.objects.bulk_create(
        [
            ShowcaseItem(
                exhibitor_id=by_slug[p.slug].pk,
                title_en=s[0],
                title_zh=s[1],
                description_en=s[2],
                description_zh=s[3],
                position=n,
            )
            for p in planned
            for n, s in enumerate(p.showcase)
        ],
        batch_size=1000,
    )
    return by_slug


def seed_booths(
    expo: Expo,
    zones: dict[str, Zone],
    spots: list[BoothSpot],
    planned: list[PlannedExhibitor],
    exhibitors: dict[str, Exhibitor],
) -> int:
    """Upsert the booths of the layout and assign them to the planned exhibitors."""
    _upsert(
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
    BoothAssignment.objects.filter(expo=expo).delete()
    BoothAssignment.objects.bulk_create(
        [
            BoothAssignment(
                expo=expo,
                booth=booths[s.code],
                exhibitor=exhibitors[planned[s.owner].slug],
            )
            for s in spots
            if s.owner is not None
        ],
        batch_size=1000,
    )
    _name_hall_themes(zones, spots, planned)
    seed_booth_zones(expo=expo, zones=zones, spots=spots, planned=planned, booths=booths)
    return len(spots)


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
    for code, by_sector in counts.items():
        top = max(sorted(by_sector), key=lambda k: by_sector[k])
        zone = zones[code]
        zone.theme_en, zone.theme_zh = sector_names[top]
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
            report.editions.append(ed.slug)
            report.exhibitors[ed.slug] = len(planned)
    return report


SEED_STEPS = 1 + 3 * len(facts.EDITIONS)
