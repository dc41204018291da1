"""Building an edition's recommender (`smartexpo recs build`, or the organiser in the admin).

The build reads, for the edition: the approved exhibitors (sector, tags, both languages of the
profile and showcase, the hall of their booth), the sessions of the published programme, every
active registration (interests, intents, company and title) and everyone's behaviour
(`queries.behaviour_rows`); it hands them to the engine (`engine.build`) and stores the result
as the edition's newest `RecommenderModel`, with the visitors who share something with
exhibitors (the only ones ever suggested to them). Older models of the edition are deleted: the
servers switch to the new one at their next request (`selectors.served_model`).
"""

from __future__ import annotations

import json
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from smartexpo.exhibitors.models import (
    BoothAssignment,
    Exhibitor,
    ExhibitorStatus,
    Sector,
    ShowcaseItem,
    Tag,
)
from smartexpo.programme.selectors import published_programme
from smartexpo.recommend import engine, queries
from smartexpo.recommend.companies import company_key
from smartexpo.recommend.models import RecommenderModel
from smartexpo.tickets.models import Registration, RegistrationStatus
from smartexpo.venue.models import Expo

# Sessions and exhibitors share the engine's key space: a session's key is offset past every
# exhibitor id (both kinds are asked for apart, but a person's history holds both).
SESSION_KEY_BASE = 1 << 40

Progress = Callable[[str, int, int], None]  # (step, done, total)


def session_key(session_id: int) -> int:
    return SESSION_KEY_BASE + session_id


def session_id_of(key: int) -> int:
    return key - SESSION_KEY_BASE


def exhibitor_items(*, expo: Expo) -> list[engine.Item]:
    """The edition's approved exhibitors as the engine's items."""
    exhibitors = list(
        Exhibitor.objects.filter(expo=expo, status=ExhibitorStatus.APPROVED)
        .select_related("sector")
        .prefetch_related("tags")
        .order_by("id")
    )
    showcase: dict[int, list[str]] = defaultdict(list)
    for exhibitor_id, *texts in ShowcaseItem.objects.filter(exhibitor__expo=expo).values_list(
        "exhibitor_id", "title_en", "title_zh", "description_en", "description_zh"
    ):
        showcase[exhibitor_id].extend(t for t in texts if t)
    halls: dict[int, str] = {}
    for exhibitor_id, hall in BoothAssignment.objects.filter(expo=expo).values_list(
        "exhibitor_id", "booth__hall__code"
    ):
        halls.setdefault(exhibitor_id, hall)
    return [
        engine.Item(
            key=e.pk,
            kind="exhibitor",
            sectors=(e.sector.code,),
            tags=tuple(sorted(t.code for t in e.tags.all())),
            text=" ".join(
                t
                for t in (e.name_en, e.name_zh, e.description_en, e.description_zh, *showcase[e.pk])
                if t
            ),
            company=company_key(e.name_en),
            hall=halls.get(e.pk, ""),
        )
        for e in exhibitors
    ]


def session_items(*, expo: Expo) -> list[engine.Item]:
    """The sessions of the edition's published programme as the engine's items."""
    items = []
    for s in published_programme(expo=expo).sessions:
        speakers = " ".join(
            f"{p['name']['en']} {p['name']['zh']} {p['affiliation']['en']} {p['affiliation']['zh']}"
            for p in s["speakers"]
        )
        text = " ".join(
            (
                s["title"]["en"],
                s["title"]["zh"],
                s["abstract"]["en"],
                s["abstract"]["zh"],
                s["forum_name"]["en"],
                s["forum_name"]["zh"],
                speakers,
            )
        )
        items.append(
            engine.Item(
                key=session_key(s["id"]),
                kind="session",
                sectors=tuple(s["sectors"]),
                tags=tuple(s["tags"]),
                text=text,
                sells=False,
            )
        )
    return items


def histories_of(rows: Iterable[tuple]) -> dict[int, dict[int, float]]:
    """Registration id → item key → weight, from `queries.behaviour_rows`."""
    found: dict[int, dict[int, float]] = defaultdict(dict)
    for registration_id, kind, item_id, weight in rows:
        key = item_id if kind == "e" else session_key(item_id)
        history = found[registration_id]
        history[key] = history.get(key, 0.0) + float(weight)
    return found


def person_of(values: dict, history: dict[int, float]) -> engine.Person:
    """A registration (its `values()` row) as the engine's person."""
    return engine.Person(
        key=values["id"],
        sectors=tuple(values["sectors"] or ()),
        tags=tuple(values["interests"] or ()),
        intents=tuple(values["intents"] or ()),
        text=" ".join(t for t in (values["company"], values["title"]) if t),
        company=company_key(values["company"]),
        history=history,
        opted_in=bool(values["share"]),
    )


PERSON_FIELDS = ("id", "sectors", "interests", "intents", "company", "title", "share")


def active_registrations(*, expo: Expo):
    """The registrations whose people recommendations are for: active and not erased."""
    return Registration.objects.filter(
        expo=expo, status=RegistrationStatus.ACTIVE, erased_at__isnull=True
    )


def people_dumps(people: list[engine.Person]) -> bytes:
    """The visitors suggested to exhibitors, as stored beside the model (JSON, compressed)."""
    rows = [
        [p.key, p.sectors, p.tags, p.intents, p.text, p.company, sorted(p.history.items())]
        for p in people
    ]
    return zlib.compress(json.dumps(rows, ensure_ascii=False).encode(), 6)


def people_loads(data: bytes) -> list[engine.Person]:
    return [
        engine.Person(
            key=key,
            sectors=tuple(sectors),
            tags=tuple(tags),
            intents=tuple(intents),
            text=text,
            company=company,
            history={int(k): float(w) for k, w in history},
            opted_in=True,
        )
        for key, sectors, tags, intents, text, company, history in json.loads(
            zlib.decompress(bytes(data))
        )
    ]


def catalogue_labels() -> dict[str, str]:
    """Sector and tag code → its names in both languages (a person's declared interests reach
    the text model through them)."""
    labels = {}
    for model in (Sector, Tag):
        for code, en, zh in model.objects.values_list("code", "name_en", "name_zh"):
            labels[code] = f"{en} {zh}".strip()
    return labels


def recommender_build(*, expo: Expo, progress: Progress | None = None) -> RecommenderModel:
    """Build the edition's recommender from what is stored now, store it as the newest, and
    delete the older ones (the servers load the new one at their next request)."""
    started = time.perf_counter()
    step = progress or (lambda _step, _done, _total: None)
    step("catalogue", 0, 2)
    items = exhibitor_items(expo=expo)
    exhibitors = len(items)
    items += session_items(expo=expo)
    step("catalogue", 2, 2)
    step("behaviour", 0, 1)
    rows = queries.behaviour_rows(expo_id=expo.pk)
    histories = histories_of(rows)
    step("behaviour", 1, 1)
    registrations = active_registrations(expo=expo).values(*PERSON_FIELDS).order_by("id")
    total = registrations.count()
    people: list[engine.Person] = []
    step("visitors", 0, total)
    for n, values in enumerate(registrations.iterator(chunk_size=5000), 1):
        if values["share"]:
            people.append(person_of(values, histories.get(values["id"], {})))
        if n % 5000 == 0:
            step("visitors", n, total)
    step("visitors", total, total)
    step("model", 0, 1)
    model = engine.build(items, list(histories.values()), seed=0, labels=catalogue_labels())
    data = model.dumps()
    step("model", 1, 1)
    with transaction.atomic():
        row = RecommenderModel.objects.create(
            expo=expo,
            built_at=timezone.now(),
            data=data,
            people=people_dumps(people),
            exhibitors=exhibitors,
            sessions=len(items) - exhibitors,
            visitors=total,
            opted_in=len(people),
            behaviour=len(rows),
            seconds=round(time.perf_counter() - started, 3),
        )
        RecommenderModel.objects.filter(expo=expo).exclude(pk=row.pk).delete()
    return row
