"""Benchmark: one visitor's recommendations, served the way users run it.

`smartexpo serve` on SQLite in a temporary data directory, with the 2019 demo edition seeded at
50,000 visitors and its 843 exhibitors. The demo's visitors are given networking profiles and
booth visits by this script when the demo has none (seeded random: sectors, technology tags,
intents, a company and a title, a `share` for one in three; 0–12 booth visits each, drawn towards
their sectors), then the edition's recommender is built (`smartexpo recs build`, timed), and:

1. `GET /api/v1/expos/sce-2019/registrations/{id}/recommendations` for one visitor with a
   profile and visits, under `wrk -t2 -c8 -d20s --latency` with the visitor's manage token:
   the target is p99 under 30 ms. Every answer is checked by the Lua script: a 200 whose body
   names the exhibitor that a first request put first (counted as `200 ok`; anything else is
   counted by its status and what it lacked).
2. The exhibitor's side once (`…/recommendations/visitors`, an exhibitor token), timed at the
   client, cold (the model loaded and the sharing visitors encoded) and warm.

Usage: python bench/recommend.py [--duration S] [--workers N] [--visitors N] [--keep].
Prints a summary and a Markdown block for bench/RESULTS.md. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import (
    LUA_TOTALS,
    BenchError,
    fmt_answers,
    fmt_log,
    free_port,
    log_findings,
    parse_wrk,
    percentile,
    print_failure,
    run_cli,
    run_wrk,
    start_server,
    stop,
    wait_until_up,
)

EXPO = "sce-2019"
API = f"/api/v1/expos/{EXPO}"
TARGET_P99_MS = 30.0

LOG_PATTERNS = {
    "500 (Internal Server Error)": "Internal Server Error",
    "database is locked": "database is locked",
    "Traceback": "Traceback (most recent call last)",
}

# Run by `smartexpo shell -c`: profiles and booth visits for the demo's visitors (when the demo
# has given them none), then print the visitor the load asks for and its manage token.
PREPARE = r"""
import random, datetime as dt, json
from django.db import transaction
from smartexpo.crowd.models import BoothVisit
from smartexpo.exhibitors.models import BoothAssignment, Sector, Tag
from smartexpo.tickets.models import Registration, Ticket, Intent
from smartexpo.tickets.selectors import manage_token_of
from smartexpo.venue.models import Expo
expo = Expo.objects.get(slug=%(expo)r)
rng = random.Random(2019)
sectors = list(Sector.objects.values_list("code", flat=True))
tags = list(Tag.objects.values_list("code", flat=True))
intents = [c for c, _ in Intent.choices]
booths = {}
assigned = BoothAssignment.objects.filter(expo=expo, booth__zone__isnull=False)
for zone, sector in assigned.values_list("booth__zone_id", "exhibitor__sector__code"):
    booths.setdefault(sector, []).append(zone)
every_booth = [z for zs in booths.values() for z in zs]
length = (expo.ends_on - expo.starts_on).days + 1
days = [expo.starts_on + dt.timedelta(days=n) for n in range(length)]
regs = Registration.objects.filter(expo=expo)
filled = regs.exclude(sectors=[]).exists()
tz = expo.tz
with transaction.atomic():
    if not filled:
        batch = []
        for r in regs.only("id").iterator(chunk_size=5000):
            r.sectors = rng.sample(sectors, rng.randint(1, 2))
            r.interests = rng.sample(tags, rng.randint(1, 4))
            r.intents = rng.sample(intents, rng.randint(0, 2))
            r.company = "Visitor Company %%d" %% rng.randint(1, 5000)
            r.title = rng.choice(["Engineer", "Purchasing manager", "CTO", "Researcher", "Student"])
            r.share = ["name", "company"] if rng.random() < 0.33 else []
            batch.append(r)
        fields = ["sectors", "interests", "intents", "company", "title", "share"]
        Registration.objects.bulk_update(batch, fields, batch_size=2000)
    if not BoothVisit.objects.filter(expo=expo).exists() and every_booth:
        serials = dict(Ticket.objects.filter(expo=expo).values_list("registration_id", "serial"))
        rows = []
        for r in regs.values("id", "sectors").iterator(chunk_size=5000):
            serial = serials.get(r["id"])
            if serial is None:
                continue
            near = [z for s in r["sectors"] for z in booths.get(s, [])] or every_booth
            for _ in range(rng.randint(0, 12)):
                zone = rng.choice(near) if rng.random() < 0.7 else rng.choice(every_booth)
                day = rng.choice(days)
                clock = dt.time(rng.randint(9, 16), rng.randint(0, 59))
                at = dt.datetime.combine(day, clock, tzinfo=tz)
                rows.append(BoothVisit(expo=expo, serial=serial, zone_id=zone, day=day, at=at))
        BoothVisit.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
chosen = regs.exclude(sectors=[]).exclude(intents=[]).order_by("id")[rng.randint(0, 999)]
print(json.dumps({
    "registration": chosen.pk,
    "manage_token": manage_token_of(chosen),
    "visitors": regs.count(),
    "profiles": regs.exclude(sectors=[]).count(),
    "sharing": regs.exclude(share=[]).count(),
    "booth_visits": BoothVisit.objects.filter(expo=expo).count(),
}))
"""

LUA = (
    """-- Generated by bench/recommend.py: every answer checked, counted by what it was.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function request()
  return wrk.format("GET", nil, {["Authorization"] = "Bearer %(token)s"})
end
function response(status, headers, body)
  local key = tostring(status)
  if status == 200 then
    if string.find(body, '"slug": "%(first)s"', 1, true)
      or string.find(body, '"slug":"%(first)s"', 1, true) then
      key = "200 ok"
    else
      key = "200 without the expected first exhibitor"
    end
  end
  counts[key] = (counts[key] or 0) + 1
end
"""
    + LUA_TOTALS
)


def last_line(out: str) -> str:
    """What a `smartexpo shell -c` script printed last (the shell may print a banner first)."""
    return out.strip().splitlines()[-1]


def timed_get(port: int, path: str, token: str) -> tuple[int, dict, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    began = time.perf_counter()
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    return resp.status, json.loads(body or b"null"), (time.perf_counter() - began) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="wrk seconds (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="smartexpo serve --workers (2)")
    parser.add_argument("--visitors", type=int, default=50_000, help="demo visitors (50,000)")
    parser.add_argument(
        "--distinct", type=int, default=20_000, help="visitors of scenario 2 (20,000)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        parser.error("wrk is not installed (make bench-recs installs it from Debian)")

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    t_start = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="smartexpo-bench-recs-"))
    env = {**os.environ, "SMARTEXPO_DATA_DIR": str(data_dir)}
    for name in ("DATABASE_URL", "DEBUG"):
        env.pop(name, None)
    server: subprocess.Popen | None = None
    log_path = data_dir / "server.log"
    failed = False
    try:
        print(f"data dir {data_dir}", flush=True)
        run_cli(["migrate", "--no-input", "-v0"], env)
        began = time.perf_counter()
        run_cli(["demo", "seed", "--visitors", str(args.visitors), "--quiet"], env, timeout=900)
        print(f"demo seeded in {time.perf_counter() - began:.1f} s", flush=True)
        prepared = json.loads(
            last_line(run_cli(["shell", "-c", PREPARE % {"expo": EXPO}], env, timeout=900))
        )
        print(f"prepared: {prepared}", flush=True)
        began = time.perf_counter()
        built = run_cli(["recs", "build", "--expo", EXPO, "--quiet"], env, timeout=900)
        build_s = time.perf_counter() - began
        print(built.strip(), f"(command {build_s:.1f} s)", flush=True)
        exhibitor_token = last_line(
            run_cli(["shell", "-c", EXHIBITOR_SCRIPT % {"expo": EXPO}], env)
        )
        many = [
            line.split("\t")
            for line in run_cli(
                ["shell", "-c", MANY_SCRIPT % {"expo": EXPO, "n": args.distinct}], env
            ).splitlines()
            if line.count("\t") == 1
        ]

        port = free_port()
        serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        serve += ["--workers", str(args.workers), "--no-mailer"]
        server = start_server(serve, env, log_path, "wb")
        up = wait_until_up(port, server, log_path, f"{API}/halls")
        print(f"server up on 127.0.0.1:{port} after {up:.1f} s: smartexpo {shlex.join(serve)}")

        path = f"{API}/registrations/{prepared['registration']}/recommendations"
        # Each worker loads the model on its first request: warm them all before measuring.
        firsts = [timed_get(port, path, prepared["manage_token"]) for _ in range(4 * args.workers)]
        status, answer, cold_ms = firsts[0]
        if status != 200 or not answer["items"]:
            raise BenchError(f"the recommendations answered {status}: {answer}")
        first = answer["items"][0]["exhibitor"]["slug"]
        checks = {
            "answer: 10 exhibitors, each with reasons in both languages": len(answer["items"]) == 10
            and all(i["reasons"] and {"en", "zh"} <= set(i["reasons"][0]) for i in answer["items"]),
            "answer: the same first exhibitor from every worker": all(
                s == 200 and a["items"][0]["exhibitor"]["slug"] == first for s, a, _ in firsts
            ),
        }
        lua = data_dir / "recommend.lua"
        lua.write_text(LUA % {"token": prepared["manage_token"], "first": first})
        offset = log_path.stat().st_size
        wrk_cmd, wrk_out = run_wrk(
            wrk,
            threads=2,
            connections=8,
            duration=args.duration,
            lua=lua,
            url=f"http://127.0.0.1:{port}{path}",
            label="scenario 1",
        )
        s1 = parse_wrk(wrk_out, answers="status", counts="none")
        s1["log"], s1_exc = log_findings(
            log_path.read_bytes()[offset:].decode(errors="replace"), LOG_PATTERNS
        )
        p99 = s1["latency_ms"].get(99, float("nan"))
        checks["every answer 200 with the expected first exhibitor"] = (
            set(s1["answers"]) == {"200 ok"} and not s1["non_2xx"]
        )
        checks["no server exception"] = not s1_exc
        checks[f"p99 under {TARGET_P99_MS:.0f} ms"] = p99 < TARGET_P99_MS

        # Scenario 2: distinct visitors, each asked once: no ranking is remembered yet.
        lua_many = data_dir / "recommend-many.lua"
        lua_many.write_text(many_lua(many))
        offset = log_path.stat().st_size
        _many_cmd, wrk_many_out = run_wrk(
            wrk,
            threads=2,
            connections=8,
            duration=args.duration,
            lua=lua_many,
            url=f"http://127.0.0.1:{port}{API}",
            label="scenario 2",
        )
        s3 = parse_wrk(wrk_many_out, answers="status", counts="none")
        s3["log"], s3_exc = log_findings(
            log_path.read_bytes()[offset:].decode(errors="replace"), LOG_PATTERNS
        )
        s3["distinct"] = len(many)
        checks["distinct visitors: every answer 200 with reasons"] = (
            set(s3["answers"]) == {"200 ok"} and not s3["non_2xx"]
        )
        checks["distinct visitors: none asked twice"] = s3.get("requests", 0) <= len(many)
        checks["distinct visitors: no server exception"] = not s3_exc

        visitors = f"{API}/recommendations/visitors"
        side = [timed_get(port, visitors, exhibitor_token) for _ in range(4 * args.workers + 10)]
        shown = {
            i["visitor"]["registration"]: sorted(set(i["visitor"]) - {"registration"})
            for _s, a, _ms in side
            for i in a["items"]
        }
        shares = json.loads(
            last_line(run_cli(["shell", "-c", SHARES_SCRIPT % {"ids": sorted(shown)}], env))
        )
        checks["exhibitor side: 200s, each visitor with exactly the fields it shares"] = (
            all(s == 200 for s, _a, _ms in side)
            and bool(shown)
            and all(shares[str(pk)] == fields for pk, fields in shown.items())
        )
        s2 = {
            "cold_ms": max(ms for _s, _a, ms in side[: 2 * args.workers]),
            "warm_p50_ms": percentile(sorted(ms for _s, _a, ms in side[4 * args.workers :]), 50),
            "count": side[-1][1]["count"],
        }
        failed = not all(checks.values())
        stop(server)
        server = None
        report(args, prepared, built, build_s, cold_ms, s1, s2, s3, checks, wrk_cmd, serve, t_start)
    except BenchError as exc:
        print_failure(exc, log_path, LOG_PATTERNS)
        failed = True
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        stop(server)
        if args.keep:
            print(f"kept {data_dir} (server log: {log_path})")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if failed else 0


# What each of these registrations shares that the edition allows, to check the exhibitor's side.
SHARES_SCRIPT = r"""
import json
from smartexpo.tickets.models import Registration
found = {}
for r in Registration.objects.filter(pk__in=%(ids)r).select_related("expo"):
    found[str(r.pk)] = sorted(set(r.share) & set(r.expo.lead_fields))
print(json.dumps(found))
"""

# The manage tokens of the first N visitors with a profile, for scenario 2.
MANY_SCRIPT = r"""
from smartexpo.tickets.models import Registration
from smartexpo.tickets.selectors import manage_token_of
regs = Registration.objects.filter(expo__slug=%(expo)r).exclude(sectors=[]).order_by("id")
for r in regs[: %(n)d]:
    print(f"{r.pk}\t{manage_token_of(r)}")
"""

MANY_LUA = (
    """-- Generated by bench/recommend.py: each request another visitor, each answer checked.
local threads = {}
local visitors = {%(visitors)s}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args) counts = {}; n = id; step = %(threads)d end
function request()
  n = n + step
  local v = visitors[(n %% #visitors) + 1]
  local path = "%(api)s/registrations/" .. v[1] .. "/recommendations"
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. v[2]})
end
function response(status, headers, body)
  local key = tostring(status)
  if status == 200 then
    if string.find(body, '"reasons"', 1, true) then key = "200 ok" else key = "200 empty" end
  end
  counts[key] = (counts[key] or 0) + 1
end
"""
    + LUA_TOTALS
)


def many_lua(visitors: list[list[str]]) -> str:
    listed = ",".join(f'{{"{pk}","{token}"}}' for pk, token in visitors)
    return MANY_LUA % {"visitors": listed, "threads": 2, "api": API}


# An exhibitor token of the exhibitor with the most booths, printed for the exhibitor's side.
EXHIBITOR_SCRIPT = r"""
from django.db.models import Count
from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.exhibitors.models import Exhibitor
approved = Exhibitor.objects.filter(expo__slug=%(expo)r, status="approved")
exhibitor = approved.annotate(n=Count("booth_assignments")).order_by("-n", "id").first()
print(token_create(role=Role.EXHIBITOR, name="bench", exhibitor=exhibitor)[1])
"""


def report(args, prepared, built, build_s, cold_ms, s1, s2, s3, checks, wrk_cmd, serve, t_start):
    lat = s1["latency_ms"]
    lat3 = s3["latency_ms"]
    rows = [
        (
            "edition",
            f"{prepared['visitors']:,} visitors ({prepared['profiles']:,} with a profile, "
            f"{prepared['sharing']:,} sharing), {prepared['booth_visits']:,} booth visits",
        ),
        ("`smartexpo recs build` (whole command)", f"{build_s:.1f} s — {built.strip()}"),
        ("first answer of a fresh worker (model loaded)", f"{cold_ms:.0f} ms"),
        ("recommendations requests/s", f"{s1.get('rps', float('nan')):,.1f}"),
        (
            "recommendations latency p50 / p90 / p99 (ms)",
            " / ".join(f"{lat.get(p, float('nan')):.1f}" for p in (50, 90, 99)),
        ),
        ("recommendations answers", fmt_answers(s1["answers"])),
        ("server log", fmt_log(s1["log"])),
        (
            f"distinct visitors (each once, of {s3['distinct']:,}): requests/s",
            f"{s3.get('rps', float('nan')):,.1f}",
        ),
        (
            "distinct visitors: latency p50 / p90 / p99 (ms)",
            " / ".join(f"{lat3.get(p, float('nan')):.1f}" for p in (50, 90, 99)),
        ),
        ("distinct visitors: answers", fmt_answers(s3["answers"])),
        (
            "exhibitor's visitors: first answers / warm p50 (ms)",
            f"{s2['cold_ms']:.0f} / {s2['warm_p50_ms']:.1f} ({s2['count']} suggested)",
        ),
        *((name, "PASS" if good else "FAIL") for name, good in checks.items()),
    ]
    width = max(len(k) for k, _ in rows)
    print()
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    print(f"total run time {time.perf_counter() - t_start:.0f} s")
    command = f"`{shlex.join(['python', 'bench/recommend.py', *sys.argv[1:]])}`"
    if os.environ.get("MAKELEVEL"):
        command = f"`make bench-recs` ({command})"
    serve_shown = shlex.join(["smartexpo", *serve]).replace(f"--port {serve[4]}", "--port <port>")
    wrk_shown = shlex.join(["wrk", *wrk_cmd[1:-2], "recommend.lua"])
    md = [
        "## Recommendations (speed)",
        "",
        f"{dt.datetime.now(dt.UTC).date().isoformat()} — {command}, SQLite in a temporary data "
        f"dir, `{serve_shown}`; {os.cpu_count()} CPUs, Python {platform.python_version()}. "
        f"One visitor's `GET …/registrations/{{id}}/recommendations` (manage token, 10 "
        f"exhibitors) under `{wrk_shown}`, every answer checked.",
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows),
    ]
    print("\n----- Markdown for bench/RESULTS.md -----")
    print("\n".join(md))
    print("----- end -----")


if __name__ == "__main__":
    sys.exit(main())
