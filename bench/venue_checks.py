"""Step 3 of bench/venue.py: the invariants after the import, read from the database with
sqlite3 and through the API at the same instants, and the checks they are judged by.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

from venue_edition import API, US, VENUE_ZONE, connect_ro, local, q, scan_time, to_us
from venue_endpoints import get_json, history_path


def probe_instants(expo: dict, days: list[str], seed: int) -> tuple[list, list]:
    """One random instant within each day's opening hours (at a random microsecond), and the
    closing of the day before: `db_facts` sums each zone's raw movements between the two, to
    compare with the count the API gives at the probe."""
    rng = random.Random(seed)
    probes, closing_before = [], []
    for day in days:
        opens = local(day, expo["opens"], expo["tz"])
        span = (local(day, expo["closes"], expo["tz"]) - opens).total_seconds()
        probe = opens + dt.timedelta(seconds=rng.randrange(int(span)))
        probes.append(probe.replace(microsecond=rng.randrange(1, US)))
        previous = dt.date.fromisoformat(day) - dt.timedelta(days=1)
        closing_before.append(local(previous.isoformat(), expo["closes"], expo["tz"]))
    return probes, closing_before


def db_counts(db: Path, expo_id: int) -> dict:
    """Rows of the edition's sensor events and check-in log (cheap on the prepared copy)."""
    con = connect_ro(db)
    try:
        sensor = con.execute(
            "SELECT COUNT(*) FROM crowd_sensorevent WHERE expo_id = ?", (expo_id,)
        ).fetchone()[0]
        scans = con.execute(
            "SELECT COUNT(*) FROM checkin_scan WHERE expo_id = ?", (expo_id,)
        ).fetchone()[0]
    finally:
        con.close()
    return {"sensor": sensor, "scans": scans}


def db_facts(db: Path, expo: dict, probes: list[dt.datetime], closing_before: list) -> dict:
    """Step 3's counts, and each zone's raw movements summed up to each probe instant (from the
    previous closing), one pass over each table."""
    expo_id, tz = expo["id"], expo["tz"]
    con = connect_ro(db)
    try:
        facts = db_counts(db, expo_id)
        facts["scans_by"] = {
            f"{d} {r}": n
            for r, d, n in con.execute(
                "SELECT result, direction, COUNT(*) FROM checkin_scan WHERE expo_id = ? "
                "GROUP BY 1, 2",
                (expo_id,),
            )
        }
        facts["pending"] = con.execute(
            "SELECT COUNT(*) FROM crowd_pendingmovement WHERE expo_id = ?", (expo_id,)
        ).fetchone()[0]
        facts["minutes"] = con.execute(
            "SELECT COUNT(*) FROM crowd_occupancyminute WHERE zone_id IN "
            "(SELECT id FROM venue_zone WHERE expo_id = ?)",
            (expo_id,),
        ).fetchone()[0]
        facts["alerts"] = con.execute(
            "SELECT COUNT(*) FROM crowd_crowdalert WHERE expo_id = ?", (expo_id,)
        ).fetchone()[0]
        facts["drift"] = con.execute(
            "SELECT COALESCE(SUM(closing_count), 0), COUNT(*) FROM crowd_zoneday WHERE zone_id "
            "IN (SELECT id FROM venue_zone WHERE expo_id = ?) AND closing_count <> 0",
            (expo_id,),
        ).fetchone()
        venue_id = next((z for z, c in expo["zones"].items() if c == VENUE_ZONE), None)
        # Grouped by UTC hour, then placed on local days: no offset arithmetic in SQL.
        per_day: Counter = Counter()
        for hour, n in con.execute(
            "SELECT substr(scanned_at, 1, 13), COUNT(*) FROM checkin_scan WHERE expo_id = ? "
            "AND zone_id = ? AND direction = 'in' AND result = 'admit' GROUP BY 1",
            (expo_id, venue_id),
        ):
            utc = dt.datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=dt.UTC)
            per_day[utc.astimezone(tz).date().isoformat()] += n
        facts["venue_admissions"] = dict(sorted(per_day.items()))
        # Each probe's count from the raw rows: the sensor events (+/- count) and the gate
        # scans that let somebody through (admit and conflict, +/- 1 in the gate's zone).
        sensor_sums = ", ".join(
            "SUM(CASE WHEN at > ? AND at <= ? THEN "
            "CASE kind WHEN 'enter' THEN count ELSE -count END ELSE 0 END)"
            for _ in probes
        )
        scan_sums = ", ".join(
            "SUM(CASE WHEN scanned_at > ? AND scanned_at <= ? THEN "
            "CASE direction WHEN 'in' THEN 1 ELSE -1 END ELSE 0 END)"
            for _ in probes
        )
        raw: dict[int, list[int]] = {}
        sensor_bounds = [b for p, c in zip(probes, closing_before, strict=True) for b in (c, p)]
        for zone_id, *sums in con.execute(
            f"SELECT zone_id, {sensor_sums} FROM crowd_sensorevent "  # noqa: S608
            "WHERE expo_id = ? GROUP BY zone_id",
            [*(to_us(b) for b in sensor_bounds), expo_id],
        ):
            raw[zone_id] = list(sums)
        for zone_id, *sums in con.execute(
            f"SELECT zone_id, {scan_sums} FROM checkin_scan "  # noqa: S608
            "WHERE expo_id = ? AND result IN ('admit', 'conflict') AND zone_id IS NOT NULL "
            "GROUP BY zone_id",
            [*(scan_time(b) for b in sensor_bounds), expo_id],
        ):
            base = raw.setdefault(zone_id, [0] * len(probes))
            raw[zone_id] = [a + b for a, b in zip(base, sums, strict=True)]
        facts["raw_counts"] = [
            {expo["zones"][z]: sums[i] for z, sums in raw.items()} for i in range(len(probes))
        ]
    finally:
        con.close()
    return facts


def api_checks(port: int, token: str, expo: dict, days: list[str], probes, end) -> dict:
    """Step 3's checks through the API (every zone after each closing, the probes), and the
    body sizes the wrk runs are compared with."""
    tz, closes = expo["tz"], expo["closes"]
    out: dict = {"closing": {}, "before_closing": {}, "probes": [], "sizes": {}}
    for day in days:
        closing = local(day, closes, tz)
        after = closing + dt.timedelta(seconds=1)
        _, body, size = get_json(port, f"{API}/occupancy?at={q(after)}", token)
        zones = body.get("zones", [])
        out["closing"][day] = {
            "at": after.isoformat(),
            "zones": len(zones),
            "nonzero": {z["zone"]: z["count"] for z in zones if z["count"] != 0},
        }
        out["sizes"]["occupancy"] = size
        before = closing - dt.timedelta(seconds=1)
        _, body, _ = get_json(port, f"{API}/occupancy?at={q(before)}", token)
        counts = [z["count"] for z in body.get("zones", [])]
        out["before_closing"][day] = (sum(1 for c in counts if c), sum(counts))
    out["probe_at"] = [p.isoformat() for p in probes]
    for probe in probes:
        _, body, size = get_json(port, f"{API}/occupancy?at={q(probe)}", token)
        out["probes"].append({z["zone"]: z["count"] for z in body.get("zones", [])})
        out["sizes"]["occupancy"] = min(out["sizes"]["occupancy"], size)
    _, _, out["sizes"]["now"] = get_json(port, f"{API}/occupancy", token)
    _, _, out["sizes"]["latest"] = get_json(port, f"{API}/occupancy?at={q(end)}", token)
    sizes = []
    for day in days:
        _, body, size = get_json(port, history_path(expo, day), token)
        sizes.append(size)
        out.setdefault("history_points", len(body.get("points", [])))
    out["sizes"]["history"] = min(sizes)
    _, body, out["sizes"]["alerts"] = get_json(port, f"{API}/alerts?at={q(end)}", token)
    out["alerts_count"] = body.get("count")
    return out


def invariants(stream, expo, before, facts, planned, api, runs, sensor_only, results) -> dict:
    checks: dict[str, bool] = {}
    for n, run in enumerate(runs, start=1):
        checks[
            f"import {n}: {stream['sensor']:,} sensor events stored, no duplicate, none "
            f"rejected; {stream['scans']:,} scans, all admit"
        ] = (
            run["stored"] == stream["sensor"]
            and run["duplicates"] == 0
            and run["rejected"] == "none"
            and run["scans"] == stream["scans"]
            and run["scan_results"] == {"admit": stream["scans"]}
        )
    if sensor_only is not None:
        checks[f"sensor-only import: {stream['sensor']:,} stored, none refused"] = (
            sensor_only["stored"] == stream["sensor"]
            and sensor_only["duplicates"] == 0
            and sensor_only["rejected"] == "none"
            and sensor_only["scans"] == 0
        )
    sensor_rows = facts["sensor"] - before["sensor"]
    scan_rows = facts["scans"] - before["scans"]
    checks["sensor-event rows in DB = the stream's sensor events"] = sensor_rows == stream["sensor"]
    checks["check-in log rows in DB = the stream's scans, all admit, in/out as in the stream"] = (
        scan_rows == stream["scans"]
        and facts["scans_by"]
        == {
            k: v
            for k, v in (("in admit", stream["scans_in"]), ("out admit", stream["scans_out"]))
            if v
        }
    )
    checks["no pending movement left (crowd_pendingmovement)"] = facts["pending"] == 0
    checks["occupancy minutes stored"] = facts["minutes"] > 0
    checks[f"{VENUE_ZONE} admissions per day in the check-in log = the simulator's plan"] = (
        facts["venue_admissions"] == planned
    )
    zones = len(expo["zones"])
    checks["every zone's count is 0 one second after each day's closing (nightly reset)"] = all(
        c["zones"] == zones > 0 and not c["nonzero"] for c in api["closing"].values()
    )
    checks["every zone's count at one instant a day = its raw movements summed in the DB"] = all(
        got == {z: raw.get(z, 0) for z in got}
        for got, raw in zip(api["probes"], facts["raw_counts"], strict=True)
    ) and all(got.get(VENUE_ZONE, 0) > 0 for got in api["probes"])
    for r in results:
        checks[f"{r['label']}: every answer 200, body ≥ 90 % of the expected size"] = (
            r["non_2xx"] == 0
            and not any(r["socket_errors"].values())
            and set(r["answers"]) == {"200"}
            and r["bytes"].get("min", -1) >= 0.9 * r["size"]
            and r.get("requests", 0) > 0
            and not any(r["log"].values())
        )
    return checks
