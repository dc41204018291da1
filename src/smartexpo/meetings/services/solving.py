"""Solving a meeting session: the database read into a scheduling instance, the optimiser run
on it, its schedule written back (docs/meeting-scheduling.md).

One solve per session at a time: a lease (`MeetingSession.solving_until`) taken by a conditional
UPDATE, checked by row count, correct on SQLite and PostgreSQL alike; a second solve of the same
session meanwhile is refused with `solve_running` (409). The optimiser runs outside any
transaction (it may take a minute); the write is one short transaction that re-reads which
requests are still accepted, so a request cancelled during the solve is not scheduled.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors.models import BoothAssignment
from smartexpo.meetings import selectors
from smartexpo.meetings.models import (
    Meeting,
    MeetingNotice,
    MeetingRequest,
    MeetingSession,
    NoticeKind,
    Participant,
    RequestStatus,
)
from smartexpo.meetings.scheduling import Instance, Person, Placement, Request, solve
from smartexpo.meetings.scheduling.weights import request_weight
from smartexpo.meetings.services.noshows import noshows_record
from smartexpo.tickets.models import RegistrationStatus

log = logging.getLogger(__name__)

TIME_LIMIT_MAX = 600.0
# The lease outlives the time limit by this much: building the instance and writing it.
LEASE_MARGIN = dt.timedelta(minutes=5)


def _slot_bounds(session: MeetingSession, slot: int) -> tuple[dt.datetime, dt.datetime]:
    length = dt.timedelta(minutes=session.slot_minutes)
    start = session.starts_at + slot * length
    return start, start + length


def _busy_intervals(session: MeetingSession, participants: dict[int, Participant]) -> dict:
    """Busy intervals per participant id (`selectors.busy_by_participant`: their own and their
    confirmed seats at published forum sessions), only those overlapping the session."""
    everyone = selectors.busy_by_participant(expo=session.expo)
    return {
        pid: [
            (start, end)
            for start, end in everyone.get(pid, ())
            if start < session.ends_at and session.starts_at < end
        ]
        for pid in participants
    }


def _scores(session: MeetingSession, pairs: list[tuple[Participant, Participant]]) -> dict:
    """Reciprocal scores of visitor–exhibitor pairs from the edition's served recommender:
    the model loaded once and each visitor read once (not `pair_score` per pair, which reads
    the visitor again for every exhibitor). No model yet: every score is 0."""
    from smartexpo.recommend.selectors import person_now, served_model

    wanted: dict[int, set[int]] = defaultdict(set)
    for p, q in pairs:
        if p.registration_id and q.exhibitor_id:
            wanted[p.registration_id].add(q.exhibitor_id)
        elif q.registration_id and p.exhibitor_id:
            wanted[q.registration_id].add(p.exhibitor_id)
    out: dict[tuple[int, int], float] = {}
    if not wanted:
        return out
    try:
        served = served_model(expo=session.expo)
    except SmartExpoError as exc:
        if exc.code != "no_model":
            raise
        return out
    from smartexpo.tickets.models import Registration

    for registration in Registration.objects.filter(pk__in=list(wanted)):
        person, _history = person_now(registration)
        for exhibitor_id in wanted[registration.pk]:
            score = float(served.model.reciprocal(person, exhibitor_id))
            out[(registration.pk, exhibitor_id)] = min(1.0, max(0.0, score))
    return out


def _pair_score(scores: dict, p: Participant, q: Participant) -> float:
    if p.registration_id and q.exhibitor_id:
        return scores.get((p.registration_id, q.exhibitor_id), 0.0)
    if q.registration_id and p.exhibitor_id:
        return scores.get((q.registration_id, p.exhibitor_id), 0.0)
    return 0.0


def _can_meet(p: Participant) -> bool:
    """An exhibitor always; a visitor while open, registered and not erased."""
    if p.exhibitor_id:
        return True
    r = p.registration
    return p.open and r.status != RegistrationStatus.CANCELLED and r.erased_at is None


def session_instance(*, session: MeetingSession) -> tuple[Instance, dict]:
    """The session as a scheduling instance, and what is needed to write its answer back
    (participants and booths by id)."""
    requests = list(
        MeetingRequest.objects.filter(expo_id=session.expo_id, status=RequestStatus.ACCEPTED)
        .exclude(Q(meeting__isnull=False) & ~Q(meeting__session=session))
        .select_related("low__registration", "high__registration")
        .order_by("id")
    )
    participants: dict[int, Participant] = {}
    for r in requests:
        participants[r.low_id] = r.low
        participants[r.high_id] = r.high
    requests = [r for r in requests if _can_meet(r.low) and _can_meet(r.high)]
    n_slots = session.slot_count
    busy = _busy_intervals(session, participants)
    people: dict[int, Person] = {}
    for pid, p in participants.items():
        cap = p.cap
        if cap is None:
            cap = session.cap_exhibitor if p.exhibitor_id else session.cap_visitor
        available = None
        if busy.get(pid):
            available = frozenset(
                s
                for s in range(n_slots)
                if not any(
                    b0 < _slot_bounds(session, s)[1] and _slot_bounds(session, s)[0] < b1
                    for b0, b1 in busy[pid]
                )
            )
        people[pid] = Person(cap=cap, available=available)
    booth_of: dict[int, int] = {}
    booth_zone: dict[int, int] = {}
    if session.booth_meetings:
        exhibitors = {p.exhibitor_id for p in participants.values() if p.exhibitor_id}
        for exhibitor_id, booth_id, hall_id in (
            BoothAssignment.objects.filter(exhibitor_id__in=exhibitors)
            .order_by("-booth_id")
            .values_list("exhibitor_id", "booth_id", "booth__hall_id")
        ):
            booth_of[exhibitor_id] = booth_id  # the lowest booth id wins (ordered descending)
            booth_zone[booth_id] = hall_id
    scores = _scores(session, [(r.low, r.high) for r in requests])
    previous = {
        m.request_id: Placement(slot=m.slot, table=m.table, booth=m.booth_id)
        for m in Meeting.objects.filter(session=session)
    }
    items = []
    for r in requests:
        # At a booth: the recipient's when it is an exhibitor with a booth, else the requester's.
        hosts = [r.recipient_id, r.requester_id]
        booth = None
        for host in hosts:
            exhibitor_id = participants[host].exhibitor_id
            if exhibitor_id and exhibitor_id in booth_of:
                booth = booth_of[exhibitor_id]
                break
        no_shows = max(r.low.no_shows, r.high.no_shows)
        items.append(
            Request(
                id=r.pk,
                a=r.low_id,
                b=r.high_id,
                weight=request_weight(r.priority, no_shows),
                score=_pair_score(scores, r.low, r.high),
                booth=booth,
            )
        )
    zone = session.zone
    instance = Instance(
        n_slots=n_slots,
        tables=[session.tables] * n_slots,
        people=people,
        requests=items,
        # Zones are compared by hall: the tables' zone's hall (or the zone itself).
        table_zone=None if zone is None else (zone.hall_id or zone.pk),
        booth_zone=booth_zone,
        previous={rid: p for rid, p in previous.items() if rid in {i.id for i in items}},
    )
    return instance, {"participants": participants, "previous": previous}


def _lease(session: MeetingSession, time_limit: float) -> None:
    now = timezone.now()
    until = now + dt.timedelta(seconds=time_limit) + LEASE_MARGIN
    taken = (
        MeetingSession.objects.filter(pk=session.pk)
        .filter(Q(solving_until__isnull=True) | Q(solving_until__lt=now))
        .update(solving_until=until)
    )
    if not taken:
        raise SmartExpoError(
            "solve_running",
            _("This session is being scheduled already; try again when that solve has ended."),
            {"session": session.code},
        )


def session_solve(
    *, session: MeetingSession, time_limit: float = 60.0, dry_run: bool = False
) -> dict:
    """Schedule the session's accepted requests (those not scheduled in another session) with
    the optimiser, write its meetings (unless `dry_run`), queue the participants' notices and
    save the report on the session. Returns the report. Refused with `solve_running` while
    another solve of the session runs."""
    time_limit = max(1.0, min(float(time_limit), TIME_LIMIT_MAX))
    if not dry_run:
        _lease(session, time_limit)
    try:
        # The no-shows of meetings already over count before the weights are read.
        noshows_record(expo=session.expo)
        instance, known = session_instance(session=session)
        result = solve(instance, time_limit=time_limit, workers=2)
        report = {
            "status": result.status,
            "scheduled": len(result.placements),
            "objective": result.objective,
            "bound": result.bound,
            "gap": round(result.gap, 6),
            "seconds": round(result.seconds, 3),
            "moved": result.moved,
            "method": result.method,
            "greedy_objective": result.greedy_objective,
            "weight": result.weight,
            "greedy_weight": result.greedy_weight,
            "requests": len(instance.requests),
            "idle_gaps": result.idle_gaps,
            "dry_run": dry_run,
        }
        if not dry_run:
            report["scheduled"] = _write(session, result.placements, known, report)
        log.info(
            "meetings solve session=%s status=%s scheduled=%s moved=%s seconds=%s",
            session.pk,
            report["status"],
            report["scheduled"],
            report["moved"],
            report["seconds"],
        )
        return report
    finally:
        if not dry_run:
            MeetingSession.objects.filter(pk=session.pk).update(solving_until=None)


def _write(session: MeetingSession, placements: dict, known: dict, report: dict) -> int:
    """Write the schedule in one transaction; returns the number of meetings written."""
    now = timezone.now()
    with transaction.atomic():
        still = set(
            MeetingRequest.objects.filter(
                pk__in=list(placements), status=RequestStatus.ACCEPTED
            ).values_list("pk", flat=True)
        )
        placements = {rid: p for rid, p in placements.items() if rid in still}
        existing = {m.request_id: m for m in Meeting.objects.filter(session=session)}
        pairs = dict(
            MeetingRequest.objects.filter(pk__in=list(placements) + list(existing)).values_list(
                "pk", "low_id"
            )
        )
        highs = dict(MeetingRequest.objects.filter(pk__in=list(pairs)).values_list("pk", "high_id"))
        touched: set[int] = set()
        gone = [rid for rid in existing if rid not in placements]
        if gone:
            Meeting.objects.filter(session=session, request_id__in=gone).delete()
            touched.update(pairs[rid] for rid in gone)
            touched.update(highs[rid] for rid in gone)
        changed = [
            m
            for rid, m in existing.items()
            if rid in placements
            and (m.slot, m.table, m.booth_id)
            != (placements[rid].slot, placements[rid].table, placements[rid].booth)
        ]
        if changed:
            # Free their tables and booths first, so that two meetings swapping places never
            # meet the unique constraints halfway.
            Meeting.objects.filter(pk__in=[m.pk for m in changed]).update(table=None, booth=None)
            for m in changed:
                p = placements[m.request_id]
                m.slot, m.table, m.booth_id = p.slot, p.table, p.booth
                m.starts_at, m.ends_at = _slot_bounds(session, p.slot)
                m.version += 1
            Meeting.objects.bulk_update(
                changed, ["slot", "table", "booth", "starts_at", "ends_at", "version"]
            )
            touched.update(pairs[m.request_id] for m in changed)
            touched.update(highs[m.request_id] for m in changed)
        new = []
        for rid, p in placements.items():
            if rid in existing:
                continue
            starts_at, ends_at = _slot_bounds(session, p.slot)
            new.append(
                Meeting(
                    request_id=rid,
                    session=session,
                    slot=p.slot,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    table=p.table,
                    booth_id=p.booth,
                )
            )
            touched.update((pairs[rid], highs[rid]))
        Meeting.objects.bulk_create(new, batch_size=1000)
        informed = set(
            MeetingNotice.objects.filter(
                session=session, kind=NoticeKind.PUBLISHED, participant_id__in=touched
            ).values_list("participant_id", flat=True)
        )
        MeetingNotice.objects.bulk_create(
            [
                MeetingNotice(
                    participant_id=pid,
                    session=session,
                    kind=NoticeKind.CHANGED if pid in informed else NoticeKind.PUBLISHED,
                    created_at=now,
                )
                for pid in sorted(touched)
            ],
            batch_size=1000,
        )
        report["notices"] = len(touched)
        report["solved_at"] = now.isoformat()
        MeetingSession.objects.filter(pk=session.pk).update(report=report, published_at=now)
        session.report, session.published_at = report, now
    return len(placements)
