"""`make fuzz`: schemathesis against a live `smartexpo serve`, for every API operation and role.

    python scripts/fuzz.py [--seconds 600] [--roles organizer,scanner] [--keep]

1. A temporary data directory is migrated and seeded with a small world through the project's
   services (scripts/fuzz_world.py): two editions, halls, zones, gates, booths, exhibitors,
   ticket types, registrations (one cancelled), devices (one revoked), an alert, tokens.
2. `smartexpo serve --workers 2 --no-mailer` serves it, as users run it, with the
   rate limits off (`SMARTEXPO_RATE_LIMIT_REGISTRATIONS=0`, `SMARTEXPO_RATE_LIMIT_REQUESTS=0`:
   every request comes from 127.0.0.1).
3. `schemathesis run` tests every operation of /api/v1/openapi.json once per role —
   anonymous, organizer, exhibitor, scanner, sensor, revoked-device, manage-token — each with
   its `Authorization: Bearer` token, in the examples, coverage and fuzzing phases, for an
   equal share of the time. Its hooks (scripts/fuzz_hooks.py) put real ids and codes into
   about two cases in three. Checks: no 5xx, and every answer matches its operation's
   documented status codes, content type, headers and schema.
4. The server is stopped; its log is searched for tracebacks (each one is a failure too).

It prints a summary — per role the operations, test cases and failures; per failure the
operation, role, check and a curl command that reproduces it against a server seeded the
same way — and exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROLES = (
    "anonymous",
    "organizer",
    "exhibitor",
    "scanner",
    "sensor",
    "revoked-device",
    "manage-token",
)
PHASES = "examples,coverage,fuzzing"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
# A traceback in the server's log is an error that no check may have seen (a worker's or the
# occupancy folder's thread, a 500 answered to a request that no check looked at).
LOG_TRACEBACK = "Traceback (most recent call last)"


def main() -> int:
    args = _arguments()
    roles = [r for r in args.roles.split(",") if r] if args.roles else list(ROLES)
    if unknown := sorted(set(roles) - set(ROLES)):
        sys.exit(f"unknown roles: {', '.join(unknown)} (known: {', '.join(ROLES)})")
    data = Path(tempfile.mkdtemp(prefix="smartexpo-fuzz-"))
    env = {
        **os.environ,
        "SMARTEXPO_DATA_DIR": str(data),
        "SMARTEXPO_RATE_LIMIT_REGISTRATIONS": "0",
        "SMARTEXPO_RATE_LIMIT_REQUESTS": "0",
        "DEBUG": "",
    }
    env.pop("DATABASE_URL", None)  # always the temporary SQLite database, never a real one
    server = None
    started = time.monotonic()
    try:
        world = _prepare(data, env)
        port = _free_port()
        server = _serve(port, env, data / "serve.log")
        base = f"http://127.0.0.1:{port}"
        print(f"fuzz: server up at {base} (data dir {data})", flush=True)
        # Roles run `--parallel` at a time. Each gets an equal share of what is left of the
        # budget when it starts: schemathesis finishes the operation it is on after its
        # `--max-time`, so a role overruns a little, and the roles after it make up for it.
        deadline = time.monotonic() + args.seconds
        waiting = list(roles)

        def run(role: str) -> dict:
            with lock:
                rounds_left = -(-len(waiting) // args.parallel)
                waiting.remove(role)
                budget = max(10, int((deadline - time.monotonic()) / rounds_left))
            return _run_role(role, base, world, data, budget, args.seed)

        lock = threading.Lock()
        with ThreadPoolExecutor(args.parallel) as pool:
            runs = list(pool.map(run, roles))
    finally:
        _stop(server)
    log_errors = _log_errors(data / "serve.log") if server is not None else []
    ok = _summary(runs, log_errors, time.monotonic() - started, data)
    if args.keep or not ok:
        print(f"fuzz: kept {data} (serve.log, world.json, reports per role)")
    else:
        shutil.rmtree(data, ignore_errors=True)
    return 0 if ok else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds",
        type=int,
        default=int(os.environ.get("FUZZ_SECONDS") or 600),
        help="the whole run's time budget, shared equally by the roles (default: FUZZ_SECONDS "
        "or 600)",
    )
    parser.add_argument("--roles", default=os.environ.get("FUZZ_ROLES", ""), help="a subset")
    parser.add_argument(
        "--parallel",
        type=int,
        default=2,
        help="roles tested at the same time (default 2: with the server's two workers, that "
        "keeps both cores busy)",
    )
    parser.add_argument("--seed", type=int, default=None, help="schemathesis' random seed")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and reports")
    return parser.parse_args()


# --- the world and the server --------------------------------------------------------------


def _prepare(data: Path, env: dict[str, str]) -> dict:
    """Migrate and seed the data dir in a child process (Django set up for that dir only)."""
    started = time.monotonic()
    _run([*_cli(), "migrate", "--no-input"], env)
    code = (
        "import json, sys, django; django.setup(); "
        f"sys.path.insert(0, {str(HERE)!r}); from fuzz_world import world_seed; "
        "print(json.dumps(world_seed()))"
    )
    world = json.loads(
        _run([sys.executable, "-c", code], {**env, "DJANGO_SETTINGS_MODULE": "smartexpo.settings"})
    )
    (data / "world.json").write_text(json.dumps(world, indent=2))
    print(f"fuzz: migrated and seeded in {time.monotonic() - started:.1f} s", flush=True)
    return world


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "smartexpo"
    return [str(script)] if script.exists() else [sys.executable, "-m", "smartexpo"]


def _run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"fuzz: {' '.join(cmd[:3])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """`smartexpo serve` in its own session (its workers stop with it), up within a minute."""
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*_cli(), "serve", "--port", str(port), "--workers", "2", "--no-mailer"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"fuzz: the server exited:\n{log_path.read_text()[-3000:]}")
        url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as answer:
            if answer.status == 200:
                return server
        time.sleep(0.2)
    _stop(server)
    sys.exit("fuzz: the server did not answer within 60 s")


def _stop(server: subprocess.Popen | None) -> None:
    """SIGTERM to the server we started, then SIGKILL to its own process group if it lingers."""
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def _log_errors(log_path: Path) -> list[str]:
    """The server log's tracebacks, each as its last lines (the exception)."""
    lines = log_path.read_text(errors="replace").splitlines()
    found = []
    for i, line in enumerate(lines):
        if LOG_TRACEBACK in line:
            end = i + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end]):
                end += 1
            found.append("\n".join(lines[max(0, i - 1) : end + 1])[-1500:])
    return found


# --- schemathesis per role -----------------------------------------------------------------


def _run_role(
    role: str, base: str, world: dict, data: Path, seconds: int, seed: int | None
) -> dict:
    """One `schemathesis run` as `role` for `seconds`; its JSON and NDJSON reports read back."""
    reports = data / "reports" / role
    token = _token(role, world)
    cmd = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{base}/api/v1/openapi.json",
        "--phases",
        PHASES,
        "--checks",
        CHECKS,
        "--max-time",
        str(seconds),
        # One worker thread per run: with several, CPython 3.11 can fail in `ast.parse`
        # ("AST constructor recursion depth mismatch", cpython#106905) when hypothesis
        # describes a strategy in two threads at once; roles run in parallel instead.
        "--workers",
        "1",
        "--request-timeout",
        "30",
        # Every failing case of an operation, not only its first: one failure must not hide
        # another behind it.
        "--continue-on-failure",
        "--suppress-health-check",
        "all",
        "--generation-database",
        "none",
        "--report",
        "json,ndjson",
        "--report-json-path",
        str(reports / "report.json"),
        "--report-ndjson-path",
        str(reports / "events.ndjson"),
        "--output-sanitize",
        "false",
        "--no-color",
    ]
    if token:
        cmd += ["--header", f"Authorization: Bearer {token}"]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(HERE / "fuzz_hooks.py"),
        "FUZZ_WORLD": str(data / "world.json"),
        "FUZZ_ROLE": role,
    }
    print(f"fuzz: {role} for {seconds} s ...", flush=True)
    started = time.monotonic()
    with (data / f"schemathesis-{role}.log").open("w") as out:
        # In the data dir: schemathesis keeps its replay cache (.schemathesis/) in the cwd.
        done = subprocess.run(
            cmd,
            env=env,
            cwd=data,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=seconds + 600,
        )
    run = {
        "role": role,
        "seconds": time.monotonic() - started,
        "exit_code": done.returncode,
        "log": data / f"schemathesis-{role}.log",
        **_read_reports(reports, token),
    }
    failed = len(run["failures"])
    print(
        f"fuzz: {role}: {run['operations']} operations, {run['cases']} test cases, "
        f"{failed} failure{'s' if failed != 1 else ''} ({run['seconds']:.0f} s)",
        flush=True,
    )
    return run


def _token(role: str, world: dict) -> str | None:
    if role == "anonymous":
        return None
    if role == "manage-token":
        return world["manage_token"]
    return world["tokens"][role]


def _read_reports(reports: Path, token: str | None) -> dict:
    summary = {}
    with contextlib.suppress(OSError, ValueError):
        summary = json.loads((reports / "report.json").read_text())
    operations = (summary.get("operations") or {}).get("tested", 0)
    cases = (summary.get("test_cases") or {}).get("generated", 0)
    errors = summary.get("errors") or []
    return {
        "operations": operations,
        "cases": cases,
        "errors": [f"{e['title']} (×{e['count']})" for e in errors],
        "failures": _failures(reports / "events.ndjson", token),
        "complete": summary.get("complete", False),
    }


def _failures(ndjson: Path, token: str | None) -> list[dict]:
    """Each distinct (operation, check, title) failure of the NDJSON event stream, with the
    curl command of its first occurrence."""
    found: dict[tuple, dict] = {}
    with contextlib.suppress(OSError):
        for line in ndjson.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
                for failure in _event_failures(json.loads(line).get("ScenarioFinished")):
                    key = (failure["operation"], failure["check"], failure["title"])
                    found.setdefault(key, failure)
    for failure in found.values():
        failure["curl"] = _curl(failure.pop("request"), token)
    return list(found.values())


def _event_failures(scenario: dict | None):
    """The failed checks of one finished scenario, with the request that failed."""
    recorder = (scenario or {}).get("recorder") or {}
    for case_id, checks in (recorder.get("checks") or {}).items():
        for check in checks:
            if check.get("status") != "failure":
                continue
            failure = (check.get("failure_info") or {}).get("failure") or {}
            interaction = (recorder.get("interactions") or {}).get(case_id) or {}
            yield {
                "operation": recorder.get("label", "?"),
                "check": check.get("name", "?"),
                "title": failure.get("title", "?"),
                "message": failure.get("message", ""),
                "status": (interaction.get("response") or {}).get("status_code"),
                "request": interaction.get("request") or {},
            }


def _curl(request: dict, token: str | None) -> str:
    """A curl command line for a recorded request (its token as `$TOKEN`)."""
    parts = ["curl", "-X", request.get("method", "GET")]
    for name, values in (request.get("headers") or {}).items():
        if name.lower() in {"user-agent", "accept-encoding", "accept", "connection"}:
            continue
        if name.lower().startswith("x-schemathesis"):
            continue
        for value in values if isinstance(values, list) else [values]:
            if name.lower() == "authorization" and token:
                value = "Bearer $TOKEN"
            parts += ["-H", f"{name}: {value}"]
    body = request.get("body")
    if isinstance(body, dict) and "$base64" in body:
        raw = base64.b64decode(body["$base64"])
        if len(raw) > 2000:
            parts += ["--data-binary", f"@<{len(raw)} bytes, see the NDJSON report>"]
        else:
            parts += ["--data-binary", _shell_bytes(raw)]
    parts.append(request.get("uri", "?"))
    return " ".join(p if p.startswith("$'") else shlex.quote(p) for p in parts).replace(
        "'Authorization: Bearer $TOKEN'", '"Authorization: Bearer $TOKEN"'
    )


def _shell_bytes(raw: bytes) -> str:
    """Bytes as a bash $'…' string (any byte, printable or not)."""
    out = []
    for byte in raw:
        char = chr(byte)
        if char in "\\'":
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\x{byte:02x}")
    return "$'" + "".join(out) + "'"


# --- the summary ---------------------------------------------------------------------------


def _summary(runs: list[dict], log_errors: list[str], seconds: float, data: Path) -> bool:
    print()
    print("fuzz summary")
    print(f"{'role':<16}{'operations':>11}{'test cases':>12}{'failures':>10}{'seconds':>9}")
    ok = True
    for run in runs:
        print(
            f"{run['role']:<16}{run['operations']:>11}{run['cases']:>12,}"
            f"{len(run['failures']):>10}{run['seconds']:>9.0f}"
        )
        if run["failures"] or run["errors"] or not run["complete"] or run["exit_code"] != 0:
            ok = False
    total_cases = sum(r["cases"] for r in runs)
    print(f"{'total':<16}{'':>11}{total_cases:>12,}{sum(len(r['failures']) for r in runs):>10}")
    print(f"(whole run {seconds:.0f} s, with the seed and the server's start)")
    # The same failure found as several roles is shown once, with the roles.
    grouped: dict[tuple, tuple[dict, list[str]]] = {}
    for run in runs:
        for failure in run["failures"]:
            key = (failure["operation"], failure["check"], failure["title"], failure["status"])
            grouped.setdefault(key, (failure, []))[1].append(run["role"])
    for failure, roles in grouped.values():
        print()
        print(f"FAILURE {failure['operation']}: {failure['check']} as {', '.join(roles)}")
        print(f"  {failure['title']} (status {failure['status']})")
        if failure["message"]:
            print("  " + failure["message"].strip().replace("\n", "\n  ")[:1500])
        print(f"  reproduce ({roles[0]}): {failure['curl']}")
    for run in runs:
        for error in run["errors"]:
            print(f"\nERROR as {run['role']}: {error} (see {run['log']})")
        stopped = not run["complete"] or run["exit_code"] != 0
        if stopped and not run["failures"] and not run["errors"]:
            print(
                f"\nERROR as {run['role']}: schemathesis exited {run['exit_code']} "
                f"(complete: {run['complete']}); see {run['log']}"
            )
    for error in log_errors:
        ok = False
        print(f"\nSERVER ERROR in {data / 'serve.log'}:\n{error}")
    print()
    print("fuzz: no failures" if ok else "fuzz: FAILED")
    return ok


if __name__ == "__main__":
    sys.exit(main())
