"""What bench/venue.py prints at the end: the summary of every step, the targets met or
missed, the details of what went wrong, and the Markdown block for bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import shlex
import sys
from collections import Counter
from pathlib import Path

from benchlib import fmt_answers, fmt_log
from venue_edition import EXPO, VENUE_ZONE
from venue_endpoints import balance_note
from venue_prepare import STREAM

TARGET_IMPORT_S = 120
TARGET_P99_MS = 20


def pass_fail(good: bool) -> str:
    return "PASS" if good else "FAIL"


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def report(
    args, prep, stream, expo, runs, reused_run, sensor_only, facts, api, results, checks, serve
) -> None:
    shown = runs or ([reused_run] if reused_run else [])
    label = "run" if runs else "earlier run (reused)"

    rows0 = [
        (
            "stream",
            f"{stream['events']:,} events: {stream['sensor']:,} sensor events, "
            f"{stream['scans']:,} gate scans ({stream['scans_in']:,} in, "
            f"{stream['scans_out']:,} out); {stream['mb']:,.1f} MB",
        ),
    ]
    if prep.get("reused"):
        rows0.append(("preparation", f"reused (made {prep['date']})"))
    rows0 += [
        (
            "migrate / demo seed",
            f"{prep['migrate_s']:.1f} s / {prep['seed_s']:.1f} s",
        ),
        (
            "simulate --dry-run (registers the missing demo visitors)",
            f"{prep['simulate_s']:.1f} s, peak {prep['simulate_rss_mib'] / 1024:.1f} GiB",
        ),
        ("checkpoint and copy of the prepared database", f"{prep['copy_s']:.1f} s"),
    ]

    def per_run(fn) -> list[str]:
        return [fn(r) for r in shown]

    phases = list(dict.fromkeys(p for r in shown for p in r["phases"]))
    rows1: list[tuple[str, list[str]]] = [
        (
            f"whole stream: process wall clock (target < {TARGET_IMPORT_S} s)",
            per_run(lambda r: f"**{r['wall_s']:.1f} s**"),
        ),
        (
            "events/s, whole stream",
            per_run(lambda r: f"{stream['events'] / r['wall_s']:,.0f}"),
        ),
        (
            "gate scans/s (deciding + recording; authenticated beside the sensor check)",
            per_run(lambda r: f"{stream['scans'] / r['scans_s']:,.0f}"),
        ),
        *(
            (f"phase: {p}", per_run(lambda r, p=p: f"{r['phases'].get(p, math.nan):.1f} s"))
            for p in phases
        ),
        (
            "start-up and the rest",
            per_run(
                lambda r: f"{r['wall_s'] - r.get('read_s', 0) - sum(r['phases'].values()):.1f} s"
            ),
        ),
        ("peak memory of the import", per_run(lambda r: f"{r['rss_mib'] / 1024:.1f} GiB")),
        (
            # The system time is mostly the kernel handing out fresh pages (bench/RESULTS.md).
            "CPU seconds, user / system",
            per_run(
                lambda r: f"{r.get('user_s', math.nan):.1f} / {r.get('system_s', math.nan):.1f}"
            ),
        ),
        (
            "stored / duplicates / rejected",
            per_run(lambda r: f"{r['stored']:,} / {r['duplicates']:,} / {r['rejected']}"),
        ),
        (
            "gate scans",
            per_run(lambda r: f"{r['scans']:,} ({fmt_answers(Counter(r['scan_results']))})"),
        ),
        (
            "movements folded / zone-minutes written / alerts",
            per_run(lambda r: f"{r['movements']:,} / {r['minutes']:,} / {r['alerts']:,}"),
        ),
    ]
    if sensor_only is not None:
        s = sensor_only
        rows1s = [
            (
                "Sensor events alone (the stream's sensor rows in a file of their own, imported "
                "on a fresh copy of the prepared database), process wall clock",
                f"**{s['wall_s']:.1f} s** ({stream['sensor'] / s['wall_s']:,.0f} events/s); "
                + ", ".join(f"{p} {sec:.1f} s" for p, sec in s["phases"].items())
                + f"; peak {s['rss_mib'] / 1024:.1f} GiB",
            )
        ]
    else:
        rows1s = []

    drift_sum, drift_zones = facts["drift"]
    before_closing = api["before_closing"]
    rows3 = [
        ("sensor-event rows", f"{facts['sensor']:,}"),
        ("check-in log rows", f"{facts['scans']:,} ({fmt_answers(Counter(facts['scans_by']))})"),
        ("pending movements", f"{facts['pending']:,}"),
        ("occupancy minutes / alerts stored", f"{facts['minutes']:,} / {facts['alerts']:,}"),
        (
            f"{VENUE_ZONE} admissions per day (log)",
            ", ".join(f"{d[5:]}: {n:,}" for d, n in facts["venue_admissions"].items()),
        ),
        (
            "zones with people one second before closing (count)",
            ", ".join(f"{d[5:]}: {z} ({n:,})" for d, (z, n) in before_closing.items()),
        ),
        ("count left at closing, reset (zone-days, people)", f"{drift_zones:,}, {drift_sum:,}"),
        (
            f"probe instants ({VENUE_ZONE} count from the API)",
            ", ".join(
                f"{p} ({got.get(VENUE_ZONE, 0):,})"
                for p, got in zip(api["probe_at"], api["probes"], strict=True)
            ),
        ),
    ]

    logged: Counter = Counter()
    for r in results:
        logged.update(r["log"])
    rows3.append(("server log during the wrk runs", fmt_log(dict(logged))))
    rows4 = []
    for r in results:
        lat = r["latency_ms"]
        p99 = lat.get(99, math.nan)
        b = r["bytes"]
        ok = b.get("ok", 0)
        rows4.append(
            {
                "what": r["what"],
                "wrk": f"-t{r['threads']} -c{r['connections']}",
                "rps": f"{r.get('rps', math.nan):,.0f}",
                "p50": ms(lat.get(50, math.nan)),
                "p90": ms(lat.get(90, math.nan)),
                "p99": ms(p99),
                "max": ms(r["max_ms"]),
                "non2xx": f"{r['non_2xx']:,}",
                "bytes": f"{b.get('sum', 0) / max(ok, 1):,.0f} ({b.get('min', 0):,}–"
                f"{b.get('max', 0):,})",
                "target": (
                    ("met" if p99 < TARGET_P99_MS else "MISSED") if r["target"] else "(no target)"
                ),
                "cpu": balance_note(r["cpu"], r["connections"]),
                "p99v": p99,
            }
        )
    checks_rows = [(name, pass_fail(good)) for name, good in checks.items()]

    target_runs = [r for r in rows4 if r["target"] != "(no target)"]
    met = [r for r in target_runs if r["target"] == "met"]
    imports = (
        "; ".join(
            f"{label} {n}: whole stream {r['wall_s']:.1f} s "
            f"({'met' if r['wall_s'] < TARGET_IMPORT_S else 'MISSED'})"
            for n, r in enumerate(shown, start=1)
        )
        or "no import"
    )
    if sensor_only is not None:
        imports += (
            f"; sensor events alone, measured: {sensor_only['wall_s']:.1f} s "
            f"({'met' if sensor_only['wall_s'] < TARGET_IMPORT_S else 'MISSED'})"
        )
    endpoint = ", ".join(
        f"{r['wrk'].split()[1].removeprefix('-c')} conn. p99 {ms(r['p99v'])} ms ({r['target']})"
        for r in target_runs
    )
    targets = (
        f"import < {TARGET_IMPORT_S} s — {imports}. Occupancy `?at=` p99 < {TARGET_P99_MS} ms — "
        f"{endpoint}: {len(met)} of {len(target_runs)} met."
    )
    unbalanced = [r for r in rows4 if "one worker" in r["cpu"]]
    if unbalanced:
        targets += (
            " Note: granian does not balance keep-alive connections over its workers; in "
            + ", ".join(
                f"{r['what'].split(' ')[0]} at {r['wrk'].split()[1].removeprefix('-c')} connections"
                for r in unbalanced
            )
            + " one worker served (nearly) all connections (CPU seconds per worker in the table)."
        )

    width = max(len(k) for k, _ in rows0 + rows3 + checks_rows + [(k, 0) for k, _ in rows1])
    print()
    print("Preparation (not part of the target)")
    for k, v in rows0:
        print(f"  {k:<{width}}  {v}")
    print(f"Import: smartexpo venue import {STREAM} --expo {EXPO} --quiet")
    heads = " | ".join(f"{label} {n}" for n in range(1, len(shown) + 1))
    print(f"  {'':<{width}}  {heads}")
    for k, vals in rows1:
        print(f"  {k:<{width}}  {' | '.join(v.replace('**', '') for v in vals)}")
    for k, v in rows1s:
        print(f"  {k:<{width}}  {v.replace('**', '')}")
    print("Database and API after the import")
    for k, v in rows3:
        print(f"  {k:<{width}}  {v}")
    print(f"Endpoints: wrk --latency -d{args.duration}s, an organiser token")
    for r in rows4:
        print(
            f"  {r['what']} [{r['wrk']}]: {r['rps']} req/s, p50 {r['p50']} / p90 {r['p90']} / "
            f"p99 {r['p99']} / max {r['max']} ms, non-2xx {r['non2xx']}, body {r['bytes']} B, "
            f"p99 < {TARGET_P99_MS} ms: {r['target']}; worker CPU s {r['cpu']}"
        )
    print("Invariants")
    for k, v in checks_rows:
        print(f"  {k:<{width}}  {v}")
    print(f"Targets: {targets}")
    for r in results:
        for line, n in r["exceptions"].most_common(5):
            print(f"  {r['key']} server exception ×{n}: {line}")
        for key, body in r["samples"].items():
            print(f"  {r['key']} first {key} body: {body}")
        if r["target"] and r["bytes"].get("wrapped"):
            print(f"  {r['key']}: the paths were used up and started again")
    for day, c in api["closing"].items():
        if c["nonzero"]:
            shown_zones = dict(list(c["nonzero"].items())[:10])
            print(f"  after closing on {day}: zones not at 0: {shown_zones}")
    for probe, got, raw in zip(api["probe_at"], api["probes"], facts["raw_counts"], strict=True):
        diff = {z: (n, raw.get(z, 0)) for z, n in got.items() if n != raw.get(z, 0)}
        if diff:
            first = dict(list(diff.items())[:10])
            print(f"  at {probe}, {len(diff)} zones whose API count ≠ raw sum (api, raw): {first}")

    opens, closes = (f"{t:%H:%M}" for t in (expo["opens"], expo["closes"]))
    command = f"`{shlex.join(['python', 'bench/venue.py', *sys.argv[1:]])}`"
    if os.environ.get("MAKELEVEL"):
        command = f"`make bench-venue` ({command})"
    serve_shown = shlex.join(["smartexpo", *serve]).replace(f"--port {serve[4]}", "--port <port>")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    mem = memory_gib()
    md = [
        "## Venue: batch import and occupancy (`smartexpo venue import`, `GET …/venue/occupancy`)",
        "",
        f"{today} — {command}, SQLite in a temporary data dir; {os.cpu_count()} CPUs, "
        f"{mem:.0f} GiB, {os_name()}, Python {platform.python_version()} (wrk on the same "
        "machine). "
        f"Stream: `{prep['simulate_cmd']}`.",
        "",
        "| preparation (not part of the target) | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows0),
        "",
        f"Import: `smartexpo venue import {STREAM} --expo {EXPO} --quiet` on a copy of the "
        "prepared database, timed as a process (start-up included), one transaction: the "
        "gate scans are decided by the check-in rules as columns (`checkin.services.bulk_sync`), "
        "their secrets authenticated on a second thread while the sensor events are checked, "
        "and the fold planned on a second thread while the sensor events are inserted.",
        "",
        "| figure | " + " | ".join(f"{label} {n}" for n in range(1, len(shown) + 1)) + " |",
        "|---|" + "---|" * len(shown),
        *(f"| {k} | {' | '.join(v)} |" for k, v in rows1),
    ]
    if rows1s:
        md += ["", *(f"{k}: {v}." for k, v in rows1s)]
    md += [
        "",
        f"Endpoints: `{serve_shown}` on the imported data, `wrk --latency -d{args.duration}s` "
        "with an organiser token (Lua script: paths from a file, a different one per request "
        "where it says so; instants over the days' opening hours, "
        f"{opens}–{closes} local, shuffled), after a warm-up of "
        f"{api.get('warm', 'none')} of `occupancy?at=` on a new connection per request.",
        "",
        "| request | wrk | req/s | p50 | p90 | p99 | max (ms) | non-2xx | body B, mean (min–max) "
        f"| p99 < {TARGET_P99_MS} ms | worker CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {r['what']} | `{r['wrk']}` | {r['rps']} | {r['p50']} | {r['p90']} | {r['p99']} "
            f"| {r['max']} | {r['non2xx']} | {r['bytes']} | {r['target']} | {r['cpu']} |"
            for r in rows4
        ),
        "",
        "| database and API after the import | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows3),
        "",
        "| invariant | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in checks_rows),
        "",
        f"Targets (issue: the 4-day stream ingested and its occupancy history computed in under "
        f"{TARGET_IMPORT_S} s; occupancy p99 < {TARGET_P99_MS} ms with that data): {targets}",
    ]
    print("\n----- Markdown for bench/RESULTS.md -----")
    print("\n".join(md))
    print("----- end -----")


def os_name() -> str:
    try:
        return platform.freedesktop_os_release().get("PRETTY_NAME", platform.system())
    except OSError:
        return platform.system()


def memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return math.nan
