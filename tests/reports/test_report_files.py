"""The post-show report's files: the PDF (its text read back, Chinese included), the XLSX
workbook (opened with openpyxl), who may download them, and the command that writes them."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from smartexpo.reports import edition, edition_pdf, edition_xlsx
from tests.reports.conftest import END

pytestmark = pytest.mark.django_db

PDF = "/expos/test-2019/reports/report.pdf"
XLSX = "/expos/test-2019/reports/report.xlsx"


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def report_in(expo, language: str) -> dict:
    with translation.override(language):
        return edition.edition_report(expo=expo, at=END)


def test_the_english_pdf_says_the_figures_and_what_is_not_measured(show):
    with translation.override("en"):
        report = edition.edition_report(expo=show, at=END)
        pdf = edition_pdf.report_pdf(report, languages=("en",))
    assert pdf.startswith(b"%PDF")
    text = " ".join(text_of(pdf).split())
    assert "Post-show report" in text
    assert "Visitors per day" in text and "Arrivals per gate" in text
    # The test edition's entrance gate G1 has no queue zone: its waits are said unmeasured.
    assert "Not measured at the entrance gates without a queue zone: G1." in text
    assert "Queue waits at the gates" not in text
    assert "Hall N1" in text and "Huawei" in text
    drift = report["quality"]["drift"]
    # S1 on day 2, and the venue zone (admitted through its gate, never counted out).
    assert f"Sensor drift: {drift['drifting']} of {drift['zone_days']} zone-days" in text
    assert "conflicts (offline admissions the server would have refused" in text
    # The figures are the report's: the gates' total and N1's peak.
    assert f"{report['gates']['total']:,}" in text
    assert "1,201" in text
    # Three charts drawn as images.
    images = sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert images == 3


def test_the_chinese_pdf_is_in_chinese_with_the_chinese_names(show):
    with translation.override("zh-hans"):
        report = edition.edition_report(expo=show, at=END)
        pdf = edition_pdf.report_pdf(report, languages=("zh-hans",))
    text = "".join(text_of(pdf).split())
    assert "展后报告" in text
    assert "每日观众" in text
    assert "N1馆" in text and "华为" in text
    assert "Post-show report" not in text


def test_the_pdf_is_bilingual_the_english_report_then_the_chinese_one(show):
    # Counted once, in English: the Chinese part still says the forecast's notes, the deal
    # kinds and the sync rules in Chinese.
    with translation.override("en"):
        report = edition.edition_report(expo=show, at=END)
        pdf = edition_pdf.report_pdf(report)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    first_zh = next(i for i, text in enumerate(pages) if "展后报告" in text.replace(" ", ""))
    english, chinese = " ".join(pages[:first_zh]), "".join("".join(pages[first_zh:]).split())
    assert "Post-show report" in english and "展后报告" not in english.replace(" ", "")
    assert "Post-show report" not in chinese and "每日观众" in chinese
    assert "N1馆" in chinese and "华为" in chinese
    notes = report["visitors"]["forecast_notes"]
    assert notes, "the fixture's forecast has caveats to say in both parts"
    with translation.override("zh-hans"):
        said = [note.again() for note in notes]
    for english_note, chinese_note in zip(notes, said, strict=True):
        assert english_note != chinese_note
        assert "".join(chinese_note.split()) in chinese
    images = sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert images == 6


def test_the_workbook_holds_the_reports_tables_as_numbers(show):
    with translation.override("en"):
        report = edition.edition_report(expo=show, at=END)
        book = openpyxl.load_workbook(io.BytesIO(edition_xlsx.report_xlsx(report)))
    assert book.sheetnames == [
        "Visitors",
        "Gates",
        "Gate waits",
        "Halls",
        "Footfall",
        "Forums",
        "Meetings",
        "Deals",
        "Data quality",
    ]
    visitors = list(book["Visitors"].iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in visitors] == [r["visitors"] for r in report["visitors"]["days"]]
    gates = {row[0]: row for row in book["Gates"].iter_rows(min_row=2, values_only=True)}
    for gate in report["gates"]["gates"]:
        days = len(report["gates"]["days"])
        assert list(gates[gate["code"]][2 : 2 + days]) == gate["days"]
        assert gates[gate["code"]][2 + days] == gate["total"]
    halls = {row[0]: row for row in book["Halls"].iter_rows(min_row=2, values_only=True)}
    assert halls["S1"][3] == 2500
    assert halls["S1"][6:12] == tuple(
        next(h for h in report["halls"]["halls"] if h["code"] == "S1")["minutes"][c]
        for c in "ABCDEF"
    )
    footfall = list(book["Footfall"].iter_rows(min_row=2, values_only=True))
    assert footfall[0][:5] == ("Huawei", "华为", "N1-001", "N1-B", 4)
    quality = list(book["Data quality"].iter_rows(min_row=2, values_only=True))
    assert ("Sensor drift", "2019-08-27", "S1", "hall", 40) in quality
    assert not any(row[0] == "Not measured" and "Queue waits" in row[3] for row in quality)
    waits = list(book["Gate waits"].iter_rows(min_row=2, values_only=True))
    assert waits == [("G1", None, None, None, None, "No queue zone")]


def test_the_chinese_workbook_has_chinese_headings(show):
    with translation.override("zh-hans"):
        report = edition.edition_report(expo=show, at=END)
        book = openpyxl.load_workbook(io.BytesIO(edition_xlsx.report_xlsx(report)))
    assert book.sheetnames[0] == "观众"
    halls = list(book.worksheets[3].iter_rows(min_row=2, values_only=True))
    assert {row[1] for row in halls} == {"N1馆", "S1馆"}


# --- who may download them ---------------------------------------------------------------------


def signed_in(username: str, **flags) -> Client:
    user = get_user_model().objects.create_user(username, password="pw-for-tests", **flags)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", [PDF, XLSX])
def test_anonymous_visitors_are_sent_to_the_login_and_others_refused(expo, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"
    assert signed_in("visitor").get(url).status_code == 403
    assert signed_in("gone", is_staff=True, is_active=False).get(url).status_code in (302, 403)


def test_an_unknown_edition_is_not_found(expo):
    client = signed_in("ops", is_staff=True)
    assert client.get("/expos/nope/reports/report.pdf").status_code == 404


def test_staff_download_the_bilingual_pdf_and_the_workbook_in_the_pages_language(show):
    client = signed_in("ops", is_staff=True)
    for address in (PDF, "/zh-hans" + PDF):
        pdf = client.get(address)
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert 'filename="test-2019-report.pdf"' in pdf["Content-Disposition"]
        text = text_of(pdf.content)
        assert "Post-show report" in text and "展后报告" in "".join(text.split())
    book = client.get(XLSX)
    assert book.status_code == 200
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")
    assert openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames[0] == "Visitors"


def test_the_dashboard_links_the_report(expo):
    client = signed_in("ops", is_staff=True)
    page = client.get("/expos/test-2019/reports/dashboard/").content.decode()
    assert 'href="/expos/test-2019/reports/report.pdf"' in page
    assert 'href="/expos/test-2019/reports/report.xlsx"' in page


# --- the command -------------------------------------------------------------------------------


def test_the_command_writes_both_files(show, tmp_path):
    pdf, xlsx = tmp_path / "r.pdf", tmp_path / "r.xlsx"
    out = io.StringIO()
    call_command(
        "reports",
        "edition",
        "--expo",
        "test-2019",
        "--pdf",
        str(pdf),
        "--xlsx",
        str(xlsx),
        "--at",
        "2019-08-30T00:00",
        stdout=out,
    )
    assert "test-2019: report as of 2019-08-30T00:00:00+08:00" in out.getvalue()
    both = text_of(pdf.read_bytes())
    assert "Post-show report" in both and "展后报告" in "".join(both.split())
    assert openpyxl.load_workbook(xlsx).sheetnames[0] == "Visitors"
    call_command(
        "reports",
        "edition",
        "--expo",
        "test-2019",
        "--pdf",
        str(pdf),
        "--language",
        "zh-hans",
        stdout=io.StringIO(),
    )
    chinese = text_of(pdf.read_bytes())
    assert "展后报告" in "".join(chinese.split()) and "Post-show report" not in chinese


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expo", "nope", "--pdf", "x.pdf"], "No edition 'nope'."),
        (["--expo", "test-2019"], "Give --pdf FILE, --xlsx FILE or both."),
        (["--expo", "test-2019", "--pdf", "/no/such/dir/x.pdf"], "--pdf: no directory"),
        (["--expo", "test-2019", "--pdf", "x.pdf", "--at", "soon"], "--at: 'soon'"),
    ],
)
def test_the_command_refuses_bad_arguments_clearly(expo, args, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.").replace("'", "'")):
        call_command("reports", "edition", *args)


def test_a_report_asked_after_the_show_is_of_its_end(expo):
    late = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert edition.report_instant(expo=expo, at=late) == dt.datetime(2019, 8, 30, tzinfo=expo.tz)


def test_the_charts_are_drawn_headless_in_the_cjk_font_without_writing_home(show):
    import os

    import matplotlib
    from matplotlib.ft2font import FT2Font

    from smartexpo.reports import edition_charts
    from smartexpo.tickets.render import CJK_FONT_FILE

    with translation.override("zh-hans"):
        png = edition_charts.visitors_chart(report_in(show, "zh-hans")["visitors"])
    assert png.startswith(b"\x89PNG")
    assert matplotlib.get_backend().lower() == "agg"
    assert matplotlib.get_configdir() == os.environ["MPLCONFIGDIR"]
    assert edition_charts._font.get_file() == str(CJK_FONT_FILE)
    face = FT2Font(str(CJK_FONT_FILE))
    assert all(face.get_char_index(ord(c)) for c in "每日观众上一届")


def test_a_report_before_the_opening_lists_the_days_empty_and_still_draws(expo):
    before = dt.datetime(2019, 8, 20, 12, tzinfo=expo.tz)
    with translation.override("en"):
        report = edition.edition_report(expo=expo, at=before)
        pdf = edition_pdf.report_pdf(report)
        book = openpyxl.load_workbook(io.BytesIO(edition_xlsx.report_xlsx(report)))
    assert [r["visitors"] for r in report["visitors"]["days"]] == [None] * len(expo.days)
    assert report["gates"]["days"] == [] and report["gates"]["total"] == 0
    assert report["footfall"]["booths"] == [] and report["quality"]["drift"]["zone_days"] == 0
    assert "Post-show report" in text_of(pdf)
    assert book["Visitors"].max_row == 1 + len(expo.days)
