"""`smartexpo planning lanes`: an organiser's own arrival figures in, the plan out; bad files
are refused with the line and the reason, never a traceback."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .twin_curve import day_profile, day_starts

HEADER = "gate,period_start,arrivals\n"


def arrivals_file(tmp_path: Path, rows: str, name="arrivals.csv") -> str:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return str(path)


def good_rows() -> str:
    import datetime as dt

    lines = []
    starts = day_starts(dt.date(2019, 8, 26))
    for start, count in zip(starts, day_profile(12_000), strict=True):
        lines.append(f"G-N,{start:%Y-%m-%dT%H:%M},{count:.1f}")
    lines.append("G-E,2019-08-26T09:00,600")  # far beyond 2 lanes: 330 in 15 minutes
    return "\n".join(lines) + "\n"


def run(*args) -> str:
    out = io.StringIO()
    call_command("planning", "lanes", *args, stdout=out)
    return out.getvalue()


def test_a_good_file_gives_the_plan_the_saving_and_the_unmet_periods(gates, tmp_path):
    path = arrivals_file(tmp_path, good_rows())
    out_csv = tmp_path / "plan.csv"
    text = run("--expo", gates.slug, "--arrivals", path, "--csv", str(out_csv))
    assert "Gate G-N (10 lanes installed)" in text and "Gate G-E (2 lanes installed)" in text
    assert "2019-08-26 09:00" in text and "p95 wait" in text
    assert "fewer." in text and "Lane-hours:" in text
    assert "The target cannot be met in" in text and "gate G-E, 2019-08-26 09:00" in text
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    north = [r for r in rows if r["gate"] == "G-N"]
    assert len(north) == 40 and north[0]["period_start"] == "2019-08-26T08:00:00+08:00"
    assert all(1 <= int(r["lanes"]) <= 10 for r in north)
    assert all(r["target_met"] == "yes" for r in north)
    east = [r for r in rows if r["gate"] == "G-E"]
    assert [r["target_met"] for r in east if r["period_start"].endswith("09:00:00+08:00")] == ["no"]
    assert all(int(r["lanes"]) <= 2 for r in east)


def test_shifts_are_printed_on_request(gates, tmp_path):
    path = arrivals_file(tmp_path, good_rows())
    text = run("--expo", gates.slug, "--arrivals", path, "--shifts", "--wait-minutes", "15")
    assert "Staff shifts" in text and "Gate G-N:" in text and "staff-hours (optimal)" in text
    assert "All gates:" in text


def test_the_crowd_waiting_at_the_opening_is_an_option(gates, tmp_path):
    """480 in the opening quarter hour at a gate of 2 lanes: met if they come evenly, not if
    half of them queued before the gates opened (the default)."""
    path = arrivals_file(tmp_path, "G-E,2019-08-26T09:00,480\nG-E,2019-08-26T09:15,150\n")
    unmet = "The target cannot be met in"
    assert unmet in run("--expo", gates.slug, "--arrivals", path)
    assert unmet not in run("--expo", gates.slug, "--arrivals", path, "--waiting-at-opening", "0")
    text = run("--expo", gates.slug, "--arrivals", path)
    assert "Opening the lanes early would serve the crowd waiting for the opening" in text
    assert re.search(r"gate G-E, 2019-08-26: from 08:(45|30) \([\d, ]+ lanes\), p95 wait", text)
    with pytest.raises(CommandError, match="--waiting-at-opening"):
        run("--expo", gates.slug, "--arrivals", path, "--waiting-at-opening", "120")


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ("G-Z,2019-08-26T09:00,10\n", "Line 2: unknown gate G-Z (this edition's gates: "),
        ("G-N,tomorrow morning,10\n", "Line 2: tomorrow morning is not a time"),
        ("G-N,2019-08-26T09:10,10\n", "does not start a 15-minute period"),
        ("G-N,2019-08-26T09:00,-3\n", "arrivals must be a number of 0 or more, not -3"),
        ("G-N,2019-08-26T09:00,many\n", "not many"),
        ("G-N,2019-08-26T09:00,10\nG-N,2019-08-26T09:00,11\n", "Line 3: gate G-N has a second"),
        ("G-N,2019-08-26T09:00\n", "expected 3 values"),
        ("", "The file has no arrivals."),
    ],
)
def test_bad_files_are_refused_with_the_line_and_the_reason(gates, tmp_path, rows, says):
    path = arrivals_file(tmp_path, rows)
    with pytest.raises(CommandError) as caught:
        run("--expo", gates.slug, "--arrivals", path)
    assert says in str(caught.value)


def test_a_file_without_the_columns_or_an_unknown_edition_is_refused(gates, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("gate;start;n\n", encoding="utf-8")
    with pytest.raises(CommandError, match="gate,period_start,arrivals"):
        run("--expo", gates.slug, "--arrivals", str(path))
    with pytest.raises(CommandError, match="No edition 'nope'"):
        run("--expo", "nope", "--arrivals", str(path))
    with pytest.raises(CommandError, match="No such file"):
        run("--expo", gates.slug, "--arrivals", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="--percentile"):
        run("--expo", gates.slug, "--arrivals", str(path), "--percentile", "100")


def test_the_console_script_prints_the_reason_without_a_traceback(tmp_path):
    # Through the real command line (the test database is not that process's, so the input
    # refused is one checked before any database read): one line on stderr, exit status 1.
    path = arrivals_file(tmp_path, "G-N,2019-08-26T09:00,10\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "smartexpo",
            "planning",
            "lanes",
            "--expo",
            "no-such-edition",
            "--arrivals",
            path,
            "--percentile",
            "150",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "--percentile must lie strictly between 0 and 100" in done.stderr
    assert "Traceback" not in done.stderr
