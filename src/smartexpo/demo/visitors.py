"""Demo visitors: the 2019 edition's ticket types and N registered people, through the same
bulk registration path as group imports. Deterministic for a seed; re-running leaves the
visitors already registered as they are."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from smartexpo.core.queries import statistics_refresh
from smartexpo.demo.booking import booked_at
from smartexpo.demo.interests import visitor_interests
from smartexpo.exhibitors.models import Exhibitor, Tag
from smartexpo.programme.services.reservations import registrations_programme_forget
from smartexpo.tickets.identity import resident_check_digit
from smartexpo.tickets.models import (
    DayQuota,
    PassGrant,
    Registration,
    Ticket,
    TicketDay,
    TicketType,
)
from smartexpo.tickets.services.registration_bulk import registrations_bulk_create
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.venue.models import SHAREABLE_FIELDS, Expo, Zone, ZoneKind

# (code, English, Chinese, places per day, pass for all days, zones). The people these quotas
# admit add up to the 700,000 visitors the city expects: 640,000 day tickets and 60,000 passes.
# Zones: None admits the venue and every hall; "public" all but the multi-function hall M,
# where the trade forum and B2B matchmaking are for professionals, and of the forum rooms the
# main forum's and the hall's stages (they open onto the concourse); "professional" the venue,
# every hall and every forum room; "all" every zone.
TICKET_TYPES = [
    ("public-day", "Public day pass", "普通观众日票", 160_000, False, "public"),
    (
        "professional",
        "Professional pass (4 days)",
        "专业观众通票（4天）",
        30_000,
        True,
        "professional",
    ),
    ("media", "Media pass", "媒体证", 5_000, True, "all"),
    ("vip", "VIP pass", "贵宾证", 5_000, True, "all"),
    ("exhibitor-staff", "Exhibitor staff pass", "参展商工作证", 20_000, True, None),
]
# Who may register for each (the others are open): journalists are accredited by the organiser,
# guests invited, staff passes issued by their exhibitors. The demo's visitors of these types are
# registered as an organiser's group import would.
ACCESS = {"media": "approval", "vip": "invitation", "exhibitor-staff": "exhibitor"}
STAFF_PASSES = 10
PROFESSIONAL_HALL = "M"
# The main forum's hall admits day visitors too (besides the multi-function hall's stages).
PUBLIC_MAIN_ROOM = "R-MAIN"
# Day tickets per day: the opening day draws the biggest crowd, the last day recovers a little.
PUBLIC_DAY_QUOTAS = [175_000, 160_000, 140_000, 165_000]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩"
    "冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华飞玉兰文辉鹏建国红梅新宇浩然思雨子涵一鸣嘉怡"
)
AREAS = ["500101", "500103", "500105", "500106", "500107", "500112", "500113", "510104", "110105"]

Progress = Callable[[int], None]


def demo_ticket_types(expo: Expo) -> dict[str, TicketType]:
    """The five demo ticket types of an edition (created once)."""
    existing = {t.code: t for t in TicketType.objects.filter(expo=expo).prefetch_related("zones")}
    zone_sets = demo_zone_sets(expo)
    for code, en, zh, quota, all_days, zones in TICKET_TYPES:
        if code in existing and zones is not None:
            # A database seeded before the forum rooms existed: the type gains them.
            wanted = set(zone_sets[zones])
            if {z.code for z in existing[code].zones.all()} != wanted:
                existing[code].zones.set(Zone.objects.filter(expo=expo, code__in=wanted))
        if code not in existing:
            existing[code] = ticket_type_create(
                expo=expo,
                code=code,
                name_en=en,
                name_zh=zh,
                days=expo.days,
                quota_per_day=quota,
                all_days=all_days,
                zones=zone_sets[zones],
            )
            if code == "public-day" and len(expo.days) == len(PUBLIC_DAY_QUOTAS):
                for day, size in zip(expo.days, PUBLIC_DAY_QUOTAS, strict=True):
                    DayQuota.objects.filter(ticket_type=existing[code], day=day).update(size=size)
    for code, access in ACCESS.items():  # also on a database seeded before types had access
        TicketType.objects.filter(expo=expo, code=code).exclude(access=access).update(access=access)
    demo_pass_grants(expo)
    return existing


def demo_zone_sets(expo: Expo) -> dict[str | None, list[str] | None]:
    """The zone codes of each of `TICKET_TYPES`' zone sets for this edition."""
    zones = list(Zone.objects.filter(expo=expo).values_list("code", "kind", "hall__code"))
    floor = [c for c, kind, _h in zones if kind in (ZoneKind.VENUE, ZoneKind.HALL)]
    rooms = [c for c, kind, _h in zones if kind == ZoneKind.ROOM]
    public_rooms = [
        c for c, kind, hall in zones if kind == ZoneKind.ROOM and (hall or c == PUBLIC_MAIN_ROOM)
    ]
    return {
        None: None,
        "all": [c for c, _k, _h in zones],
        "public": [c for c in floor if c != PROFESSIONAL_HALL] + public_rooms,
        "professional": floor + rooms,
    }


def demo_pass_grants(expo: Expo) -> None:
    """Every exhibitor of the edition may issue STAFF_PASSES staff passes (made once)."""
    staff = TicketType.objects.filter(expo=expo, code="exhibitor-staff").first()
    if staff is None:
        return
    granted = set(PassGrant.objects.filter(ticket_type=staff).values_list("exhibitor", flat=True))
    PassGrant.objects.bulk_create(
        PassGrant(exhibitor_id=pk, ticket_type=staff, passes=STAFF_PASSES)
        for pk in Exhibitor.objects.filter(expo=expo).values_list("id", flat=True)
        if pk not in granted
    )


def resident_id(rng: random.Random, index: int) -> str:
    # The index is spread over birth date and sequence number, so every visitor is unique.
    """A valid resident ID number unique to visitor `index` (the demo's people)."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(index // 1000) % 20_000)
    first17 = f"{rng.choice(AREAS)}{birth:%Y%m%d}{index % 1000:03d}"
    return first17 + resident_check_digit(first17)


def smooth_round_robin(weights: list[int]):
    """Yield indexes in proportion to `weights`, evenly interleaved (nginx's smooth weighted
    round robin): any prefix of n picks is within one of n × weight / total for each index, so
    visitors fill quotas in proportion and never past them."""
    total = sum(weights)
    current = [0] * len(weights)
    while True:
        for i, w in enumerate(weights):
            current[i] += w
        best = max(range(len(weights)), key=current.__getitem__)
        current[best] -= total
        yield best


def visitor_rows(expo: Expo, count: int, seed: int):
    """Yield registration rows for `count` visitors, deterministic for `seed`."""
    rng = random.Random(f"{seed}:{expo.slug}:visitors")
    days = [d.isoformat() for d in expo.days]
    weights = PUBLIC_DAY_QUOTAS if len(days) == len(PUBLIC_DAY_QUOTAS) else None
    tags = list(Tag.objects.values_list("code", flat=True))
    codes = [t[0] for t in TICKET_TYPES]
    all_days = {t[0]: t[4] for t in TICKET_TYPES}
    people = [t[3] * (1 if t[4] else len(days)) for t in TICKET_TYPES]
    types = smooth_round_robin(people)
    day_picks = smooth_round_robin(weights or [1] * len(days))
    random_ = rng.random
    for i in range(count):
        code = codes[next(types)]
        chosen = days if all_days[code] else [days[next(day_picks)]]
        name = SURNAMES[int(random_() * len(SURNAMES))] + GIVEN[int(random_() * len(GIVEN))]
        if random_() < 0.6:
            name += GIVEN[int(random_() * len(GIVEN))]
        start = int(random_() * len(tags))
        row = {
            "ticket_type": code,
            "days": chosen,
            "name": name,
            "email": f"visitor{i}@example.cn",
            "interests": tags[start : start + 1 + int(random_() * 3)],
            "language": "zh-hans" if random_() < 0.9 else "en",
        }
        # The profile (and the tags it declares) from the visitor's hidden interests.
        row.update(demo_profile(i, code))
        if rng.random() < 0.04:
            row["id_type"], row["id_number"] = "passport", f"E{seed % 100:02d}{i:08d}"
        else:
            row["id_type"], row["id_number"] = "resident", resident_id(rng, i)
        yield row


# The seeder's visitor i has the address visitor<i>@example.cn; the digital twin registers the
# people a simulated day lacks from index TWIN_FIRST_INDEX on (`simulator.tickets`), past every
# index the seeder uses (it registers at most 2,000,000), so both kinds are told apart, and their
# made-up ID numbers never collide.
TWIN_FIRST_INDEX = 2_000_000
EMAIL = re.compile(r"visitor(\d+)@example\.cn")


# Who fills in the optional networking questions: at a public day's gate few do; those who
# come for business (professional, VIP, media, exhibitor staff passes) mostly do. What they
# declare is drawn from their hidden interests (`demo.interests`), which also draw the twin's
# booth visits; `share` is their consent for exhibitors who scan their ticket.
PROFILE_ODDS = {"public-day": 0.3}
PROFILE_ODDS_DEFAULT = 1.0
SHARE_CHOICES = (
    ((), 35),
    (("name", "company", "title"), 40),
    (("name", "email", "company", "title"), 25),
)


def demo_profile(index: int, ticket_type: str) -> dict:
    """The networking profile demo visitor `index` gives at registration, as registration
    fields (none when they skip the questions). Deterministic: visitor i always declares the
    same, drawn from the hidden interests that also draw their booth visits in the twin."""
    rng = random.Random(index)
    if rng.random() >= PROFILE_ODDS.get(ticket_type, PROFILE_ODDS_DEFAULT):
        return {}
    _interests, profile = visitor_interests(index)
    if not (profile.sectors or profile.tags or profile.intents or profile.title):
        return {}  # skipped the questions
    share = rng.choices([c for c, _w in SHARE_CHOICES], [w for _c, w in SHARE_CHOICES])[0]
    return {
        "interests": list(profile.tags),
        "sectors": list(profile.sectors),
        "intents": list(profile.intents),
        "company": profile.company,
        "title": profile.title,
        "share": [f for f in SHAREABLE_FIELDS if f in share],
    }


def demo_visitor_indexes(expo: Expo) -> dict[int, int]:
    """The demo's people registered for `expo`, the seeder's and the twin's: registration id
    by visitor index (one query; a registration whose address was since erased has none)."""
    found = {}
    for pk, email in Registration.objects.filter(expo=expo, source="demo").values_list(
        "id", "email"
    ):
        if match := EMAIL.fullmatch(email):
            found[int(match.group(1))] = pk
    return found


def demo_visitors_remove(expo: Expo, ids: list[int]) -> None:
    """Remove the demo's visitors with these registration ids (never anybody else's
    registrations) and recount the quotas."""
    with transaction.atomic():
        demo = Registration.objects.filter(expo=expo, source="demo")
        # Their reservations free their seats; the raw deletes below would skip the cascade.
        registrations_programme_forget(registration_ids=ids)
        for start in range(0, len(ids), 500):  # SQLite's limit on query parameters
            _raw_delete(demo.filter(id__in=ids[start : start + 500]))
        counts = (
            TicketDay.objects.filter(
                valid=True, ticket__ticket_type=OuterRef("ticket_type"), day=OuterRef("day")
            )
            .values("day")
            .annotate(n=Count("id"))
            .values("n")
        )
        DayQuota.objects.filter(ticket_type__expo=expo).update(
            sold=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
        )


def _raw_delete(registrations) -> None:
    tickets = Ticket.objects.filter(registration__in=registrations)
    # Raw deletes: hundreds of thousands of rows, no signals or per-row cascades needed.
    TicketDay.objects.filter(ticket__in=tickets)._raw_delete(TicketDay.objects.db)
    tickets._raw_delete(Ticket.objects.db)
    registrations._raw_delete(Registration.objects.db)


def demo_visitors_seed(
    *, expo: Expo, count: int, seed: int, progress: Progress | None = None, batch: int = 20_000
) -> int:
    """Make the seeder's visitors exactly visitors 0 … count − 1; returns how many now exist
    (refusals are impossible here unless a quota is smaller than the demo's own, which is then
    reported as fewer).

    Visitor i is the same person whatever `count` is, so a run registers only the visitors
    missing (none when the demo was seeded before: `make demo` again costs one query) and
    removes only those past `count`; the twin's extra visitors stay, and so do the tickets the
    check-in log and the sensors already know."""
    demo_ticket_types(expo)
    have = {i: pk for i, pk in demo_visitor_indexes(expo).items() if i < TWIN_FIRST_INDEX}
    surplus = [pk for i, pk in have.items() if i >= count]
    if surplus:
        demo_visitors_remove(expo, surplus)
    missing = count - (len(have) - len(surplus))
    if progress:
        progress(count - missing)
    if not missing:
        return count
    created = count - missing
    rows: list[dict] = []
    indexes: list[int] = []
    for i, row in enumerate(visitor_rows(expo, count, seed)):
        if i in have:
            continue
        rows.append(row)
        indexes.append(i)
        if len(rows) == batch:
            created += _register(expo, rows, indexes)
            if progress:
                progress(len(rows))
            rows, indexes = [], []
    if rows:
        created += _register(expo, rows, indexes)
        if progress:
            progress(len(rows))
    statistics_refresh(Registration, Ticket, TicketDay)
    return created


def _register(expo: Expo, rows: list[dict], indexes: list[int]) -> int:
    """Register demo visitors `indexes` (their rows), each booked when the booking curve
    says; returns how many were registered."""
    when = booked_at(expo=expo, rows=rows, indexes=indexes)
    return len(
        registrations_bulk_create(expo=expo, rows=rows, source="demo", booked_at=when).created
    )
