"""The kill soak's invariants, read from the database after the last restart.

Each check returns a `Check`: its name, whether it held, figures, and the first few breaches.

- every acknowledged registration (201: its id and ticket serial) is stored exactly once, and
  nothing else is; a cancellation acknowledged is a cancelled registration with revoked ticket
  days; no Idempotency-Key is left claimed without its answer;
- every quota's `sold` equals the ticket days that hold a place (valid) plus places held for
  the waiting list, and never exceeds its size;
- every acknowledged scan and synced scan is one log row with the answer the client was given,
  and the log holds nothing the clients were not answered for;
- every ticket's inside/outside state is what its log says (its last entry or exit);
- every acknowledged sensor event is stored once, as sent; nothing else is;
- the occupancy history holds every movement exactly once: the accepted events (± count) and
  the scans that let somebody through (± 1 in the gate's zone), netted per instant, equal the
  moves stored in the minutes plus those still pending; each zone-day's entries and exits
  equal the movements' gross totals;
- the occupancy the API answers equals a recount of the stored movements by the step-by-step
  reference of tests/crowd/reference.py;
- the confirmation-email outbox lost nothing: every active registration was sent, or is
  leased (a mailer was killed while sending it: it is sent again when the lease ends).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.crowd.reference

SHOW = 5  # breaches listed per check


@dataclass
class Check:
    name: str
    ok: bool = True
    figures: dict = field(default_factory=dict)
    breaches: list[str] = field(default_factory=list)

    def breach(self, text: str) -> None:
        self.ok = False
        if len(self.breaches) < SHOW:
            self.breaches.append(text)

    def same(self, what: str, expected, found) -> None:
        if expected != found:
            self.breach(f"{what}: expected {_short(expected)}, found {_short(found)}")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 300 else text[:300] + "…"


def _keyed_diff(check: Check, what: str, expected: dict, found: dict) -> None:
    """Missing (acknowledged, not stored), extra (stored, never acknowledged) and different."""
    missing = expected.keys() - found.keys()
    extra = found.keys() - expected.keys()
    different = [k for k in expected.keys() & found.keys() if expected[k] != found[k]]
    check.figures[f"{what} acknowledged"] = len(expected)
    if missing:
        check.breach(f"{len(missing)} acknowledged {what} not stored, e.g. {sorted(missing)[:3]}")
    if extra:
        check.breach(f"{len(extra)} {what} stored but never acknowledged: {sorted(extra)[:3]}")
    for k in different[:SHOW]:
        check.breach(f"{what} {k}: acknowledged {expected[k]}, stored {found[k]}")
    if different:
        check.figures[f"{what} different"] = len(different)


def registrations(expo, ledger) -> Check:
    from smartexpo.tickets.models import IdempotencyRecord, Registration, Ticket, TicketDay

    check = Check("acknowledged registrations stored exactly once")
    stored = dict(Registration.objects.filter(expo=expo, source="api").values_list("id", "status"))
    expected = {
        rid: "cancelled" if rid in ledger.cancelled else "active" for rid in ledger.registrations
    }
    _keyed_diff(check, "registrations", expected, stored)
    tickets = defaultdict(list)
    for rid, serial, status, days in Ticket.objects.filter(
        expo=expo, registration__source="api"
    ).values_list("registration_id", "serial", "status", "days"):
        tickets[rid].append((serial, status, list(days)))
    valid_days = Counter(
        TicketDay.objects.filter(expo=expo, ticket__registration__source="api", valid=True)
        .values_list("ticket__registration_id", flat=True)
        .iterator()
    )
    for rid, record in ledger.registrations.items():
        status = "revoked" if rid in ledger.cancelled else "valid"
        check.same(
            f"registration {rid}'s tickets",
            [(record["serial"], status, record["days"])],
            tickets.get(rid),
        )
        check.same(
            f"registration {rid}'s valid ticket days",
            0 if rid in ledger.cancelled else len(record["days"]),
            valid_days.get(rid, 0),
        )
    keys = dict(IdempotencyRecord.objects.filter(expo=expo).values_list("key", "status_code"))
    _keyed_diff(check, "idempotency keys", ledger.keys, keys)
    check.figures["cancellations acknowledged"] = len(ledger.cancelled)
    check.figures.update({f"refused {code}": n for code, n in sorted(ledger.refusals.items())})
    return check


def quotas(expo) -> Check:
    from smartexpo.tickets.models import DayQuota, TicketDay, WaitlistEntry, WaitlistStatus

    check = Check("quotas' sold counts equal the places held")
    held = Counter(
        TicketDay.objects.filter(expo=expo, valid=True)
        .values_list("ticket__ticket_type_id", "day")
        .iterator()
    )
    offered = Counter(
        WaitlistEntry.objects.filter(expo=expo, status=WaitlistStatus.OFFERED).values_list(
            "ticket_type_id", "day"
        )
    )
    for quota in DayQuota.objects.filter(ticket_type__expo=expo).select_related("ticket_type"):
        key = (quota.ticket_type_id, quota.day)
        check.same(
            f"{quota.ticket_type.code} {quota.day} sold", held[key] + offered[key], quota.sold
        )
        if quota.sold > quota.size:
            check.breach(f"{quota} oversold")
        check.figures[f"{quota.ticket_type.code} {quota.day}"] = f"{quota.sold}/{quota.size}"
    return check


def scans(expo, ledger, seeded) -> Check:
    from smartexpo.checkin.models import Scan

    check = Check("acknowledged scans and synced scans logged exactly once")
    online = {s["id"] for name, s in seeded["scanners"].items() if name in ONLINE}
    offline = {s["id"] for name, s in seeded["scanners"].items() if name not in ONLINE}
    stored_online, stored_sync = {}, {}
    for device, nonce, result, reason, rule, source in Scan.objects.filter(expo=expo).values_list(
        "device_id", "nonce", "result", "reason", "rule", "source"
    ):
        if device in online and source == "online":
            stored_online[(device, nonce)] = (result, reason)
        elif device in offline and source == "sync":
            stored_sync[(device, nonce)] = (result, reason, rule)
        else:
            check.breach(f"log row {device}/{nonce} from {source} on a device of the other kind")
    _keyed_diff(check, "online scans", ledger.scans, stored_online)
    _keyed_diff(check, "synced scans", ledger.synced, stored_sync)
    check.figures["admitted online"] = sum(r == "admit" for r, _ in ledger.scans.values())
    check.figures["admitted by sync"] = sum(r[0] == "admit" for r in ledger.synced.values())
    check.figures["sync conflicts"] = sum(r[1] == "conflict" for r in ledger.synced.values())
    return check


def inside_states(expo) -> Check:
    """A ticket is inside on the day of its last entry (online admit, or synced) and outside
    after its last exit; refused online scans change nothing."""
    from smartexpo.checkin.models import Scan
    from smartexpo.checkin.rules import scan_day
    from smartexpo.tickets.models import Ticket

    check = Check("tickets' inside state follows their log")
    last: dict[int, dt.date | None] = {}
    rows = Scan.objects.filter(expo=expo, ticket__isnull=False).filter(
        source="sync"
    ) | Scan.objects.filter(expo=expo, ticket__isnull=False, result="admit")
    for ticket_id, direction, scanned_at in rows.order_by("id").values_list(
        "ticket_id", "direction", "scanned_at"
    ):
        last[ticket_id] = scan_day(scanned_at, expo.tz) if direction == "in" else None
    state = dict(Ticket.objects.filter(expo=expo).values_list("id", "inside_day"))
    for ticket_id, day in state.items():
        check.same(f"ticket {ticket_id} inside", last.get(ticket_id), day)
    check.figures["tickets inside"] = sum(d is not None for d in state.values())
    return check


def events(expo, ledger) -> Check:
    from smartexpo.crowd.models import SensorEvent

    check = Check("acknowledged sensor events stored exactly once")
    codes = zone_codes(expo)
    stored = {
        event_id: (codes[zone], kind, count, at)
        for event_id, zone, kind, count, at in SensorEvent.objects.filter(expo=expo)
        .values_list("event_id", "zone_id", "kind", "count", "at")
        .iterator()
    }
    expected = {
        event_id: (zone, kind, count, dt.datetime.fromisoformat(at).astimezone(dt.UTC))
        for event_id, (zone, kind, count, at) in ledger.events.items()
    }
    _keyed_diff(check, "events", expected, stored)
    check.figures.update({k: v for k, v in ledger.batches.items() if k.startswith("events")})
    return check


def zone_codes(expo) -> dict[int, str]:
    from smartexpo.venue.models import Zone

    return dict(Zone.objects.filter(expo=expo).values_list("id", "code"))


def expected_movements(expo) -> list[tuple[int, int, int]]:
    """(zone id, µs since the epoch, ± people) of every stored event and every logged scan
    that let somebody through (API.md: occupancy)."""
    from smartexpo.checkin.models import Scan
    from smartexpo.crowd.models import SensorEvent
    from smartexpo.crowd.periods import to_us

    moves = [
        (zone, to_us(at), count if kind == "enter" else -count)
        for zone, kind, count, at in SensorEvent.objects.filter(expo=expo)
        .values_list("zone_id", "kind", "count", "at")
        .iterator()
    ]
    through = Scan.objects.filter(
        expo=expo, zone__isnull=False, result="admit"
    ) | Scan.objects.filter(expo=expo, zone__isnull=False, reason="conflict")
    moves.extend(
        (zone, to_us(at), 1 if direction == "in" else -1)
        for zone, direction, at in through.values_list(
            "zone_id", "direction", "scanned_at"
        ).iterator()
    )
    return moves


def movements(expo, moves) -> Check:
    """The folded history and the pending queue hold each movement once."""
    from smartexpo.crowd.models import OccupancyMinute, PendingMovement, ZoneDay
    from smartexpo.crowd.occupancy_arithmetic import stored_moves
    from smartexpo.crowd.periods import from_us, period_of

    check = Check("every movement folded exactly once")
    expected: Counter = Counter()
    for zone, at, delta in moves:
        expected[(zone, at)] += delta
    found: Counter = Counter()
    by_zone = defaultdict(lambda: ([], []))
    for zone, minute, blob in (
        OccupancyMinute.objects.filter(zone__expo=expo)
        .values_list("zone_id", "minute", "moves")
        .iterator()
    ):
        by_zone[zone][0].append(minute)
        by_zone[zone][1].append(blob)
    for zone, (minutes, blobs) in by_zone.items():
        _sizes, at, net = stored_moves(minutes, blobs)
        for instant, delta in zip(at.tolist(), net.tolist(), strict=True):
            found[(zone, instant)] += delta
    pending = 0
    for zone, at, delta in PendingMovement.objects.filter(expo=expo).values_list(
        "zone_id", "at_us", "delta"
    ):
        found[(zone, at)] += delta
        pending += 1
    expected = {k: v for k, v in expected.items() if v}
    found = {k: v for k, v in found.items() if v}
    _keyed_diff(check, "netted instants", expected, found)
    check.figures["movements"] = len(moves)
    check.figures["pending after the run"] = pending
    if pending:
        check.breach(f"{pending} movements still pending after the final reads folded")
        return check
    # Gross totals per zone and count period: a movement folded twice would count twice here.
    gross: dict = defaultdict(lambda: [0, 0])
    for zone, at, delta in moves:
        period = period_of(from_us(at), tz=expo.tz, closes_at=expo.closes_at)
        gross[(zone, period)][0 if delta > 0 else 1] += abs(delta)
    days = {
        (zone, period): [entries, exits]
        for zone, period, entries, exits in ZoneDay.objects.filter(zone__expo=expo).values_list(
            "zone_id", "period", "entries", "exits"
        )
        if entries or exits
    }
    _keyed_diff(check, "zone-day entries and exits", dict(gross), days)
    return check


def occupancy(expo, moves, answers: dict[str, dict]) -> Check:
    """The API's answers at the final instants against the reference's recount."""
    from tests.crowd.reference import occupancy as reference

    from smartexpo.crowd.periods import from_us
    from smartexpo.venue.models import Zone

    check = Check("occupancy answered equals the recount of stored movements")
    by_zone = defaultdict(list)
    for zone, at, delta in moves:
        by_zone[zone].append((from_us(at), delta))
    zones = {z.code: z for z in Zone.objects.filter(expo=expo)}
    compared = 0
    for at_text, answer in answers.items():
        at = dt.datetime.fromisoformat(at_text)
        for item in answer["zones"]:
            zone = zones[item["zone"]]
            count, alert = reference(
                by_zone[zone.pk],
                at,
                tz=expo.tz,
                closes=expo.closes_at,
                capacity=zone.capacity,
                area=zone.area_m2,
            )
            check.same(f"{zone.code} at {at_text}", (count, alert), (item["count"], item["alert"]))
            compared += 1
    check.figures["zone counts compared"] = compared
    return check


def outbox(expo) -> Check:
    """Each active registration's confirmation was sent, or was claimed by a mailer that was
    killed while sending it (sent again when its five-minute lease ends, which may already
    have come); none was given up (too many attempts) or left unclaimed."""
    from smartexpo.tickets.models import Registration
    from smartexpo.tickets.services.confirmations import MAX_ATTEMPTS

    check = Check("no confirmation email lost")
    active = Registration.objects.filter(expo=expo, source="api", status="active")
    unsent = active.filter(confirmation_sent_at__isnull=True)
    claimed = unsent.filter(
        confirmation_lease_until__isnull=False, confirmation_attempts__lt=MAX_ATTEMPTS
    )
    check.figures["sent"] = active.filter(confirmation_sent_at__isnull=False).count()
    check.figures["claimed by a killed mailer (sent when its lease ends)"] = claimed.count()
    lost = unsent.exclude(pk__in=claimed.values("pk"))
    for pk, attempts, lease in lost.values_list(
        "pk", "confirmation_attempts", "confirmation_lease_until"
    )[:SHOW]:
        check.breach(f"registration {pk} unsent: {attempts} attempts, lease {lease}")
    if lost.exists():
        check.figures["unsent, given up or never claimed"] = lost.count()
    return check


def database(vendor: str) -> Check:
    from django.db import connection

    check = Check("database intact")
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            check.same("PRAGMA integrity_check", [("ok",)], cursor.fetchall())
    return check


# What a killed process leaves in the server's log, and nothing else may be there: its start,
# a granian worker's death, and the background work's lease taken at each start (a lease
# lost while the server runs is not expected here, and is reported).
EXPECTED_LOG = (
    "SmartExpo serving on ",
    "[ERROR] Unexpected exit from worker-",
    "smartexpo serve: standing by for the background work's lease",
    "smartexpo serve: leading: running the background work ",
)


def server_log(text: str) -> Check:
    check = Check("the server logged no error of its own")
    lines = [line for line in text.splitlines() if line.strip()]
    other = [line for line in lines if not line.startswith(EXPECTED_LOG)]
    check.figures["workers that died"] = sum(EXPECTED_LOG[1] in line for line in lines)
    for line in other:
        check.breach(line[:300])
    if other:
        check.figures["other lines"] = len(other)
    return check


def ledger_problems(ledger) -> Check:
    check = Check("every answer as the contract says (replays equal, batch counts exact, no 5xx)")
    for problem in ledger.problems:
        check.breach(problem)
    check.figures["problems"] = len(ledger.problems)
    check.figures.update({f"replayed {k}": v for k, v in sorted(ledger.replays.items())})
    return check


ONLINE = ("gate-1", "gate-2")


def run_all(*, ledger, seeded, answers, vendor, log: str) -> list[Check]:
    from smartexpo.venue.models import Expo

    expo = Expo.objects.get(slug=seeded["expo"])
    moves = expected_movements(expo)
    return [
        ledger_problems(ledger),
        registrations(expo, ledger),
        quotas(expo),
        scans(expo, ledger, seeded),
        inside_states(expo),
        events(expo, ledger),
        movements(expo, moves),
        occupancy(expo, moves, answers),
        outbox(expo),
        database(vendor),
        server_log(log),
    ]
