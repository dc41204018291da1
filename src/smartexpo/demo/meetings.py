"""The demo's business meetings (illustrative): the 2019 edition's matchmaking, in the
multi-function hall M, where the trade forum and the B2B area are for professionals.

About 3,000 participants — the demo visitors who came to buy or invest (their declared intents,
`demo.visitors`), opted in, and the edition's exhibitors — make about 12,000 requests (mostly
accepted, some pending or declined; about one in five a "must"), for two sessions of 6 hours
in 20-minute slots at 150 tables, with meetings at the exhibitors' booths allowed and some
busy intervals. Then both sessions are solved (`meetings.services.solving.session_solve`).

Every name and message says "illustrative": none of these people asked for anything.

Deterministic: the plan is drawn from the demo visitors' indexes and the exhibitors' slugs (not
database ids) by one seeded `random.Random`; idempotent: rows are matched by their natural keys
and only what differs from the plan is written, and a session whose requests did not change
is not solved again. The scale follows the demo visitors: with fewer visitors (tests, a quick
`--visitors 300`), fewer exhibitors and requests take part, in the same proportions.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from smartexpo.demo.upsert import upsert
from smartexpo.demo.visitors import TWIN_FIRST_INDEX, demo_visitor_indexes
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.meetings.models import (
    Busy,
    MeetingRequest,
    MeetingSession,
    Participant,
    Priority,
    RequestStatus,
)
from smartexpo.tickets.models import Registration, RegistrationStatus
from smartexpo.venue.models import Expo, Zone

EDITION = "sce-2019"
AREA_HALL = "M"  # the multi-function hall: trade forum and B2B matchmaking
TARGET_VISITORS = 2_157  # with the 843 exhibitors: about 3,000 participants
REQUESTS_PER_PARTICIPANT = 4  # each request has two sides: about 8 per participant
MIN_EXHIBITORS = 20
INTENTS = {"buy", "invest"}
# (code, day, English, Chinese): 09:00-15:00 local, 20-minute slots, 150 tables.
SESSIONS = [
    (
        "b2b-day2",
        dt.date(2019, 8, 27),
        "B2B matchmaking, day 2 (illustrative)",
        "企业对接洽谈（第二天，示例）",
    ),
    (
        "b2b-day3",
        dt.date(2019, 8, 28),
        "B2B matchmaking, day 3 (illustrative)",
        "企业对接洽谈（第三天，示例）",
    ),
]
SESSION_HOURS = 6
SLOT_MINUTES = 20
TABLES = 150
CAP_VISITOR, CAP_EXHIBITOR = 12, 16
CST = dt.timezone(dt.timedelta(hours=8))
# Shares of the requests: kinds of pair, statuses, priorities.
KINDS = (("ve", 80), ("ee", 15), ("vv", 5))
STATUSES = ((RequestStatus.ACCEPTED, 75), (RequestStatus.PENDING, 15), (RequestStatus.DECLINED, 10))
MUST_SHARE = 0.2
BUSY_SHARE = 0.08
MARK = "Illustrative demo request"
REQUEST_FIELDS = ["requester_id", "recipient_id", "priority", "status", "message", "decided_at"]
MESSAGES = (
    "",
    f"{MARK}: we would like to discuss a purchase. 示例：希望洽谈采购。",
    f"{MARK}: we are looking for projects to invest in. 示例：寻找投资项目。",
    f"{MARK}: a partnership in the region. 示例：探讨区域合作。",
)


@dataclass
class MeetingsDemoReport:
    participants: int = 0
    visitors: int = 0
    exhibitors: int = 0
    requests: int = 0
    written: int = 0
    busy: int = 0
    solved: dict[str, dict] = field(default_factory=dict)


def _pick(rng: random.Random, weighted):
    return rng.choices([k for k, _w in weighted], [w for _k, w in weighted])[0]


def _visitors(expo: Expo) -> list[tuple[int, int, list[str]]]:
    """The demo visitors who came to buy or invest: (visitor index, registration id, sectors),
    by index; staff passes and cancelled or erased registrations take no part."""
    by_pk = {pk: i for i, pk in demo_visitor_indexes(expo).items() if i < TWIN_FIRST_INDEX}
    # The intents' JSON as text, filtered in SQL (SQLite has no JSON `contains`): an eighth of
    # the 50,000 visitors come to buy or invest, and only theirs are decoded.
    text = Cast("intents", TextField())
    wanted = Q()
    for intent in sorted(INTENTS):
        wanted |= Q(intents_text__contains=f'"{intent}"')
    rows = (
        Registration.objects.filter(
            expo=expo,
            source="demo",
            exhibitor__isnull=True,
            status=RegistrationStatus.ACTIVE,
            erased_at__isnull=True,
        )
        .annotate(intents_text=text)
        .filter(wanted)
        .values_list("pk", "intents", "sectors")
    )
    found = [
        (by_pk[pk], pk, list(sectors or []))
        for pk, intents, sectors in rows
        if pk in by_pk and INTENTS & set(intents or [])
    ]
    return sorted(found)


def demo_meetings_plan(expo: Expo, *, seed: int):
    """The plan: the chosen visitors and exhibitors, and the requests between them as
    (requester key, recipient key, priority, status, message), keys being ("v", index) or
    ("e", slug). Deterministic for the seed and the demo's visitors."""
    rng = random.Random(f"{seed}:{expo.slug}:meetings")
    candidates = _visitors(expo)
    if len(candidates) > TARGET_VISITORS:
        candidates = sorted(rng.sample(candidates, TARGET_VISITORS))
    all_exhibitors = sorted(
        Exhibitor.objects.filter(expo=expo).values_list("slug", "pk", "sector__code")
    )
    share = len(candidates) / TARGET_VISITORS
    wanted = min(len(all_exhibitors), max(MIN_EXHIBITORS, round(len(all_exhibitors) * share)))
    exhibitors = (
        sorted(rng.sample(all_exhibitors, wanted))
        if wanted < len(all_exhibitors)
        else all_exhibitors
    )
    by_sector: dict[str, list[str]] = {}
    for slug, _pk, sector in exhibitors:
        by_sector.setdefault(sector, []).append(slug)
    v_keys = [("v", index) for index, _pk, _s in candidates]
    e_keys = [("e", slug) for slug, _pk, _s in exhibitors]
    sectors = {("v", index): s for index, _pk, s in candidates}
    target = REQUESTS_PER_PARTICIPANT * (len(v_keys) + len(e_keys))
    pairs: set[frozenset] = set()
    plan = []
    attempts = 0
    while len(plan) < target and attempts < target * 5:
        attempts += 1
        kind = _pick(rng, KINDS)
        if (kind != "ee" and not v_keys) or (kind == "vv" and len(v_keys) < 2) or len(e_keys) < 2:
            continue
        if kind == "ve":
            one = rng.choice(v_keys)
            liked = [s for sector in sectors[one] for s in by_sector.get(sector, [])]
            other = ("e", rng.choice(liked)) if liked and rng.random() < 0.7 else rng.choice(e_keys)
        elif kind == "ee":
            one, other = rng.sample(e_keys, 2)
        else:
            one, other = rng.sample(v_keys, 2)
        pair = frozenset((one, other))
        if pair in pairs:
            continue
        pairs.add(pair)
        if rng.random() < 0.5:
            one, other = other, one
        priority = Priority.MUST if rng.random() < MUST_SHARE else Priority.WANT
        plan.append((one, other, priority, _pick(rng, STATUSES), rng.choice(MESSAGES)))
    busy = [
        (key, rng.randrange(len(SESSIONS)), rng.randrange(SESSION_HOURS - 1))
        for key in [*v_keys, *e_keys]
        if rng.random() < BUSY_SHARE
    ]
    return candidates, exhibitors, plan, busy


def _sessions(expo: Expo) -> list[MeetingSession]:
    zone = Zone.objects.filter(expo=expo, code=AREA_HALL).first()
    rows = []
    for code, day, en, zh in SESSIONS:
        start = dt.datetime.combine(day, dt.time(9), CST)
        rows.append(
            MeetingSession(
                expo=expo,
                code=code,
                name_en=en,
                name_zh=zh,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=SESSION_HOURS),
                slot_minutes=SLOT_MINUTES,
                tables=TABLES,
                zone=zone,
                booth_meetings=True,
                cap_visitor=CAP_VISITOR,
                cap_exhibitor=CAP_EXHIBITOR,
            )
        )
    fields = ["name_en", "name_zh", "starts_at", "ends_at", "slot_minutes", "tables", "zone"]
    upsert(
        MeetingSession,
        rows,
        ["expo", "code"],
        [*fields, "booth_meetings", "cap_visitor", "cap_exhibitor"],
    )
    found = {s.code: s for s in MeetingSession.objects.filter(expo=expo)}
    return [found[code] for code, *_rest in SESSIONS]


def _participants(expo, visitors, exhibitors) -> dict[tuple, int]:
    """Upsert the participants (opted in); their ids by plan key."""
    upsert(
        Participant,
        [Participant(expo=expo, registration_id=pk, open=True) for _i, pk, _s in visitors],
        ["registration"],
        ["expo", "open"],
    )
    upsert(
        Participant,
        [Participant(expo=expo, exhibitor_id=pk, open=True) for _s, pk, _c in exhibitors],
        ["exhibitor"],
        ["expo", "open"],
    )
    by_registration = {pk: ("v", i) for i, pk, _s in visitors}
    by_exhibitor = {pk: ("e", slug) for slug, pk, _c in exhibitors}
    keys = {}
    for pk, registration, exhibitor in Participant.objects.filter(expo=expo).values_list(
        "pk", "registration_id", "exhibitor_id"
    ):
        key = by_registration.get(registration) or by_exhibitor.get(exhibitor)
        if key is not None:
            keys[key] = pk
    return keys


def _requests(expo, plan, ids) -> int:
    """Make the demo's requests exactly the plan; return how many rows were written. The
    demo's own requests are those between its participants; a user's request made in the demo
    between them is kept unless the plan names the same pair."""
    wanted = {}
    for one, other, priority, status, message in plan:
        a, b = ids[one], ids[other]
        wanted[(min(a, b), max(a, b))] = (a, b, priority, status, message)
    have = {
        (low, high): (pk, values)
        for pk, low, high, *values in MeetingRequest.objects.filter(expo=expo)
        .exclude(status=RequestStatus.CANCELLED)
        .values_list("pk", "low_id", "high_id", *REQUEST_FIELDS)
    }
    decided = dt.datetime(2019, 8, 20, 12, tzinfo=CST)
    created, changed = [], []
    for (low, high), (a, b, priority, status, message) in sorted(wanted.items()):
        at = decided if status != RequestStatus.PENDING else None
        values = [a, b, priority, status, message, at]
        found = have.get((low, high))
        if found is None:
            created.append(
                MeetingRequest(
                    expo=expo,
                    low_id=low,
                    high_id=high,
                    created_at=decided - dt.timedelta(days=5),
                    **dict(zip(REQUEST_FIELDS, values, strict=True)),
                )
            )
        elif found[1] != values:
            changed.append(
                MeetingRequest(pk=found[0], **dict(zip(REQUEST_FIELDS, values, strict=True)))
            )
    # The seeder's requests of an earlier plan between two of its participants that this plan
    # does not have go (a user's request with someone outside the demo's stays).
    mine = set(ids.values())
    stale = [
        pk
        for key, (pk, _v) in have.items()
        if key not in wanted and key[0] in mine and key[1] in mine
    ]
    for start in range(0, len(stale), 500):
        MeetingRequest.objects.filter(pk__in=stale[start : start + 500]).delete()
    MeetingRequest.objects.bulk_create(created, batch_size=1000)
    MeetingRequest.objects.bulk_update(changed, REQUEST_FIELDS, batch_size=500)
    return len(created) + len(changed) + len(stale)


def _busy(sessions, busy, ids) -> int:
    """Make the seeded participants' busy intervals exactly the plan's."""
    wanted = set()
    for key, session, hour in busy:
        start = sessions[session].starts_at + dt.timedelta(hours=hour)
        wanted.add((ids[key], start, start + dt.timedelta(hours=1)))
    mine = list(ids.values())
    have = {}
    for start in range(0, len(mine), 500):
        for pk, p, s, e in Busy.objects.filter(
            participant_id__in=mine[start : start + 500]
        ).values_list("pk", "participant_id", "starts_at", "ends_at"):
            have[(p, s, e)] = pk
    stale = [pk for key, pk in have.items() if key not in wanted]
    Busy.objects.filter(pk__in=stale).delete()
    Busy.objects.bulk_create(
        [Busy(participant_id=p, starts_at=s, ends_at=e) for p, s, e in sorted(wanted - have.keys())]
    )
    return len(wanted)


def demo_meetings_seed(
    *, expo: Expo, seed: int = 2019, solve: bool = True, solve_seconds: float = 30.0
) -> MeetingsDemoReport:
    """Create or refresh the edition's illustrative business meetings (module docstring) and,
    when `solve`, schedule each session whose requests changed or that was never solved."""
    report = MeetingsDemoReport()
    with transaction.atomic():
        visitors, exhibitors, plan, busy = demo_meetings_plan(expo, seed=seed)
        sessions = _sessions(expo)
        ids = _participants(expo, visitors, exhibitors)
        report.written = _requests(expo, plan, ids)
        report.busy = _busy(sessions, busy, ids)
    report.visitors, report.exhibitors = len(visitors), len(exhibitors)
    report.participants = len(ids)
    report.requests = len(plan)
    if solve:
        report.solved = _solve(sessions, changed=report.written > 0, seconds=solve_seconds)
    return report


def _solve(sessions, *, changed: bool, seconds: float) -> dict[str, dict]:
    """Schedule each session (the solver's `session_solve`), unless it was solved before and
    no request changed since: a second seed then leaves the schedule as it is."""
    from smartexpo.meetings.services.solving import session_solve

    solved = {}
    for session in sessions:
        session.refresh_from_db()
        if session.published_at is not None and not changed:
            continue
        solved[session.code] = session_solve(session=session, time_limit=seconds)
    return solved
