"""The exhibitor report's figures against the APIs that answer them for the same instant, and
its PDF: both languages, and nothing of another exhibitor."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.reports import exhibitor, exhibitor_pdf
from tests.conftest import ApiClient
from tests.reports.conftest import DAY1, END, LENOVO, ZTE

pytestmark = pytest.mark.django_db

A = "/api/v1/expos/test-2019"


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def report_of(expo, slug: str) -> dict:
    context = exhibitor.exhibitor_context(expo=expo, at=END)
    return exhibitor.exhibitor_report(context=context, exhibitor=expo.test_exhibitors[slug])


def client_of(firm) -> ApiClient:
    _token, raw = token_create(role=Role.EXHIBITOR, name="Staff", exhibitor=firm)
    return ApiClient(raw)


def test_the_footfall_is_the_footfall_apis_for_each_day(exhibitors_show):
    expo = exhibitors_show
    report = report_of(expo, "huawei")
    api = client_of(expo.test_exhibitors["huawei"])
    total_visits, total_seconds = 0, 0.0
    for row in report["footfall"]["days"]:
        answer = api.get(f"{A}/venue/footfall?day={row['day']}")
        assert answer.status_code == 200, answer.content
        items = answer.json()["items"]
        assert [i["booth"] for i in items] == ["N1-001"]
        (item,) = items
        assert row["visits"] == item["visits"]
        assert row["unique_visitors"] == item["unique_visitors"]
        assert row["peak"] == item["peak"]
        seconds = (item["mean_dwell_seconds"] or 0) * item["visits"]
        expected = round(seconds / item["visits"] / 60, 1) if item["visits"] else None
        assert row["mean_dwell_minutes"] == expected
        total_visits += item["visits"]
        total_seconds += seconds
    assert [d["day"] for d in report["footfall"]["days"]] == [d.isoformat() for d in expo.days]
    assert (
        report["footfall"]["days"][0]["day"] == DAY1
        and report["footfall"]["days"][1]["visits"] == 1
    )
    assert report["footfall"]["visits"] == total_visits == 4
    assert report["footfall"]["mean_dwell_minutes"] == round(total_seconds / 4 / 60, 1)
    # Three visits began at 10:00 (two on day 1, one on day 2), one at 11:00.
    assert report["footfall"]["hours"] == {10: 3, 11: 1}
    assert (report["footfall"]["peak_hour"], report["footfall"]["peak_hour_visits"]) == (10, 3)


def test_the_hall_and_sector_averages_are_over_the_three_booths(exhibitors_show):
    report = report_of(exhibitors_show, "huawei")
    (hall,) = report["halls"]
    assert (hall["code"], hall["members"]) == ("N1", 3)
    # Huawei 4 visits, ZTE 2, Lenovo 4.
    assert hall["visits"] == round(10 / 3, 1)
    sector = report["sector"]
    assert sector["exhibitors"] == 3  # the pending Newcomer is not among them
    assert sector["footfall"]["visits"] == round(10 / 3, 1)
    assert sector["leads"] == 1.0  # 2 + 1 + 0 over three
    assert sector["meetings_held"] == round(1 / 3, 1)


def test_an_average_over_fewer_than_three_is_withheld(show):
    # Toyota alone in hall S1 and in its sector; Huawei alone with a counted booth.
    report = report_of(show, "huawei")
    (hall,) = report["halls"]
    assert hall["members"] == 1 and hall["visits"] is None
    assert report["sector"]["footfall"]["visits"] is None
    assert report["sector"]["leads"] is None


def test_the_leads_are_the_leads_apis_with_their_ratings(exhibitors_show):
    expo = exhibitors_show
    for slug, ratings in (("huawei", [5, 3]), ("zte", [4]), ("lenovo", [])):
        answer = client_of(expo.test_exhibitors[slug]).get(f"{A}/leads")
        assert answer.status_code == 200
        body = answer.json()
        leads = report_of(expo, slug)["leads"]
        assert leads["total"] == body["count"] == len(ratings)
        assert sorted(i["rating"] for i in body["items"]) == sorted(ratings)
        by_rating = {r["rating"]: r["leads"] for r in leads["by_rating"] if r["leads"]}
        assert by_rating == {r: ratings.count(r) for r in ratings}


def test_the_report_lists_its_own_leads_as_its_staff_see_them_and_no_others(exhibitors_show):
    from smartexpo.leads.models import Lead
    from smartexpo.leads.selectors import holder

    expo = exhibitors_show
    mine = Lead.objects.filter(exhibitor=expo.test_exhibitors["huawei"]).order_by("-rating")
    rows = report_of(expo, "huawei")["leads"]["rows"]
    assert [(r["serial"], r["rating"]) for r in rows] == [(x.serial, x.rating) for x in mine]
    assert [r["visitor"] for r in rows] == [holder(x) for x in mine]
    assert all(r["visitor"] and "Secretname" not in r["visitor"] for r in rows)
    text = " ".join(text_of(exhibitor_pdf.exhibitor_pdf(report_of(expo, "huawei"))).split())
    for lead in mine:
        assert str(lead.serial) in text and holder(lead) in text
    (theirs,) = Lead.objects.filter(exhibitor=expo.test_exhibitors["zte"])
    assert str(theirs.serial) not in text
    # A visitor who withdrew is listed without a name.
    first = mine.first()
    first.withdrawn_at = first.captured_at
    first.save(update_fields=["withdrawn_at"])
    rows = report_of(expo, "huawei")["leads"]["rows"]
    assert [r["visitor"] is None for r in rows] == [True, False]


def test_meetings_held_exclude_one_sided_and_cancelled_ones(exhibitors_show):
    meetings = report_of(exhibitors_show, "huawei")["meetings"]
    assert meetings == {"scheduled": 2, "held": 1, "missed": 1}
    assert report_of(exhibitors_show, "zte")["meetings"] == {
        "scheduled": 0,
        "held": 0,
        "missed": 0,
    }


def test_sessions_given_are_those_of_a_speaker_from_the_exhibitor(exhibitors_show):
    (given,) = report_of(exhibitors_show, "huawei")["sessions"]
    assert given["title"]["en"] == "5G for factories"
    assert given["speakers"] == [{"en": "Mei Ling", "zh": "美玲"}]
    (theirs,) = report_of(exhibitors_show, "zte")["sessions"]
    assert theirs["title"]["en"] == "Routers at scale"
    assert report_of(exhibitors_show, "lenovo")["sessions"] == []


def test_the_pdf_is_in_english_then_chinese(exhibitors_show):
    pdf = exhibitor_pdf.exhibitor_pdf(report_of(exhibitors_show, "huawei"))
    assert pdf.startswith(b"%PDF")
    text = " ".join(text_of(pdf).split())
    english = text.index("Exhibitor report")
    chinese = text.index("展商报告")
    assert english < chinese
    for words in ("Booth footfall", "Peak hour: 10:00–11:00", "Leads", "5G for factories"):
        assert words in text
    squeezed = "".join(text.split())
    assert "华为" in squeezed and "展位客流" in squeezed and "信息技术" in squeezed


def test_no_other_exhibitors_name_booth_or_leads_in_a_report(exhibitors_show):
    pdf = exhibitor_pdf.exhibitor_pdf(report_of(exhibitors_show, "huawei"))
    text = text_of(pdf)
    squeezed = "".join(text.split())
    for firm in (ZTE, LENOVO):
        for value in (firm["name_en"], firm["booth"], firm["zone"]):
            assert value not in text
        assert firm["name_zh"] not in squeezed
    for secret in ("Toyota", "丰田", "S1-001", "ZTE private note", "Secretname", "Secretspeaker"):
        assert secret.replace(" ", "") not in squeezed
    assert "Huawei" in text and "N1-001" in text


def test_a_section_without_data_says_none(exhibitors_show):
    text = " ".join(
        text_of(exhibitor_pdf.exhibitor_pdf(report_of(exhibitors_show, "lenovo"))).split()
    )
    assert "None: your staff captured no lead." in text
    assert "None: no business meeting was scheduled with you." in text
    assert "None: no session of the published programme has a speaker of yours." in text
