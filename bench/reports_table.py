"""bench/reports.py's summary: one Markdown block for bench/RESULTS.md from its figures."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shlex
import statistics

from benchlib import fmt_answers, fmt_log

TARGET_P99_MS = 100.0
TARGET_REPORT_S, TARGET_ZIP_S, TARGET_RSS_MIB = 30.0, 180.0, 2048.0


def _verdict(good: bool) -> str:
    return "met" if good else "**MISSED**"


def _best_median(values: list[float]) -> str:
    return f"{min(values):,.1f} / {statistics.median(values):,.1f}"


def _prepare_rows(prep: dict) -> list[str]:
    rows = []
    if prep.get("from_db"):
        rows.append(f"| started from a copy of | `{prep['from_db']['path']}` |")
    for name, step in prep["steps"].items():
        extra = ""
        if name == "build":
            leads, meetings = step["leads"], step["meetings"]
            extra = (
                f": {leads['created'] or leads['had']:,} leads for {leads['exhibitors']} "
                f"exhibitors, {meetings['meetings']:,} meetings' check-ins"
            )
        rss = f", peak {step['rss_mib']:,.0f} MiB" if "rss_mib" in step else ""
        rows.append(f"| {name}: `{step['command']}`{extra} | {step['seconds']:,.0f} s{rss} |")
    return rows


def markdown(result: dict, argv: list[str]) -> str:
    probe, facts = result["probe"], result["probe"]["facts"]
    command = f"`{shlex.join(['python', 'bench/reports.py', *argv])}`"
    if os.environ.get("MAKELEVEL"):
        command = f"`make bench-reports` ({command})"
    serve = result["serve"]
    serve_shown = shlex.join(["smartexpo", *serve]).replace(f"--port {serve[4]}", "--port <port>")
    lines = [
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC — {command}; SQLite, "
        f"`{serve_shown}`; {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"demo clock {result['prepare'].get('clock')} (day 3).",
        "",
        "| data | value |",
        "|---|---|",
        *_prepare_rows(result["prepare"]),
        f"| registrations / ticket-days sold | {facts['registrations']:,} / "
        f"{facts['ticket_days_sold']:,} |",
        f"| previous edition ({facts['previous']}) | {facts['previous_registrations']:,} "
        f"registrations, {facts['previous_scans']:,} scans |",
        f"| scans (entrance admissions in) / forum room doors | {facts['scans']:,} "
        f"({facts['entrance_in']:,}) / {facts['room_door_scans']:,} |",
        f"| sensor events / stored zone-minutes | {facts['sensor_events']:,} / "
        f"{facts['minute_rows']:,} |",
        f"| zones | {', '.join(f'{k} {v:,}' for k, v in sorted(facts['zones'].items()))} |",
        f"| exhibitors with a booth / leads | {facts['exhibitors']:,} / {facts['leads']:,} |",
        f"| seat reservations / meetings (checked in) / deals | {facts['reservations']:,} / "
        f"{facts['meetings']:,} ({facts['meetings_checked_in']:,}) / {facts['deals']:,} |",
        "",
        "| uncached build, in a process of its own (ms) | best / median of "
        f"{len(probe['dashboard']['builds_ms'])} |",
        "|---|---|",
        f"| dashboard payload (`dashboard_payload`, nothing kept: each run also reads the "
        f"previous edition's bookings) | {_best_median(probe['dashboard']['builds_ms'])} (first "
        f"{probe['dashboard']['builds_ms'][0]:,.0f}) |",
        *(f"| — {name} | {ms:,.1f} |" for name, ms in probe["dashboard"]["sections_ms"].items()),
        f"| big screen (`screen_data`) | {_best_median(probe['screen']['builds_ms'])} |",
        "",
        "| `wrk -t2 -c8` | runs | req/s (best / median) | p50 (ms) | p99 (ms) best / median "
        "| max (ms) | answers; wrk timeouts (> 2 s, not in the latencies) | target p99 < 100 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, runs in result["loads"].items():
        p99 = [r["latency_ms"].get(99, float("nan")) for r in runs]
        p50 = [r["latency_ms"].get(50, float("nan")) for r in runs]
        rps = [r.get("rps", float("nan")) for r in runs]
        answers = sum((r["answers"] for r in runs), start=type(runs[0]["answers"])())
        logs = fmt_log({k: sum(r["log"][k] for r in runs) for k in runs[0]["log"]})
        timeouts = sum(r["socket_errors"]["timeout"] for r in runs)
        good = statistics.median(p99) < TARGET_P99_MS and not timeouts
        target = _verdict(good) if "data.json" in name else "—"
        if name.startswith("screen"):
            target = "— (no target)"
        lines.append(
            f"| GET {name} | {len(runs)} × {result['args']['duration']} s | "
            f"{max(rps):,.0f} / {statistics.median(rps):,.0f} | "
            f"{statistics.median(p50):,.1f} | {min(p99):,.1f} / {statistics.median(p99):,.1f} "
            f"| {max(r['max_ms'] for r in runs):,.0f} | {fmt_answers(answers)}; "
            f"{timeouts:,} timeouts; log: {logs} | "
            f"{target} |"
        )
    loads = [
        f"{r['load'][0]:.1f}→{r['load'][1]:.1f}" for runs in result["loads"].values() for r in runs
    ]
    lines += [
        "",
        f"Machine load (1-min average) before→after each wrk run: {', '.join(loads)}.",
        "",
    ]
    reports = result["report"]
    secs = [r["seconds"] for r in reports]
    rss = [r["rss_mib"] for r in reports]
    own_line = (reports[-1]["output"].splitlines() or [""])[0]
    lines += [
        "| post-show report (a process each run) | value |",
        "|---|---|",
        f"| command | `{reports[0]['command']}` |",
        f"| wall, best / median of {len(reports)} (target < 30 s) | {_best_median(secs)} s "
        f"({_verdict(statistics.median(secs) < TARGET_REPORT_S)}) |",
        f"| peak RSS, max (target < 2 GiB) | {max(rss):,.0f} MiB "
        f"({_verdict(max(rss) < TARGET_RSS_MIB)}) |",
        f"| CPU s per run | {', '.join(format(r['cpu_s'], '.1f') for r in reports)} |",
        f"| load before each run | {', '.join(format(r['load'], '.1f') for r in reports)} |",
        f"| the command's own line | {own_line} |",
        f"| PDF / XLSX | {reports[-1]['pdf_bytes']:,} B / {reports[-1]['xlsx_bytes']:,} B; "
        f"all runs valid: {all(r['ok'] for r in reports)} |",
    ]
    z = result["zip"]
    if z.get("available"):
        lines.append(
            f"| exhibitors' ZIP (`exhibitors_zip`) | {z['seconds']:.1f} s ({z['process_s']:.1f} s "
            f"process), peak {z['rss_mib']:,.0f} MiB, {z['files']:,} files ({z['pdfs']:,} PDFs), "
            f"{z['bytes']:,} B; target < 3 min: {_verdict(z['seconds'] < TARGET_ZIP_S)}, "
            f"< 2 GiB: {_verdict(z['rss_mib'] < TARGET_RSS_MIB)} |"
        )
    else:
        lines.append(
            "| exhibitors' ZIP | not measured: this build has no `reports.exhibitor_bundle` |"
        )
    lines += ["", "| check | |", "|---|---|"]
    lines += [f"| {k} | {'PASS' if v else 'FAIL'} |" for k, v in result["checks"].items()]
    return "\n----- Markdown for bench/RESULTS.md -----\n" + "\n".join(lines) + "\n----- end -----"
