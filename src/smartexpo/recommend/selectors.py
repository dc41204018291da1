"""Reads of the recommendations: the edition's served model, and what it recommends to whom.

`served_model` keeps the loaded newest `RecommenderModel` per edition and process, and confirms
on each call, with one indexed query, that no newer one was built (the house's pattern, see
`programme.selectors.published_programme`): a rebuild is served from the next request on, by
every process. Whatever may change between builds is read live, per request, along indexes:
the visitor's profile and behaviour, the dismissals, whether a suggested visitor still shares
and is still registered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import threading
from collections import defaultdict

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors.models import BoothAssignment, Exhibitor, ExhibitorStatus
from smartexpo.programme.selectors import published_programme
from smartexpo.recommend import engine, queries
from smartexpo.recommend.companies import CompanyIndex, company_key, same_company
from smartexpo.recommend.models import Dismissal, RecommenderModel
from smartexpo.recommend.reasons import Names, render
from smartexpo.recommend.services.building import (
    PERSON_FIELDS,
    histories_of,
    people_loads,
    person_of,
    session_id_of,
    session_key,
)
from smartexpo.tickets.models import Registration, RegistrationStatus
from smartexpo.tickets.selectors import shared_profile
from smartexpo.venue.models import Expo

# A ranked list holds at most this many; an answer pages through it.
RANKED_MAX = 50
VISITORS_MAX = 100


@dataclasses.dataclass(frozen=True)
class Served:
    """An edition's loaded model and what answers need beside it, as of its loading."""

    pk: int
    built_at: dt.datetime
    # The id and build instant as the newest-model query reads them (`queries.newest_model`):
    # what every request compares (the id alone may name another model after a deletion).
    stamp: tuple
    model: engine.Model
    names: Names
    exhibitors: dict[int, dict]  # id → its answer: id, slug, name, sector, hall
    companies: CompanyIndex  # the exhibitors by their names' company keys
    people: list[engine.Person]  # the visitors who shared something at the build
    encoded: engine.People  # the same, encoded once for `rank_people`
    staff: CompanyIndex  # the people of `people` by the company they name
    # Each distinct reason's sentences, numbered: a remembered ranking holds the numbers.
    texts: list = dataclasses.field(default_factory=list)
    numbers: dict = dataclasses.field(default_factory=dict)  # a reason → its number, or -1

    def reason_numbers(self, reasons) -> tuple[int, ...]:
        """The numbers in `texts` of the engine's reasons in both languages (each distinct
        reason rendered once; one rendered as nothing has none)."""
        out = []
        for reason in reasons:
            # The engine writes a code's params in one order: no need to sort them for a key.
            key = (reason.code, tuple((reason.params or {}).items()))
            number = self.numbers.get(key)
            if number is None:
                text = render(reason, self.names)
                with _lock:
                    number = self.numbers.get(key)
                    if number is None:
                        if text is None:
                            number = -1
                        else:
                            self.texts.append(text)
                            number = len(self.texts) - 1
                        self.numbers[key] = number
            if number >= 0:
                out.append(number)
        return tuple(out)

    def render(self, reasons) -> list[dict[str, str]]:
        """The engine's reasons in both languages (each distinct reason rendered once)."""
        return [self.texts[n] for n in self.reason_numbers(reasons)]

    def own_exhibitors(self, company: str, exhibitor_id: int | None) -> frozenset[int]:
        """The exhibitors that are the person's own company (by name, or by a staff pass)."""
        own = set(self.companies.matching(company_key(company)))
        if exhibitor_id is not None:
            own.add(exhibitor_id)
        return frozenset(own)


_lock = threading.Lock()
_cache: dict[int, Served] = {}
# Rankings already computed, oldest first (a dict keeps insertion order): see `_ranking`.
# Each is a tuple of (exhibitor or session key, score, numbers of its reasons in
# `Served.texts`), and its key a tuple of strings and numbers: plain tuples of atoms, which the
# garbage collector stops tracking, so that thousands of remembered rankings do not lengthen
# every full collection (a pause of every request in the process while it runs).
_rankings: dict[tuple, tuple[tuple[int, float, tuple[int, ...]], ...]] = {}
RANKINGS_KEPT = 20_000


def _exhibitors(expo_id: int) -> tuple[dict[int, dict], CompanyIndex]:
    rows = Exhibitor.objects.filter(expo_id=expo_id, status=ExhibitorStatus.APPROVED).values_list(
        "id", "slug", "name_en", "name_zh", "sector__code"
    )
    halls: dict[int, list[str]] = defaultdict(list)
    for exhibitor_id, booth in (
        BoothAssignment.objects.filter(expo_id=expo_id)
        .order_by("booth__code")
        .values_list("exhibitor_id", "booth__code")
    ):
        halls[exhibitor_id].append(booth)
    found, companies = {}, []
    for pk, slug, en, zh, sector in rows:
        found[pk] = {
            "id": pk,
            "slug": slug,
            "name": {"en": en, "zh": zh or en},
            "sector": sector,
            "booths": halls.get(pk, []),
        }
        companies += [(company_key(en), pk), (company_key(zh), pk)]
    return found, CompanyIndex(companies)


def _load(row: RecommenderModel, stamp: tuple) -> Served:
    exhibitors, companies = _exhibitors(row.expo_id)
    model = engine.Model.loads(bytes(row.data))
    people = people_loads(row.people) if row.people else []
    return Served(
        pk=row.pk,
        built_at=row.built_at,
        stamp=stamp,
        model=model,
        names=Names.read(expo_id=row.expo_id),
        exhibitors=exhibitors,
        companies=companies,
        people=people,
        encoded=model.encode(people),
        staff=CompanyIndex((p.company, p.key) for p in people),
    )


def served_model(*, expo: Expo) -> Served:
    """The edition's newest model, loaded once per process. Refused with `no_model` (409)
    until one was built (`smartexpo recs build`, or the admin)."""
    newest = queries.newest_model(expo.pk)
    if newest is None:
        raise SmartExpoError(
            "no_model",
            "No recommender was built for this edition yet: the organiser builds one with "
            "`smartexpo recs build` or in the admin.",
        )
    cached = _cache.get(expo.pk)
    if cached is not None and cached.stamp == newest:
        return cached
    served = _load(RecommenderModel.objects.get(pk=newest[0]), newest)
    with _lock:
        _cache[expo.pk] = served
    # The loaded model (its vocabulary, the sharing visitors: hundreds of thousands of objects)
    # and whatever the process holds by now are left out of the garbage collector's full
    # collections from now on, which otherwise walked them all: a pause of 100–300 ms of every
    # request in the process every few hundred requests (a few ms after). Only reference
    # cycles among these objects are never collected; they are freed by reference counts.
    gc.freeze()
    return served


def forget_served() -> None:
    """Drop every loaded model and ranking (a test's database starts over and reuses ids)."""
    with _lock:
        _cache.clear()
        _rankings.clear()


# --- the visitor's side -------------------------------------------------------------------


def person_now(registration: Registration) -> tuple[engine.Person, dict[int, float]]:
    """The registration as the engine's person, with its behaviour read now."""
    rows = queries.behaviour_rows(expo_id=registration.expo_id, registration_id=registration.pk)
    history = histories_of(rows).get(registration.pk, {})
    values = {f: getattr(registration, f) for f in PERSON_FIELDS}
    return person_of(values, history), history


def declined_exhibitors(*, registration_id: int) -> frozenset[int]:
    """The exhibitors paired with the registration in a dismissal, by either side."""
    return queries.declined_exhibitors(registration_id)


def _session_out(record: dict) -> dict:
    return {
        "id": record["id"],
        "title": record["title"],
        "forum": record["forum"],
        "room": record["room"],
        "starts_at": record["starts_at"],
        "ends_at": record["ends_at"],
    }


def _ranking(
    served: Served, person, kind: str, exclude: frozenset[int]
) -> tuple[tuple[int, float, tuple[int, ...]], ...]:
    """The engine's ranking of `kind` for the person, its reasons rendered: remembered per
    process by everything it depends on (the model, the person's profile and behaviour as read
    now, the exclusions), so an unchanged visitor asking again costs no computation, and any
    change of theirs is a new key."""
    key = (
        served.pk,
        served.built_at,
        kind,
        person.sectors,
        person.tags,
        person.intents,
        person.text,
        person.company,
        tuple(sorted(person.history.items())),
        tuple(sorted(exclude)),
    )
    found = _rankings.get(key)
    if found is None:
        scored = served.model.recommend(person, kind=kind, limit=RANKED_MAX, exclude=exclude)
        found = tuple(
            (s.key, round(float(s.score), 4), served.reason_numbers(s.reasons)) for s in scored
        )
        with _lock:
            _rankings[key] = found
            while len(_rankings) > RANKINGS_KEPT:
                _rankings.pop(next(iter(_rankings)))
    return found


def for_visitor(*, expo: Expo, registration: Registration, kind: str) -> list[dict]:
    """What the edition's model recommends to the registration, best first (at most
    `RANKED_MAX`): exhibitors (never one declined either way, nor the person's own company)
    or sessions of the published programme (not those already on their agenda)."""
    served = served_model(expo=expo)
    person, history = person_now(registration)
    out = []
    if kind == "exhibitor":
        exclude = declined_exhibitors(registration_id=registration.pk) | served.own_exhibitors(
            registration.company, registration.exhibitor_id
        )
        for key, score, reasons in _ranking(served, person, "exhibitor", exclude):
            exhibitor = served.exhibitors.get(key)
            if exhibitor is not None:  # else no longer approved
                out.append(
                    {
                        "exhibitor": exhibitor,
                        "score": score,
                        "reasons": [served.texts[n] for n in reasons],
                    }
                )
        return out
    published = published_programme(expo=expo)
    exclude = frozenset(k for k in history if k >= session_key(0))
    for key, score, reasons in _ranking(served, person, "session", exclude):
        record = published.by_id.get(session_id_of(key))
        if record is not None:  # else not in the programme any more
            out.append(
                {
                    "session": _session_out(record),
                    "score": score,
                    "reasons": [served.texts[n] for n in reasons],
                }
            )
    return out


# --- the exhibitor's side -----------------------------------------------------------------


def for_exhibitor(*, expo: Expo, exhibitor: Exhibitor, limit: int = VISITORS_MAX) -> list[dict]:
    """The visitors worth meeting for the exhibitor, best first by the reciprocal score: only
    those who share something now (checked live), never a declined pair, nor the exhibitor's own
    people; each with the fields they share and nothing else."""
    served = served_model(expo=expo)
    declined = frozenset(
        Dismissal.objects.filter(exhibitor=exhibitor).values_list("registration_id", flat=True)
    )
    own = {company_key(exhibitor.name_en), company_key(exhibitor.name_zh)} - {""}
    exclude = declined.union(*(served.staff.matching(key) for key in own))
    # Some of those ranked may have stopped sharing, or cancelled, since the build.
    wanted = limit + limit // 2 + 10
    found = served.model.rank_people(exhibitor.pk, served.encoded, limit=wanted, exclude=exclude)
    registrations = {
        r.pk: r
        for r in Registration.objects.filter(
            pk__in=[s.key for s in found],
            expo=expo,
            status=RegistrationStatus.ACTIVE,
            erased_at__isnull=True,
        ).exclude(exhibitor=exhibitor)
    }
    allowed = expo.lead_fields or []
    out = []
    for s in found:
        registration = registrations.get(s.key)
        if registration is None:
            continue
        fields = shared_profile(registration, lead_fields=allowed)
        mine = company_key(registration.company)
        if not fields or any(same_company(mine, key) for key in own):
            continue
        out.append(
            {
                "visitor": {"registration": registration.pk, **fields},
                "score": round(float(s.score), 4),
                "reasons": served.render(s.reasons),
            }
        )
        if len(out) == limit:
            break
    return out


def pair_score(*, expo: Expo, registration: Registration, exhibitor: Exhibitor) -> float:
    """The symmetric score of a visitor and an exhibitor (0 for a declined pair, or the
    person's own company)."""
    served = served_model(expo=expo)
    if exhibitor.pk in declined_exhibitors(registration_id=registration.pk):
        return 0.0
    if exhibitor.pk in served.own_exhibitors(registration.company, registration.exhibitor_id):
        return 0.0
    person, _history = person_now(registration)
    return round(float(served.model.reciprocal(person, exhibitor.pk)), 4)
