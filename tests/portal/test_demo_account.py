"""The demo's exhibitor administrator: created once, with a random password kept like the
demo organiser's, and shown by `smartexpo demo login`."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from smartexpo.exhibitors.models import ExhibitorMember, MemberRole
from smartexpo.exhibitors.services import exhibitor_create
from tests.conftest import make_expo


def login_lines(capsys) -> dict[str, str]:
    call_command("demo", "login")
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    return {line.split("  ")[0]: line.split("  ", 1)[1].strip() for line in lines if "  " in line}


def test_demo_login_creates_the_exhibitor_admin_once(settings, tmp_path, capsys, taxonomy):
    settings.DATA_DIR = tmp_path
    sectors, _tags = taxonomy
    expo = make_expo(slug="sce-2019")
    exhibitor_create(
        expo=expo, slug="huawei", name_en="Huawei", sector=sectors["information-technology"]
    )
    first = login_lines(capsys)
    assert first["Exhibitor portal"] == "http://127.0.0.1:8000/portal/sce-2019/huawei/"
    email, password = first["Exhibitor login"].split(", password ")
    assert login_lines(capsys)["Exhibitor login"] == first["Exhibitor login"]
    assert (tmp_path / "demo-exhibitor-password").stat().st_mode & 0o077 == 0
    member = ExhibitorMember.objects.get(user__email=email)
    assert member.role == MemberRole.ADMIN and member.exhibitor.slug == "huawei"
    client = Client()
    assert client.login(username=email, password=password)
    assert client.get("/portal/sce-2019/huawei/").status_code == 200


def test_demo_login_before_the_seed_says_so(settings, tmp_path, capsys, db):
    settings.DATA_DIR = tmp_path
    assert "seed the demo first" in login_lines(capsys)["Exhibitor portal"]
