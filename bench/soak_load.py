"""The kill soak's clients: registrations, cancellations, online scans, offline syncs, sensor
events and occupancy reads, from threads that keep going while the server is killed.

Each client sends a request again, unchanged (same `Idempotency-Key`, nonce or event ids), until
an answer arrives, as a scanner or sensor app does; the `Ledger` keeps exactly what each answer
acknowledged — a 201's registration id and ticket serial, a scan's or a synced scan's result,
a sensor batch's accepted event ids — for `soak_checks` to find in the database afterwards. What
can be checked at once (a replayed answer equal to the first, a batch's counts) is checked as
the answer arrives; a breach goes to `Ledger.problems`.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from soak_edition import OFFLINE_SCANNER, ONLINE_SCANNERS

# Event times: one counter for every movement of the run, 20 ms apart on the expo's clock
# from opening time, wrapped within 8 hours (a wrap adds 1 µs), so no two movements of a day
# share an instant and all fall in one count period (before the 18:00 closing).
STEP_US = 20_000
SPAN_US = 8 * 3600 * 1_000_000


class Unanswered(Exception):
    """The server gave no answer within the client's patience."""


@dataclass
class Answer:
    status: int
    body: object
    attempts: int
    uncertain: bool  # an earlier attempt may have reached the server (its fate unknown)


@dataclass
class Ledger:
    """What the clients were acknowledged, and what they saw go wrong."""

    registrations: dict[int, dict] = field(default_factory=dict)
    cancelled: set[int] = field(default_factory=set)
    refusals: Counter = field(default_factory=Counter)
    keys: dict[str, int] = field(default_factory=dict)  # Idempotency-Key → answer status
    scans: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)
    synced: dict[tuple[int, str], tuple[str, str, str]] = field(default_factory=dict)
    events: dict[str, tuple[str, str, int, str]] = field(default_factory=dict)
    batches: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)
    retried: Counter = field(default_factory=Counter)
    replays: Counter = field(default_factory=Counter)
    unanswered: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    tickets: list[dict] = field(default_factory=list)  # (serial, secret) pool for scanners
    lock: threading.Lock = field(default_factory=threading.Lock)

    def problem(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 200:
                self.problems.append(text)


class Api:
    """One client's keep-alive connection; `send` retries until the server answers."""

    def __init__(self, port: int, ledger: Ledger, token: str | None = None, patience=300.0):
        self.port, self.ledger, self.token, self.patience = port, ledger, token, patience
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, kind: str, method: str, path: str, body=None, headers=None) -> Answer:
        payload = None if body is None else json.dumps(body)
        head = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            head.setdefault("Authorization", f"Bearer {self.token}")
        began, attempts, uncertain, pause = time.monotonic(), 0, False, 0.05
        while True:
            attempts += 1
            sent = False
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    self.conn.connect()
                sent = True
                self.conn.request(method, path, body=payload, headers=head)
                response = self.conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                # Refused (nothing sent), or cut off / timed out after sending: then whether
                # the server acted on it is unknown.
                uncertain = uncertain or sent
                self.close()
            else:
                if status < 500:
                    if attempts > 1:
                        with self.ledger.lock:
                            self.ledger.retried[kind] += 1
                    return Answer(status, json.loads(data) if data else None, attempts, uncertain)
                self.ledger.problem(f"{kind}: HTTP {status} {data[:300]!r}")
                uncertain = True
                self.close()
            if time.monotonic() - began > self.patience:
                with self.ledger.lock:
                    self.ledger.unanswered[kind] += 1
                raise Unanswered(kind)
            time.sleep(pause)
            pause = min(pause * 1.5, 0.5)


class Clock:
    """Distinct event times on the edition's days (see STEP_US)."""

    def __init__(self, days: list[str], tz: str, opens_at: str):
        zone = ZoneInfo(tz)
        opens = dt.time.fromisoformat(opens_at)
        self.opening = [dt.datetime.combine(dt.date.fromisoformat(d), opens, zone) for d in days]
        self._n = itertools.count()
        self.issued = 0

    def instant(self, rng: random.Random) -> str:
        n = self.issued = next(self._n)
        offset = (n * STEP_US) % SPAN_US + (n * STEP_US) // SPAN_US
        return (rng.choice(self.opening) + dt.timedelta(microseconds=offset)).isoformat()

    def earlier(self, opening: dt.datetime, rng: random.Random) -> dt.datetime:
        """An instant of a day within the span its movements were placed in so far."""
        span = min(SPAN_US, (self.issued + 1) * STEP_US)
        return opening + dt.timedelta(microseconds=rng.randrange(span))


class Load:
    """The client threads; `stop()` lets each finish what it has started (until answered)."""

    def __init__(self, port: int, seeded: dict, ledger: Ledger, seed: int):
        self.port, self.seeded, self.ledger, self.seed = port, seeded, ledger, seed
        self.base = f"/api/v1/expos/{seeded['expo']}"
        self.clock = Clock(seeded["days"], seeded["timezone"], seeded["opens_at"])
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.apis: list[Api] = []
        ledger.tickets.extend(
            {"serial": t["serial"], "secret": t["secret"]} for t in seeded["tickets"]
        )
        self._bodies: dict[tuple[int, str], dict] = {}  # what each acknowledged scan sent
        self._offline: list[dict] = []  # scans made offline, not synced yet
        self._sync_at = 40
        self._late: list[dict] = []  # sensor events held back, to arrive in a later batch
        self._people = itertools.count(1)
        self._events = itertools.count(1)

    def start(self) -> None:
        scanners = self.seeded["scanners"]
        plan = [
            ("registrant-1", self._registrant, None, None),
            ("registrant-2", self._registrant, None, None),
            *[(name, self._scanner, scanners[name]["token"], name) for name in ONLINE_SCANNERS],
            ("sync", self._syncer, scanners[OFFLINE_SCANNER]["token"], OFFLINE_SCANNER),
            ("sensor", self._sensor, self.seeded["sensor"]["token"], None),
            ("occupancy", self._reader, self.seeded["organizer"], None),
        ]
        for n, (name, target, token, arg) in enumerate(plan):
            rng = random.Random(self.seed * 1000 + n)
            api = Api(self.port, self.ledger, token)
            self.apis.append(api)
            thread = threading.Thread(
                target=self._run, args=(name, target, api, rng, arg), name=name
            )
            thread.daemon = True
            self.threads.append(thread)
            thread.start()

    def stop(self, timeout: float = 400) -> None:
        """Let each client finish what it started, then close its connection (an idle
        keep-alive connection would hold up the server's graceful stop)."""
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout)
            if thread.is_alive():
                self.ledger.problem(f"client {thread.name} did not finish")
        for api in self.apis:
            api.close()

    def _run(self, name, target, api, rng, arg) -> None:
        try:
            while not self.stopping.is_set():
                target(api, rng, arg)
        except Unanswered:
            self.ledger.problem(f"client {name}: no answer within its patience")
        except Exception as exc:  # a client's own bug must show, not vanish with its thread
            self.ledger.problem(f"client {name} crashed: {exc!r}")

    # --- registration and cancellation -------------------------------------------------------

    def _registrant(self, api: Api, rng: random.Random, _arg) -> None:
        ledger = self.ledger
        with ledger.lock:
            active = [r for r in ledger.registrations if r not in ledger.cancelled]
            known = list(ledger.registrations.values())
        roll = rng.random()
        if roll < 0.12 and active:
            self._cancel(api, ledger.registrations[rng.choice(active)])
            return
        if roll < 0.17 and known:
            self._register_again(api, rng.choice(known))
            return
        n = next(self._people)
        if known and rng.random() < 0.15:
            passport = rng.choice(known)["body"]["id_number"]  # the same person again
        else:
            passport = f"P{self.seed:03d}{n:07d}"
        if rng.random() < 0.3:
            ticket_type, days = "pro", list(self.seeded["days"])
        else:
            ticket_type = "day"
            days = rng.choice([[d] for d in self.seeded["days"]] + [list(self.seeded["days"])])
        body = {
            "ticket_type": ticket_type,
            "days": days,
            "name": f"Visitor {n}",
            "email": f"v{n}@soak.example.cn",
            "id_type": "passport",
            "id_number": passport,
        }
        key = uuid.uuid4().hex
        answer = api.send(
            "registration", "POST", f"{self.base}/registrations", body, {"Idempotency-Key": key}
        )
        with ledger.lock:
            ledger.keys[key] = answer.status
            ledger.answers[f"registration {answer.status}"] += 1
        if answer.status == 201:
            reply = answer.body
            ticket = reply["tickets"][0]
            record = {
                "id": reply["id"],
                "serial": ticket["serial"],
                "secret": ticket["secret"],
                "days": ticket["days"],
                "key": key,
                "body": body,
                "manage": reply["manage_token"],
                "reply": reply,
            }
            with ledger.lock:
                if reply["id"] in ledger.registrations:
                    ledger.problems.append(f"registration id {reply['id']} answered twice")
                ledger.registrations[reply["id"]] = record
                ledger.tickets.append({"serial": ticket["serial"], "secret": ticket["secret"]})
        elif answer.status == 409:
            with ledger.lock:
                ledger.refusals[answer.body["error"]["code"]] += 1
        else:
            ledger.problem(f"registration answered {answer.status}: {answer.body}")

    def _register_again(self, api: Api, record: dict) -> None:
        """A repeat of an acknowledged registration under its key: the first answer, again."""
        answer = api.send(
            "registration",
            "POST",
            f"{self.base}/registrations",
            record["body"],
            {"Idempotency-Key": record["key"]},
        )
        with self.ledger.lock:
            self.ledger.replays["registration"] += 1
        if answer.status != 201 or answer.body != record["reply"]:
            self.ledger.problem(
                f"registration {record['id']} repeated under its key answered "
                f"{answer.status} {str(answer.body)[:200]}"
            )

    def _cancel(self, api: Api, record: dict) -> None:
        answer = api.send(
            "cancellation",
            "POST",
            f"{self.base}/registrations/{record['id']}/cancel",
            {},
            {"Authorization": f"Bearer {record['manage']}"},
        )
        if answer.status != 200 or answer.body.get("status") != "cancelled":
            self.ledger.problem(f"cancel {record['id']} answered {answer.status} {answer.body}")
            return
        with self.ledger.lock:
            self.ledger.cancelled.add(record["id"])
            self.ledger.answers["cancellation 200"] += 1

    # --- gate scans ------------------------------------------------------------------------

    def _scanner(self, api: Api, rng: random.Random, device: str) -> None:
        scanner = self.seeded["scanners"][device]
        ledger = self.ledger
        with ledger.lock:
            ticket = rng.choice(ledger.tickets)
            mine = [
                k for k in itertools.islice(reversed(ledger.scans), 50) if k[0] == scanner["id"]
            ]
        if mine and rng.random() < 0.04:
            self._scan_again(api, rng.choice(mine))
            return
        nonce = f"{device}-{uuid.uuid4().hex[:12]}"
        body = {
            "secret": ticket["secret"],
            "gate": rng.choice(["G1", "G1", "G-N1"]),
            "direction": "in" if rng.random() < 0.6 else "out",
            "nonce": nonce,
            "scanned_at": self.clock.instant(rng),
        }
        answer = api.send("scan", "POST", f"{self.base}/checkin/scans", body)
        if answer.status != 200:
            ledger.problem(f"scan answered {answer.status}: {answer.body}")
            return
        result = (answer.body["result"], answer.body.get("reason", ""))
        with ledger.lock:
            ledger.scans[(scanner["id"], nonce)] = result
            ledger.answers[f"scan {result[0]}"] += 1
            self._bodies[(scanner["id"], nonce)] = body

    def _scan_again(self, api: Api, key: tuple[int, str]) -> None:
        body = self._bodies[key]
        answer = api.send("scan", "POST", f"{self.base}/checkin/scans", body)
        with self.ledger.lock:
            self.ledger.replays["scan"] += 1
            first = self.ledger.scans[key]
        again = (answer.body.get("result"), answer.body.get("reason", ""))
        if answer.status != 200 or again != first:
            self.ledger.problem(f"scan {key} sent again answered {again}, first {first}")

    def _syncer(self, api: Api, rng: random.Random, device: str) -> None:
        """A scanner offline for a while: it admits people (the scans get their times now),
        then syncs them in one batch, late, with a few scans it synced before."""
        scanner = self.seeded["scanners"][device]
        ledger = self.ledger
        with ledger.lock:
            tickets = [rng.choice(ledger.tickets) for _ in range(rng.randint(2, 15))]
            old = list(itertools.islice(reversed(ledger.synced), 200))
        self._offline.extend(
            {
                "secret": t["secret"],
                "gate": rng.choice(["G1", "G-N1"]),
                "direction": "in" if rng.random() < 0.6 else "out",
                "nonce": f"{device}-{uuid.uuid4().hex[:12]}",
                "scanned_at": self.clock.instant(rng),
            }
            for t in tickets
        )
        if len(self._offline) < self._sync_at:
            self.stopping.wait(0.05)
            return
        scans, self._offline = self._offline, []
        self._sync_at = rng.randint(20, 150)
        again = rng.sample(old, min(len(old), rng.randint(0, 3)))
        scans.extend(self._bodies[key] for key in again)
        rng.shuffle(scans)
        answer = api.send("sync", "POST", f"{self.base}/checkin/sync", {"scans": scans})
        results = answer.body.get("results") if answer.status == 200 else None
        if not isinstance(results, list) or len(results) != len(scans):
            ledger.problem(f"sync answered {answer.status}: {str(answer.body)[:300]}")
            return
        with ledger.lock:
            ledger.batches["sync"] += 1
            for scan, result in zip(scans, results, strict=True):
                key = (scanner["id"], scan["nonce"])
                got = (
                    result["result"],
                    result.get("reason", ""),
                    (result.get("detail") or {}).get("reason", ""),
                )
                if result["nonce"] != scan["nonce"]:
                    ledger.problems.append(f"sync answer out of order: {result} for {scan}")
                elif key in ledger.synced:
                    ledger.replays["sync"] += 1
                    if ledger.synced[key] != got:
                        ledger.problems.append(
                            f"sync {key} again: {got}, first {ledger.synced[key]}"
                        )
                else:
                    ledger.synced[key] = got
                    self._bodies[key] = scan
                    ledger.answers[f"sync {got[1] or got[0]}"] += 1

    # --- sensor events ---------------------------------------------------------------------

    def _sensor(self, api: Api, rng: random.Random, _arg) -> None:
        """A batch of new events (a few held back from earlier batches: late and out of
        order), with events sent before (duplicates), an id repeated in the batch, and events
        to refuse."""
        ledger = self.ledger
        fresh = []
        for _ in range(rng.randint(10, 300)):
            count = rng.choice([1, 1, 1, 2, 3]) if rng.random() < 0.95 else rng.randint(4, 40)
            fresh.append(
                {
                    "id": f"e{self.seed}-{next(self._events)}",
                    "zone": rng.choice(["V", "V", "N1", "N1", "S1", "N1-B"]),
                    "kind": "enter" if rng.random() < 0.55 else "exit",
                    "at": self.clock.instant(rng),
                    "count": count,
                }
            )
        late = [e for e in fresh[1:] if rng.random() < 0.05]
        fresh = [e for e in fresh if e not in late] + self._late
        self._late = late
        with ledger.lock:
            old_ids = list(itertools.islice(reversed(ledger.events), 500))
        old = [
            self._event_body(i) for i in rng.sample(old_ids, min(len(old_ids), rng.randint(0, 5)))
        ]
        repeats = [dict(rng.choice(fresh))] if rng.random() < 0.1 else []
        refused = []
        if rng.random() < 0.3:
            refused.append({**fresh[0], "id": f"x{self.seed}-{next(self._events)}", "zone": "ZZ"})
        if rng.random() < 0.2:
            refused.append({**fresh[0], "id": f"x{self.seed}-{next(self._events)}", "zone": "R1"})
        events = fresh + old + refused
        rng.shuffle(events)
        # An in-batch repeat comes after its first copy (a repeat of an accepted id).
        events += repeats
        answer = api.send("events", "POST", f"{self.base}/venue/events", {"events": events})
        if answer.status != 200:
            ledger.problem(f"events answered {answer.status}: {str(answer.body)[:300]}")
            return
        body = answer.body
        accepted, duplicates = body["accepted"], body["duplicates"]
        want = {
            e["id"]: ("unknown_zone" if e["zone"] == "ZZ" else "zone_not_allowed") for e in refused
        }
        got = {r["id"]: r["reason"] for r in body["rejected"]}
        problems = []
        if got != want:
            problems.append(f"rejected {got}, expected {want}")
        if accepted + duplicates != len(fresh) + len(old) + len(repeats):
            problems.append(
                f"accepted {accepted} + duplicates {duplicates} ≠ {len(events) - len(refused)}"
            )
        if not answer.uncertain and (accepted, duplicates) != (len(fresh), len(old) + len(repeats)):
            problems.append(f"first sending: accepted {accepted}, duplicates {duplicates}")
        if answer.uncertain and accepted not in (0, len(fresh)):
            # A batch is one transaction: an earlier sending stored all of it or none.
            problems.append(f"resent batch partly stored before: accepted {accepted}/{len(fresh)}")
        with ledger.lock:
            ledger.batches["events"] += 1
            ledger.batches["events accepted"] += accepted
            ledger.batches["events duplicates"] += duplicates
            ledger.batches["events rejected"] += len(got)
            for event in fresh:
                ledger.events[event["id"]] = (
                    event["zone"],
                    event["kind"],
                    event["count"],
                    event["at"],
                )
            ledger.problems.extend(f"events batch: {p}" for p in problems)

    def _event_body(self, event_id: str) -> dict:
        zone, kind, count, at = self.ledger.events[event_id]
        return {"id": event_id, "zone": zone, "kind": kind, "count": count, "at": at}

    # --- an organiser's screen -------------------------------------------------------------

    def _reader(self, api: Api, rng: random.Random, _arg) -> None:
        """Occupancy read now and then: each read folds what is pending in a web worker, so
        workers get killed mid-fold too."""
        at = self.clock.instant(rng)
        answer = api.send("occupancy", "GET", f"{self.base}/venue/occupancy?at={quote(at)}")
        if answer.status != 200:
            self.ledger.problem(f"occupancy answered {answer.status}: {answer.body}")
        with self.ledger.lock:
            self.ledger.answers["occupancy 200"] += 1
        self.stopping.wait(rng.uniform(0.3, 1.0))


def quote(text: str) -> str:
    from urllib.parse import quote as url_quote

    return url_quote(text, safe="")


def wait_for_answer(port: int, path: str, limit: float) -> float:
    """Seconds until `GET path` answers 200 (OSError while it does not within `limit`)."""
    began = time.monotonic()
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    return time.monotonic() - began
            finally:
                conn.close()
        except (OSError, http.client.HTTPException):
            pass
        if time.monotonic() - began > limit:
            raise OSError(f"no answer to {path} within {limit:.0f} s")
        time.sleep(0.1)
