"""The demo seeder: the facts of MISSION.md, a sound floor plan, determinism and idempotency."""

import datetime as dt

import pytest
from django.core.management import call_command

from smartexpo.demo.seed import demo_seed
from smartexpo.exhibitors.models import BoothAssignment, Exhibitor, ShowcaseItem
from smartexpo.venue.models import Booth, Expo, Zone, ZoneKind

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "exhibitors": sorted(
            Exhibitor.objects.values_list(
                "pk", "expo__slug", "slug", "name_en", "name_zh", "sector__code"
            )
        ),
        "booths": sorted(Booth.objects.values_list("pk", "code", "x", "y", "width", "depth")),
        "assignments": sorted(
            BoothAssignment.objects.values_list("pk", "booth__code", "exhibitor__slug")
        ),
        "tags": sorted(
            Exhibitor.tags.through.objects.values_list("pk", "exhibitor__slug", "tag__code")
        ),
        "showcase": sorted(
            ShowcaseItem.objects.values_list("pk", "exhibitor__slug", "position", "title_en")
        ),
        "zones": sorted(
            Zone.objects.values_list("pk", "code", "kind", "capacity", "position", "theme_en")
        ),
        "booth_zones": sorted(Booth.objects.values_list("code", "zone__code"), key=str),
    }


def test_seeding_twice_leaves_the_same_data_and_ids():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    demo_seed(seed=7)
    first = snapshot()
    with CaptureQueriesContext(connection) as queries:
        demo_seed(seed=7)
    assert snapshot() == first
    # Nothing to write the second time (but the two editions' own rows, refreshed as such).
    writes = [
        q["sql"][:60]
        for q in queries.captured_queries
        if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")
        and not q["sql"].startswith('UPDATE "venue_expo"')
    ]
    assert writes == []


def test_same_seed_same_demo_other_seed_other_demo():
    demo_seed(seed=1)
    names_1 = set(Exhibitor.objects.values_list("name_en", flat=True))
    Exhibitor.objects.all().delete()
    demo_seed(seed=1)
    assert set(Exhibitor.objects.values_list("name_en", flat=True)) == names_1
    demo_seed(seed=2)
    assert set(Exhibitor.objects.values_list("name_en", flat=True)) != names_1


def test_a_stale_booth_zone_goes_on_reseeding_unless_sensor_events_were_recorded_in_it():
    from django.utils import timezone

    from smartexpo.crowd.models import SensorEvent
    from smartexpo.devices.services import device_create

    demo_seed()
    expo = Expo.objects.get(slug="sce-2019")
    hall = Zone.objects.get(expo=expo, code="N1")
    stale = {
        code: Zone.objects.create(
            expo=expo,
            code=code,
            kind=ZoneKind.BOOTH,
            hall=hall,
            name_en=code,
            area_m2=36,
            capacity=36,
            position=5000,
        )
        for code in ("N1-900", "N1-901")
    }
    device, _token = device_create(expo=expo, name="booth sensor", kind="sensor", zones=["N1-901"])
    now = timezone.now()
    SensorEvent.objects.create(
        expo=expo,
        event_id="e1",
        device=device,
        zone=stale["N1-901"],
        kind="enter",
        at=now,
        received_at=now,
    )
    demo_seed()
    codes = set(Zone.objects.filter(expo=expo, code__in=stale).values_list("code", flat=True))
    assert codes == {"N1-901"}


def test_reseeding_with_another_seed_replaces_the_demo_exhibitors_exactly():
    demo_seed(seed=5)
    demo_seed(seed=2019)
    for slug, count in (("sce-2019", 843), ("sce-2018", 537)):
        assert Exhibitor.objects.filter(expo__slug=slug).count() == count
        assigned = set(
            BoothAssignment.objects.filter(expo__slug=slug).values_list("booth__code", flat=True)
        )
        zoned = set(
            Zone.objects.filter(expo__slug=slug, kind=ZoneKind.BOOTH).values_list("code", flat=True)
        )
        assert zoned == assigned


def test_cli_seed_reports_what_it_made_and_registers_visitors_once(capsys):
    call_command(
        "demo", "seed", "--seed", "3", "--quiet", "--visitors", "300", "--solve-seconds", "0"
    )
    out = capsys.readouterr().out
    assert "sce-2019: 843 exhibitors" in out
    assert "sce-2019: 300 registered visitors" in out
    from smartexpo.tickets.models import Registration, Ticket

    ids = set(Registration.objects.values_list("id", flat=True))
    call_command(
        "demo", "seed", "--seed", "3", "--quiet", "--visitors", "300", "--solve-seconds", "0"
    )
    assert set(Registration.objects.values_list("id", flat=True)) == ids
    assert Ticket.objects.count() == 300
    assert Registration.objects.filter(confirmation_sent_at__isnull=True).count() == 0


def test_cli_seed_refuses_an_absurd_visitor_count():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--visitors"):
        call_command("demo", "seed", "--quiet", "--visitors", "-5")


def test_demo_login_creates_an_organiser_once(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    call_command("demo", "login")
    first = capsys.readouterr().out
    call_command("demo", "login")
    assert capsys.readouterr().out == first
    assert "user organizer, password " in first
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="organizer")
    password = first.split("password ")[1].split()[0]
    assert user.is_superuser and user.check_password(password)


def test_demo_login_issues_a_working_scanner_token_and_the_public_pass_skips_hall_m(
    settings, tmp_path, capsys
):
    from smartexpo.demo.visitors import demo_visitors_seed
    from smartexpo.devices.models import Device
    from smartexpo.devices.services import device_revoke
    from smartexpo.tickets.issuing import ticket_secret
    from smartexpo.tickets.models import Ticket
    from tests.conftest import ApiClient

    settings.DATA_DIR = tmp_path
    demo_seed(seed=7)
    demo_visitors_seed(expo=Expo.objects.get(slug="sce-2019"), count=200, seed=7)

    def scanner_token():
        call_command("demo", "login")
        return capsys.readouterr().out.split("Scanner token")[1].split()[0]

    first = scanner_token()
    # `make demo` again shows the same token, kept for its owner's eyes only.
    assert scanner_token() == first
    assert (tmp_path / "demo-scanner-token").stat().st_mode & 0o777 == 0o600
    assert Device.objects.filter(name__startswith="Demo scanner").count() == 1
    # Revoked (by an organiser, say), it is replaced by a new one, shown from then on.
    device_revoke(device=Device.objects.get(name__startswith="Demo scanner"))
    token = scanner_token()
    assert token != first
    assert scanner_token() == token
    scans = "/api/v1/expos/sce-2019/checkin/scans"
    for code, expected in (("public-day", "zone_not_allowed"), ("professional", None)):
        ticket = Ticket.objects.filter(ticket_type__code=code, expo__slug="sce-2019").first()
        body = {
            "secret": ticket_secret(ticket),
            "gate": "G-M",
            "direction": "in",
            "nonce": code,
            "scanned_at": f"{ticket.days[0]}T10:00:00+08:00",
        }
        answer = ApiClient(token).post(scans, body).json()
        assert answer.get("reason") == expected, answer
    assert ApiClient(first).post(scans, body).status_code == 401


def test_the_demos_media_vip_and_staff_passes_are_restricted_and_exhibitors_have_passes():
    from smartexpo.demo.visitors import STAFF_PASSES, demo_visitors_seed
    from smartexpo.tickets.models import PassGrant, TicketType
    from tests.conftest import ApiClient

    demo_seed(seed=7)
    expo = Expo.objects.get(slug="sce-2019")
    demo_visitors_seed(expo=expo, count=100, seed=7)
    access = dict(TicketType.objects.filter(expo=expo).values_list("code", "access"))
    assert access == {
        "public-day": "open",
        "professional": "open",
        "media": "approval",
        "vip": "invitation",
        "exhibitor-staff": "exhibitor",
    }
    grants = PassGrant.objects.filter(ticket_type__expo=expo)
    assert grants.count() == Exhibitor.objects.filter(expo=expo).count()
    assert set(grants.values_list("passes", flat=True)) == {STAFF_PASSES}
    days = [d.isoformat() for d in expo.days]
    vip = ApiClient().post(
        "/api/v1/expos/sce-2019/registrations",
        {"ticket_type": "vip", "days": days, "name": "Guest", "email": "g@example.cn"},
    )
    assert vip.status_code == 403
    assert vip.json()["error"]["code"] == "invitation_required"


def test_the_2018_edition_is_closed_and_2019_stays_on_sale_whatever_today_is():
    import datetime as dt

    from smartexpo.demo import editions as facts
    from smartexpo.demo.seed import seed_edition
    from smartexpo.tickets.sales import edition_sale_state

    for ed in facts.EDITIONS:
        seed_edition(ed)
    earlier, demo = Expo.objects.get(slug="sce-2018"), Expo.objects.get(slug="sce-2019")
    # 2018 keeps the default: closed at the end of its last day, in Chongqing.
    closed = edition_sale_state(expo=earlier)
    assert (closed.reason, closed.instant.isoformat()) == ("closed", "2018-08-25T18:00:00+08:00")
    # The demo replays 2019 in any year: registration for it must work in years to come too.
    assert edition_sale_state(expo=demo).on_sale
    assert edition_sale_state(expo=demo, at=dt.datetime(2060, 1, 1, tzinfo=dt.UTC)).on_sale


def test_the_seed_command_reports_the_programme_and_the_audience(capsys):
    call_command(
        "demo", "seed", "--quiet", "--visitors", "300", "--seed", "7", "--solve-seconds", "0"
    )
    out = capsys.readouterr().out
    assert "illustrative programme of 21 forums" in out
    assert "seats reserved" in out and "sessions starred" in out
    assert dt.date(2019, 8, 26) in Expo.objects.get(slug="sce-2019").days
