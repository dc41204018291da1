"""The demo edition's forum programme, written through the programme's services, and its
audience: the demo visitors' seat reservations and starred sessions.

Idempotent: forums are found again by code, speakers by English name, sessions by room and
start; only what differs from the plan (`programme_data`) is written, and a release is
published only when the working programme differs from the latest one, so a second seed
writes nothing and publishes nothing.
"""

from __future__ import annotations

import random
from collections import defaultdict

from smartexpo.demo.programme_data import Plan, programme_plan
from smartexpo.demo.visitors import demo_visitor_indexes
from smartexpo.programme.models import Forum, Session, Speaker
from smartexpo.programme.selectors import published_programme
from smartexpo.programme.services.editing import (
    forum_create,
    session_update,
    sessions_import,
    speaker_create,
)
from smartexpo.programme.services.publishing import programme_publish, working_sessions
from smartexpo.programme.services.reservations import favourites_import, reservations_import
from smartexpo.programme.snapshot import record_order, session_record
from smartexpo.tickets.models import Registration, Ticket, TicketStatus, TicketType
from smartexpo.venue.models import Expo

PUBLISHER = "demo seed"
FORUM_FIELDS = ("name_en", "name_zh", "host_en", "host_zh", "description_en", "description_zh")
SPEAKER_FIELDS = ("name_zh", "affiliation_en", "affiliation_zh", "bio_en", "bio_zh")
# Of the demo's visitors: who reserves a seat (at most two), who stars sessions (one to four).
RESERVING_SHARE = 0.3
STARRING_SHARE = 0.4


def _forums(expo: Expo, plan: Plan) -> None:
    have = {f.code: f for f in Forum.objects.filter(expo=expo).select_related("sector")}
    for f in plan.forums:
        forum = have.get(f.code)
        if forum is None:
            forum_create(
                expo=expo,
                code=f.code,
                name_en=f.name_en,
                name_zh=f.name_zh,
                host_en=f.host_en,
                host_zh=f.host_zh,
                sector=f.sector,
                description_en=f.description_en,
                description_zh=f.description_zh,
            )
        elif any(getattr(forum, k) != getattr(f, k) for k in FORUM_FIELDS):
            for k in FORUM_FIELDS:
                setattr(forum, k, getattr(f, k))
            forum.save(update_fields=list(FORUM_FIELDS))


def _speakers(expo: Expo, plan: Plan) -> list[int]:
    """The speakers' ids, in the plan's order."""
    have = {s.name_en: s for s in Speaker.objects.filter(expo=expo)}
    ids = []
    for p in plan.speakers:
        speaker = have.get(p.name_en)
        if speaker is None:
            speaker = speaker_create(
                expo=expo,
                name_en=p.name_en,
                name_zh=p.name_zh,
                affiliation_en=p.affiliation_en,
                affiliation_zh=p.affiliation_zh,
                bio_en=p.bio_en,
                bio_zh=p.bio_zh,
            )
        elif any(getattr(speaker, k) != getattr(p, k) for k in SPEAKER_FIELDS):
            for k in SPEAKER_FIELDS:
                setattr(speaker, k, getattr(p, k))
            speaker.save(update_fields=list(SPEAKER_FIELDS))
        ids.append(speaker.pk)
    return ids


def _sessions(expo: Expo, plan: Plan, speaker_ids: list[int]) -> None:
    have = {
        (s.room.code, s.starts_at): s
        for s in Session.objects.filter(expo=expo)
        .select_related("room", "forum")
        .prefetch_related("speaker_links", "tags", "sectors")
    }
    wanted = set()
    new: list[dict] = []
    for p in plan.sessions:
        speakers = [speaker_ids[i] for i in p.speakers]
        fields = {
            "title_en": p.title_en,
            "title_zh": p.title_zh,
            "abstract_en": p.abstract_en,
            "abstract_zh": p.abstract_zh,
            "ends_at": p.ends_at,
            "format": p.format,
            "reservation_required": p.reservation_required,
            "seat_quota": p.seats,
            "cancelled": False,
        }
        key = (p.room, p.starts_at)
        wanted.add(key)
        session = have.get(key)
        if session is None:
            new.append(
                {
                    "forum": p.forum,
                    "room": p.room,
                    "title_en": p.title_en,
                    "title_zh": p.title_zh,
                    "starts_at": p.starts_at,
                    "ends_at": p.ends_at,
                    "format": p.format,
                    "abstract_en": p.abstract_en,
                    "abstract_zh": p.abstract_zh,
                    "seats": p.seats,
                    "reservation_required": p.reservation_required,
                    "speakers": speakers,
                    "tags": list(p.tags),
                    "sectors": list(p.sectors),
                }
            )
            continue
        changes = {k: v for k, v in fields.items() if getattr(session, k) != v}
        if session.forum.code != p.forum:
            changes["forum"] = p.forum
        links = sorted(session.speaker_links.all(), key=lambda link: (link.position, link.pk))
        if [link.speaker_id for link in links] != speakers:
            changes["speakers"] = speakers
        if sorted(t.code for t in session.tags.all()) != sorted(p.tags):
            changes["tags"] = list(p.tags)
        if sorted(s.code for s in session.sectors.all()) != sorted(p.sectors):
            changes["sectors"] = list(p.sectors)
        if changes:
            session_update(session=session, changes=changes)
    if new:
        # 150 sessions at once: their warnings are computed once, not once per session.
        sessions_import(expo=expo, rows=new)
    # Sessions of an earlier plan leave the programme (cancelled, so releases tell it).
    for key, session in have.items():
        if key not in wanted and not session.cancelled:
            session_update(session=session, changes={"cancelled": True})


def demo_programme_seed(*, expo: Expo, seed: int) -> dict[str, int]:
    """Create or refresh the edition's demo programme and publish it when it changed; returns
    the counts of forums, speakers, sessions and the published version."""
    plan = programme_plan(days=expo.days, tz=expo.tz, seed=seed)
    _forums(expo, plan)
    speaker_ids = _speakers(expo, plan)
    _sessions(expo, plan, speaker_ids)
    records = sorted((session_record(s, expo.tz) for s in working_sessions(expo)), key=record_order)
    published = published_programme(expo=expo)
    if list(published.sessions) != records:
        # No warnings by construction (tests/demo/test_programme.py): refused otherwise.
        programme_publish(expo=expo, actor=PUBLISHER, comment="Demo programme")
        published = published_programme(expo=expo)
    return {
        "forums": len(plan.forums),
        "speakers": len(set(speaker_ids)),
        "sessions": len(plan.sessions),
        "version": published.version,
    }


def _admitted_rooms(expo: Expo) -> dict[int, set[str]]:
    """The zone codes each ticket type of the edition admits to, by type id."""
    rooms: dict[int, set[str]] = defaultdict(set)
    for type_id, code in TicketType.zones.through.objects.filter(tickettype__expo=expo).values_list(
        "tickettype_id", "zone__code"
    ):
        rooms[type_id].add(code)
    return rooms


def demo_audience_seed(*, expo: Expo, seed: int) -> dict[str, int]:
    """The seeder's demo visitors reserve seats and star sessions of the published programme
    by their interests (a session's tags), only on days their tickets cover and in rooms their
    ticket type admits to, never two overlapping reservations. Visitor i makes the same choices
    whatever the number of visitors, so a second run adds nothing."""
    published = published_programme(expo=expo)
    if not published.sessions:
        return {"confirmed": 0, "waitlisted": 0, "skipped": 0, "favourites": 0}
    by_id = {pk: i for i, pk in demo_visitor_indexes(expo).items()}
    # Every demo registration is read and the seeder's kept here: a list of their ids in the
    # query would pass SQLite's limit on parameters with a few hundred thousand visitors.
    regs = Registration.objects.filter(expo=expo, source="demo").values_list("id", "interests")
    interests = {pk: set(tags or ()) for pk, tags in regs.iterator(5000) if pk in by_id}
    rooms_of = _admitted_rooms(expo)
    holds: dict[int, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
    for reg, type_id, days in (
        Ticket.objects.filter(expo=expo, status=TicketStatus.VALID, registration__source="demo")
        .values_list("registration_id", "ticket_type_id", "days")
        .iterator(5000)
    ):
        if reg in interests:
            holds[reg].append((type_id, tuple(sorted(days))))
    by_tag: dict[str, list[dict]] = defaultdict(list)
    for s in published.sessions:
        for tag in s["tags"]:
            by_tag[tag].append(s)
    reservations, favourites = [], []
    # Visitors share a few dozen kinds (interests, tickets): each kind's sessions, once.
    fits: dict[tuple, list[dict]] = {}
    for reg in sorted(interests, key=by_id.__getitem__):
        rng = random.Random(f"{seed}:{by_id[reg]}:programme")
        kind = (tuple(sorted(interests[reg])), tuple(sorted(holds[reg])))
        fit = fits.get(kind)
        if fit is None:
            near = {s["id"]: s for tag in kind[0] for s in by_tag.get(tag, ())}
            fit = fits[kind] = [
                s
                for s in sorted(near.values(), key=record_order)
                if any(
                    s["day"] in days and s["room"] in rooms_of.get(type_id, ())
                    for type_id, days in kind[1]
                )
            ]
        if not fit:
            continue
        seated = [s for s in fit if s["seats"] is not None]
        if seated and rng.random() < RESERVING_SHARE:
            taken: list[int] = []
            for s in rng.sample(seated, k=min(len(seated), 2)):
                if not published.overlapping(s["id"], taken):
                    taken.append(s["id"])
                    reservations.append((reg, s["id"]))
        if rng.random() < STARRING_SHARE:
            for s in rng.sample(fit, k=min(len(fit), rng.randint(1, 4))):
                favourites.append((reg, s["id"]))
    counts = reservations_import(expo=expo, rows=reservations)
    counts["favourites"] = favourites_import(expo=expo, rows=favourites)
    return counts
