"""The exhibitor reports' ZIP, who may download a report (the exhibitor's own staff in the
portal, organisers one or all), and the command that writes them."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from smartexpo.exhibitors.models import MemberRole
from smartexpo.reports.exhibitor_bundle import exhibitors_zip
from smartexpo.reports.worker import worker_pass
from tests.portal.conftest import member, signed_in
from tests.reports.conftest import END, LENOVO, ZTE
from tests.reports.test_exhibitor_report import text_of

pytestmark = pytest.mark.django_db

PORTAL = "/portal/test-2019/{slug}/report.pdf"
JOBS = "/api/v1/expos/test-2019/reports"
ONE = "/expos/test-2019/reports/exhibitors/{pk}/report.pdf"
MEMBERS = {
    "huawei": "N1-001_huawei.pdf",
    "lenovo": "N1-003_lenovo-lianxiang.pdf",
    "toyota": "S1-001_toyota.pdf",
    "zte": "N1-002_zte-zhongxing.pdf",
}
# What each exhibitor's report must not hold of the others in hall N1.
OTHERS = {
    "huawei": ["Huawei", "华为", "N1-001"],
    "zte": [ZTE["name_en"], ZTE["name_zh"], ZTE["booth"], "ZTE private note"],
    "lenovo": [LENOVO["name_en"], LENOVO["name_zh"], LENOVO["booth"]],
}


def squeezed(pdf: bytes) -> str:
    return "".join(text_of(pdf).split())


def test_the_zip_has_one_pdf_per_approved_exhibitor_and_reports_progress(exhibitors_show):
    calls = []
    body = exhibitors_zip(expo=exhibitors_show, at=END, progress=lambda *a: calls.append(a))
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == sorted(MEMBERS.values())  # not the pending Newcomer
    assert calls == [(n, 4) for n in range(1, 5)]
    for slug, name in MEMBERS.items():
        text = squeezed(archive.read(name))
        assert "Exhibitorreport" in text and "展商报告" in text
        for other, values in OTHERS.items():
            if other == slug:
                continue
            for value in values:
                assert value.replace(" ", "") not in text, (slug, value)


def test_drawn_by_two_processes_the_zip_holds_the_same_pdfs(exhibitors_show, monkeypatch):
    from smartexpo.reports import exhibitor_bundle

    alone = zipfile.ZipFile(io.BytesIO(exhibitors_zip(expo=exhibitors_show, at=END)))
    monkeypatch.setattr(exhibitor_bundle, "PARALLEL_FROM", 1)
    calls = []
    body = exhibitors_zip(
        expo=exhibitors_show, at=END, processes=2, progress=lambda *a: calls.append(a)
    )
    together = zipfile.ZipFile(io.BytesIO(body))
    assert together.namelist() == alone.namelist()
    for name in alone.namelist():
        assert together.read(name) == alone.read(name), name
    assert calls == [(n, 4) for n in range(1, 5)]
    assert exhibitor_bundle._shared is None
    # The parent's connection is still its own after the children are gone.
    assert exhibitors_show.test_exhibitors["huawei"].__class__.objects.count() >= 4


def test_the_zip_without_progress(show):
    archive = zipfile.ZipFile(io.BytesIO(exhibitors_zip(expo=show, at=END)))
    assert sorted(archive.namelist()) == ["N1-001_huawei.pdf", "S1-001_toyota.pdf"]


# --- the portal: the exhibitor's own staff -----------------------------------------------------


@pytest.mark.parametrize("role", [MemberRole.ADMIN, MemberRole.STAFF])
def test_the_exhibitors_own_staff_download_its_report(exhibitors_show, role):
    huawei = exhibitors_show.test_exhibitors["huawei"]
    client = signed_in(member(huawei, f"{role}@huawei.example", role))
    answer = client.get(PORTAL.format(slug="huawei"))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert 'filename="N1-001_huawei.pdf"' in answer["Content-Disposition"]
    text = squeezed(answer.content)
    assert "Huawei" in text and "华为" in text
    assert ZTE["name_en"].replace(" ", "") not in text
    home = client.get("/portal/test-2019/huawei/").content.decode()
    assert 'href="/portal/test-2019/huawei/report.pdf"' in home


def test_others_get_the_portals_refusal(exhibitors_show):
    url = PORTAL.format(slug="huawei")
    zte = exhibitors_show.test_exhibitors["zte"]
    other = signed_in(member(zte, "admin@zte.example", MemberRole.ADMIN))
    assert other.get(url).status_code == 404
    # …and ZTE's own is theirs.
    assert other.get(PORTAL.format(slug="zte")).status_code == 200
    visitor = get_user_model().objects.create_user("visitor", password="pw-for-tests")
    assert signed_in(visitor).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/portal/login/")


# --- organisers ----------------------------------------------------------------------------------


def organiser() -> Client:
    user = get_user_model().objects.create_user("ops", password="pw-for-tests", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_organisers_download_one_report(exhibitors_show):
    client = organiser()
    zte = exhibitors_show.test_exhibitors["zte"]
    one = client.get(ONE.format(pk=zte.pk))
    assert one.status_code == 200
    assert 'filename="N1-002_zte-zhongxing.pdf"' in one["Content-Disposition"]
    assert ZTE["name_en"].replace(" ", "") in squeezed(one.content)


def test_every_report_as_a_zip_is_a_report_job_with_its_progress(exhibitors_show, organizer):
    # At full scale the ZIP takes longer than a request may: it is built by the report worker.
    asked = organizer.post(JOBS, {"kind": "exhibitors-zip"})
    assert asked.status_code == 202, asked.content
    assert worker_pass() == 1
    job = organizer.get(f"{JOBS}/{asked.json()['id']}").json()
    assert job["status"] == "done"
    assert job["progress"] == {"done": len(MEMBERS), "total": len(MEMBERS)}
    every = organizer.get(job["result_url"])
    assert every.status_code == 200
    assert every["Content-Type"] == "application/zip"
    assert 'filename="test-2019-exhibitor-reports.zip"' in every["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(every.content)).namelist()
    assert sorted(names) == sorted(MEMBERS.values())
    page = organiser().get("/expos/test-2019/reports/dashboard/").content.decode()
    assert 'name="kind" value="exhibitors-zip"' in page


def test_an_exhibitor_of_no_such_id_or_of_another_edition_is_not_found(expo, other_expo):
    from smartexpo.exhibitors.services import exhibitor_create

    elsewhere = exhibitor_create(
        expo=other_expo, slug="acme", name_en="Acme", sector=expo.test_exhibitors["huawei"].sector
    )
    client = organiser()
    assert client.get(ONE.format(pk=elsewhere.pk)).status_code == 404
    assert client.get(ONE.format(pk=999999)).status_code == 404


@pytest.mark.parametrize("url", [ONE.format(pk=1)])
def test_non_organisers_are_refused(expo, url):
    assert Client().get(url).status_code == 302
    visitor = get_user_model().objects.create_user("visitor", password="pw-for-tests")
    assert signed_in(visitor).get(url).status_code == 403
    huawei = expo.test_exhibitors["huawei"]
    assert (
        signed_in(member(huawei, "a@huawei.example", MemberRole.ADMIN)).get(url).status_code == 403
    )


# --- the command -------------------------------------------------------------------------------


def test_the_command_writes_the_zip_and_one_pdf(exhibitors_show, tmp_path):
    target, pdf = tmp_path / "all.zip", tmp_path / "one.pdf"
    huawei = exhibitors_show.test_exhibitors["huawei"]
    out = io.StringIO()
    call_command(
        "reports", "exhibitors", "--expo", "test-2019", "--zip", str(target),
        "--exhibitor", str(huawei.pk), "--pdf", str(pdf), "--at", "2019-08-30T00:00", stdout=out,
    )  # fmt: skip
    said = out.getvalue()
    assert "test-2019: 4 exhibitor reports in" in said
    assert "report of Huawei as of 2019-08-30T00:00:00+08:00" in said
    assert sorted(zipfile.ZipFile(target).namelist()) == sorted(MEMBERS.values())
    assert "Huawei" in text_of(pdf.read_bytes())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --zip FILE, or --exhibitor ID --pdf FILE"),
        (["--pdf", "x.pdf"], "--pdf and --exhibitor go together"),
        (["--exhibitor", "1", "--zip", "x.zip"], "--pdf and --exhibitor go together"),
        (["--exhibitor", "999999", "--pdf", "x.pdf"], "No exhibitor 999999"),
        (["--zip", "/nowhere/x.zip"], "--zip: no directory"),
        (["--zip", "x.zip", "--at", "soon"], "is not a date and time"),
    ],
)
def test_the_command_refuses_bad_input(expo, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("reports", "exhibitors", "--expo", "test-2019", *args)
