"""The portal's footfall page: the booth's visits, distinct visitors and dwell per day, with
charts of the days and of a chosen day's hours."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from smartexpo.portal import charts
from smartexpo.portal.access import portal_view
from smartexpo.portal.footfall import BoothFootfall, booth_footfall, day_choice


def _clock(at, tz) -> str:
    return timezone.localtime(at, tz).strftime("%H:%M")


def _day_label(day) -> str:
    return formats.date_format(day, "m-d")


def _days_chart(report: BoothFootfall):
    points = [
        charts.Point(
            _day_label(row.day),
            row.visits,
            _("%(day)s: %(visits)s visits") % {"day": row.day.isoformat(), "visits": row.visits},
        )
        for row in report.days
    ]
    averages = [row.average_booth for row in report.days if row.average_booth is not None]
    # Days nobody visited any booth (yet) would only drag the average booth down.
    reference = sum(averages) / len(averages) if averages else None
    return charts.bar_chart(
        "visits-per-day",
        points,
        title=_("Visits per day"),
        description=_("Bars: your booth's visits each day; dashed line: the average booth's."),
        reference=reference,
        reference_label=_("Average booth: %(visits)s visits a day")
        % {"visits": formats.number_format(reference or 0, 1, use_l10n=True)},
    )


def _hours_charts(report: BoothFootfall, tz):
    series = report.series
    hours = [
        charts.Point(
            timezone.localtime(start, tz).strftime("%H"),
            visits,
            _("%(hour)s: %(visits)s visits")
            % {"hour": timezone.localtime(start, tz).strftime("%H:%M"), "visits": visits},
        )
        for start, visits in series.hours
    ]
    occupancy = []
    for at, count in series.occupancy:
        local = timezone.localtime(at, tz)
        occupancy.append(
            charts.Point(
                local.strftime("%H") if local.minute == 0 else "",
                count,
                _("%(time)s: %(count)s people") % {"time": local.strftime("%H:%M"), "count": count},
            )
        )
    return (
        charts.bar_chart("visits-per-hour", hours, title=_("Visits per hour")),
        charts.line_chart("occupancy", occupancy, title=_("People in the booth")),
    )


@require_safe
@portal_view()
def footfall(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    edition, firm = request.expo, request.exhibitor
    days = list(edition.days)
    asked = request.GET.get("day")
    chosen = day_choice(asked, days)
    report = booth_footfall(expo=edition, exhibitor=firm, day=chosen)
    tz = edition.tz
    context = {
        "expo": edition,
        "exhibitor": firm,
        "report": report,
        "days": days,
        "unknown_day": bool(asked) and chosen is None,
    }
    if report.counted:
        context["days_chart"] = _days_chart(report)
        context["hours_chart"], context["occupancy_chart"] = _hours_charts(report, tz)
        # In the edition's time, as the charts' labels (the template would use the server's).
        context["hour_rows"] = [
            (_clock(start, tz), visits) for start, visits in report.series.hours
        ]
        context["occupancy_rows"] = [
            (_clock(at, tz), count)
            for at, count in report.series.occupancy
            if timezone.localtime(at, tz).minute % 30 == 0
        ]
    return render(request, "portal/footfall.html", context)
