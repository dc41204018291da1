"""The lanes page's exports: the plan as CSV, and as a PDF with the summary, each gate's chart,
its table and the staff shifts.

The PDF is drawn with reportlab like the tickets and the meetings' table cards, through the
ticket renderer's text setting (`tickets.render`): Helvetica, and for Chinese the embedded
WenQuanYi Zen Hei (a subset of the glyphs used), so Chinese prints everywhere and nothing is
fetched. The labels are in the request's language.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from smartexpo.planning.lanes import LanePlan
from smartexpo.planning.pages import LanesResult, page_gates, plan_rows
from smartexpo.tickets import render
from smartexpo.venue.models import Expo

CSV_COLUMNS = ("gate", "period_start", "expected_arrivals", "lanes", "installed_lanes")


def plan_csv(plan: LanePlan, *, percentile: str, tz) -> bytes:
    """gate, period start (local, ISO 8601), expected arrivals, lanes, installed lanes, the
    percentile's wait in minutes (empty where nobody was simulated; `percentile` names its
    column, "p95"), target met (yes/no): the page's export and `smartexpo planning lanes
    --csv` alike."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, f"{percentile}_wait_minutes", "target_met"])
    for gate, start, expected, lanes, installed, minutes, ok in plan_rows(plan, tz):
        row = [gate, start.isoformat(), f"{expected:g}", lanes, installed, minutes]
        writer.writerow([*row, "yes" if ok else "no"])
    return out.getvalue().encode("utf-8")


MARGIN = 15 * mm
LINE = 4.6 * mm
CHART_H = 38 * mm


class _Pages:
    """A canvas written top down, starting a new page when the next line does not fit."""

    def __init__(self, canvas: Canvas, footer: str):
        self.canvas, self.footer = canvas, footer
        self.width, self.height = A4
        self.page = 1
        self.y = self.height - MARGIN

    def need(self, height: float) -> None:
        if self.y - height < MARGIN + 6 * mm:
            self.new_page()

    def new_page(self) -> None:
        self.close_page()
        self.canvas.showPage()
        self.page += 1
        self.y = self.height - MARGIN

    def close_page(self) -> None:
        render._text(self.canvas, MARGIN, MARGIN - 2 * mm, f"{self.footer} · {self.page}", 7)

    def text(self, x: float, value: str, size: float = 9, *, bold: bool = False) -> None:
        room = self.width - MARGIN - x
        render._text(self.canvas, x, self.y, value, render._fit(value, size, room, bold), bold=bold)

    def line(self, value: str = "", size: float = 9, *, bold: bool = False) -> None:
        self.need(LINE)
        if value:
            self.text(MARGIN, value, size, bold=bold)
        self.y -= LINE if size < 12 else LINE * 1.6


def _number(value: float, places: int = 0) -> str:
    """As the page's `floatformat` shows it: rounded half up (number_format alone cuts the
    digits beyond `places` off, and round() rounds half to even)."""
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(exact, places, force_grouping=True)


def _chart(pages: _Pages, gate: dict) -> None:
    """The gate's bars (lanes open per period; red where the target is not met) under a
    dashed line at the installed lanes, as on the page."""
    chart = gate["chart"]
    pages.need(CHART_H + 8 * mm)
    canvas = pages.canvas
    room = pages.width - 2 * MARGIN
    sx = room / chart["width"]
    sy = CHART_H / (chart["height"] - 34)
    bottom = pages.y - CHART_H
    canvas.saveState()
    for bar in chart["bars"]:
        red = not bar["ok"]
        canvas.setFillColorRGB(0.8, 0.1, 0.1) if red else canvas.setFillColorRGB(0.15, 0.4, 0.7)
        canvas.rect(MARGIN + bar["x"] * sx, bottom, chart["bar"] * sx, bar["h"] * sy, 0, 1)
    canvas.setStrokeColorRGB(0.3, 0.3, 0.3)
    canvas.setDash(3, 2)
    level = bottom + (chart["base_y"] - chart["installed_y"]) * sy
    canvas.line(MARGIN + chart["left"] * sx, level, MARGIN + room, level)
    canvas.setDash()
    canvas.line(MARGIN + chart["left"] * sx, bottom, MARGIN + room, bottom)
    canvas.restoreState()
    render._text(canvas, MARGIN, level - 1, str(chart["installed"]), 7)
    render._text(canvas, MARGIN, bottom - 1, "0", 7)
    for tick in chart["ticks"]:
        render._text(canvas, MARGIN + tick["x"] * sx, bottom - 3.2 * mm, tick["label"], 6)
    for day in chart["days"]:
        render._text(canvas, MARGIN + day["x"] * sx, bottom - 6.4 * mm, day["label"], 6)
    pages.y = bottom - 10 * mm


def plan_pdf(result: LanesResult, *, expo: Expo) -> bytes:
    """The plan on A4 pages: target, source, lane-hours, the periods where the target cannot
    be met, then per gate its chart, its table and (if planned) its staff shifts."""
    tz = expo.tz
    plan, target = result.plan, result.target
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    title = _("Gate-lane plan")
    canvas.setTitle(f"{expo.name} · {title}")
    pages = _Pages(canvas, f"{expo.name} · {title}")
    pages.line(f"{title} · {expo.name}", 16, bold=True)
    pages.line(
        _(
            "Target: %(pct)s %% of arrivals wait under %(min)s minutes (a lane scans 660 "
            "people an hour)."
        )
        % {"pct": f"{target.percentile:g}", "min": f"{target.wait_minutes:g}"}
    )
    pages.line(_("Arrivals: %(source)s") % {"source": result.arrivals.source})
    pages.line(
        _(
            "Lane-hours: %(planned)s planned, %(all)s with every lane open in every period: "
            "%(saving)s %% fewer."
        )
        % {
            "planned": _number(plan.lane_hours, 2),
            "all": _number(plan.all_open_lane_hours, 2),
            "saving": _number(plan.saving * 100, 1),
        },
        bold=True,
    )
    if plan.infeasible:
        pages.line(
            ngettext(
                "The target cannot be met in %(n)s period, even with every lane of the gate "
                "open (the plan opens them all there):",
                "The target cannot be met in %(n)s periods, even with every lane of the gate "
                "open (the plan opens them all there):",
                len(plan.infeasible),
            )
            % {"n": len(plan.infeasible)},
            bold=True,
        )
        for code, start in plan.infeasible:
            pages.line(f"    {_('Gate')} {code} · {start.astimezone(tz):%Y-%m-%d %H:%M}")
        if plan.early:
            pages.line(
                _(
                    "Opening the lanes early would serve the crowd waiting for the opening in "
                    "time (the lanes per 15 minutes before it; the plan's periods stay as they "
                    "are):"
                ),
                bold=True,
            )
        for e in plan.early:
            text = _(
                "Gate %(gate)s on %(day)s: from %(at)s (%(lanes)s lanes), %(pct)s wait then "
                "%(wait)s min, %(hours)s lane-hours more"
            ) % {
                "gate": e.gate,
                "day": f"{e.opening.astimezone(tz):%Y-%m-%d}",
                "at": f"{e.starts_at.astimezone(tz):%H:%M}",
                "lanes": ", ".join(str(c) for c in e.lanes),
                "pct": target.label,
                "wait": _number(e.p_wait_s / 60, 2),
                "hours": _number(e.lane_hours, 2),
            }
            pages.line(f"    {text}")
    else:
        pages.line(_("The target is met in every period of the simulation."))
    columns = (0, 45, 75, 95, 120, 150)
    heads = (
        _("Period"),
        _("Expected"),
        _("Lanes"),
        _("Installed"),
        _("%(p)s wait (min)") % {"p": target.label},
        _("Target met"),
    )
    for gate in page_gates(result, tz):
        pages.new_page()
        pages.line(
            _("Gate %(gate)s: %(n)s lanes installed, %(hours)s lane-hours of %(all)s")
            % {
                "gate": gate["code"],
                "n": gate["installed"],
                "hours": _number(gate["lane_hours"], 2),
                "all": _number(gate["all_open"], 2),
            },
            12,
            bold=True,
        )
        _chart(pages, gate)
        _table_head(pages, columns, heads)
        for row in gate["rows"]:
            if pages.y - LINE < MARGIN + 6 * mm:
                pages.new_page()
                _table_head(pages, columns, heads)
            cells = (
                f"{row['start']:%Y-%m-%d %H:%M}",
                _number(row["expected"]),
                str(row["lanes"]),
                str(gate["installed"]),
                row["wait"] or "—",
                _("met") if row["feasible"] else _("not met"),
            )
            for x, cell in zip(columns, cells, strict=True):
                pages.text(MARGIN + x * mm, cell, 8, bold=not row["feasible"])
            pages.y -= LINE * 0.85
        if gate["shifts"] is not None:
            _shifts(pages, gate)
    pages.close_page()
    canvas.save()
    return buffer.getvalue()


def _table_head(pages: _Pages, columns, heads) -> None:
    pages.need(LINE * 2)
    for x, head in zip(columns, heads, strict=True):
        pages.text(MARGIN + x * mm, head, 8, bold=True)
    pages.y -= LINE


def _shifts(pages: _Pages, gate: dict) -> None:
    plan = gate["shifts"]
    pages.y -= LINE / 2
    pages.line(
        _("Staff shifts: %(people)s people, %(hours)s staff-hours")
        % {"people": plan.people, "hours": _number(plan.staff_hours, 2)},
        10,
        bold=True,
    )
    if plan.message:
        pages.line(_("Not covered: %(why)s") % {"why": plan.message}, bold=True)
    for s in gate["shift_rows"]:
        rest = "" if s["break_start"] is None else f" · {_('Break')} {s['break_start']:%H:%M}"
        pages.line(
            f"{s['people']} × {s['start']:%Y-%m-%d %H:%M}–{s['end']:%H:%M} "
            f"({_number(s['hours'], 2)} h){rest}",
            8,
        )
