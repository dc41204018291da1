"""The exhibitor report as one bilingual PDF: its pages in English, then the same pages in
Chinese, each part drawn under its own language (`translation.override`), every name (the
edition, the exhibitor, halls, the sector, sessions) in the part's language.

Drawn with reportlab on the reports' page writer (`pdf_pages.Pages`, text through
`tickets.render`, which embeds the CJK font), and the visits per hour as canvas rectangles:
an edition's 850 reports are built in one go, so a page costs no figure library.
"""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from smartexpo.reports.exhibitor import MIN_GROUP
from smartexpo.reports.pdf_pages import MARGIN, Pages, language, number
from smartexpo.tickets import render

LANGUAGES = ("en", "zh-hans")
CHART_HEIGHT = 38 * mm
BAR = (0.16, 0.38, 0.62)


def exhibitor_pdf(report: dict) -> bytes:
    """The exhibitor's report (`exhibitor.exhibitor_report`) in English, then in Chinese."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    pages = None
    for code in LANGUAGES:
        with translation.override(code):
            lang = language()
            title = _("Exhibitor report")
            footer = f"{report['exhibitor']['name'][lang]} · {title}"
            if pages is None:
                pages = Pages(canvas, footer)
                canvas.setTitle(f"{report['exhibitor']['name']['en']} · Exhibitor report")
            else:
                pages.new_page()
                pages.footer = footer
            _part(pages, report, lang)
    pages.close_page()
    canvas.save()
    return buffer.getvalue()


def _part(pages: Pages, report: dict, lang: str) -> None:
    title = _("Exhibitor report")
    pages.line(f"{title} · {report['exhibitor']['name'][lang]}", 16, bold=True)
    pages.line(report["expo"]["name"][lang], 11)
    pages.line(
        _("Figures as of %(at)s (time zone %(tz)s).")
        % {"at": report["at"][:16].replace("T", " "), "tz": report["expo"]["timezone"]}
    )
    pages.line(_("Sector: %(sector)s") % {"sector": report["sector"]["name"][lang]})
    _booths(pages, report)
    _footfall(pages, report["footfall"])
    _comparison(pages, report, lang)
    _leads(pages, report["leads"], report["sector"])
    _meetings(pages, report["meetings"], report["sector"])
    _sessions(pages, report["sessions"], lang)


def _booths(pages: Pages, report: dict) -> None:
    booths = report["booths"]
    if not booths:
        pages.line(_("Booths: none assigned."))
        return
    uncounted = _("not counted by sensors")
    listed = ", ".join(
        _("%(booth)s (hall %(hall)s)") % {"booth": b["code"], "hall": b["hall"]}
        + ("" if b["counted"] else f" [{uncounted}]")
        for b in booths
    )
    pages.line(_("Booths: %(booths)s") % {"booths": listed})
    if len(booths) > 1:
        pages.line(_("The figures of several booths are added up."), 8)


def _dwell(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _footfall(pages: Pages, section: dict) -> None:
    pages.heading(_("Booth footfall"))
    if not section["counted"] or not section["visits"]:
        pages.line(
            _("None: no visit was counted at your booths.")
            if section["counted"]
            else _("None: no booth of yours is counted by sensors.")
        )
        return
    pages.line(
        _(
            "Visits: entries into the booth zone (booth sensors). Distinct visitors: an estimate "
            "per day, which days cannot add up. Mean dwell: person-time over visits."
        ),
        8,
    )
    rows = [
        [
            d["day"],
            number(d["visits"]),
            number(d["unique_visitors"]),
            _dwell(d["mean_dwell_minutes"]),
            number(d["peak"]),
        ]
        for d in section["days"]
    ]
    rows.append(
        [
            _("All days"),
            number(section["visits"]),
            "",
            _dwell(section["mean_dwell_minutes"]),
            number(section["peak"]),
        ]
    )
    heads = [_("Day"), _("Visits"), _("Distinct visitors"), _("Mean dwell (min)"), _("Peak")]
    pages.table([0, 35, 60, 95, 130], heads, rows)
    hour = section["peak_hour"]
    pages.line(
        _("Peak hour: %(start)02d:00–%(end)02d:00, %(visits)s visits (all days together).")
        % {"start": hour, "end": hour + 1, "visits": number(section["peak_hour_visits"])},
        bold=True,
    )
    _hours_chart(pages, section["hours"])


def _hours_chart(pages: Pages, hours: dict[int, int]) -> None:
    """Visits per hour of the day as bars, drawn on the canvas."""
    first, last = min(hours), max(hours)
    slots = list(range(first, last + 1))
    top = max(hours.values()) or 1
    pages.need(CHART_HEIGHT + 8 * mm)
    canvas = pages.canvas
    width = pages.width - 2 * MARGIN
    step = width / len(slots)
    base = pages.y - CHART_HEIGHT
    canvas.setStrokeGray(0.6)
    canvas.line(MARGIN, base, MARGIN + width, base)
    canvas.setFillColorRGB(*BAR)
    for i, hour in enumerate(slots):
        height = (CHART_HEIGHT - 6 * mm) * hours.get(hour, 0) / top
        if height:
            canvas.rect(MARGIN + i * step + step * 0.15, base, step * 0.7, height, 0, 1)
    canvas.setFillGray(0)
    for i, hour in enumerate(slots):
        x = MARGIN + i * step + step * 0.2
        render._text(canvas, x, base - 3.5 * mm, f"{hour:02d}", 7)
        if hours.get(hour):
            height = (CHART_HEIGHT - 6 * mm) * hours[hour] / top
            render._text(canvas, x, base + height + 1 * mm, number(hours[hour]), 6)
    pages.y = base - 7 * mm
    pages.line(_("Visits per hour of the day, all days together."), 8)


def _average(value, members: int) -> str:
    if value is None:
        return _("withheld (fewer than %(n)s)") % {"n": MIN_GROUP} if members < MIN_GROUP else "—"
    return f"{value:,.1f}"


def _comparison(pages: Pages, report: dict, lang: str) -> None:
    pages.heading(_("Compared with the average"))
    footfall, sector = report["footfall"], report["sector"]
    if not footfall["counted"]:
        pages.line(_("None: no booth of yours is counted by sensors."))
        return
    pages.line(
        _(
            "The average booth with an exhibitor in the same hall, and the average exhibitor "
            "of the same sector (their booths added up); no other exhibitor is named. An "
            "average over fewer than %(n)s is withheld."
        )
        % {"n": MIN_GROUP},
        8,
    )
    rows = [
        [
            _("Your booths"),
            "",
            number(footfall["visits"]),
            _dwell(footfall["mean_dwell_minutes"]),
        ]
    ]
    for hall in report["halls"]:
        rows.append(
            [
                _("%(hall)s: average booth") % {"hall": hall["name"][lang]},
                number(hall["members"]),
                _average(hall["visits"], hall["members"]),
                _average(hall["mean_dwell_minutes"], hall["members"]),
            ]
        )
    average = sector["footfall"]
    rows.append(
        [
            _("Sector average exhibitor: %(sector)s") % {"sector": sector["name"][lang]},
            number(average["members"]),
            _average(average["visits"], average["members"]),
            _average(average["mean_dwell_minutes"], average["members"]),
        ]
    )
    heads = ["", _("Over"), _("Visits"), _("Mean dwell (min)")]
    pages.table([0, 95, 115, 145], heads, rows)


def _leads(pages: Pages, leads: dict, sector: dict) -> None:
    pages.heading(_("Leads"))
    if not leads["total"]:
        pages.line(_("None: your staff captured no lead."))
    else:
        pages.line(
            _("%(total)s leads captured at your booth; mean rating %(mean)s.")
            % {
                "total": number(leads["total"]),
                "mean": _dwell(leads["mean_rating"]),
            }
        )
        rows = [[str(r["rating"]), number(r["leads"])] for r in leads["by_rating"]]
        rows.append([_("Not rated"), number(leads["unrated"])])
        pages.table([0, 40], [_("Rating"), _("Leads")], rows)
        pages.line(
            _(
                "Your leads, best rated first: the ticket serial and the visitor's name as "
                "your staff see them in the portal (the visitor's details are in the portal)."
            ),
            8,
        )
        heads = [_("Ticket serial"), _("Visitor"), _("Rating"), _("Captured")]
        listed = [
            [
                str(r["serial"]),
                r["visitor"] or _("withdrawn"),
                "—" if r["rating"] is None else str(r["rating"]),
                r["captured_at"],
            ]
            for r in leads["rows"]
        ]
        pages.table([0, 35, 95, 115], heads, listed)
    pages.line(
        _("Sector average: %(leads)s leads per exhibitor (%(n)s exhibitors).")
        % {"leads": _average(sector["leads"], sector["exhibitors"]), "n": sector["exhibitors"]},
        8,
    )


def _meetings(pages: Pages, meetings: dict, sector: dict) -> None:
    pages.heading(_("Business meetings"))
    if not meetings["scheduled"]:
        pages.line(_("None: no business meeting was scheduled with you."))
    else:
        pages.line(
            _(
                "%(held)s held (both sides checked in at the table) of %(scheduled)s scheduled; "
                "%(missed)s ended without both sides."
            )
            % {
                "held": number(meetings["held"]),
                "scheduled": number(meetings["scheduled"]),
                "missed": number(meetings["missed"]),
            }
        )
    pages.line(
        _("Sector average: %(held)s meetings held per exhibitor.")
        % {"held": _average(sector["meetings_held"], sector["exhibitors"])},
        8,
    )


def _sessions(pages: Pages, sessions: list[dict], lang: str) -> None:
    pages.heading(_("Forum sessions given"))
    if not sessions:
        pages.line(_("None: no session of the published programme has a speaker of yours."))
        return
    pages.line(
        _("Sessions of the published programme with a speaker whose affiliation is your name."),
        8,
    )
    rows = [
        [
            s["starts_at"][5:],
            s["title"][lang],
            s["room"],
            ", ".join(p[lang] for p in s["speakers"]),
            number(s["admitted"]),
        ]
        for s in sessions
    ]
    heads = [_("Starts"), _("Session"), _("Room"), _("Speakers"), _("Admitted")]
    pages.table([0, 24, 100, 118, 160], heads, rows)
