"""The organiser's lanes page (/expos/<expo>/planning/lanes/): an arrivals CSV in, the plan as
a chart and tables with the lane-hours saved, the unmet periods and the shifts; the CSV and PDF
exports of the very plan shown; a bad file refused with its lines, the other inputs kept;
only organisers (staff) admitted; in Chinese at /zh-hans/."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from smartexpo.planning.arrivals import arrivals_read
from smartexpo.planning.exports import plan_csv
from smartexpo.planning.lanes import lane_plan
from smartexpo.planning.pages import STASH

from .twin_curve import day_profile, day_starts

HEADER = "gate,period_start,arrivals\n"


def good_csv() -> str:
    lines = [
        f"G-N,{start:%Y-%m-%dT%H:%M},{count:.1f}"
        for start, count in zip(
            day_starts(dt.date(2019, 8, 26), periods=16), day_profile(6_000, 16), strict=True
        )
    ]
    lines.append("G-E,2019-08-26T09:00,600")  # 2 lanes scan 330 in 15 minutes: not met
    return HEADER + "\n".join(lines) + "\n"


def url(expo, tail="", lang=""):
    return f"{lang}/expos/{expo.slug}/planning/lanes/{tail}"


def upload(client, expo, text, *, lang="", **fields):
    data = {
        "arrivals_file": SimpleUploadedFile("arrivals.csv", text.encode(), "text/csv"),
        "wait_minutes": "10",
        "percentile": "95",
        **fields,
    }
    return client.post(url(expo, lang=lang), data)


def test_an_upload_shows_the_chart_the_tables_the_saving_and_the_unmet_period(staff, gates):
    answer = upload(staff, gates, good_csv())
    assert answer.status_code == 302
    key = answer["Location"].split("?plan=")[1]
    page = staff.get(answer["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    # the chart: one SVG per gate, a bar per period, the installed lanes' dashed line
    assert html.count('<svg class="lanes-chart"') == 2
    assert len(re.findall(r'<rect class="bar', html)) == 2 * 16
    assert html.count('class="installed"') == 2
    assert 'class="bar over"' in html  # G-E at 09:00
    # the tables, the saving, the unmet period said plainly, the exports' addresses
    assert "Gate G-N: 10 lanes installed" in html and "Gate G-E: 2 lanes installed" in html
    assert html.count('<table class="lanes-table">') == 2
    assert "p95 wait (min)" in html and "not met" in html
    assert re.search(r"Lane-hours: [\d.,]+ planned, [\d.,]+ with every lane open", html)
    assert "The target cannot be met in 1 period" in html
    assert "Gate G-E · 2019-08-26 09:00" in html
    assert f"plan.csv?plan={key}" in html and f"plan.pdf?plan={key}" in html
    assert "Staff shifts" not in html  # not asked for
    # the form keeps the target
    assert 'name="wait_minutes" value="10' in html


def test_an_opening_that_needs_lanes_before_it_is_said_so_in_both_languages(staff, gates):
    """480 in G-E's opening quarter hour, half of them there before it: unmet with its 2
    lanes; the page, its PDF and the Chinese page say when to open the lanes instead."""
    text = HEADER + "G-E,2019-08-26T09:00,480\nG-E,2019-08-26T09:15,150\n"
    html = staff.get(upload(staff, gates, text)["Location"]).content.decode()
    assert "The target cannot be met in 1 period" in html and 'id="early"' in html
    assert re.search(r"Gate G-E on 2019-08-26: from 08:(45|30) \(\d(, \d)* lanes\)", html)
    assert "lane-hours more" in html
    location = upload(staff, gates, text, lang="/zh-hans")["Location"]
    html = staff.get(location).content.decode()
    assert 'id="early"' in html and "lane-hours more" not in html and "提前" in html
    key = location.split("?plan=")[1]
    assert staff.get(url(gates, f"plan.pdf?plan={key}", lang="/zh-hans")).status_code == 200


def test_the_exports_hold_the_plan_the_page_showed(staff, gates):
    text = good_csv()
    location = upload(staff, gates, text, wait_minutes="8", percentile="90")["Location"]
    key = location.split("?plan=")[1]
    page = staff.get(location).content.decode()
    exported = staff.get(url(gates, f"plan.csv?plan={key}"))
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert list(rows[0]) == [
        "gate",
        "period_start",
        "expected_arrivals",
        "lanes",
        "installed_lanes",
        "p90_wait_minutes",
        "target_met",
    ]
    assert len(rows) == 2 * 16
    # Every row of the CSV is a row of the page's tables: same lanes, same wait, same verdict.
    for row in rows:
        at = dt.datetime.fromisoformat(row["period_start"])
        verdict = "met" if row["target_met"] == "yes" else "not met"
        cells = (
            f"<td>{at:%Y-%m-%d %H:%M}</td><td>[^<]*</td><td>{row['lanes']} / "
            f"{row['installed_lanes']}</td><td>{row['p90_wait_minutes'] or '—'}</td>"
            f"<td>{verdict}</td>"
        )
        assert re.search(cells, page), row
    # ... and the plan computed afresh from the same file and target (the plan is seeded).
    starts, expected = arrivals_read(text, gates={"G-N": 10, "G-E": 2}, timezone="Asia/Shanghai")
    fresh = lane_plan(
        gates={"G-N": 10, "G-E": 2},
        period_starts=starts,
        expected=expected,
        wait_s=480,
        within=0.9,
    )
    assert [int(r["lanes"]) for r in rows] == fresh.lanes("G-N") + fresh.lanes("G-E")
    pdf = staff.get(url(gates, f"plan.pdf?plan={key}"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    # The PDF prints the page's figures: the lane-hours and saving, and every period's row.
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    summary = re.search(r"Lane-hours: ([\d.,]+) planned, ([\d.,]+) with[^:]*: ([\d.]+) %", page)
    assert summary and all(figure in text for figure in summary.groups())
    flat = re.sub(r"\s+", " ", text)
    for row in rows:
        at = dt.datetime.fromisoformat(row["period_start"])
        half_up = Decimal(row["expected_arrivals"]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        expected = f"{half_up:,}"
        verdict = "met" if row["target_met"] == "yes" else "not met"
        printed = (
            f"{at:%Y-%m-%d %H:%M} {expected} {row['lanes']} {row['installed_lanes']} "
            f"{row['p90_wait_minutes'] or '—'} {verdict}"
        )
        assert printed in flat, printed
        assert f"<td>{at:%Y-%m-%d %H:%M}</td><td>{expected}</td>" in page
    # The same address asked again gives the same bytes (the same plan, recomputed).
    assert staff.get(url(gates, f"plan.csv?plan={key}")).content == exported.content
    assert staff.get(url(gates, f"plan.pdf?plan={key}")).content == pdf.content


def test_the_pdf_draws_the_plans_figures_and_chinese(staff, gates):
    location = upload(staff, gates, good_csv(), lang="/zh-hans")["Location"]
    assert location.startswith("/zh-hans/")
    key = location.split("?plan=")[1]
    pdf = staff.get(url(gates, f"plan.pdf?plan={key}", lang="/zh-hans")).content
    # The CJK font is embedded (a subset), so the Chinese labels print everywhere.
    assert b"WenQuanYiZenHei" in pdf and b"FontFile2" in pdf


def test_a_link_to_a_plan_the_session_does_not_keep_is_said_so(staff, gates):
    upload(staff, gates, good_csv())
    assert staff.get(url(gates, "plan.csv?plan=0000000000000000")).status_code == 404
    assert staff.get(url(gates, "plan.pdf")).status_code == 404
    page = staff.get(url(gates) + "?plan=0000000000000000")
    assert page.status_code == 404 and "This plan is no longer kept" in page.content.decode()


def test_shifts_on_request(staff, gates):
    location = upload(staff, gates, good_csv(), shifts="on")["Location"]
    html = staff.get(location).content.decode()
    assert "Staff shifts:" in html and 'class="lanes-table lanes-shifts"' in html
    assert (
        'name="shifts" checked' in html
        or 'checked name="shifts"' in html
        or (re.search(r'<input[^>]*name="shifts"[^>]*checked', html))
    )
    # The shifts solved when the file came are the ones shown again (kept, not re-solved).
    kept = staff.session[STASH][gates.slug]["shifts"]
    assert set(kept) == {"G-N", "G-E"} and kept["G-N"]["status"] in ("optimal", "feasible")


def test_a_bad_file_lists_its_bad_lines_and_keeps_the_other_inputs(staff, gates):
    bad = HEADER + (
        "G-N,2019-08-26T09:00,10\n"
        "G-Z,2019-08-26T09:15,10\n"
        "G-N,2019-08-26T09:10,10\n"
        "G-N,2019-08-26T09:30,many\n"
    )
    answer = upload(staff, gates, bad, wait_minutes="7.5", percentile="90", shifts="on")
    assert answer.status_code == 422
    html = answer.content.decode()
    assert "Line 3: unknown gate G-Z" in html
    assert "Line 4: 2019-08-26T09:10 does not start a 15-minute period" in html
    assert "Line 5: arrivals must be a number of 0 or more, not many" in html
    assert 'value="7.5"' in html and 'value="90' in html
    assert re.search(r'<input[^>]*name="shifts"[^>]*checked', html)
    assert STASH not in staff.session


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"percentile": "100"}, "Ensure this value is less than or equal to 99.9."),
        ({"wait_minutes": "0"}, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_bad_target_is_a_form_error(staff, gates, fields, says):
    answer = upload(staff, gates, good_csv(), **fields)
    assert answer.status_code == 422 and says in answer.content.decode()


def test_a_file_that_is_not_utf8_or_has_no_columns_is_refused(staff, gates):
    answer = staff.post(
        url(gates),
        {
            "arrivals_file": SimpleUploadedFile("a.csv", b"\xff\xfe\x00"),
            "wait_minutes": "10",
            "percentile": "95",
        },
    )
    assert answer.status_code == 422 and "The file is not UTF-8 text." in answer.content.decode()
    answer = upload(staff, gates, "gate;start;n\n")
    assert "The first line must be the columns" in answer.content.decode()


def test_only_organisers_see_the_page_and_its_exports(gates):
    users = get_user_model().objects
    visitor = Client()
    visitor.force_login(users.create_user("visitor", password="pw-visitor-1"))
    clerk = Client()
    clerk.force_login(users.create_user("clerk", password="pw-clerk-1", is_staff=True))
    for tail in ("", "plan.csv?plan=x", "plan.pdf?plan=x"):
        assert Client().get(url(gates, tail))["Location"].startswith("/admin/login/?next=")
        refused = visitor.get(url(gates, tail))
        assert refused.status_code == 403 and "Organisers only" in refused.content.decode()
    assert visitor.post(url(gates), {}).status_code == 403
    # A staff account without any model permission plans, as on the live venue page.
    assert clerk.get(url(gates)).status_code == 200
    assert upload(clerk, gates, good_csv()).status_code == 302


def test_the_page_is_in_chinese_at_zh_hans(staff, gates):
    html = staff.get(url(gates, lang="/zh-hans")).content.decode()
    assert "入口通道计划" in html and "Gate-lane plan" not in html
    location = upload(staff, gates, good_csv(), lang="/zh-hans")["Location"]
    html = staff.get(location).content.decode()
    assert "下载 CSV" in html and "未达标" in html and "Lane-hours" not in html
    bad = upload(staff, gates, HEADER + "G-Z,2019-08-26T09:00,1\n", lang="/zh-hans")
    assert "第 2 行" in bad.content.decode()


def test_csv_export_matches_the_commands_columns(gates):
    """The page's CSV and `smartexpo planning lanes --csv` write the same columns."""
    from smartexpo.planning.pages import Arrivals, Target, lanes_result

    starts, expected = arrivals_read(
        good_csv(), gates={"G-N": 10, "G-E": 2}, timezone="Asia/Shanghai"
    )
    result = lanes_result(
        arrivals=Arrivals(starts, expected, "x"), target=Target(), gates={"G-N": 10, "G-E": 2}
    )
    head = (
        plan_csv(result.plan, percentile=result.target.label, tz=gates.tz).decode().splitlines()[0]
    )
    assert head == (
        "gate,period_start,expected_arrivals,lanes,installed_lanes,p95_wait_minutes,target_met"
    )


def test_past_twenty_bad_lines_the_rest_are_counted(staff, gates):
    bad = HEADER + "".join(f"G-Z,2019-08-26T09:{15 * (n % 4):02d},{n}\n" for n in range(25))
    html = upload(staff, gates, bad).content.decode()
    assert "Line 21: unknown gate G-Z" in html and "Line 22:" not in html
    assert "…and 5 more bad lines." in html


def test_a_file_beyond_what_the_page_plans_at_once_is_sent_to_the_command(staff, gates):
    # Two rows a day and gate make every 15-minute period between them planned: 16 days of
    # 96 periods at 2 gates is 3,072 gate-periods.
    rows = "".join(
        f"{gate},2019-09-{day:02d}T{time},1\n"
        for day in range(1, 17)
        for gate in ("G-N", "G-E")
        for time in ("00:00", "23:45")
    )
    answer = upload(staff, gates, HEADER + rows)
    assert answer.status_code == 422
    assert "The file asks for 3072 gate-periods; this page plans at most 3000" in (
        answer.content.decode()
    )
