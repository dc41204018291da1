"""The figures of bench/eval_alerts.py: the matching per run, day and overall, the diagnosis of
what was missed, the speed, and the Markdown block for bench/RESULTS.md."""

from __future__ import annotations

import datetime as dt
import platform
import statistics
from zoneinfo import ZoneInfo

from benchlib import fmt_answers, percentile
from eval_alerts_match import (
    Episode,
    match_live,
    match_predicted,
    miss_kind,
    summary,
)

TARGET_AHEAD = 0.80
TARGET_NEVER = 0.20
TARGET_MS = 50.0


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def episodes(rows: list[dict], closing: dict[str, dt.datetime]) -> list[Episode]:
    return [
        Episode(
            r["hall"],
            dt.date.fromisoformat(r["period"]),
            _at(r["raised"]),
            _at(r["end"]) if r["end"] else closing[r["period"]],
        )
        for r in rows
    ]


def _local(at: dt.datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M:%S")


def evaluate(runs: list[dict]) -> dict:
    """Every run's matches and summaries (overall and per day), and those of all runs."""
    all_live, all_pred, out = [], [], {"runs": []}
    for run in runs:
        db = run["db"]
        tz = ZoneInfo(db["tz"])
        closes, opens = dt.time.fromisoformat(db["closes"]), dt.time.fromisoformat(db["opens"])
        closing = {
            d: dt.datetime.combine(dt.date.fromisoformat(d), closes, tzinfo=tz) for d in db["days"]
        }
        opening = {
            d: dt.datetime.combine(dt.date.fromisoformat(d), opens, tzinfo=tz) for d in db["days"]
        }
        live = match_live(episodes(db["live"], closing), episodes(db["predicted"], closing))
        pred = match_predicted(episodes(db["predicted"], closing), episodes(db["live"], closing))
        all_live += live
        all_pred += pred
        by_day = {
            day: summary(
                [m for m in live if str(m.live.period) == day],
                [m for m in pred if str(m.predicted.period) == day],
            )
            for day in db["days"]
        }
        rows = {(r["hall"], r["raised"]): r for r in db["live"]}
        missed = []
        for m in live:
            if m.ahead:
                continue
            row = rows[(m.live.hall, m.live.raised.isoformat())]
            missed.append(
                {
                    **row,
                    "raised_local": _local(m.live.raised, tz),
                    "lasted_min": round((m.live.end - m.live.raised).total_seconds() / 60, 1),
                    "lead_min": None if m.lead is None else round(m.lead.total_seconds() / 60, 1),
                    "kind": miss_kind(m, opening[str(m.live.period)]),
                }
            )
        basis = {(r["hall"], r["raised"]): r["basis"] for r in db["predicted"]}
        never = [
            {
                "hall": m.predicted.hall,
                "period": str(m.predicted.period),
                "raised_local": _local(m.predicted.raised, tz),
                "lasted_min": round((m.predicted.end - m.predicted.raised).total_seconds() / 60),
                "basis": basis[(m.predicted.hall, m.predicted.raised.isoformat())],
                "came_late": m.came_late,
                "hall_peak": db.get("hall_peaks", {})
                .get(str(m.predicted.period), {})
                .get(m.predicted.hall),
            }
            for m in pred
            if not m.came
        ]
        timings = {
            day: {
                "n": len(ms),
                "p50": percentile(sorted(ms), 50),
                "p99": percentile(sorted(ms), 99),
                "max": max(ms),
                "mean": statistics.fmean(ms),
            }
            for day, ms in db["timings_ms"].items()
        }
        out["runs"].append(
            {
                "label": run["label"],
                "total": summary(live, pred),
                "days": by_day,
                "missed": missed,
                "never": never,
                "timings": timings,
                "day_ms": {d: s * 1000 for d, s in db["day_seconds"].items()},
                "halls": db["halls"],
            }
        )
    out["total"] = summary(all_live, all_pred)
    return out


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _verdict(value: float | None, met, none: str) -> str:
    if value is None:
        return none
    return "met" if met(value) else "MISSED"


def _row(label: str, s: dict) -> str:
    return (
        f"| {label} | {s['live']} | {s['ahead']} ({_pct(s['ahead_share'])}) | "
        f"{s['predicted_any']} | {_num(s['lead_median_min'], 1)} | {s['predictions']} | "
        f"{s['never_came']} ({_pct(s['never_share'])}) | {s['came_late']} | {s['during_live']} |"
    )


def _segments(run: dict) -> str:
    parts = []
    for seg in run["segments"]:
        parts.append(
            f"`{seg['cmd']}` ({seg['events']:,} events, {seg['seconds']:.0f} s; planned "
            + ", ".join(f"{d} {n:,}" for d, n in seg["planned"].items())
            + ")"
        )
    return "; ".join(parts)


def report(args, facts: dict, planned: dict, runs: list[dict], figures: dict, api) -> bool:
    """Prints the figures and the Markdown block; False when a check of the API failed."""
    lines = [
        f"## Predicted alerts against the twin ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.node()}, {args.visits:,} planned visits)",
        "",
        "Planned visits per day: "
        + ", ".join(f"{d} {n:,}" for d, n in zip(planned["days"], planned["visits"], strict=True))
        + (
            f"; demo seeded in {facts['seed_s']:.0f} s."
            if facts["seed_s"] is not None
            else "; the demo seeded in an earlier run's base dir."
        ),
        "",
    ]
    for run in runs:
        imported = sum(i["wall_s"] for i in run["imports"])
        lines.append(
            f"- {run['label']}: {_segments(run)}; imported in {imported:.0f} s; "
            f"measured in {run['measure_s']:.0f} s."
        )
    lines += [
        "",
        "| run / day | live hall alerts | predicted ≥ 10 min ahead | predicted (any lead) | "
        "median lead (min) | predicted alerts | never came | of them came late (≤ 30 min) | "
        "came during a standing live alert |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in figures["runs"]:
        for day, s in run["days"].items():
            lines.append(_row(f"{run['label']}: {day}", s))
        lines.append(_row(f"**{run['label']}: 4 days**", run["total"]))
    lines.append(_row("**all runs**", figures["total"]))
    t = figures["total"]
    ahead_met = _verdict(t["ahead_share"], lambda v: v >= TARGET_AHEAD, "no live hall alert")
    never_met = _verdict(t["never_share"], lambda v: v <= TARGET_NEVER, "no prediction")
    lines += [
        "",
        f"Targets: predicted ≥ 10 min ahead {_pct(t['ahead_share'])} (≥ 80 %: "
        f"{ahead_met}); never came {_pct(t['never_share'])} (≤ 20 %: {never_met}); "
        f"median lead {_num(t['lead_median_min'], 1)} min.",
        "",
        "Speed: `predict.predicted_at(expo=, at=)` at every minute of the opening hours, in "
        "process (ms); `predict.predicted_alerts(expo=, day=)` for a whole day (ms):",
        "",
        "| run | day | instants | p50 | p99 | max | mean | whole day |",
        "|---|---|---|---|---|---|---|---|",
    ]
    worst = 0.0
    for run in figures["runs"]:
        for day, tm in run["timings"].items():
            worst = max(worst, tm["p99"])
            lines.append(
                f"| {run['label']} | {day} | {tm['n']} | {tm['p50']:.1f} | {tm['p99']:.1f} | "
                f"{tm['max']:.1f} | {tm['mean']:.1f} | {run['day_ms'][day]:.0f} |"
            )
    ok = True
    if api is not None:
        bad = {at: v for at, v in api["probes"].items() if v[0] != v[1]}
        ok = not bad
        lines += [
            "",
            f"API on the first run's database, `{api['serve']}`, organiser token; the counts at "
            f"{len(api['probes'])} instants equal `predicted_at`'s: {bad if bad else 'yes'}.",
            "",
            "| wrk | requests | req/s | p50 | p90 | p99 | max | answers | body bytes |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in api["runs"]:
            lat = {int(k): v for k, v in r["latency_ms"].items()}  # str keys once in JSON
            b = r["bytes"]
            good = set(r["answers"]) == {"200"} and b.get("min", 0) > 0 and r["non_2xx"] == 0
            ok = ok and good
            lines.append(
                f"| `-t{r['threads']} -c{r['connections']} -d{r['duration']}s` | "
                f"{r.get('requests', 0):,} | {r.get('rps', 0):.0f} | {lat.get(50, 0):.1f} | "
                f"{lat.get(90, 0):.1f} | {lat.get(99, 0):.1f} | {r['max_ms']:.1f} | "
                f"{fmt_answers(r['answers'])} | {b.get('min', 0):,}–{b.get('max', 0):,} |"
            )
    lines += ["", f"In process p99 worst {worst:.1f} ms (target < {TARGET_MS:g} ms)."]
    lines += ["", "Live hall alerts not predicted 10 minutes ahead:", ""]
    lines += [
        "| run | hall | day | raised | lasted (min) | peak / threshold | reason | basis | lead "
        "(min) | count, forecast peak at −10 / −5 / −1 min | kind |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in figures["runs"]:
        for m in run["missed"]:
            before = " / ".join(
                f"{m.get(f'count_{b}', '–')}, {m.get(f'peak_{b}', '–')}" for b in (10, 5, 1)
            )
            lines.append(
                f"| {run['label']} | {m['hall']} | {m['period']} | {m['raised_local']} | "
                f"{m['lasted_min']} | {m['peak_count']} / {m.get('threshold', '–')} | "
                f"{m['reason']} | {m.get('basis', '–')} | {_num(m['lead_min'], 1)} | {before} | "
                f"{m['kind']} |"
            )
    lines += ["", "Predicted alerts that never came:", ""]
    lines += [
        "| run | hall | day | raised | stood (min) | basis | came late | the hall's highest count "
        "that day / threshold |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in figures["runs"]:
        for n in run["never"]:
            lines.append(
                f"| {run['label']} | {n['hall']} | {n['period']} | {n['raised_local']} | "
                f"{n['lasted_min']} | {n['basis']} | {'yes' if n['came_late'] else 'no'} | "
                + (f"{n['hall_peak'][0]:,} / {n['hall_peak'][1]:,} |" if n["hall_peak"] else "– |")
            )
    print("\n".join(lines))
    if not ok:
        print("CHECK FAILED: the API's answers (see above)")
    return ok
