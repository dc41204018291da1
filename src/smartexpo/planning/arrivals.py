"""Expected arrivals per gate and 15-minute period, read from a CSV file (docs/planning.md):

    gate,period_start,arrivals
    G-N,2019-08-26T09:00,3314
    G-N,2019-08-26T09:15,3314.5

`period_start` is the edition's local time (an explicit offset is accepted too) on a 15-minute
boundary; `arrivals` is a non-negative number (an expected count need not be whole). Every
15-minute period between a day's first and last one is planned for every gate the file names;
a period a gate leaves out expects nobody, and a gate never named is not planned. A bad file is
one `SmartExpoError("invalid", …)` naming every bad line (up to 20, then how many more) in
`detail.fields.arrivals_file`, never a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.planning.lanes import PERIOD_S

COLUMNS = ("gate", "period_start", "arrivals")


MAX_PROBLEMS = 20  # bad lines listed before the rest are only counted


def _invalid(message: str, line: int | None = None) -> SmartExpoError:
    detail = {"fields": {"arrivals_file": [message]}}
    if line is not None:
        detail["line"] = line
        detail["lines"] = [line]
        message = _("Line %(n)d: %(e)s.") % {"n": line, "e": message}
        detail["fields"]["arrivals_file"] = [message]
    return SmartExpoError("invalid", message, detail)


def _all_invalid(problems: list[SmartExpoError], more: int) -> SmartExpoError:
    """One error naming every bad line found (up to MAX_PROBLEMS, then how many more)."""
    if len(problems) == 1 and not more:
        return problems[0]
    messages = [p.message for p in problems]
    if more:
        messages.append(_("…and %(n)d more bad lines.") % {"n": more})
    lines = [p.detail["line"] for p in problems]
    return SmartExpoError(
        "invalid",
        " ".join(messages),
        {"fields": {"arrivals_file": messages}, "line": lines[0], "lines": lines},
    )


def _instant(text: str, tz: ZoneInfo) -> dt.datetime:
    at = dt.datetime.fromisoformat(text.strip())
    return at.replace(tzinfo=tz) if at.tzinfo is None else at.astimezone(tz)


def _row(row: list[str], line: int, *, gates: Mapping[str, int], tz: ZoneInfo):
    """(gate, period start, arrivals) of one line, or the SmartExpoError naming it."""
    if len(row) != 3:
        raise _invalid(_("expected 3 values: gate, period start, arrivals"), line)
    gate, start_text, count_text = (cell.strip() for cell in row)
    if gate not in gates:
        known = ", ".join(gates) or "—"
        raise _invalid(
            _("unknown gate %(gate)s (this edition's gates: %(known)s)")
            % {"gate": gate, "known": known},
            line,
        )
    try:
        start = _instant(start_text, tz)
    except ValueError:
        raise _invalid(
            _("%(value)s is not a time such as 2019-08-26T09:15") % {"value": start_text},
            line,
        ) from None
    if start.second or start.microsecond or start.minute % 15:
        raise _invalid(
            _("%(value)s does not start a 15-minute period (:00, :15, :30 or :45)")
            % {"value": start_text},
            line,
        )
    try:
        count = float(count_text)
    except ValueError:
        count = math.nan
    if not math.isfinite(count) or count < 0:
        raise _invalid(
            _("arrivals must be a number of 0 or more, not %(value)s") % {"value": count_text},
            line,
        )
    return gate, start, count


def arrivals_read(
    text: str, *, gates: Mapping[str, int], timezone: str
) -> tuple[list[dt.datetime], dict[str, list[float]]]:
    """(period starts, expected arrivals per gate per period) from the CSV `text`; `gates`
    are the edition's gate codes (the file's gates must be among them)."""
    tz = ZoneInfo(timezone)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != COLUMNS:
        raise _invalid(_("The first line must be the columns gate,period_start,arrivals."))
    seen: dict[tuple[str, dt.datetime], float] = {}
    problems: list[SmartExpoError] = []
    more = 0
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            gate, start, count = _row(row, line, gates=gates, tz=tz)
            if (gate, start) in seen:
                raise _invalid(
                    _("gate %(gate)s has a second row for %(value)s")
                    % {"gate": gate, "value": row[1].strip()},
                    line,
                )
        except SmartExpoError as problem:
            # Every bad line is listed (an organiser fixes them all at once), up to a bound.
            if len(problems) < MAX_PROBLEMS:
                problems.append(problem)
            else:
                more += 1
            continue
        seen[(gate, start)] = count
    if problems:
        raise _all_invalid(problems, more)
    if not seen:
        raise _invalid(_("The file has no arrivals."))
    # Every period from each local day's first listed one to its last.
    by_day: dict[dt.date, tuple[dt.datetime, dt.datetime]] = {}
    for _gate, start in seen:
        first, last = by_day.get(start.date(), (start, start))
        by_day[start.date()] = (min(first, start), max(last, start))
    starts: list[dt.datetime] = []
    for day in sorted(by_day):
        first, last = by_day[day]
        count = int((last - first).total_seconds() // PERIOD_S) + 1
        starts.extend(first + dt.timedelta(seconds=PERIOD_S * k) for k in range(count))
    listed = [g for g in gates if any(g == gate for gate, _s in seen)]
    expected = {g: [seen.get((g, s), 0.0) for s in starts] for g in listed}
    return starts, expected
