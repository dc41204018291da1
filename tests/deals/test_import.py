"""Importing deals from CSV and XLSX files: every bad row reported by its line, the rest kept;
--atomic keeps nothing; a second import of the same (corrected) file is idempotent."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from smartexpo.core.errors import SmartExpoError
from smartexpo.deals.imports import decimal_cell
from smartexpo.deals.models import Deal, ExchangeRate, LogEntry
from smartexpo.deals.services.imports import deals_import

HEADER = (
    "ref,title_en,title_zh,sector,kind,investment_form,amount,currency,rate,signed_on,at_expo,"
    "amount_confidential,party_name_en,party_country,party_region,party2_exhibitor\n"
)
GOOD_1 = (
    "D-1,Smart factory,智能工厂,information-technology,investment,greenfield,1250000000.50,CNY,,"
    "2019-08-26,yes,no,Acme,DE,Bavaria,huawei\n"
)
GOOD_2 = (
    "D-2,Car plant,,smart-vehicles,procurement,,300.10,USD,7.0814,2019-07-01,no,yes,Buyer Ltd,"
    "JP,,\n"
)
BAD_3 = (
    "D-3,Bad amount,,information-technology,investment,greenfield,12.345,CNY,,2019-08-26,no,no,"
    "X,CN,,\n"
)
BAD_4 = "D-4,,,nope,gift,,100,CNY,,2019-08-26,no,no,,CN,,ghost\n"


def csv_file(*rows: str, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + (HEADER + "".join(rows)).encode("utf-8")


def test_csv_import_reports_bad_rows_by_line_and_keeps_the_rest(expo):
    report = deals_import(
        expo=expo, file_name="deals.csv", data=csv_file(GOOD_1, BAD_3, GOOD_2, BAD_4, bom=True)
    )
    assert (report.created, report.rows, report.kept) == (2, 4, True)
    lines = {e["line"]: e for e in report.errors}
    assert set(lines) == {3, 5}
    assert lines[3]["detail"]["fields"] == {"amount": "At most 2 decimal places."}
    bad = lines[5]["detail"]["fields"]
    assert {"title_en", "sector", "kind"} <= set(bad)
    assert "title_en:" in lines[5]["message"]
    one = Deal.objects.get(expo=expo, ref="D-1")
    assert one.amount == Decimal("1250000000.50")
    assert [p.exhibitor.slug if p.exhibitor else p.name_en for p in one.parties.all()] == [
        "Acme",
        "huawei",
    ]
    two = Deal.objects.get(expo=expo, ref="D-2")
    assert (two.rate, two.amount_cny, two.amount_confidential) == (
        Decimal("7.0814"),
        Decimal("2125.13"),
        True,
    )
    assert LogEntry.objects.filter(expo=expo).count() == 2


def test_atomic_keeps_nothing_when_a_row_is_bad(expo):
    report = deals_import(
        expo=expo, file_name="deals.csv", data=csv_file(GOOD_1, BAD_3), atomic=True
    )
    assert report.kept is False
    assert [e["line"] for e in report.errors] == [3]
    assert not Deal.objects.exists()
    assert not LogEntry.objects.exists()
    clean = deals_import(expo=expo, file_name="deals.csv", data=csv_file(GOOD_1), atomic=True)
    assert (clean.kept, clean.created) == (True, 1)


def test_dry_run_checks_everything_and_keeps_nothing(expo):
    report = deals_import(
        expo=expo, file_name="deals.csv", data=csv_file(GOOD_1, GOOD_2, BAD_3), dry_run=True
    )
    assert (report.created, len(report.errors), report.kept) == (2, 1, False)
    assert not Deal.objects.exists()


def test_reimporting_the_corrected_file_is_idempotent(expo):
    first = deals_import(expo=expo, file_name="d.csv", data=csv_file(GOOD_1, BAD_3))
    assert (first.created, len(first.errors)) == (1, 1)
    fixed = BAD_3.replace("12.345", "12.34")
    second = deals_import(expo=expo, file_name="d.csv", data=csv_file(GOOD_1, fixed))
    assert (second.created, second.updated, second.unchanged, second.errors) == (1, 0, 1, [])
    entries = LogEntry.objects.filter(expo=expo).count()
    third = deals_import(expo=expo, file_name="d.csv", data=csv_file(GOOD_1, fixed))
    assert (third.created, third.updated, third.unchanged) == (0, 0, 2)
    assert LogEntry.objects.filter(expo=expo).count() == entries  # nothing changed, nothing logged
    changed = GOOD_1.replace("1250000000.50", "1300000000.00")
    fourth = deals_import(expo=expo, file_name="d.csv", data=csv_file(changed, fixed))
    assert (fourth.updated, fourth.unchanged) == (1, 1)
    assert Deal.objects.get(ref="D-1").amount == Decimal("1300000000.00")
    assert Deal.objects.count() == 2


def test_a_reference_twice_in_one_file_is_refused_at_its_second_line(expo):
    report = deals_import(expo=expo, file_name="d.csv", data=csv_file(GOOD_1, GOOD_1))
    assert report.created == 1
    assert report.errors[0]["line"] == 3
    assert "line 2" in report.errors[0]["detail"]["fields"]["ref"]


def test_status_columns_enter_a_later_follow_up_and_move_it_on_reimport(expo):
    header = "ref,title_en,sector,kind,amount,signed_on,party_name_en,status,status_on,evidence\n"
    row = "S-1,Old deal,information-technology,framework,10,2019-08-26,Acme,{s},{on},{ev}\n"
    data = (header + row.format(s="registered", on="2019-09-01", ev="Reg. 12")).encode()
    assert deals_import(expo=expo, file_name="s.csv", data=data).created == 1
    deal = Deal.objects.get(ref="S-1")
    assert (deal.status, deal.status_on) == ("registered", dt.date(2019, 9, 1))
    again = deals_import(expo=expo, file_name="s.csv", data=data)
    assert (again.unchanged, again.errors) == (1, [])
    later = (header + row.format(s="started", on="2019-10-01", ev="Permit 7")).encode()
    assert deals_import(expo=expo, file_name="s.csv", data=later).updated == 1
    assert Deal.objects.get(ref="S-1").status == "started"
    backwards = (header + row.format(s="signed", on="2019-11-01", ev="Old file")).encode()
    report = deals_import(expo=expo, file_name="s.csv", data=backwards)
    assert report.errors[0]["code"] == "status_backwards"


def test_a_file_that_cannot_be_read_is_refused_whole(expo):
    with pytest.raises(SmartExpoError) as exc:
        deals_import(expo=expo, file_name="d.csv", data=b"ref,title_en\nX,Y\n")
    assert "missing columns" in exc.value.detail["fields"]["file"]
    with pytest.raises(SmartExpoError) as exc:
        deals_import(expo=expo, file_name="d.csv", data=HEADER.encode() + b"\xff\xfe")
    assert "UTF-8" in exc.value.detail["fields"]["file"]
    with pytest.raises(SmartExpoError):
        deals_import(expo=expo, file_name="d.xlsx", data=b"PK\x03\x04not a zip")
    assert not Deal.objects.exists()


def test_a_missing_rate_takes_the_recorded_one_or_is_refused(expo):
    row = GOOD_2.replace("7.0814", "")
    report = deals_import(expo=expo, file_name="d.csv", data=csv_file(row))
    assert report.errors[0]["detail"]["fields"]["rate"].startswith("No recorded rate of USD")
    ExchangeRate.objects.create(currency="USD", on=dt.date(2019, 6, 28), rate=Decimal("6.8747"))
    report = deals_import(expo=expo, file_name="d.csv", data=csv_file(row))
    assert report.created == 1
    deal = Deal.objects.get(ref="D-2")
    assert (deal.rate, deal.rate_on) == (Decimal("6.8747"), dt.date(2019, 6, 28))


# --- XLSX ---------------------------------------------------------------------------------


def xlsx_file(rows: list[list], raw: dict[str, str] | None = None) -> bytes:
    """An XLSX file of `rows`; `raw` replaces number cells' stored text (`<v>…</v>`), as other
    spreadsheets write them (openpyxl writes floats shortened to 15 digits, as Excel shows)."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    if not raw:
        return out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    rewritten = io.BytesIO()
    with zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                for shown, stored in raw.items():
                    content = content.replace(
                        f"<v>{shown}</v>".encode(), f"<v>{stored}</v>".encode()
                    )
            target.writestr(item, content)
    return rewritten.getvalue()


XLSX_HEADER = [
    "ref",
    "title_en",
    "sector",
    "kind",
    "investment_form",
    "amount",
    "currency",
    "rate",
    "signed_on",
    "at_expo",
    "party_name_en",
    "party_country",
]


def test_xlsx_import_reads_typed_cells_exactly(expo):
    rows = [
        XLSX_HEADER,
        ["X-1", "Typed", "information-technology", "investment", "expansion", 1234.56, "CNY",
         None, dt.datetime(2019, 8, 27), True, "Acme", "DE"],
        ["X-2", "Integer", "smart-vehicles", "licence", None, 816900000000, "EUR", 7.8,
         dt.date(2019, 8, 1), False, "Zeiss", "DE"],
        ["X-3", "Text amount", "smart-vehicles", "licence", None, "9999999999999.99", "CNY",
         None, "2019-08-02", "no", "Text", "CN"],
        ["X-4", "Float noise", "smart-vehicles", "licence", None, 0.25, "CNY", None,
         dt.date(2019, 8, 2), False, "Noise", "CN"],
        ["X-5", "Beyond a float", "smart-vehicles", "licence", None, 0.75,
         "CNY", None, dt.date(2019, 8, 2), False, "Big", "CN"],
        ["X-6", "A time", "smart-vehicles", "licence", None, 5, "CNY", None,
         dt.datetime(2019, 8, 2, 10, 30), False, "Clock", "CN"],
    ]  # fmt: skip
    # What a spreadsheet stores for =0.1+0.2, and for a number past a float's 15-16 digits.
    raw = {"0.25": "0.30000000000000004", "0.75": "9007199254740993.5"}
    report = deals_import(expo=expo, file_name="deals.xlsx", data=xlsx_file(rows, raw))
    assert report.created == 3
    errors = {e["line"]: e["detail"]["fields"] for e in report.errors}
    assert set(errors) == {5, 6, 7}
    assert "0.30000000000000004" in errors[5]["amount"]
    assert "amount" in errors[6]
    assert "signed_on" in errors[7]
    typed = Deal.objects.get(ref="X-1")
    assert (typed.amount, typed.signed_on, typed.at_expo) == (
        Decimal("1234.56"),
        dt.date(2019, 8, 27),
        True,
    )
    whole = Deal.objects.get(ref="X-2")
    assert (whole.amount, whole.rate, whole.amount_cny) == (
        Decimal("816900000000.00"),
        Decimal("7.8"),
        Decimal("6371820000000.00"),
    )
    assert Deal.objects.get(ref="X-3").amount == Decimal("9999999999999.99")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (1234.56, 2, "1234.56"),
        (0.5, 2, "0.5"),
        (1e15, 2, "1000000000000000"),
        (7.0814, 8, "7.0814"),
        (12345, 2, "12345"),
        ("12.345", 2, "12.345"),  # text is the rule's to judge
    ],
)
def test_decimal_cells_that_are_exact(value, places, expected):
    assert Decimal(decimal_cell(value, places=places)) == Decimal(expected)


@pytest.mark.parametrize(
    "value", [0.1 + 0.2, 1.005 * 1000 / 1000 + 0.001, 123456789012345.67, float("nan"), True]
)
def test_decimal_cells_a_float_cannot_hold_are_refused(value):
    with pytest.raises(ValueError, match="number"):
        decimal_cell(value, places=2)


# --- the command ----------------------------------------------------------------------------


def test_the_command_prints_the_report_and_fails_on_refused_rows(expo, tmp_path, capsys):
    path = tmp_path / "deals.csv"
    path.write_bytes(csv_file(GOOD_1, BAD_3))
    with pytest.raises(SystemExit) as exit_:
        call_command("deals", "import", "--expo", expo.slug, str(path), "--json")
    assert exit_.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["created"], report["errors"][0]["line"]) == (1, 3)
    path.write_bytes(csv_file(GOOD_1, GOOD_2))
    call_command("deals", "import", "--expo", expo.slug, str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "2 rows: 1 created, 0 updated, 1 unchanged, 0 refused; dry run" in out
    assert Deal.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("deals", "import", "--expo", "nope", str(path))


def test_the_documented_example_file_imports_cleanly(expo):
    from pathlib import Path

    ExchangeRate.objects.create(currency="EUR", on=dt.date(2019, 8, 1), rate=Decimal("7.9"))
    example = Path(__file__).resolve().parents[2] / "docs" / "deals-import-example.csv"
    report = deals_import(expo=expo, file_name=example.name, data=example.read_bytes())
    assert (report.created, report.errors) == (3, [])
    registered = Deal.objects.get(ref="2019-003")
    assert (registered.status, registered.rate) == ("registered", Decimal("7.8621"))
    assert Deal.objects.get(ref="2019-001").parties.count() == 2
