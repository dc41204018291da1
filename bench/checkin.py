"""Benchmark: gate check-in, online scans and offline sync, served the way users run it.

`smartexpo serve --workers 2 --no-mailer` (granian, unless `--serve-args="--server gunicorn"`)
on SQLite in a temporary data directory, with tickets issued through the bulk registration path
(`registrations_bulk_create`) and their signed secrets re-derived with `ticket_secret`:

1. Online: `wrk -t2 -c64 -d20s --latency` posting `POST /api/v1/expos/{expo}/checkin/scans`,
   every request a different ticket (100,000 issued, `--tickets`) scanned `in` once, with its
   own nonce, one scanner device per wrk thread, at a venue gate, on the ticket's valid day. A
   thread that runs out of tickets stops (it never replays one). Scans/s, latency percentiles,
   answers by result and reason, socket errors; then the check-in log and the tickets' inside
   state in the database are compared with the admissions wrk saw.
2. Sync: `POST /api/v1/expos/{expo}/checkin/sync` in batches of 5,000 distinct tickets scanned
   `in` (`--batches` per run): once sequentially over one keep-alive connection, once from
   `--sync-clients` (4) clients at the same time (one device each), each batch on a new
   connection as a scanner back from an outage would open. Scans/s (scans / wall time),
   per-batch latency; every answer must be `admit` and every scan a row. Then one batch is
   sent again: the answers must be identical and no row may be added.

The sync runs use tickets of their own (2 × `--batches` × 5,000: another 100,000 by default),
so 200,500 tickets are issued in all, one day, one ticket type per purpose.

Before the online run a warm-up of 500 scans (a ticket type of their own, own device) also checks
an online nonce replay (same answer, no row) and anti-passback (a second entry is
`already_inside`).

Usage: make bench-checkin [CHECKIN_BENCH_ARGS="..."], or python bench/checkin.py [--tickets N]
[--duration S] [--connections N] [--threads N] [--workers N] [--batches N]
[--serve-args="--threads 2"] [--keep]. Prints a summary and a
Markdown block for bench/RESULTS.md. Exits 1 when an invariant breaks (a ticket not admitted
exactly once, database counts that do not match the answers); a missed target is only reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from benchlib import (
    JSON_HEADERS,
    BenchError,
    call,
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
DAY = "2019-08-26"  # the one day the bench tickets are valid on
SCANNED_AT = "2019-08-26T10:00:00+08:00"  # Asia/Shanghai, within opening hours
SCANS_PATH = f"/api/v1/expos/{EXPO}/checkin/scans"
SYNC_PATH = f"/api/v1/expos/{EXPO}/checkin/sync"
BATCH = 5_000  # the API's maximum sync batch
SYNC_CLIENTS = 4  # default of --sync-clients: scanners syncing at once after an outage
WARMUP_SCANS = 500
WARMUP_CONNECTIONS = 8
TYPES = {"warm": "bench-warm", "online": "bench-online", "sync": "bench-sync"}
TARGET_ONLINE_RATE = 2_000
TARGET_ONLINE_P99_MS = 50
TARGET_SYNC_RATE = 30_000

LOG_PATTERNS = {
    "500 (Internal Server Error)": "Internal Server Error",
    "database is locked": "database is locked",
    "Traceback": "Traceback (most recent call last)",
    "WORKER TIMEOUT": "WORKER TIMEOUT",
}

# Run with the server's environment (same data dir), before the server starts: issue the
# tickets through the bulk path, re-derive their secrets, write them one per line.
ISSUE = r"""
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
import django
django.setup()
import functools
from smartexpo.tickets import issuing
from smartexpo.tickets.models import Ticket
from smartexpo.tickets.services.registration_bulk import registrations_bulk_create
from smartexpo.tickets.issuing import ticket_secret

# ticket_secret looks its signing key up with one ORM query per call (~0.3 ms, 90 % of its
# time); the bench re-derives 200,000 secrets, so the lookup is memoised here (same records).
issuing.signing_key_get = functools.cache(issuing.signing_key_get)
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.venue.models import Expo, Gate

cfg = json.loads(sys.argv[1])
expo = Expo.objects.get(slug=cfg["expo"])
gates = Gate.objects.filter(expo=expo, zone__kind="venue").select_related("zone")
gates = list(gates.order_by("code"))
zones = sorted({g.zone.code for g in gates})
out = {"gates": [g.code for g in gates], "zones": zones, "parts": {}}
for part in cfg["parts"]:
    code, count = part["code"], part["count"]
    t0 = time.perf_counter()
    tt = ticket_type_create(
        expo=expo, code=code, name_en=f"Benchmark {code}", name_zh=f"压测 {code}",
        days=[cfg["day"]], quota_per_day=count, zones=zones,
    )
    rows = [
        {"ticket_type": code, "days": [cfg["day"]], "name": f"Bench Visitor {i}",
         "email": f"{code}.{i}@example.com"}
        for i in range(count)
    ]
    t1 = time.perf_counter()
    result = registrations_bulk_create(expo=expo, rows=rows)
    t2 = time.perf_counter()
    if result.errors:
        sys.exit(f"{code}: {len(result.errors)} rows refused, first {result.errors[:3]}")
    tickets = (
        Ticket.objects.filter(ticket_type=tt)
        .only("id", "expo_id", "ticket_type_id", "serial", "kid", "days")
        .order_by("id")
    )
    secrets = [ticket_secret(t) for t in tickets.iterator(chunk_size=5000)]
    t3 = time.perf_counter()
    files = part["files"]
    size = -(-len(secrets) // len(files))
    for n, path in enumerate(files):
        chunk = secrets[n * size : (n + 1) * size]
        with open(path, "w") as f:
            f.write("\n".join(chunk) + "\n")
    out["parts"][code] = {
        "type_id": tt.pk, "registrations": len(result.created), "tickets": len(secrets),
        "setup_s": t1 - t0, "bulk_s": t2 - t1, "secrets_s": t3 - t2,
        "write_s": time.perf_counter() - t3,
    }
print("BENCH-JSON " + json.dumps(out))
"""

# Run after each scenario (the server still up): the check-in log and the tickets' state.
DB_CHECK = r"""
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
import django
django.setup()
from django.db.models import Count
from smartexpo.checkin.models import Scan
from smartexpo.tickets.models import Ticket

cfg = json.loads(sys.argv[1])
out = {"devices": {}, "types": {}}
for name, ids in cfg["devices"].items():
    scans = Scan.objects.filter(device_id__in=ids)
    by = {}
    for row in scans.values("result", "reason", "source").annotate(n=Count("id")):
        key = " ".join(x for x in (row["source"], row["result"], row["reason"]) if x)
        by[key] = row["n"]
    out["devices"][name] = {"rows": scans.count(), "by": by}
for code in cfg["types"]:
    tickets = Ticket.objects.filter(ticket_type__expo__slug=cfg["expo"], ticket_type__code=code)
    admits = Scan.objects.filter(ticket__in=tickets, result="admit", direction="in")
    per_ticket = admits.values("ticket_id").annotate(n=Count("id"))
    out["types"][code] = {
        "tickets": tickets.count(),
        "inside": {
            str(r["inside_day"]): r["n"]
            for r in tickets.values("inside_day").annotate(n=Count("id"))
        },
        "admit_rows": admits.count(),
        "admitted_tickets": per_ticket.count(),
        "admitted_twice": per_ticket.filter(n__gt=1).count(),
    }
print("BENCH-JSON " + json.dumps(out))
"""

LUA = string.Template(
    r"""-- Generated by bench/checkin.py: each request scans one ticket in, once.
local dir = "$dir"
local path = "$path"
local tokens = {$tokens}
local gates = {$gates}
local scanned_at = "$scanned_at"
local template = '{"secret":"%s","gate":"%s","direction":"in","nonce":"w%d-%d","scanned_at":"%s"}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  secrets = {}
  for line in io.lines(dir .. "/online-" .. tid .. ".txt") do
    if #line > 0 then secrets[#secrets + 1] = line end
  end
  headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json",
             ["Authorization"] = "Bearer " .. tokens[tid]}
  gate = gates[(tid - 1) % #gates + 1]
  used, exhausted, pool = 0, 0, #secrets
  counts, samples = {}, {}
end

function request()
  if used >= #secrets then
    -- Out of tickets: stop this thread rather than scan one twice. Should the loop still send
    -- this request, it is a harmless read, counted apart ("200 no result").
    exhausted = exhausted + 1
    wrk.thread:stop()
    return wrk.format("GET", "/api/v1/expos/$expo", headers)
  end
  used = used + 1
  local body = string.format(template, secrets[used], gate, tid, used, scanned_at)
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  local key
  if status == 200 then
    local result = string.match(body or "", '"result"%s*:%s*"(%a+)"')
    if result == nil then
      key = "200 no result"
    else
      key = result
      local reason = string.match(body, '"reason"%s*:%s*"([%w_]+)"')
      if reason then key = key .. " " .. reason end
    end
  else
    key = tostring(status)
    local code = string.match(body or "", '"code"%s*:%s*"([%w_]+)"')
    if code then key = key .. " " .. code end
  end
  if key ~= "admit" and samples[key] == nil then
    samples[key] = string.sub(string.gsub(body or "", "%s+", " "), 1, 300)
  end
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local totals, bodies, used_all, pool_all, exhausted_threads = {}, {}, 0, 0, 0
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("counts") or {}) do
      totals[key] = (totals[key] or 0) + count
    end
    for key, body in pairs(thread:get("samples") or {}) do bodies[key] = bodies[key] or body end
    used_all = used_all + (thread:get("used") or 0)
    pool_all = pool_all + (thread:get("pool") or 0)
    if (thread:get("exhausted") or 0) > 0 then exhausted_threads = exhausted_threads + 1 end
  end
  for key, count in pairs(totals) do io.write("BENCH\tanswer\t" .. key .. "\t" .. count .. "\n") end
  for key, body in pairs(bodies) do io.write("BENCH\tsample\t" .. key .. "\t" .. body .. "\n") end
  io.write("BENCH\tpool\tstarted\t" .. used_all .. "\n")
  io.write("BENCH\tpool\tsize\t" .. pool_all .. "\n")
  io.write("BENCH\tpool\texhausted_threads\t" .. exhausted_threads .. "\n")
end
"""
)


# --- processes ---------------------------------------------------------------------------


def run_django(code: str, cfg: dict, env: dict[str, str], timeout: float = 1800) -> dict:
    """Run `code` in a Python with Django set up on the bench's data dir; its BENCH-JSON line."""
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(cfg)],
        env={**env, "DJANGO_SETTINGS_MODULE": "smartexpo.settings"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"helper failed ({done.returncode}):\n{done.stderr[-3000:]}")
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH-JSON ")), None)
    if line is None:
        raise BenchError(f"helper printed no result:\n{done.stdout[-2000:]}")
    return json.loads(line.removeprefix("BENCH-JSON "))


def create_device(port: int, token: str, name: str, gates: list[str]) -> tuple[int, str]:
    body = {"name": name, "kind": "scanner", "gates": gates}
    status, answer = call(port, "POST", f"/api/v1/expos/{EXPO}/devices", body, token)
    if status != 201:
        raise BenchError(f"creating device {name}: {status} {answer}")
    return answer["id"], answer["token"]


def db_state(env: dict[str, str], devices: dict[str, list[int]]) -> dict:
    cfg = {"expo": EXPO, "devices": devices, "types": list(TYPES.values())}
    return run_django(DB_CHECK, cfg, env, timeout=300)


def settled_state(env: dict[str, str], devices: dict[str, list[int]], tries: int = 5) -> dict:
    """The state once two readings a second apart agree (late commits have landed)."""
    time.sleep(1)
    state = db_state(env, devices)
    for _ in range(tries):
        time.sleep(1)
        again = db_state(env, devices)
        if again == state:
            break
        state = again
    return state


def read_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line]


# --- clients -----------------------------------------------------------------------------


def scan_body(secret: str, gate: str, nonce: str) -> dict:
    return {
        "secret": secret,
        "gate": gate,
        "direction": "in",
        "nonce": nonce,
        "scanned_at": SCANNED_AT,
    }


def warm_up(port: int, token: str, secrets: list[str], gate: str) -> dict:
    """Scan each warm-up ticket in once over a few connections; answers by result."""
    lock = threading.Lock()
    cursor = iter(range(len(secrets)))
    answers: Counter = Counter()
    headers = {**JSON_HEADERS, "Authorization": f"Bearer {token}"}

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local: Counter = Counter()
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            body = json.dumps(scan_body(secrets[i], gate, f"warm-{i + 1}"))
            try:
                conn.request("POST", SCANS_PATH, body=body, headers=headers)
                resp = conn.getresponse()
                local[answer_key(resp.status, resp.read())] += 1
            except (OSError, http.client.HTTPException) as exc:
                local[f"client error {type(exc).__name__}"] += 1
                conn.close()
        conn.close()
        with lock:
            answers.update(local)

    began = time.perf_counter()
    workers = [threading.Thread(target=worker, daemon=True) for _ in range(WARMUP_CONNECTIONS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    return {"answers": answers, "elapsed": time.perf_counter() - began}


def answer_key(status: int, data: bytes) -> str:
    try:
        body = json.loads(data)
    except ValueError:
        return str(status)
    if status != 200:
        try:
            return f"{status} {body['error']['code']}"
        except (KeyError, TypeError):
            return str(status)
    return " ".join(x for x in (body.get("result"), body.get("reason")) if x)


def sync_run(port: int, clients: list[tuple[str, list[bytes]]], *, fresh: bool = False) -> dict:
    """Each client (token, pre-encoded batches) posts its batches one after the other over one
    keep-alive connection (`fresh`: a new connection per batch); all clients start together.
    Responses are parsed after the clock."""
    barrier = threading.Barrier(len(clients) + 1)
    outcomes: list[list[tuple[int, bytes, float]]] = [[] for _ in clients]

    def client(n: int, token: str, batches: list[bytes]) -> None:
        headers = {**JSON_HEADERS, "Authorization": f"Bearer {token}"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            conn.connect()
        except OSError:
            conn.close()  # `request` opens it again
        barrier.wait(timeout=60)
        for body in batches:
            began = time.perf_counter()
            if fresh and conn.sock is not None:
                # A scanner back from an outage connects anew: the server places each
                # connection on a worker, as it would for many scanners.
                conn.close()
            try:
                conn.request("POST", SYNC_PATH, body=body, headers=headers)
                resp = conn.getresponse()
                outcomes[n].append((resp.status, resp.read(), time.perf_counter() - began))
            except (OSError, http.client.HTTPException) as exc:
                outcomes[n].append((0, repr(exc).encode(), time.perf_counter() - began))
                conn.close()
        conn.close()

    workers = [
        threading.Thread(target=client, args=(n, token, batches), daemon=True)
        for n, (token, batches) in enumerate(clients)
    ]
    for w in workers:
        w.start()
    barrier.wait(timeout=60)
    began = time.perf_counter()
    for w in workers:
        w.join(timeout=3600)
    wall = time.perf_counter() - began
    return {"outcomes": outcomes, "wall": wall}


def sync_check(sent: list[list[list[dict]]], run: dict) -> dict:
    """Parse a sync run's answers: per result, in order, nonce by nonce."""
    answers: Counter = Counter()
    samples: dict[str, str] = {}
    latencies: list[float] = []
    in_order = True
    results: list[list[list[dict]]] = []
    for batches, outcomes in zip(sent, run["outcomes"], strict=True):
        client_results = []
        if len(outcomes) != len(batches):
            in_order = False
        for scans, (status, raw, seconds) in zip(batches, outcomes, strict=False):
            latencies.append(seconds)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            items = body.get("results") if status == 200 and isinstance(body, dict) else None
            if not isinstance(items, list):
                key = f"{status} {raw[:80]!r}"
                answers[key] += len(scans)
                samples.setdefault(key, raw[:300].decode(errors="replace"))
                in_order = False
                client_results.append([])
                continue
            client_results.append(items)
            if [r.get("nonce") for r in items] != [s["nonce"] for s in scans]:
                in_order = False
            for r in items:
                key = " ".join(x for x in (r.get("result"), r.get("reason")) if x)
                answers[key] += 1
                if key != "admit" and key not in samples:
                    samples[key] = json.dumps(r, ensure_ascii=False)[:300]
        results.append(client_results)
    latencies.sort()
    scans_sent = sum(len(s) for batches in sent for s in batches)
    return {
        "scans": scans_sent,
        "batches": sum(len(b) for b in sent),
        "clients": len(sent),
        "wall": run["wall"],
        "rate": scans_sent / run["wall"] if run["wall"] else math.nan,
        "p50_ms": percentile(latencies, 50) * 1000,
        "max_ms": (latencies[-1] if latencies else math.nan) * 1000,
        "answers": answers,
        "samples": samples,
        "in_order": in_order,
        "results": results,
    }


# --- the run -----------------------------------------------------------------------------


def pass_fail(good: bool) -> str:
    return "PASS" if good else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tickets", type=int, default=100_000, help="tickets for the online run (100,000)"
    )
    parser.add_argument("--duration", type=int, default=20, help="wrk seconds (default 20)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="smartexpo serve --workers (2)")
    parser.add_argument(
        "--sync-clients",
        type=int,
        default=SYNC_CLIENTS,
        help=f"clients (devices) syncing at once in the concurrent sync run ({SYNC_CLIENTS})",
    )
    parser.add_argument(
        "--batches",
        type=int,
        default=10,
        help=f"sync batches of {BATCH:,} per sync run, sequential and concurrent (10)",
    )
    parser.add_argument(
        "--serve-args",
        default="",
        help='more `smartexpo serve` options, e.g. --serve-args="--server gunicorn"',
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()
    if not 1 <= args.threads <= args.connections:
        parser.error("need 1 <= --threads <= --connections")
    if args.tickets < args.threads:
        parser.error("need at least one ticket per wrk thread")
    if args.batches < args.sync_clients:
        parser.error(f"need --batches >= {args.sync_clients}")
    wrk = shutil.which("wrk")
    if wrk is None:
        parser.error("wrk is not installed (make bench-checkin installs it from Debian)")

    def on_sigterm(signum, frame):
        print("SIGTERM received", file=sys.stderr)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    t_start = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="smartexpo-bench-checkin-"))
    env = {**os.environ, "SMARTEXPO_DATA_DIR": str(data_dir)}
    env["SMARTEXPO_RATE_LIMIT_REGISTRATIONS"] = "0"
    for name in ("DATABASE_URL", "DEBUG"):
        env.pop(name, None)
    server: subprocess.Popen | None = None
    log_path = data_dir / "server.log"
    failed = False
    try:
        print(f"data dir {data_dir}", flush=True)
        setup: dict = {}
        began = time.perf_counter()
        run_cli(["migrate", "--no-input", "-v0"], env)
        setup["migrate"] = time.perf_counter() - began
        began = time.perf_counter()
        run_cli(["demo", "seed", "--visitors", "0", "--quiet"], env)
        setup["demo seed"] = time.perf_counter() - began
        token = run_cli(["token", "create", "--role", "organizer", "--name", "bench"], env).strip()

        # Issue the tickets (bulk path) and write their secrets: the warm-up's, one file per
        # wrk thread, and the sync runs' (sequential, then concurrent).
        sync_count = 2 * args.batches * BATCH
        online_files = [str(data_dir / f"online-{t + 1}.txt") for t in range(args.threads)]
        cfg = {
            "expo": EXPO,
            "day": DAY,
            "parts": [
                {"code": TYPES["warm"], "count": WARMUP_SCANS, "files": [f"{data_dir}/warm.txt"]},
                {"code": TYPES["online"], "count": args.tickets, "files": online_files},
                {"code": TYPES["sync"], "count": sync_count, "files": [f"{data_dir}/sync.txt"]},
            ],
        }
        print(
            f"issuing {WARMUP_SCANS + args.tickets + sync_count:,} tickets "
            f"({WARMUP_SCANS:,} warm-up, {args.tickets:,} online, {sync_count:,} sync) ...",
            flush=True,
        )
        began = time.perf_counter()
        issued = run_django(ISSUE, cfg, env)
        setup["issue (process)"] = time.perf_counter() - began
        for code, part in issued["parts"].items():
            print(
                f"  {code}: {part['tickets']:,} tickets; bulk create {part['bulk_s']:.1f} s "
                f"({part['tickets'] / max(part['bulk_s'], 1e-9):,.0f}/s), secrets "
                f"{part['secrets_s']:.1f} s ({part['tickets'] / max(part['secrets_s'], 1e-9):,.0f}"
                f"/s), files {part['write_s']:.1f} s",
                flush=True,
            )
        gates = issued["gates"]
        if not gates:
            raise BenchError("the edition has no gate into a venue zone")
        lua_path = data_dir / "checkin.lua"

        port = free_port()
        serve = [
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-mailer",
            *shlex.split(args.serve_args),
        ]
        server = start_server(serve, env, log_path, "wb")
        up = wait_until_up(port, server, log_path, f"/api/v1/expos/{EXPO}/gates")
        print(f"server up on 127.0.0.1:{port} after {up:.1f} s: smartexpo {shlex.join(serve)}")

        # Devices through the API, all serving the venue gates.
        status, listed = call(port, "GET", f"/api/v1/expos/{EXPO}/gates?limit=200")
        if status != 200:
            raise BenchError(f"GET gates: {status} {listed}")
        known = {g["code"] for g in listed["items"]}
        if missing := [g for g in gates if g not in known]:
            raise BenchError(f"gates {missing} not listed by the API")
        devices: dict[str, list[int]] = {}
        tokens: dict[str, str] = {}
        names = ["warm", *(f"online-{t + 1}" for t in range(args.threads))]
        names += ["sync-seq", *(f"sync-par-{c + 1}" for c in range(args.sync_clients))]
        for name in names:
            device_id, tokens[name] = create_device(port, token, f"bench {name}", gates)
            devices[name] = [device_id]
        groups = {
            "warm": devices["warm"],
            "online": [d for n, ds in devices.items() if n.startswith("online-") for d in ds],
            "sync-seq": devices["sync-seq"],
            "sync-par": [d for n, ds in devices.items() if n.startswith("sync-par-") for d in ds],
        }

        # Warm-up, then an online replay and a second entry (anti-passback) on its device.
        warm_secrets = read_lines(data_dir / "warm.txt")
        first = call(
            port, "POST", SCANS_PATH, scan_body(warm_secrets[0], gates[0], "warm-0"), tokens["warm"]
        )
        warm = warm_up(port, tokens["warm"], warm_secrets[1:], gates[0])
        warm["answers"][answer_key(first[0], json.dumps(first[1]).encode())] += 1
        print(
            f"warm-up: {sum(warm['answers'].values())} scans in {warm['elapsed']:.1f} s "
            f"({fmt_answers(warm['answers'])})",
            flush=True,
        )
        if not warm["answers"]["admit"]:
            _, exceptions = log_findings(log_path.read_text(errors="replace"), LOG_PATTERNS)
            seen = "; ".join(f"{line} ×{n}" for line, n in exceptions.most_common(3))
            raise BenchError(f"no scan admitted during warm-up. Server log: {seen}")
        replayed = call(
            port, "POST", SCANS_PATH, scan_body(warm_secrets[0], gates[0], "warm-0"), tokens["warm"]
        )
        again = call(
            port, "POST", SCANS_PATH, scan_body(warm_secrets[0], gates[0], "warm-x"), tokens["warm"]
        )
        warm["first"] = first
        warm["replay"] = replayed
        warm["again"] = again

        # Scenario 1: online scans with wrk.
        lua_path.write_text(
            LUA.substitute(
                dir=str(data_dir),
                path=SCANS_PATH,
                expo=EXPO,
                tokens=", ".join(f'"{tokens[f"online-{t + 1}"]}"' for t in range(args.threads)),
                gates=", ".join(f'"{g}"' for g in gates),
                scanned_at=SCANNED_AT,
            )
        )
        log_offset = log_path.stat().st_size
        wrk_cmd, wrk_out = run_wrk(
            wrk,
            threads=args.threads,
            connections=args.connections,
            duration=args.duration,
            lua=lua_path,
            url=f"http://127.0.0.1:{port}{SCANS_PATH}",
        )
        s1 = parse_wrk(wrk_out, answers="answer", counts="pool")
        s1["db"] = settled_state(env, groups)  # scans in flight when wrk stopped may yet commit
        s1["log"], s1["exceptions"] = log_findings(
            log_path.read_bytes()[log_offset:].decode(errors="replace"), LOG_PATTERNS
        )

        # Scenario 2: sync, sequential then concurrent, distinct tickets, then a replay.
        sync_secrets = read_lines(data_dir / "sync.txt")
        if len(sync_secrets) != sync_count:
            raise BenchError(f"{len(sync_secrets)} sync secrets, {sync_count} expected")

        def batches_of(run: str, secrets: list[str]) -> list[list[dict]]:
            return [
                [
                    scan_body(s, gates[(b + i) % len(gates)], f"{run}-{b}-{i}")
                    for i, s in enumerate(secrets[start : start + BATCH])
                ]
                for b, start in enumerate(range(0, len(secrets), BATCH))
            ]

        seq_batches = batches_of("seq", sync_secrets[: args.batches * BATCH])
        par_all = batches_of("par", sync_secrets[args.batches * BATCH :])
        par_batches = [par_all[c :: args.sync_clients] for c in range(args.sync_clients)]

        def encode(batches: list[list[dict]]) -> list[bytes]:
            return [json.dumps({"scans": b}).encode() for b in batches]

        log_offset = log_path.stat().st_size
        print(
            f"scenario 2a: sync, {args.batches} batches of {BATCH:,}, one client, sequential",
            flush=True,
        )
        run = sync_run(port, [(tokens["sync-seq"], encode(seq_batches))])
        s2a = sync_check([seq_batches], run)
        print(f"  {s2a['scans']:,} scans in {s2a['wall']:.2f} s ({s2a['rate']:,.0f}/s)")
        print(
            f"scenario 2b: sync, {args.batches} batches of {BATCH:,}, "
            f"{args.sync_clients} clients at once",
            flush=True,
        )
        run = sync_run(
            port,
            [
                (tokens[f"sync-par-{c + 1}"], encode(par_batches[c]))
                for c in range(args.sync_clients)
            ],
            fresh=True,
        )
        s2b = sync_check(par_batches, run)
        print(f"  {s2b['scans']:,} scans in {s2b['wall']:.2f} s ({s2b['rate']:,.0f}/s)")
        before_replay = settled_state(env, groups)
        print("scenario 2c: the first sequential batch sent again", flush=True)
        run = sync_run(port, [(tokens["sync-seq"], encode(seq_batches[:1]))])
        s2c = sync_check([seq_batches[:1]], run)
        first_answers = s2a["results"][0][0] if s2a["results"][0] else []
        replay_answers = s2c["results"][0][0] if s2c["results"][0] else []
        s2c["identical"] = bool(first_answers) and replay_answers == first_answers
        after = settled_state(env, groups)
        s2c["unchanged"] = after == before_replay
        s2 = {"seq": s2a, "par": s2b, "replay": s2c, "db": after}
        s2["log"], s2["exceptions"] = log_findings(
            log_path.read_bytes()[log_offset:].decode(errors="replace"), LOG_PATTERNS
        )
        stop(server)
        server = None
        checks = invariants(args, warm, s1, s2)
        failed = not all(checks.values())
        report(args, setup, issued, warm, s1, s2, checks, wrk_cmd, serve)
        print(f"total run time {time.perf_counter() - t_start:.0f} s")
    except BenchError as exc:
        print_failure(exc, log_path, LOG_PATTERNS)
        failed = True
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not skip this
            signal.signal(signum, signal.SIG_IGN)
        stop(server)
        if args.keep:
            print(f"kept {data_dir} (server log: {log_path})")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if failed else 0


def online_counts(s1: dict) -> dict:
    """What wrk saw and what the database holds for the online run."""
    answers = s1["answers"]
    admits = answers.get("admit", 0)
    started = s1["pool"].get("started", 0)
    answered_scans = sum(n for k, n in answers.items() if k != "200 no result")
    db_type = s1["db"]["types"][TYPES["online"]]
    db_dev = s1["db"]["devices"]["online"]
    return {
        "admits": admits,
        "started": started,
        "unanswered": started - answered_scans,
        # "200 no result": the harmless read a thread out of tickets may send as it stops.
        "others": Counter(
            {k: n for k, n in answers.items() if k not in ("admit", "200 no result")}
        ),
        "db_rows": db_dev["rows"],
        "db_admits": db_dev["by"].get("online admit", 0),
        "db_by": db_dev["by"],
        "db_admitted_tickets": db_type["admitted_tickets"],
        "db_twice": db_type["admitted_twice"],
        "db_inside": db_type["inside"].get(DAY, 0),
    }


def invariants(args, warm: dict, s1: dict, s2: dict) -> dict[str, bool]:
    o = online_counts(s1)
    warm_db = s1["db"]["devices"]["warm"]
    first_status, first_body = warm["first"]
    replay_status, replay_body = warm["replay"]
    again_status, again_body = warm["again"]
    db = s2["db"]
    checks = {
        f"warm-up: {WARMUP_SCANS} scans, all admit": warm["answers"]["admit"] == WARMUP_SCANS,
        "online replay of a nonce: same answer, no new row; a second entry: already_inside": (
            first_status == replay_status == 200
            and replay_body == first_body
            and again_status == 200
            and isinstance(again_body, dict)
            and again_body.get("reason") == "already_inside"
            and warm_db["rows"] == WARMUP_SCANS + 1
            and warm_db["by"].get("online admit", 0) == WARMUP_SCANS
        ),
        "online: every answer 200 admit (no reject, no error)": (
            not o["others"] and s1["non_2xx"] == 0 and o["admits"] > 0
        ),
        "online: admit rows in DB = admits seen by wrk (+ at most the unanswered)": (
            o["admits"] <= o["db_admits"] <= o["admits"] + max(o["unanswered"], 0)
            and o["db_rows"] == o["db_admits"]
        ),
        "online: every admitted ticket admitted exactly once and inside in DB": (
            o["db_twice"] == 0 and o["db_admitted_tickets"] == o["db_admits"] == o["db_inside"]
        ),
    }
    for key, label, s in (
        ("seq", "sync sequential", s2["seq"]),
        ("par", "sync concurrent", s2["par"]),
    ):
        rows = db["devices"][f"sync-{key}"]
        checks[f"{label}: {s['scans']:,} scans answered admit, in order"] = s["in_order"] and s[
            "answers"
        ] == Counter({"admit": s["scans"]})
        checks[f"{label}: {s['scans']:,} sync admit rows in DB"] = (
            rows["rows"] == rows["by"].get("sync admit", 0) == s["scans"]
        )
    sync_type = db["types"][TYPES["sync"]]
    total_sync = s2["seq"]["scans"] + s2["par"]["scans"]
    checks["sync: every ticket admitted exactly once and inside in DB"] = (
        sync_type["admitted_twice"] == 0
        and sync_type["admitted_tickets"] == sync_type["admit_rows"] == total_sync
        and sync_type["inside"].get(DAY, 0) == total_sync
    )
    r = s2["replay"]
    checks["sync replay of a batch: identical answers, no new row"] = (
        r["identical"] and r["unchanged"] and r["in_order"]
    )
    return checks


def report(args, setup, issued, warm, s1, s2, checks, wrk_cmd, serve) -> None:
    o = online_counts(s1)
    lat = s1["latency_ms"]
    seconds = s1.get("seconds") or args.duration
    rate = o["admits"] / seconds
    sock = s1["socket_errors"]
    pct = " / ".join(f"{lat.get(p, math.nan):.1f}" for p in (50, 75, 90, 99))
    pool = s1["pool"]
    exhausted = pool.get("exhausted_threads", 0)
    parts = issued["parts"]
    issued_total = sum(p["tickets"] for p in parts.values())
    bulk_s = sum(p["bulk_s"] for p in parts.values())
    secrets_s = sum(p["secrets_s"] for p in parts.values())

    rows0 = [
        (
            "migrate / demo seed --visitors 0",
            f"{setup['migrate']:.1f} s / {setup['demo seed']:.1f} s",
        ),
        (
            "tickets issued (warm-up / online / sync)",
            " / ".join(f"{parts[TYPES[k]]['tickets']:,}" for k in ("warm", "online", "sync")),
        ),
        (
            "registrations_bulk_create",
            f"{bulk_s:.1f} s ({issued_total / max(bulk_s, 1e-9):,.0f} tickets/s)",
        ),
        (
            "ticket_secret for every ticket",
            f"{secrets_s:.1f} s ({issued_total / max(secrets_s, 1e-9):,.0f}/s)",
        ),
        ("issuing process in all (start-up included)", f"{setup['issue (process)']:.1f} s"),
    ]
    rows1 = [
        ("admitted scans/s", f"{rate:,.1f} ({o['admits']:,} over {seconds:.2f} s)"),
        ("requests/s (all answers, wrk)", f"{s1.get('rps', math.nan):,.1f}"),
        ("latency p50 / p75 / p90 / p99 (ms)", pct),
        ("answers", fmt_answers(s1["answers"])),
        ("non-2xx (wrk)", f"{s1['non_2xx']:,}"),
        ("socket errors", ", ".join(f"{k} {v}" for k, v in sock.items())),
        (
            "scans wrk started / unanswered when it stopped",
            f"{o['started']:,} / {o['unanswered']:,}",
        ),
        (
            "admits seen by wrk / admit rows in DB / tickets inside in DB",
            f"{o['admits']:,} / {o['db_admits']:,} / {o['db_inside']:,}",
        ),
        (
            "check-in log rows of the online devices",
            f"{o['db_rows']:,} ({fmt_answers(Counter(o['db_by']))})",
        ),
        ("tickets admitted more than once (DB)", f"{o['db_twice']:,}"),
        (
            "ticket pool used",
            f"{o['started']:,} of {pool.get('size', 0):,}"
            + (f" — {exhausted} thread(s) RAN OUT and stopped early" if exhausted else ""),
        ),
        ("server log", fmt_log(s1["log"])),
    ]
    rows2 = []
    for label, s in (
        ("sequential, 1 client", s2["seq"]),
        (f"{args.sync_clients} clients at once", s2["par"]),
    ):
        rows2 += [
            (
                f"{label}: scans/s",
                f"{s['rate']:,.0f} ({s['scans']:,} scans, {s['batches']} batches of "
                f"{BATCH:,}, {s['wall']:.2f} s)",
            ),
            (f"{label}: batch latency p50 / max (ms)", f"{s['p50_ms']:,.0f} / {s['max_ms']:,.0f}"),
            (f"{label}: answers", fmt_answers(s["answers"])),
        ]
    db = s2["db"]
    sync_type = db["types"][TYPES["sync"]]
    r = s2["replay"]
    rows2 += [
        (
            "sync admit rows in DB (sequential / concurrent)",
            f"{db['devices']['sync-seq']['by'].get('sync admit', 0):,} / "
            f"{db['devices']['sync-par']['by'].get('sync admit', 0):,}",
        ),
        (
            "sync tickets inside in DB",
            f"{sync_type['inside'].get(DAY, 0):,} of {sync_type['tickets']:,}",
        ),
        (
            "replay of one batch",
            f"{r['wall'] * 1000:,.0f} ms, answers "
            f"{'identical' if r['identical'] else 'DIFFERENT'}, "
            f"{'no new row' if r['unchanged'] else 'DATABASE CHANGED'}",
        ),
        ("server log", fmt_log(s2["log"])),
    ]
    best_sync = max(s2["seq"]["rate"], s2["par"]["rate"])
    p99 = lat.get(99, math.nan)
    targets = (
        f"online {rate:,.0f} scans/s (target ≥ {TARGET_ONLINE_RATE:,}: "
        f"{'met' if rate >= TARGET_ONLINE_RATE else 'MISSED'}), "
        f"p99 {p99:.1f} ms (target < {TARGET_ONLINE_P99_MS} ms: "
        f"{'met' if p99 < TARGET_ONLINE_P99_MS else 'MISSED'}); "
        f"sync {s2['seq']['rate']:,.0f} scans/s sequential, {s2['par']['rate']:,.0f} with "
        f"{args.sync_clients} clients (target ≥ {TARGET_SYNC_RATE:,}: "
        f"{'met' if best_sync >= TARGET_SYNC_RATE else 'MISSED'})"
    )
    if exhausted:
        targets += (
            f"; NOTE: {exhausted} wrk thread(s) ran out of tickets before the end, so the online "
            "rate is understated (use more --tickets)"
        )
    checks_rows = [(name, pass_fail(good)) for name, good in checks.items()]

    width = max(len(k) for k, _ in rows0 + rows1 + rows2 + checks_rows)
    print()
    print("Set-up")
    for k, v in rows0:
        print(f"  {k:<{width}}  {v}")
    print(
        f"Scenario 1: wrk -t{args.threads} -c{args.connections} -d{args.duration}s, each ticket "
        "scanned in once"
    )
    for k, v in rows1:
        print(f"  {k:<{width}}  {v}")
    print(f"Scenario 2: sync in batches of {BATCH:,}, distinct tickets scanned in")
    for k, v in rows2:
        print(f"  {k:<{width}}  {v}")
    print("Invariants")
    for k, v in checks_rows:
        print(f"  {k:<{width}}  {v}")
    print(f"Targets: {targets}")
    for label, s in (("scenario 1", s1), ("scenario 2", s2)):
        for line, n in s["exceptions"].most_common(5):
            print(f"  {label} server exception ×{n}: {line}")
    for key, body in s1["samples"].items():
        print(f"  scenario 1 first {key} body: {body}")
    for run in ("seq", "par", "replay"):
        for key, body in s2[run]["samples"].items():
            print(f"  scenario 2 ({run}) first {key}: {body}")

    command = f"`{shlex.join(['python', 'bench/checkin.py', *sys.argv[1:]])}`"
    if os.environ.get("MAKELEVEL"):
        command = f"`make bench-checkin` ({command})"
    url_shown = re.sub(r":\d+/", ":<port>/", wrk_cmd[-1])
    wrk_shown = " ".join([shlex.join(["wrk", *wrk_cmd[1:-2], "checkin.lua"]), url_shown])
    serve_shown = shlex.join(["smartexpo", *serve]).replace(f"--port {serve[4]}", "--port <port>")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    md = [
        "## Check-in (`POST …/checkin/scans`, `POST …/checkin/sync`)",
        "",
        f"{today} — {command}, SQLite in a temporary data dir, the server as users run it: "
        f"`{serve_shown}`; {os.cpu_count()} CPUs (load generator on the same machine), "
        f"Python {platform.python_version()}. Tickets issued through "
        "`registrations_bulk_create`, secrets re-derived with `ticket_secret`, all valid on "
        f"{DAY}, scanned `in` at venue gates ({', '.join(issued['gates'])}).",
        "",
        "| set-up | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows0),
        "",
        f"Scenario 1: `{wrk_shown}` — every request a different ticket (one scanner device per "
        "wrk thread, a nonce per scan), each ticket scanned once.",
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows1),
        "",
        f"Scenario 2: `POST …/checkin/sync`, batches of {BATCH:,} distinct tickets scanned `in` "
        f"(bodies encoded before the clock starts; Python `http.client`): "
        f"{args.batches} batches from one client over one keep-alive connection, then "
        f"{args.batches} more split over {args.sync_clients} clients (devices) at once, each "
        f"batch on a new connection, then the first batch again.",
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows2),
        "",
        "| invariant | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in checks_rows),
        "",
        f"Targets (issue: ≥ {TARGET_ONLINE_RATE:,} scans/s online with p99 < "
        f"{TARGET_ONLINE_P99_MS} ms; ≥ {TARGET_SYNC_RATE:,} scans/s through sync): {targets}.",
    ]
    print("\n----- Markdown for bench/RESULTS.md -----")
    print("\n".join(md))
    print("----- end -----")


if __name__ == "__main__":
    sys.exit(main())
