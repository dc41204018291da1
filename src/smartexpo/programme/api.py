"""The programme's API (docs/api.md, "Programme"): forums, sessions and speakers as published,
organisers' edits and releases, and visitors' seats, favourites and agenda by manage token.

Public reads answer from the latest release (`selectors.published_programme`, parsed once per
process) and ask the database only for the live seats of the sessions on the page; what
organisers change is public after the next `POST …/programme/publish`.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Query, Router
from ninja.responses import Status

from smartexpo.core.api import Error, Page, PageParams, bearer, page_bounds, paginate, request_body
from smartexpo.core.audit import actor_token
from smartexpo.core.bodies import body_checked
from smartexpo.core.errors import SmartExpoError, not_found
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.programme import selectors
from smartexpo.programme.schemas import (
    AgendaOut,
    ForumIn,
    ForumOut,
    PublishIn,
    PublishOut,
    ReleaseOut,
    ReservationIn,
    ReservationOut,
    SessionDetail,
    SessionIn,
    SessionItem,
    SessionPatch,
    SessionWorking,
    SpeakerCreated,
    SpeakerIn,
    SpeakerOut,
    WarningOut,
)
from smartexpo.programme.services import editing, publishing, reservations
from smartexpo.programme.snapshot import names, session_record
from smartexpo.programme.warnings import programme_warnings
from smartexpo.tickets.auth import token_or_manage
from smartexpo.tickets.models import Registration
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Expo

router = Router(tags=["Programme"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
PUBLIC = {404: Error, 422: Error}
# Writes with nothing to conflict with, and reads, behind a token.
EDITS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}
AUTHED = {401: Error, 403: Error, 404: Error, 422: Error}
# Ids past this are no session or speaker of any edition (and past SQLite's integers).
MAX_ID = 2**53


def optional_body(model) -> dict:
    """`openapi_extra` of an operation whose JSON body may be left out (the defaults apply)."""
    return {"requestBody": {**request_body(model), "required": False}}


def _edition(expo: str) -> Expo:
    return venue_selectors.expo_get_cached(slug=expo)


def _organizer(request, expo: str) -> Expo:
    edition = _edition(expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    return edition


def _visitor(request, expo: str) -> tuple[Expo, Registration]:
    """The edition and the registration whose manage token the request carries: API tokens
    (an organiser's included) have no agenda, and a registration acts in its own edition."""
    edition = _edition(expo)
    auth = request.auth
    if not isinstance(auth, Registration):
        raise SmartExpoError("forbidden", "Only a registration's manage token may do this.")
    if auth.expo_id != edition.pk:
        raise SmartExpoError("forbidden", "This token belongs to another edition.")
    auth.expo = edition  # the services read the registration's edition: not a second time
    return edition, auth


def _id(pk: int, what: str) -> int:
    if not 1 <= pk < MAX_ID:
        raise not_found(what)
    return pk


# --- forums -----------------------------------------------------------------------------------


def forum_out(forum) -> dict:
    return {
        "code": forum.code,
        "name": names(forum),
        "sector": forum.sector.code if forum.sector_id else None,
        "host": names(forum, "host"),
        "description": names(forum, "description"),
    }


@router.get(
    "/expos/{expo}/forums",
    response={200: Page[ForumOut], **PUBLIC},
    summary="The programme's forums (tracks), in the order they were created",
    description="Public. A forum's `code` is what a session's `forum` names; `sector` is a "
    "sector's code or null.",
)
def list_forums(request, expo: str, page: Query[PageParams]):
    return paginate(selectors.forum_list(expo=_edition(expo)), page, forum_out)


@router.post(
    "/expos/{expo}/forums",
    auth=bearer,
    response={201: ForumOut, **ERRORS},
    summary="Create a forum (organiser; 409 forum_exists for a code taken)",
    description="`code` unique in the edition; `name.en` required; `sector` (a sector's code), "
    "`host` and `description` optional. A code taken is 409 `forum_exists`.",
)
def create_forum(request, expo: str, payload: ForumIn):
    edition = _organizer(request, expo)
    host, about = payload.host, payload.description
    forum = editing.forum_create(
        expo=edition,
        code=payload.code,
        name_en=payload.name.en,
        name_zh=payload.name.zh,
        sector=payload.sector,
        host_en=host.en if host else "",
        host_zh=host.zh if host else "",
        description_en=about.en if about else "",
        description_zh=about.zh if about else "",
    )
    return Status(201, forum_out(forum))


# --- sessions as published --------------------------------------------------------------------


def _with_available(records: list[dict]) -> list[dict]:
    """The records with `available`: one query for the seats of those that have any."""
    seated = [r["id"] for r in records if r["seats"] is not None]
    left = selectors.seats_available(session_ids=seated) if seated else {}
    return [
        {**r, "available": None if r["seats"] is None else left.get(r["id"], r["seats"])}
        for r in records
    ]


@router.get(
    "/expos/{expo}/sessions",
    response={200: Page[SessionItem], **PUBLIC},
    summary="The published programme's sessions, in programme order, filtered",
    description="From the latest release. Filters (all optional, combined): `day` (a local "
    "date), `forum` and `room` (codes), `tag` and `sector` (codes), `speaker` (an id), `q` "
    "(words in the title, abstract, forum or speakers, either language). `available` is live.",
)
def list_sessions(
    request,
    expo: str,
    page: Query[PageParams],
    day: dt.date | None = None,
    forum: str | None = None,
    room: str | None = None,
    q: str | None = None,
    tag: str | None = None,
    sector: str | None = None,
    speaker: int | None = None,
):
    edition = venue_selectors.expo_get_cached(slug=expo)
    found = selectors.sessions_filtered(
        selectors.published_programme(expo=edition),
        day=day.isoformat() if day else None,
        forum=forum,
        room=room,
        q=q,
        tag=tag,
        sector=sector,
        speaker=speaker,
    )
    start, stop = page_bounds(page, len(found))
    return {"count": len(found), "items": _with_available(found[start:stop])}


@router.get(
    "/expos/{expo}/sessions/{session_id}",
    response={200: SessionDetail, **PUBLIC},
    summary="One published session, with its abstract, speakers and seats left",
    description="404 for a session the latest release does not have (not yet published, or "
    "cancelled).",
)
def get_session(request, expo: str, session_id: int):
    edition = venue_selectors.expo_get_cached(slug=expo)
    published = selectors.published_programme(expo=edition)
    record = published.by_id.get(session_id)
    if record is None:
        raise not_found("session")
    (item,) = _with_available([record])
    return {**item, "version": published.version}


# --- speakers ---------------------------------------------------------------------------------


def _speakers_out(edition: Expo, published, ids: list[int]) -> list[dict]:
    sessions = selectors.speakers_published(published)
    # The name and affiliation as the release published them (its latest record of each).
    shown = {p["id"]: p for s in published.sessions for p in s["speakers"] if p["id"] in ids}
    rows = selectors.speakers_by_id(expo=edition, ids=ids)
    empty = {"en": "", "zh": ""}
    return [
        {
            "id": pk,
            "name": shown[pk]["name"],
            "affiliation": shown[pk]["affiliation"],
            "bio": names(rows[pk], "bio") if pk in rows else empty,
            "sessions": sessions[pk],
        }
        for pk in ids
    ]


@router.get(
    "/expos/{expo}/speakers",
    response={200: Page[SpeakerOut], **PUBLIC},
    summary="The speakers of the published programme, in the order they were created",
    description="Public: only the speakers a session of the latest release names, with the ids of "
    "their published sessions; name and affiliation as published, the biography current.",
)
def list_speakers(request, expo: str, page: Query[PageParams]):
    edition = venue_selectors.expo_get_cached(slug=expo)
    published = selectors.published_programme(expo=edition)
    ids = sorted(selectors.speakers_published(published))
    start, stop = page_bounds(page, len(ids))
    return {"count": len(ids), "items": _speakers_out(edition, published, ids[start:stop])}


@router.get(
    "/expos/{expo}/speakers/{speaker_id}",
    response={200: SpeakerOut, **PUBLIC},
    summary="One speaker of the published programme, with their sessions",
    description="404 for a speaker no published session names.",
)
def get_speaker(request, expo: str, speaker_id: int):
    edition = venue_selectors.expo_get_cached(slug=expo)
    published = selectors.published_programme(expo=edition)
    if speaker_id not in selectors.speakers_published(published):
        raise not_found("speaker")
    return _speakers_out(edition, published, [speaker_id])[0]


@router.post(
    "/expos/{expo}/speakers",
    auth=bearer,
    response={201: SpeakerCreated, **EDITS},
    summary="Create a speaker (organiser; public once a published session names them)",
    description="`name.en` required; `affiliation` a text (English) or `{en, zh}`. A speaker is "
    "public once a published session names them.",
)
def create_speaker(request, expo: str, payload: SpeakerIn):
    edition = _organizer(request, expo)
    affiliation = payload.affiliation
    if isinstance(affiliation, str):
        affiliation_en, affiliation_zh = affiliation, ""
    else:
        affiliation_en = affiliation.en if affiliation else ""
        affiliation_zh = affiliation.zh if affiliation else ""
    if len(affiliation_en) > 200:
        raise SmartExpoError(
            "invalid", "The request is not valid.", {"fields": {"affiliation": "At most 200."}}
        )
    speaker = editing.speaker_create(
        expo=edition,
        name_en=payload.name.en,
        name_zh=payload.name.zh,
        affiliation_en=affiliation_en,
        affiliation_zh=affiliation_zh,
        bio_en=payload.bio.en if payload.bio else "",
        bio_zh=payload.bio.zh if payload.bio else "",
    )
    return Status(
        201,
        {
            "id": speaker.pk,
            "name": names(speaker),
            "affiliation": names(speaker, "affiliation"),
            "bio": names(speaker, "bio"),
            "published": False,
        },
    )


# --- the organisers' working copy -------------------------------------------------------------


def _working_out(edition: Expo, pk: int, warnings) -> dict:
    session = selectors.session_working(expo=edition, pk=pk)
    published = selectors.published_programme(expo=edition)
    return {
        **session_record(session, edition.tz),
        "seat_quota": session.seat_quota,
        "reservation_required": session.reservation_required,
        "cancelled": session.cancelled,
        "published": pk in published.by_id,
        "warnings": [w.code for w in warnings],
        "warning_details": [w.as_dict() for w in warnings],
    }


@router.post(
    "/expos/{expo}/sessions",
    auth=bearer,
    response={201: SessionWorking, **EDITS},
    summary="Create a session (organiser): saved even with warnings, public after the next publish",
    description="`forum` and `room` are codes (a zone of kind room), `speakers` ids. The "
    "answer lists the warnings the session raises (`warnings`: codes; `warning_details`: "
    "messages and the sessions concerned); a warning never stops the save.",
)
def create_session(request, expo: str, payload: SessionIn):
    edition = _organizer(request, expo)
    abstract = payload.abstract
    session, warnings = editing.session_create(
        expo=edition,
        forum=payload.forum,
        room=payload.room,
        title_en=payload.title.en,
        title_zh=payload.title.zh,
        abstract_en=abstract.en if abstract else "",
        abstract_zh=abstract.zh if abstract else "",
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        format=payload.format,
        seats=payload.seats,
        reservation_required=payload.reservation_required,
        speakers=payload.speakers,
        tags=payload.tags,
        sectors=payload.sectors,
    )
    return Status(201, _working_out(edition, session.pk, warnings))


# The body's bilingual fields and the model's fields they change.
BILINGUAL = {"title": "title", "abstract": "abstract"}


@router.patch(
    "/expos/{expo}/sessions/{session_id}",
    auth=bearer,
    response={200: SessionWorking, **EDITS},
    summary="Change any field of a session (organiser): public after the next publish",
    description="A partial change: the fields sent are changed, the others kept (a title's "
    "`en` or `zh` alone too). `cancelled: true` takes the session out of the next release. "
    "Answers the working copy with the warnings it raises now.",
)
def update_session(request, expo: str, session_id: int, payload: SessionPatch):
    edition = _organizer(request, expo)
    session = selectors.session_working(expo=edition, pk=_id(session_id, "session"))
    if session is None:
        raise not_found("session")
    sent = payload.dict(exclude_unset=True)
    changes = {}
    for key, value in sent.items():
        if key in BILINGUAL:
            changes.update({f"{BILINGUAL[key]}_{lang}": text for lang, text in value.items()})
        else:
            changes[key] = value
    session, warnings = editing.session_update(session=session, changes=changes)
    return _working_out(edition, session.pk, warnings)


# --- warnings and releases --------------------------------------------------------------------


def release_out(release) -> dict:
    return {
        "version": release.version,
        "published_at": release.published_at.isoformat(),
        "comment": release.comment,
        "changes": release.changes,
        "warnings": release.warnings,
    }


@router.get(
    "/expos/{expo}/programme/warnings",
    auth=bearer,
    response={200: Page[WarningOut], **AUTHED},
    summary="The open warnings of the working programme (organiser)",
    description="What publishing would ask to confirm: speakers or rooms booked twice at "
    "once, sessions outside opening hours, seats above a room's capacity, reservations above "
    "a new quota.",
)
def list_warnings(request, expo: str, page: Query[PageParams]):
    edition = _organizer(request, expo)
    return paginate(programme_warnings(expo=edition), page, lambda w: w.as_dict())


@router.post(
    "/expos/{expo}/programme/publish",
    auth=bearer,
    response={200: PublishOut, **ERRORS},
    by_alias=True,
    summary="Publish the working programme as the next release (organiser)",
    description="Answers the new version and what changed since the last (`added`, "
    "`cancelled`, `moved` with where from and to, `changed`). With warnings open it is 409 "
    '`unconfirmed_warnings` (`detail.warnings`) unless the body says `{"confirm": true}`. '
    "The body may be left out.",
    openapi_extra=optional_body(PublishIn),
)
def publish(request, expo: str):
    edition = _organizer(request, expo)
    body = body_checked(PublishIn, request.body or b"{}")
    release = publishing.programme_publish(
        expo=edition, actor=actor_token(request.auth), confirm=body.confirm, comment=body.comment
    )
    return {**release_out(release), "sessions": len(release.sessions)}


@router.get(
    "/expos/{expo}/programme/releases",
    response={200: Page[ReleaseOut], **PUBLIC},
    by_alias=True,
    summary="The programme's published releases, oldest first, with what each changed",
    description="Public: each release's version, when it was published, its comment, what it "
    "changed and the warnings its publisher confirmed.",
)
def list_releases(request, expo: str, page: Query[PageParams]):
    edition = _edition(expo)
    releases = selectors.release_list(expo=edition).defer("sessions").order_by("version")
    return paginate(releases, page, release_out)


# --- reservations, favourites, agenda (a registration's manage token) -------------------------


def reservation_out(reservation) -> dict:
    out = {"session": reservation.session_id, "status": reservation.status}
    if reservation.status == "waitlisted":
        out["position"] = selectors.waitlist_position(
            session_id=reservation.session_id, reservation_id=reservation.pk
        )
    return out


@router.post(
    "/expos/{expo}/sessions/{session_id}/reservations",
    auth=token_or_manage,
    response={200: ReservationOut, 201: ReservationOut, **ERRORS},
    exclude_none=True,
    summary="Reserve a seat, or a place on the waiting list (a registration's manage token)",
    description="201 a new reservation, 200 the one the registration already has (never a "
    "second seat). A full session puts the registration on its waiting list (`position`, 1 = "
    'next in line), or answers 409 `session_full` when the body says `{"waitlist": false}`. '
    "409 `no_ticket_for_day`, `reservation_not_needed` (a session without seats), "
    "`agenda_conflict` (`detail.sessions`) unless `force`. The body may be left out.",
    openapi_extra=optional_body(ReservationIn),
)
def reserve(request, expo: str, session_id: int):
    _unused, registration = _visitor(request, expo)
    body = body_checked(ReservationIn, request.body or b"{}")
    reservation, created = reservations.reservation_make(
        registration=registration,
        session_id=_id(session_id, "session"),
        force=body.force,
        waitlist=body.waitlist,
    )
    return Status(201 if created else 200, reservation_out(reservation))


def _known(edition: Expo, session_id: int, had: bool) -> None:
    """404 when a visitor's undo names a session that is neither published nor theirs."""
    if not had and session_id not in selectors.published_programme(expo=edition).by_id:
        raise not_found("session")


@router.delete(
    "/expos/{expo}/sessions/{session_id}/reservations",
    auth=token_or_manage,
    response={204: None, **AUTHED},
    summary="Give up a seat or a waiting-list place; the seat goes to the first in line",
    description="204 whether or not the registration held one (a repeat changes nothing); "
    "404 only for a session that is not published and that it held nothing at.",
)
def cancel_reservation(request, expo: str, session_id: int):
    edition, registration = _visitor(request, expo)
    had = reservations.reservation_cancel(
        registration=registration, session_id=_id(session_id, "session")
    )
    _known(edition, session_id, had)
    return HttpResponse(status=204)


@router.put(
    "/expos/{expo}/sessions/{session_id}/favourite",
    auth=token_or_manage,
    response={204: None, **AUTHED},
    summary="Star a published session: in the agenda, with no seat (manage token)",
    description="204, again too. 404 for a session the latest release does not have.",
)
def star(request, expo: str, session_id: int):
    _unused, registration = _visitor(request, expo)
    reservations.favourite_add(registration=registration, session_id=_id(session_id, "session"))
    return HttpResponse(status=204)


@router.delete(
    "/expos/{expo}/sessions/{session_id}/favourite",
    auth=token_or_manage,
    response={204: None, **AUTHED},
    summary="Unstar a session (manage token; 204 whether or not it was starred)",
    description="204 whether or not it was starred; 404 only for a session neither published nor "
    "starred.",
)
def unstar(request, expo: str, session_id: int):
    edition, registration = _visitor(request, expo)
    had = reservations.favourite_remove(
        registration=registration, session_id=_id(session_id, "session")
    )
    _known(edition, session_id, had)
    return HttpResponse(status=204)


@router.get(
    "/expos/{expo}/agenda",
    auth=token_or_manage,
    response={200: AgendaOut, **AUTHED},
    exclude_none=True,
    summary="The registration's agenda: its reservations and starred sessions (manage token)",
    description="`feed` is the path of the agenda's secret iCalendar feed, for a calendar "
    "app to subscribe to.",
)
def agenda(request, expo: str):
    edition, registration = _visitor(request, expo)
    secret = reservations.agenda_feed_secret(registration=registration)
    return {
        **selectors.agenda_of(registration=registration),
        "feed": f"/expos/{edition.slug}/agenda/{secret}.ics",
    }
