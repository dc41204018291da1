"""What the benchmarks share: the CLI, the server's start and stop, wrk's output, reports.

The scripts are run as `python bench/<name>.py`, so this module is imported from their folder.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout)): (.*)$")
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class BenchError(RuntimeError):
    pass


# The end of every wrk script that counts answers by kind: each thread keeps `counts` (kind →
# answers), and `done` prints their totals as `BENCH\tstatus\tKIND\tN` lines, which `parse_wrk`
# reads. The script keeps its threads in `threads` (its `setup`).
LUA_TOTALS = """function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("counts") or {}) do
      totals[key] = (totals[key] or 0) + count
    end
  end
  for key, count in pairs(totals) do
    io.write("BENCH\\tstatus\\t" .. key .. "\\t" .. count .. "\\n")
  end
end
"""


def cli() -> list[str]:
    script = Path(sys.executable).parent / "smartexpo"
    return [str(script)] if script.exists() else [sys.executable, "-m", "smartexpo"]


def run_cli(args: list[str], env: dict[str, str], timeout: float = 120) -> str:
    done = subprocess.run(
        [*cli(), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"smartexpo {' '.join(args[:2])} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(port: int, method: str, path: str, body=None, token: str | None = None):
    headers = dict(JSON_HEADERS)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    return resp.status, (json.loads(data) if data else None)


def start_server(
    serve: list[str], env: dict[str, str], log_path: Path, mode: str
) -> subprocess.Popen:
    """`smartexpo <serve...>` in the background, its output into `log_path` (opened with
    `mode`), in its own session: Ctrl-C reaches the benchmark, which stops it itself."""
    # wrk and the batch clients drive the server from one address: the per-address guard
    # (core.flood) would answer most of them 429.
    env = {**env, "SMARTEXPO_RATE_LIMIT_REQUESTS": "0"}
    with log_path.open(mode) as log:
        return subprocess.Popen(
            [*cli(), *serve],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def wait_until_up(
    port: int, server: subprocess.Popen, log: Path, probe: str, limit: float = 60
) -> float:
    """Seconds until `GET probe` answers 200; BenchError if the server exits or stays silent."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if server.poll() is not None:
            raise BenchError(f"the server exited ({server.returncode}):\n{log.read_text()[-2000:]}")
        try:
            status, _ = call(port, "GET", probe)
            if status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise BenchError(f"the server did not answer within {limit:.0f} s")


def stop(server: subprocess.Popen | None) -> None:
    """Stop the server (SIGTERM to the process we started), then its process group if it lingers."""
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        # Its own session: `serve` and its mailer. Granian, in a session of its own, follows
        # `serve` (its parent-death signal); `serve` kills it 12 s after SIGTERM anyway.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def log_findings(text: str, patterns: dict[str, str]) -> tuple[dict[str, int], Counter]:
    """How often each pattern occurs in a server log, and the exception lines it holds."""
    counts = {label: text.count(needle) for label, needle in patterns.items()}
    exceptions = Counter(
        m.group(0)[:160] for line in text.splitlines() if (m := EXCEPTION_LINE.match(line.strip()))
    )
    return counts, exceptions


def print_failure(exc: Exception, log_path: Path, patterns: dict[str, str]) -> None:
    """A benchmark's error, with the commonest exception lines of the server's log."""
    print(f"error: {exc}", file=sys.stderr)
    if log_path.exists():
        _, exceptions = log_findings(log_path.read_text(errors="replace"), patterns)
        for line, n in exceptions.most_common(5):
            print(f"  server exception ×{n}: {line}", file=sys.stderr)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return math.nan
    return values[min(len(values) - 1, max(0, math.ceil(pct / 100 * len(values)) - 1))]


def parse_wrk(out: str, *, answers: str, counts: str) -> dict:
    """wrk's figures, plus the script's `BENCH\\t<kind>\\t<key>\\t<value>` lines: `answers` is the
    kind counted per answer, `counts` another kind of integers, `sample` example bodies."""
    result: dict = {"latency_ms": {}, "answers": Counter(), "samples": {}, counts: {}}
    for pct, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m|h)\s*$", out, re.M):
        result["latency_ms"][int(pct)] = float(value) * UNITS_MS[unit]
    if m := re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", out):
        result["requests"] = int(m.group(1))
        result["seconds"] = float(m.group(2)) * UNITS_MS[m.group(3)] / 1000
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        result["rps"] = float(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = dict(
        zip(
            ("connect", "read", "write", "timeout"),
            map(int, m.groups()) if m else (0,) * 4,
            strict=True,
        )
    )
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[0] == "BENCH":
            _, kind, key, value = parts
            if kind == answers:
                result["answers"][key] = int(value)
            elif kind == "sample":
                result["samples"][key] = value
            elif kind == counts:
                result[counts][key] = int(value)
    return result


def fmt_answers(answers: Counter) -> str:
    return ", ".join(f"{key}: {n:,}" for key, n in sorted(answers.items())) or "none"


def fmt_log(counts: dict[str, int]) -> str:
    return ", ".join(f"{label}: {n}" for label, n in counts.items())


def run_wrk(
    wrk: str,
    *,
    threads: int,
    connections: int,
    duration: int,
    lua: Path,
    url: str,
    label: str = "scenario 1",
) -> tuple[list[str], str]:
    """Run wrk with a Lua script and `--latency`; return its command and its output."""
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(lua),
        url,
    ]
    print(f"{label}: {shlex.join(cmd)}", flush=True)
    ran = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    if ran.returncode != 0:
        raise BenchError(f"wrk failed ({ran.returncode}):\n{ran.stderr}\n{ran.stdout}")
    print(ran.stdout.rstrip())
    if ran.stderr.strip():
        print(f"wrk stderr: {ran.stderr.strip()}")
    return cmd, ran.stdout


def wrk_max_ms(out: str) -> float:
    """The slowest request of a wrk run (its `Latency` line: avg, stdev, max), in ms."""
    unit = r"([\d.]+)(us|ms|s|m|h)"
    m = re.search(rf"^\s+Latency\s+{unit}\s+{unit}\s+{unit}", out, re.M)
    return float(m.group(5)) * UNITS_MS[m.group(6)] if m else math.nan


def run_measured(
    cmd: list[str], env: dict[str, str], stdout: Path, stderr: Path, cpu: dict | None = None
) -> tuple[float, int, float]:
    """Run a command to its end, its output into files: wall seconds, exit code and peak
    resident memory in MiB (`wait4`'s own figure for that process, not the largest child's
    so far as `getrusage` would give); its user and system CPU seconds into `cpu` if given."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()  # Ctrl-C or SIGTERM while it runs: do not leave it behind
            proc.wait()
            raise
        seconds = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    if cpu is not None:
        cpu.update(user_s=usage.ru_utime, system_s=usage.ru_stime)
    return seconds, proc.returncode, usage.ru_maxrss / 1024


def processes() -> dict[int, dict]:
    """Every process now, from /proc (Linux): pid → ppid, pgid (process group), state (one
    letter, "Z" for a zombie), name and CPU seconds (user + system) so far."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, dict] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        head, _, rest = stat.rpartition(")")  # the name may hold spaces and parentheses
        fields = rest.split()
        procs[int(entry.name)] = {
            "ppid": int(fields[1]),
            "pgid": int(fields[2]),
            "state": fields[0],
            "name": head.partition("(")[2],
            "cpu_s": (int(fields[11]) + int(fields[12])) / tick,
        }
    return procs


def process_tree(root: int) -> dict[int, dict]:
    """A process and its descendants now, as `processes()` describes them, with their depth
    under `root`. Two readings give each process's share of a run, e.g. how a server's workers
    split the load."""
    procs = processes()
    tree: dict[int, dict] = {}
    if root in procs:
        tree[root] = {**procs[root], "depth": 0}
    grew = True
    while grew:
        grew = False
        for pid, info in procs.items():
            if pid not in tree and info["ppid"] in tree:
                tree[pid] = {**info, "depth": tree[info["ppid"]]["depth"] + 1}
                grew = True
    return tree
