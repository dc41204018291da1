"""The post-show report as an XLSX workbook: the PDF's tables, one sheet each, as numbers (not
text) so that they add up in a spreadsheet; every booth and every drifting zone-day, where the
PDF lists the first ones. Headings in the active language; names in it, with the other
language's in a column of its own where a name has two."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from smartexpo.reports.edition_pdf import language, not_measured

BOLD = Font(bold=True)


def _sheet(book: Workbook, title: str, heads: list[str], rows: list[list]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(heads)
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"


def _yuan(value: str | None):
    # A withheld amount is an empty cell; the others exact decimals as numbers.
    return None if value is None else float(value)


def report_xlsx(report: dict) -> bytes:
    """The report's tables as a workbook (sheets: visitors, gates, halls, footfall, forums,
    meetings, deals, data quality)."""
    lang = language()
    other = "en" if lang == "zh" else "zh"
    book = Workbook()
    book.remove(book.active)
    visitors = report["visitors"]
    _sheet(
        book,
        _("Visitors"),
        [
            _("Day"),
            _("Day number"),
            _("Visitors"),
            _("Forecast"),
            _("Forecast low (80 %)"),
            _("Forecast high (80 %)"),
            _("Previous edition"),
        ],
        [
            [
                r["day"],
                r["number"],
                r["visitors"],
                r["forecast"],
                r["forecast_low"],
                r["forecast_high"],
                r["previous"],
            ]
            for r in visitors["days"]
        ],
    )
    gates = report["gates"]
    _sheet(
        book,
        _("Gates"),
        [_("Gate"), _("Name"), *gates["days"], _("Total"), _("Peak"), _("Peak at")],
        [
            [g["code"], g["name"][lang], *g["days"], g["total"], g["peak"], g["peak_at"]]
            for g in gates["gates"]
        ],
    )
    _sheet(
        book,
        _("Gate waits"),
        [
            _("Gate"),
            _("Day"),
            _("Left the queue"),
            _("Mean wait (min)"),
            _("Longest 15 minutes (min)"),
            _("From"),
        ],
        [
            [w["code"], w["day"], w["left"], w["mean_minutes"], w["worst_minutes"], w["worst_at"]]
            for w in gates["waits"]
        ]
        + [[code, None, None, None, None, _("No queue zone")] for code in gates["unmeasured"]],
    )
    halls = report["halls"]
    _sheet(
        book,
        _("Halls"),
        [
            _("Hall"),
            _("Name"),
            _("Capacity"),
            _("Peak"),
            _("Peak day"),
            _("Visits"),
            *(_("Minutes at %(level)s") % {"level": letter} for letter in halls["levels"]),
        ],
        [
            [
                h["code"],
                h["name"][lang],
                h["capacity"],
                h["peak"],
                h["peak_day"],
                h["visits"],
                *(h["minutes"][letter] for letter in halls["levels"]),
            ]
            for h in halls["halls"]
        ],
    )
    footfall = report["footfall"]
    _sheet(
        book,
        _("Footfall"),
        [
            _("Exhibitor"),
            _("Exhibitor (other language)"),
            _("Booth"),
            _("Zone"),
            _("Visits"),
            *footfall["days"],
            _("Mean dwell (min)"),
            _("Peak"),
        ],
        [
            [
                b["exhibitor"][lang],
                b["exhibitor"][other],
                b["booth"],
                b["zone"],
                b["visits"],
                *b["days"],
                b["mean_dwell_minutes"],
                b["peak"],
            ]
            for b in footfall["booths"]
        ],
    )
    forums = report["forums"]
    _sheet(
        book,
        _("Forums"),
        [_("Starts"), _("Session"), _("Room"), _("Reserved"), _("Admitted"), _("No-shows")],
        [
            [
                s["starts_at"],
                s["title"][lang],
                s["room"],
                s["reserved"],
                s["checked_in"],
                s["no_shows"],
            ]
            for s in forums["sessions"]
        ],
    )
    meetings = report["meetings"]
    _sheet(
        book,
        _("Meetings"),
        [_("Scheduled"), _("Ended"), _("Held"), _("One side only")],
        [[meetings["scheduled"], meetings["ended"], meetings["held"], meetings["one_side"]]],
    )
    deals = report["deals"]
    _sheet(
        book,
        _("Deals"),
        [_("Breakdown"), _("Code"), _("Name"), _("Projects"), _("Yuan")],
        [
            [_("Sector"), g["code"], g["name"][lang], g["projects"], _yuan(g["amount"])]
            for g in deals["by_sector"]
        ]
        + [
            [_("Kind"), g["code"], g["label"], g["projects"], _yuan(g["amount"])]
            for g in deals["by_kind"]
        ]
        + [[_("Total"), "", "", deals["projects"], _yuan(deals["amount"])]],
    )
    quality = report["quality"]
    drift, sync = quality["drift"], quality["sync"]
    rows = [
        [_("Sensor drift"), r["day"], r["zone"], r["kind"], r["closing_count"]]
        for r in drift["rows"]
    ]
    rows += [[_("Sync conflicts"), "", r["rule"], r["label"], r["count"]] for r in sync["by_rule"]]
    rows += [[_("Scans synced"), "", "", "", sync["synced"]]]
    rows += [[_("Not measured"), "", "", text, None] for text in not_measured()]
    _sheet(book, _("Data quality"), [_("Note"), _("Day"), _("Zone"), _("Kind"), _("Count")], rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
