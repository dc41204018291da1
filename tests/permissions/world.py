"""The world the matrix's requests are made in: two editions, every kind of credential, and one
object of every kind an address can name, so that a permission check meets a real object
(a 404 is then the answer to who asked, never to what is missing).

Edition A (`test-2019`) is where every address points; edition B (`test-2018`) only lends
its exhibitor and devices, to be refused on A's addresses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from importlib import metadata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from smartexpo.checkin.models import Scan
from smartexpo.core.models import ApiToken, AuditEntry, Role
from smartexpo.core.tokens import token_create
from smartexpo.crowd.models import CrowdAlert, SensorEvent, ZoneDay
from smartexpo.crowd.services import pending_fold
from smartexpo.devices.services import device_create, device_revoke
from smartexpo.exhibitors.models import BoothAssignment, ExhibitorStatus, Sector, Tag
from smartexpo.exhibitors.services import booth_assign, exhibitor_create
from smartexpo.programme.services.editing import forum_create, session_create
from smartexpo.programme.services.reservations import agenda_feed_secret
from smartexpo.tickets.models import SigningKey, Ticket, WaitlistEntry
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.tickets.services.erasure import registration_erase
from smartexpo.tickets.services.registration import registration_create
from smartexpo.tickets.services.restricted import (
    invitations_create,
    pass_grant_set,
    staff_pass_issue,
)
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.tickets.services.waitlist import offer_token, waitlist_join
from smartexpo.venue.models import Booth, Expo, Gate, Zone, ZoneKind
from smartexpo.venue.services import booth_create
from tests.checkin.conftest import make_types
from tests.conftest import ApiClient, make_expo

A = "/api/v1/expos/test-2019"
NINE = "2019-08-26T09:30:00+08:00"


@dataclass
class World:
    values: dict  # path parameters and body values, by the names matrix.py uses
    tokens: dict[str, str]  # role key → bearer token
    sessions: dict[str, str]  # role key → session cookie
    initial_state: str | None = None  # a digest of its database as built (test_matrix)


def _zone(expo, code, kind, **extra) -> Zone:
    return Zone.objects.create(
        expo=expo,
        code=code,
        kind=kind,
        name_en=f"Zone {code}",
        name_zh=f"{code}区",
        area_m2=extra.pop("area_m2", Decimal(1000)),
        capacity=extra.pop("capacity", 500),
        **extra,
    )


def _edition_a(sector, tags) -> tuple[Expo, dict]:
    expo = make_expo()
    venue = _zone(expo, "V", ZoneKind.VENUE, area_m2=Decimal(5000), capacity=3000)
    n1 = _zone(expo, "N1", ZoneKind.HALL, position=1, plan_width=Decimal(50), plan_depth=20)
    s1 = _zone(expo, "S1", ZoneKind.HALL, position=2, plan_x=60, plan_width=50, plan_depth=20)
    _zone(expo, "R1", ZoneKind.ROOM, area_m2=Decimal(300), capacity=200, position=10)
    _zone(expo, "N1-B", ZoneKind.BOOTH, hall=n1, area_m2=Decimal(36), capacity=20, position=11)
    Gate.objects.create(expo=expo, code="G1", name_en="North gate", name_zh="北门", zone=venue)
    Gate.objects.create(expo=expo, code="G-N1", name_en="N1 gate", name_zh="N1门", zone=n1)
    for n in range(2):
        booth_create(hall=n1, code=f"N1-{n + 1:03d}", x=n * 6, y=0, width=6, depth=6)
    booth_create(hall=s1, code="S1-001", x=0, y=0, width=12, depth=6)
    huawei = exhibitor_create(
        expo=expo,
        slug="huawei",
        name_en="Huawei",
        name_zh="华为",
        sector=sector,
        tags=tags,
        fortune500=True,
        status=ExhibitorStatus.APPROVED,
    )
    pending = exhibitor_create(expo=expo, slug="newcomer", name_en="Newcomer", sector=sector)
    booth_assign(booth=Booth.objects.get(expo=expo, code="N1-001"), exhibitor=huawei)
    return expo, {"huawei": huawei, "pending": pending}


def _edition_b(sector):
    expo = make_expo(slug="test-2018", starts_on=dt.date(2018, 8, 23), ends_on=dt.date(2018, 8, 25))
    venue = _zone(expo, "V", ZoneKind.VENUE)
    Gate.objects.create(expo=expo, code="G1", name_en="Gate", name_zh="门", zone=venue)
    exhibitor = exhibitor_create(
        expo=expo, slug="huawei", name_en="Huawei", sector=sector, status=ExhibitorStatus.APPROVED
    )
    _d, scanner = device_create(expo=expo, name="B scanner", kind="scanner", gates=["G1"])
    _d, sensor = device_create(expo=expo, name="B sensor", kind="sensor", zones=["V"])
    _t, staff = token_create(role=Role.EXHIBITOR, name="B Huawei", exhibitor=exhibitor)
    return {"exhibitor_b": staff, "scanner_b": scanner, "sensor_b": sensor}


def _person(n: int, **extra) -> dict:
    return {"name": f"Visitor {n}", "email": f"visitor{n}@example.cn", **extra}


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _portal(huawei, visitor) -> dict:
    """Huawei's portal: an administrator and a staff member, an invitation waiting, a
    showcase item with a picture, and a password-reset link of the visitor's."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_encode

    from smartexpo.exhibitors.members import invitation_create
    from smartexpo.exhibitors.models import ExhibitorInvitation, ExhibitorMember, MemberRole
    from smartexpo.exhibitors.services import showcase_item_add
    from tests.portal.images import picture

    users = get_user_model().objects
    for email, role in (("admin@huawei.example", "admin"), ("staff@huawei.example", "staff")):
        user = users.create_user(email, email=email, password="pw-matrix-4")
        ExhibitorMember.objects.create(user=user, exhibitor=huawei, role=role)
    _invitation, token = invitation_create(
        exhibitor=huawei, email="wang.fang@huawei.example", role=MemberRole.STAFF
    )
    item = showcase_item_add(exhibitor=huawei, title_en="5G base station", image=picture())
    return {
        "exhibitor_slug": huawei.slug,
        "portal_invitation": token,
        "portal_invitation_id": ExhibitorInvitation.objects.get().pk,
        "portal_member": ExhibitorMember.objects.get(role=MemberRole.STAFF).pk,
        "showcase_item": item.pk,
        "image": item.image.get_absolute_url().rsplit("/", 1)[1],
        "reset_uid": urlsafe_base64_encode(str(visitor.pk).encode()),
        "reset_token": default_token_generator.make_token(visitor),
        "exhibitors.exhibitorinvitation": ExhibitorInvitation.objects.get().pk,
        "exhibitors.exhibitormember": ExhibitorMember.objects.get(role=MemberRole.ADMIN).pk,
    }


def _programme(expo, holders) -> dict:
    """A published programme without warnings (with the door's session made before): a
    keynote with a speaker who has a photo (no reservation), a seated talk nobody reserved,
    and one where both holders hold a seat — one object of each model the admin shows."""
    from smartexpo.programme.models import Forum, Reservation
    from smartexpo.programme.services.editing import session_create, speaker_create
    from smartexpo.programme.services.photos import speaker_photo_set
    from smartexpo.programme.services.publishing import programme_publish
    from smartexpo.programme.services.reservations import reservation_make
    from tests.portal.images import picture

    speaker = speaker_create(expo=expo, name_en="Ada Chen", name_zh="陈艾达")
    speaker_photo_set(speaker=speaker, photo=picture())
    made = {}
    for name, start, seats in (
        ("reserved", "10:40", 50),
        ("keynote", "11:40", None),
        ("seated", "14:00", 50),
    ):
        starts = dt.datetime.fromisoformat(f"2019-08-26T{start}:00+08:00")
        made[name], _warnings = session_create(
            expo=expo,
            forum="main",
            room="R1",
            title_en=f"Matrix {name}",
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=50),
            seats=seats,
            speakers=[speaker.pk] if name == "keynote" else [],
        )
    release = programme_publish(expo=expo, actor="matrix")
    for registration in holders:
        reservation_make(registration=registration, session_id=made["reserved"].pk)
    return {
        "session": made["keynote"].pk,
        "seated_session": made["seated"].pk,
        "reserved_session": made["reserved"].pk,
        "speaker": speaker.pk,
        "speaker_photo": speaker.photo_digest,
        "programme.forum": Forum.objects.get(expo=expo, code="main").pk,
        "programme.speaker": speaker.pk,
        "programme.session": made["keynote"].pk,
        "programme.release": release.pk,
        "programme.reservation": Reservation.objects.filter(registration=holders[0]).get().pk,
    }


def _recommend(expo, mine, other, huawei) -> dict:
    """The recommendations: R shares its email with exhibitors and has said "No thanks" to
    Huawei, Huawei to the other registration, and the edition's recommender is built."""
    from smartexpo.recommend.models import Dismissal, RecommenderModel
    from smartexpo.recommend.services.building import recommender_build
    from smartexpo.tickets.models import Registration

    Registration.objects.filter(pk=mine.pk).update(share=["email"])
    Dismissal.objects.create(expo=expo, registration=mine, exhibitor=huawei, by="visitor")
    Dismissal.objects.create(expo=expo, registration=other, exhibitor=huawei, by="exhibitor")
    recommender_build(expo=expo)
    return {
        "other_registration": other.pk,
        "recommend.recommendermodel": RecommenderModel.objects.get(expo=expo).pk,
    }


def _leads(expo, huawei, mine, other) -> dict:
    """Huawei's booth tablet (a lead device) and the lead it captured of R."""
    from smartexpo.leads.selectors import Capturer
    from smartexpo.leads.services.capture import lead_capture
    from smartexpo.leads.services.devices import lead_device_create

    tablet, _token = lead_device_create(expo=expo, exhibitor=huawei, name="Booth tablet")
    lead, _new = lead_capture(expo=expo, capturer=Capturer(huawei, tablet), secret=mine.secrets[0])
    return {
        "other_secret": other.secrets[0],
        "lead": lead.pk,
        "lead_device": tablet.pk,
        "leads.lead": lead.pk,
        "leads.leaddevice": tablet.lead_binding.pk,
    }


def _meetings_pages(expo) -> dict:
    """Business meetings' pages: a session of 4 tables in hall N1 (its table cards)."""
    from smartexpo.meetings.models import MeetingSession

    starts = dt.datetime(2019, 8, 26, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    session = MeetingSession.objects.create(
        expo=expo,
        code="pages-s1",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        slot_minutes=20,
        tables=4,
        zone=Zone.objects.get(expo=expo, code="N1"),
    )
    return {"meetings_pages_session": session.code}


def _meetings_checkin(expo, huawei, mine, other) -> dict:
    """Business meeting check-in: a session on 26 August 2019 and, in its 10:00 slot, the
    other registration's meetings with Huawei (table 1) and with R (table 2) — the one
    person in two meetings at once only here, so that both sides scanning its ticket are
    asked on one row (the solver never books it so)."""
    from smartexpo.meetings.models import Meeting, MeetingRequest, MeetingSession, Participant

    cst = dt.timezone(dt.timedelta(hours=8))
    session = MeetingSession.objects.create(
        expo=expo,
        code="b2b-scan",
        starts_at=dt.datetime(2019, 8, 26, 9, 0, tzinfo=cst),
        ends_at=dt.datetime(2019, 8, 26, 15, 0, tzinfo=cst),
        slot_minutes=20,
        tables=10,
    )
    # get_or_create: the requests' block (`_meetings`) opts the same people in.
    them, _ = Participant.objects.get_or_create(expo=expo, registration=other, open=True)
    starts = dt.datetime(2019, 8, 26, 10, 0, tzinfo=cst)
    for table, partner in enumerate(
        (
            Participant.objects.get_or_create(expo=expo, exhibitor=huawei, open=True)[0],
            Participant.objects.get_or_create(expo=expo, registration=mine, open=True)[0],
        ),
        start=1,
    ):
        low, high = sorted([them, partner], key=lambda p: p.pk)
        request = MeetingRequest.objects.create(
            expo=expo,
            requester=partner,
            recipient=them,
            low=low,
            high=high,
            priority="want",
            status="accepted",
        )
        Meeting.objects.create(
            request=request,
            session=session,
            slot=3,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=20),
            table=table,
        )
    return {"meeting_scan_session": session.code, "meeting_at": "2019-08-26T10:05:00+08:00"}


def build_world() -> World:
    sector = Sector.objects.create(code="information-technology", name_en="IT", name_zh="信息技术")
    tags = [Tag.objects.create(code="ai", name_en="AI", name_zh="人工智能")]
    expo, exhibitors = _edition_a(sector, tags)
    tokens = _edition_b(sector)

    # Tickets: R and another registration on the day pass; a one-place day sold out, whose
    # place, freed, is offered to the first on its waiting list.
    make_types(expo)
    # A session of the programme in room R1 (its attendance at the door).
    forum_create(expo=expo, code="main", name_en="Main Forum", name_zh="主论坛")
    door_session, _warnings = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Opening keynote",
        starts_at=dt.datetime(2019, 8, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        ends_at=dt.datetime(2019, 8, 26, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        seats=10,
    )
    ticket_type_create(
        expo=expo, code="tiny", name_en="Tiny", name_zh="小", days=["2019-08-28"], quota_per_day=1
    )
    mine = registration_create(expo=expo, ticket_type="day", days=["2019-08-26"], **_person(1))
    other = registration_create(expo=expo, ticket_type="day", days=["2019-08-26"], **_person(2))
    sold = registration_create(expo=expo, ticket_type="tiny", days=["2019-08-28"], **_person(3))
    waiting = waitlist_join(expo=expo, ticket_type="tiny", day="2019-08-28", **_person(4))
    registration_cancel(registration=sold.registration)
    # An entry of the audit log: the person whose place went to the waiting list erased.
    registration_erase(registration=sold.registration, actor="admin organizer", via="admin")
    offer = offer_token(WaitlistEntry.objects.get(pk=waiting.pk))
    # Restricted types: a code of a type by invitation, a request awaiting approval, and a
    # staff pass Huawei issued within its grant.
    for code, access in (("gala", "invitation"), ("press", "approval"), ("crew", "exhibitor")):
        ticket_type_create(
            expo=expo, code=code, name_en=code, days=["2019-08-26"], quota_per_day=9, access=access
        )
    (invitation,) = invitations_create(expo=expo, ticket_type="gala")
    request = registration_create(expo=expo, ticket_type="press", days=["2019-08-26"], **_person(5))
    grant = pass_grant_set(exhibitor=exhibitors["huawei"], ticket_type="crew", passes=5)
    staff_pass = staff_pass_issue(exhibitor=exhibitors["huawei"], **_person(6))

    # Devices and tokens of edition A.
    scanner_device, tokens["scanner"] = device_create(
        expo=expo, name="Gate scanner", kind="scanner", gates=["G1", "G-N1"]
    )
    _sensor, tokens["sensor"] = device_create(
        expo=expo, name="Every zone", kind="sensor", zones=["V", "N1", "S1", "R1", "N1-B"]
    )
    gone, tokens["revoked"] = device_create(expo=expo, name="Lost", kind="scanner", gates=["G1"])
    device_revoke(device=gone)
    spare, _token = device_create(expo=expo, name="Spare", kind="scanner", gates=["G1"])
    _t, tokens["organizer"] = token_create(role=Role.ORGANIZER, name="Organiser")
    exhibitor_token, tokens["exhibitor"] = token_create(
        role=Role.EXHIBITOR, name="Huawei staff", exhibitor=exhibitors["huawei"]
    )
    tokens["holder"], tokens["other_holder"] = mine.manage_token, other.manage_token

    # Records: a scan in the check-in log, and hall S1 filled to its capacity (an alert).
    scan = {"secret": other.secrets[0], "gate": "G1", "direction": "in", "nonce": "world-1"}
    answer = ApiClient(tokens["scanner"]).post(A + "/checkin/scans", {**scan, "scanned_at": NINE})
    assert answer.json()["result"] == "admit", answer.content
    full = {"id": "full", "zone": "S1", "kind": "enter", "at": NINE, "count": 500}
    answer = ApiClient(tokens["sensor"]).post(A + "/venue/events", {"events": [full]})
    assert answer.json()["accepted"] == 1, answer.content
    pending_fold(expo=expo)

    users = get_user_model().objects
    boss = users.create_superuser("organizer", "organizer@example.org", "pw-matrix-1")
    clerk = users.create_user("clerk", password="pw-matrix-2", is_staff=True)
    visitor = users.create_user("visitor", password="pw-matrix-3")
    sessions = {"admin": _session(boss), "staff": _session(clerk), "user": _session(visitor)}

    alert = CrowdAlert.objects.get(expo=expo)
    portal = _portal(exhibitors["huawei"], visitor)
    values = {
        "expo": expo.slug,
        "hall": "N1",
        "ticket_type": "day",
        "free_booth": "N1-002",
        "taken_booth": "N1-001",
        "exhibitor": exhibitors["huawei"].pk,
        "pending_exhibitor": exhibitors["pending"].pk,
        "registration": mine.registration.pk,
        "serial": mine.tickets[0].serial,
        "other_serial": other.tickets[0].serial,
        "secret": mine.secrets[0],
        "manage_token": mine.manage_token,
        "agenda_secret": agenda_feed_secret(registration=mine.registration),
        "offer_token": offer,
        "spare_device": spare.pk,
        "door_session": door_session.pk,
        "invitation_code": invitation.code,
        "pending_request": request.registration.pk,
        "staff_pass": staff_pass.registration.pk,
        "exhibitor_slug": exhibitors["huawei"].slug,
        "exhibitor_token": exhibitor_token.pk,
        "alert": alert.pk,
        "plotly_version": metadata.version("plotly"),
        "admin_app": "venue",
        "admin_missing": "nothing-here/",
        "expo_content_type": ContentType.objects.get_for_model(Expo).pk,
        # one object of every model the admin shows
        "auth.group": Group.objects.create(name="Gate staff").pk,
        "auth.user": visitor.pk,
        "core.apitoken": ApiToken.objects.filter(role=Role.ORGANIZER).get().pk,
        "core.auditentry": AuditEntry.objects.order_by("pk").first().pk,
        "venue.expo": expo.pk,
        "venue.hall": Zone.objects.get(expo=expo, code="N1").pk,
        "venue.forumroom": Zone.objects.get(expo=expo, code="R1").pk,
        "venue.zone": Zone.objects.get(expo=expo, code="N1-B").pk,
        "venue.gate": Gate.objects.get(expo=expo, code="G1").pk,
        "venue.booth": Booth.objects.get(expo=expo, code="N1-001").pk,
        "exhibitors.sector": sector.pk,
        "exhibitors.tag": tags[0].pk,
        "exhibitors.exhibitor": exhibitors["huawei"].pk,
        "exhibitors.boothassignment": BoothAssignment.objects.get().pk,
        "tickets.tickettype": mine.registration.ticket_type_id,
        "tickets.registration": mine.registration.pk,
        "tickets.ticket": Ticket.objects.get(serial=mine.tickets[0].serial).pk,
        "tickets.signingkey": SigningKey.objects.get(expo=expo).pk,
        "tickets.waitlistentry": waiting.pk,
        "tickets.invitation": invitation.pk,
        "tickets.passgrant": grant.pk,
        "devices.device": scanner_device.pk,
        "checkin.scan": Scan.objects.get().pk,
        "crowd.sensorevent": SensorEvent.objects.get().pk,
        "crowd.crowdalert": alert.pk,
        "crowd.zoneday": ZoneDay.objects.filter(zone__code="S1").first().pk,
        **portal,
        **_leads(expo, exhibitors["huawei"], mine, other),
    }
    # After the values above: publishing writes the audit log's second entry.
    values.update(_programme(expo, [mine.registration, other.registration]))
    values.update(_recommend(expo, mine.registration, other.registration, exhibitors["huawei"]))
    values.update(_meetings_pages(expo))
    values.update(
        _meetings_checkin(expo, exhibitors["huawei"], mine.registration, other.registration)
    )
    return World(values=values, tokens=tokens, sessions=sessions)


# --- business meetings (tests/permissions/rows/meetings.py) -------------------------------------


def _meetings(expo, huawei, mine, other) -> dict:
    """Business meetings: a session "b2b" at tables in hall N1, another approved exhibitor
    (ZTE, no token), R and the other registration opted in, R's pending request to Huawei, R's
    busy hour, and the other registration's accepted request to ZTE scheduled at table 1."""
    from smartexpo.exhibitors.models import ExhibitorStatus
    from smartexpo.exhibitors.services import exhibitor_create
    from smartexpo.meetings.models import Meeting, Participant
    from smartexpo.meetings.services.availability import availability_set
    from smartexpo.meetings.services.participants import participation_set
    from smartexpo.meetings.services.requests import request_create, request_transition
    from smartexpo.meetings.services.sessions import session_create

    starts = dt.datetime.fromisoformat("2019-08-27T09:00:00+08:00")
    session = session_create(
        expo=expo,
        code="b2b",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        slot_minutes=20,
        tables=10,
        zone="N1",
    )
    zte = exhibitor_create(
        expo=expo, slug="zte", name_en="ZTE", sector=huawei.sector, status=ExhibitorStatus.APPROVED
    )
    for registration in (mine, other):
        participation_set(
            expo=expo, ref={"registration": registration.pk}, open=True, cap=None, cap_given=False
        )
    asked = request_create(
        expo=expo,
        requester={"registration": mine.pk},
        recipient={"exhibitor": huawei.pk},
        priority="want",
    )
    availability_set(
        expo=expo, ref={"registration": mine.pk}, busy=[(starts, starts + dt.timedelta(hours=1))]
    )
    placed = request_create(
        expo=expo,
        requester={"registration": other.pk},
        recipient={"exhibitor": zte.pk},
        priority="must",
    )
    request_transition(request=placed, action="accept", by=None)
    meeting = Meeting.objects.create(
        request=placed,
        session=session,
        slot=0,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=20),
        table=1,
    )
    return {
        "meeting_session": session.code,
        "meeting_request": asked.pk,
        "zte": zte.pk,
        "meetings.meetingsession": session.pk,
        "meetings.participant": Participant.objects.get(registration=mine).pk,
        "meetings.meetingrequest": asked.pk,
        "meetings.meeting": meeting.pk,
    }


# The world above, with the meetings' objects added: wrapped rather than edited, so that the
# areas added beside it (each wrapping the one before) never touch the same lines.
_build_world_before_meetings = build_world


def build_world() -> World:
    world = _build_world_before_meetings()
    from smartexpo.exhibitors.models import Exhibitor
    from smartexpo.tickets.models import Registration

    values = world.values
    world.values.update(
        _meetings(
            Expo.objects.get(slug=values["expo"]),
            Exhibitor.objects.get(pk=values["exhibitor"]),
            Registration.objects.get(pk=values["registration"]),
            Registration.objects.get(pk=values["other_registration"]),
        )
    )
    return world


# --- deals (tests/permissions/rows/deals_api.py) ------------------------------------------------


def _deals(expo, huawei) -> dict:
    """Deals: one public deal of edition A signed with Huawei at the expo (its log entry, its
    ledger and the edition's deals key come with it)."""
    from smartexpo.deals.models import DealsKey, Ledger, LogEntry
    from smartexpo.deals.selectors import tally
    from smartexpo.deals.services.deals import deal_create

    deal = deal_create(
        expo=expo,
        data={
            "title": {"en": "Smart factory", "zh": "智能工厂"},
            "sector": huawei.sector.code,
            "kind": "procurement",
            "amount": "1000000.00",
            "signed_on": expo.starts_on.isoformat(),
            "at_expo": True,
            "parties": [{"name": {"en": "Acme"}, "country": "DE"}, {"exhibitor": huawei.slug}],
        },
    )
    tally(expo=expo)  # makes the edition's deals key
    return {
        "deal": deal.pk,
        "deals.deal": deal.pk,
        "deals.logentry": LogEntry.objects.get(expo=expo, deal=deal.pk).pk,
        "deals.ledger": Ledger.objects.get(expo=expo).pk,
        "deals.dealskey": DealsKey.objects.get(expo=expo).pk,
    }


_build_world_before_deals = build_world


def build_world() -> World:
    world = _build_world_before_deals()
    from smartexpo.exhibitors.models import Exhibitor

    values = world.values
    world.values.update(
        _deals(
            Expo.objects.get(slug=values["expo"]),
            Exhibitor.objects.get(pk=values["exhibitor"]),
        )
    )
    return world


# --- deals pages (tests/permissions/rows/deals_pages.py) --------------------------------------


def _deals_pages(expo, other) -> dict:
    """The deals pages: a deal of edition A signed at the expo with a German counterpart, one
    whose amount is confidential, and one of edition B."""
    from smartexpo.deals.services.deals import deal_create

    def deal(edition, title, **extra):
        data = {
            "title": {"en": title},
            "sector": "information-technology",
            "kind": "procurement",
            "amount": "1000.00",
            "signed_on": str(edition.starts_on),
            "parties": [{"name": {"en": "Acme Holdings"}, "country": "DE"}],
            **extra,
        }
        return deal_create(expo=edition, data=data).pk

    return {
        "deals_pages_deal": deal(expo, "Smart factory", at_expo=True),
        "deals_pages_confidential": deal(expo, "Quiet venture", amount_confidential=True),
        "deals_pages_other_edition": deal(other, "Older project"),
    }


_build_world_before_deals_pages = build_world


def build_world() -> World:
    world = _build_world_before_deals_pages()
    expo = Expo.objects.get(slug=world.values["expo"])
    world.values.update(_deals_pages(expo, Expo.objects.get(slug="test-2018")))
    return world


# --- deals: entry, documents and the admin (tests/permissions/rows/deals_*.py) ----------------


def _deals_entry(expo) -> dict:
    """A deal entered through its service (its log entry and the ledger's head come with it),
    one PDF kept with it, the edition's deals key, and an exchange rate."""
    from smartexpo.deals.models import ExchangeRate, Ledger, LogEntry
    from smartexpo.deals.services.deals import deal_create, document_add
    from smartexpo.deals.services.keys import deals_key_active

    Sector.objects.get_or_create(
        code="information-technology", defaults={"name_en": "IT", "name_zh": "信息技术"}
    )
    deal = deal_create(
        expo=expo,
        data={
            "ref": "matrix-1",
            "title": {"en": "Smart factory", "zh": "智能工厂"},
            "sector": "information-technology",
            "kind": "procurement",
            "amount": "1000000.00",
            "signed_on": "2019-08-26",
            "at_expo": True,
            "parties": [{"name": {"en": "Acme"}, "country": "DE"}, {"exhibitor": "huawei"}],
        },
    )
    document = document_add(expo=expo, deal_id=deal.pk, name="contract.pdf", data=b"%PDF-1.4\n")
    rate = ExchangeRate.objects.create(currency="USD", on=dt.date(2019, 8, 1), rate=Decimal("7"))
    return {
        "entry_deal": deal.pk,
        "entry_document": document.pk,
        "deals.deal": deal.pk,
        "deals.document": document.pk,
        "deals.exchangerate": rate.pk,
        "deals.logentry": LogEntry.objects.filter(expo=expo, deal=deal.pk).first().pk,
        "deals.ledger": Ledger.objects.get(expo=expo).pk,
        "deals.dealskey": deals_key_active(expo=expo).pk,
    }


# Wrapped as the meetings' world is, so that the areas added beside it never touch one line.
_build_world_before_deals_entry = build_world


def build_world() -> World:
    world = _build_world_before_deals_entry()
    world.values.update(_deals_entry(Expo.objects.get(slug=world.values["expo"])))
    return world


# --- planning: the lanes page's kept plan (tests/permissions/rows/planning.py) ----------------


def _planning(expo, sessions) -> dict:
    """A plan of gate G1 kept in the admin's and the staff account's sessions, as the lanes
    page keeps an upload; its key is what the exports' addresses name."""
    from django.contrib.sessions.backends.db import SessionStore

    from smartexpo.planning.pages import Target, stash_put
    from tests.permissions.rows.planning import ARRIVALS

    key = None
    for role in ("admin", "staff"):
        session = SessionStore(session_key=sessions[role])
        key = stash_put(
            session, expo=expo, text=ARRIVALS, name="arrivals.csv", target=Target(), shifts=None
        )
        session.save()
    return {"lanes_plan": key}


_build_world_before_planning = build_world


def build_world() -> World:
    world = _build_world_before_planning()
    expo = Expo.objects.get(slug=world.values["expo"])
    world.values.update(_planning(expo, world.sessions))
    return world


# --- reports: a built report job and a daily email (tests/permissions/rows/reports_jobs.py) ---


def _report_jobs(expo) -> dict:
    """A report job of edition A, finished (its file is a few stand-in bytes: the matrix asks
    who may fetch it, not what it holds), and a daily report email's schedule."""
    from smartexpo.reports.models import JobStatus, ReportJob
    from smartexpo.reports.services.jobs import job_create
    from smartexpo.reports.services.schedules import schedule_create

    job, _created = job_create(expo=expo, kind="edition-xlsx", requested_by="matrix")
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        result=b"PK\x03\x04",
        content_type="application/octet-stream",
        filename="matrix.xlsx",
        done=2,
        total=2,
    )
    schedule = schedule_create(
        expo=expo,
        recipients=["board@example.org"],
        send_time=dt.time(18, 30),
        kinds=["edition-pdf"],
    )
    return {"report_job": job.pk, "report_schedule": schedule.pk}


_build_world_before_report_jobs = build_world


def build_world() -> World:
    world = _build_world_before_report_jobs()
    world.values.update(_report_jobs(Expo.objects.get(slug=world.values["expo"])))
    return world
