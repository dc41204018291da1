"""The post-show report as a bilingual PDF: the whole report in English, then in Chinese
(`report_pdf(languages=…)` draws one part only: the command's `--language`).

Drawn with reportlab as the planning and ticket PDFs are: text through the ticket renderer's
text setting (`tickets.render`: Helvetica, and for Chinese the embedded WenQuanYi Zen Hei, a
subset of the glyphs used), A4 pages written top down (`pdf_pages.Pages`); the charts are
matplotlib's PNGs (`edition_charts`). Names of halls, gates, exhibitors, sessions and sectors
are shown in each part's language.
"""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from smartexpo.checkin.models import Reason
from smartexpo.core.notes import say
from smartexpo.deals.models import DealKind
from smartexpo.reports import edition_charts
from smartexpo.reports.pdf_pages import Pages, language, number

__all__ = ["LANGUAGES", "language", "not_measured", "number", "report_pdf"]

# The booths listed in the PDF; the workbook has them all.
PDF_BOOTHS = 40


# The parts of a bilingual report, in order.
LANGUAGES = ("en", "zh-hans")


def report_pdf(report: dict, *, languages: tuple[str, ...] = LANGUAGES) -> bytes:
    """The report's sections on A4 pages with its charts, once in each of `languages` (by
    default the whole report in English, then again in Chinese, each part starting on a new
    page): one bilingual file for a board that reads either."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    titles = []
    pages = Pages(canvas, "")
    for i, code in enumerate(languages):
        with translation.override(code):
            if i:
                pages.new_page()
            lang = language()
            title = _("Post-show report")
            name = report["expo"]["name"][lang]
            titles.append(f"{name} · {title}")
            pages.footer = titles[-1]
            _part(pages, report, lang)
    canvas.setTitle(" / ".join(titles))
    pages.close_page()
    canvas.save()
    return buffer.getvalue()


def _part(pages: Pages, report: dict, lang: str) -> None:
    title = _("Post-show report")
    pages.line(f"{title} · {report['expo']['name'][lang]}", 16, bold=True)
    pages.line(
        _("Figures as of %(at)s (time zone %(tz)s).")
        % {"at": report["at"][:16].replace("T", " "), "tz": report["expo"]["timezone"]}
    )
    _visitors(pages, report["visitors"])
    _gates(pages, report["gates"])
    _halls(pages, report["halls"], lang)
    _footfall(pages, report["footfall"], lang)
    _forums(pages, report["forums"], report["meetings"], lang)
    _deals(pages, report["deals"], lang)
    _quality(pages, report["quality"], lang)


def _visitors(pages: Pages, section: dict) -> None:
    pages.heading(_("Visitors per day"))
    pages.line(
        _(
            "Visitors: tickets admitted through the entrance gates, each once a day. Forecast: "
            "the attendance forecast as of %(at)s, its expected admissions and 80 %% interval."
        )
        % {"at": section["forecast_as_of"][:16].replace("T", " ")}
    )
    previous = section["previous"]
    if previous is not None:
        pages.line(
            _("Previous edition: %(name)s, its day of the same number.")
            % {"name": previous["name"][language()]}
        )
    else:
        pages.line(_("No previous edition to compare with."))
    pages.image(edition_charts.visitors_chart(section))
    rows = [
        [
            f"{r['day']} ({r['number']})",
            number(r["visitors"]),
            number(r["forecast"]),
            f"{number(r['forecast_low'])} – {number(r['forecast_high'])}",
            number(r["previous"]),
        ]
        for r in section["days"]
    ]
    rows.append(
        [
            _("Total"),
            number(section["total"]),
            number(section["forecast_total"]),
            "",
            number(section["previous_total"]),
        ]
    )
    heads = [_("Day"), _("Visitors"), _("Forecast"), _("Interval (80 %)"), _("Previous edition")]
    pages.table([0, 40, 70, 100, 140], heads, rows)
    for note in section["forecast_notes"]:
        pages.line(f"· {say(note)}", 8)


def _gates(pages: Pages, section: dict) -> None:
    pages.heading(_("Arrivals per gate"))
    pages.line(
        _(
            "Admissions per gate and day (the control room's entries: admitted scans in and "
            "offline admissions synced as conflicts) and each gate's busiest %(n)s minutes."
        )
        % {"n": section["slot_minutes"]}
    )
    if section["gates"]:
        pages.image(edition_charts.gates_chart(section))
    days = section["days"]
    step = min(22, 110 / max(1, len(days)))
    columns = [0, 18] + [40 + i * step for i in range(len(days))]
    columns += [40 + len(days) * step, 62 + len(days) * step]
    heads = [_("Gate"), _("Total"), *(d[5:] for d in days), _("Peak"), _("Peak at")]
    rows = [
        [
            g["code"],
            number(g["total"]),
            *(number(n) for n in g["days"]),
            number(g["peak"]),
            g["peak_at"] or "—",
        ]
        for g in section["gates"]
    ]
    rows.append([_("Total"), number(section["total"]), *map(number, section["totals"]), "", ""])
    pages.table(columns, heads, rows)
    pages.line()
    pages.line(
        _(
            "Waits in minutes, measured by each gate's queue sensor (people counted into the "
            "queue area and out at the lanes): each day's mean (the queue's person-time over "
            "the people who left it) and the longest %(n)s minutes' mean, first in, first "
            "out; means, not anyone's longest wait."
        )
        % {"n": section["slot_minutes"]}
    )
    if section["unmeasured"]:
        pages.line(
            _("Not measured at the entrance gates without a queue zone: %(gates)s.")
            % {"gates": ", ".join(section["unmeasured"])},
            bold=True,
        )
    if section["waits"]:

        def minutes(value):
            return "—" if value is None else f"{value:.1f}"

        heads = [_("Gate"), _("Day"), _("Left the queue"), _("Mean wait"), _("Longest"), _("From")]
        rows = [
            [
                w["code"],
                w["day"][5:],
                number(w["left"]),
                minutes(w["mean_minutes"]),
                minutes(w["worst_minutes"]),
                w["worst_at"] or "—",
            ]
            for w in section["waits"]
        ]
        pages.table([0, 22, 40, 70, 95, 120], heads, rows)


def _halls(pages: Pages, section: dict, lang: str) -> None:
    pages.heading(_("Halls: peak occupancy and time at each crowd level"))
    pages.line(
        _(
            "Minutes of the opening hours each hall spent at each level A–F (density per m², "
            "the live page's levels), judged by its count at each minute's end."
        )
    )
    if section["halls"]:
        pages.image(edition_charts.levels_chart(section, lang))
    levels = section["levels"]
    columns = [0, 50, 68, 84] + [100 + 13 * i for i in range(len(levels))]
    heads = [_("Hall"), _("Peak"), _("Capacity"), _("Peak day"), *levels]
    rows = [
        [
            f"{h['code']} {h['name'][lang]}",
            number(h["peak"]),
            number(h["capacity"]),
            (h["peak_day"] or "—")[5:] or "—",
            *(number(h["minutes"][letter]) for letter in levels),
        ]
        for h in section["halls"]
    ]
    pages.table(columns, heads, rows)


def _footfall(pages: Pages, section: dict, lang: str) -> None:
    pages.heading(_("Exhibitor footfall"))
    booths = section["booths"]
    pages.line(
        _(
            "Entries into each exhibitor's booth zone (booth sensors), the mean dwell and the "
            "peak count. The %(n)s busiest of %(all)s booths; the workbook lists them all."
        )
        % {"n": min(PDF_BOOTHS, len(booths)), "all": len(booths)}
    )
    days = section["days"]
    step = min(16, 60 / max(1, len(days)))
    columns = [0, 60, 75] + [92 + i * step for i in range(len(days))]
    columns += [92 + len(days) * step, 112 + len(days) * step]
    heads = [_("Exhibitor"), _("Booth"), _("Visits"), *(d[5:] for d in days)]
    heads += [_("Mean dwell (min)"), _("Peak")]
    rows = [
        [
            b["exhibitor"][lang],
            b["booth"],
            number(b["visits"]),
            *(number(n) for n in b["days"]),
            "—" if b["mean_dwell_minutes"] is None else f"{b['mean_dwell_minutes']:.1f}",
            number(b["peak"]),
        ]
        for b in booths[:PDF_BOOTHS]
    ]
    pages.table(columns, heads, rows)


def _forums(pages: Pages, section: dict, meetings: dict, lang: str) -> None:
    pages.heading(_("Forums and business meetings"))
    totals = section["totals"]
    pages.line(
        _(
            "%(sessions)s sessions: %(reserved)s seats reserved, %(checked)s tickets admitted "
            "at the room doors, %(no_shows)s no-shows in the %(ended)s sessions ended."
        )
        % {
            "sessions": number(totals["sessions"]),
            "reserved": number(totals["reserved"]),
            "checked": number(totals["checked_in"]),
            "no_shows": number(totals["no_shows"]),
            "ended": number(totals["ended"]),
        }
    )
    rows = [
        [
            s["starts_at"][5:],
            s["title"][lang],
            s["room"],
            number(s["reserved"]),
            number(s["checked_in"]),
            number(s["no_shows"]),
        ]
        for s in section["sessions"]
    ]
    heads = [_("Starts"), _("Session"), _("Room"), _("Reserved"), _("Admitted"), _("No-shows")]
    pages.table([0, 24, 112, 132, 150, 166], heads, rows)
    pages.line(
        _(
            "Business meetings: %(scheduled)s scheduled, %(held)s held (both sides checked in "
            "at the table), %(one)s with one side only."
        )
        % {
            "scheduled": number(meetings["scheduled"]),
            "held": number(meetings["held"]),
            "one": number(meetings["one_side"]),
        },
        bold=True,
    )


def _amount(value: str | None) -> str:
    if value is None:
        return _("withheld")
    whole, _dot, cents = value.partition(".")
    return f"{int(whole):,}" + (f".{cents}" if cents else "")


def _deals(pages: Pages, section: dict, lang: str) -> None:
    pages.heading(_("Deals by sector and kind"))
    pages.line(
        _(
            "%(projects)s projects, %(amount)s yuan (%(at_expo)s signed at the expo); deals "
            "not cancelled, at the ledger's entry %(seq)s. An amount that would give a single "
            "confidential deal away is withheld."
        )
        % {
            "projects": number(section["projects"]),
            "amount": _amount(section["amount"]),
            "at_expo": number(section["at_expo"]["projects"]),
            "seq": section["chain_seq"],
        }
    )
    rows = [
        [g["name"][lang], number(g["projects"]), _amount(g["amount"])] for g in section["by_sector"]
    ]
    pages.table([0, 100, 125], [_("Sector"), _("Projects"), _("Yuan")], rows)
    # Labels again in this part's language (the report's were worded when it was counted).
    kinds = dict(DealKind.choices)
    rows = [
        [str(kinds.get(g["code"], g["label"])), number(g["projects"]), _amount(g["amount"])]
        for g in section["by_kind"]
    ]
    pages.table([0, 100, 125], [_("Kind"), _("Projects"), _("Yuan")], rows)


def _quality(pages: Pages, section: dict, lang: str) -> None:
    pages.heading(_("Data quality"))
    drift, sync = section["drift"], section["sync"]
    pages.line(
        _(
            "Sensor drift: %(drifting)s of %(all)s zone-days ended with people still counted "
            "at closing (%(people)s in all), which the nightly reset dropped."
        )
        % {
            "drifting": number(drift["drifting"]),
            "all": number(drift["zone_days"]),
            "people": number(drift["people"]),
        }
    )
    rows = [
        [r["day"], f"{r['zone']} {r['name'][lang]}", r["kind"], number(r["closing_count"])]
        for r in drift["rows"][:PDF_BOOTHS]
    ]
    if rows:
        pages.table([0, 25, 110, 140], [_("Day"), _("Zone"), _("Kind"), _("At closing")], rows)
    pages.line(
        _(
            "Scans recorded through the sync path (offline scanners' uploads, imported "
            "recordings): %(synced)s; conflicts (offline admissions the server would have "
            "refused, counted as admissions): %(conflicts)s."
        )
        % {"synced": number(sync["synced"]), "conflicts": number(sync["conflicts"])}
    )
    rules = dict(Reason.choices)
    for rule in sync["by_rule"]:
        label = str(rules.get(rule["rule"], rule["label"]))
        pages.line(f"    {label}: {number(rule['count'])}")
    pages.line(_("Not measured:"), bold=True)
    for text in not_measured():
        pages.line(f"· {text}")


def not_measured() -> list[str]:
    """What the report cannot say because nothing in SmartExpo measures it."""
    return [
        _("Sensor events refused at intake are answered to the sensor, not kept per zone."),
        _(
            "Distinct visitors of a booth over several days (each day's is an estimate; days "
            "cannot be added)."
        ),
    ]
