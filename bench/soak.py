"""Kill soak: nothing acknowledged is lost when a process of `smartexpo serve` dies.

`smartexpo serve --workers 2` (granian, with its mailer, its occupancy folder and, on SQLite,
its WAL checkpointer, as users run it) serves a mixed load from client threads: registrations
(some repeated under their Idempotency-Key, some of the same person, small quotas so days sell
out), cancellations, online scans at two gates from two scanners, offline syncs, sensor event
batches (with resent, repeated and refused events) and occupancy reads (`soak_load`). Meanwhile
the server is killed with SIGKILL, `--kills` times at random moments: either one granian
worker (it must be replaced while the other serves on) or the whole server's process group
(then it is started again). A client whose request is cut off sends it again, unchanged,
until it is answered. After the last kill the clients finish, the occupancy is read, and
`soak_checks` holds the database to every acknowledgement and to its own consistency.

The database is the soak's own (`soak_edition`): SQLite in a temporary data directory, or with
`DATABASE_URL` set to PostgreSQL a fresh database on that server, dropped afterwards.

Usage: python bench/soak.py [--kills N] [--seed S] [--quota Q] [--json FILE] [--keep]
(`SMARTEXPO_SOAK_KILLS` sets the default of --kills). tests/soak runs 12 kills, `make soak`
200. Exits 1 when an invariant breaks, 2 when the run itself fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchlib import cli, free_port, process_tree, processes
from soak_checks import Check, run_all
from soak_edition import Database, django_setup, seed
from soak_load import Api, Ledger, Load, quote, wait_for_answer

PROBE = "/api/v1/expos/soak"
STARTUP_LIMIT = 120.0  # seconds for a (re)started server or a replaced worker to answer
SETTLED = 6.0  # seconds a worker runs before it may be killed (granian's crash-loop guard: 5.5)


class RunError(RuntimeError):
    pass


class Server:
    """`smartexpo serve` in its own session, so that its process group is the whole server:
    `smartexpo serve`, the mailer, granian's master and its workers."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path):
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.proc: subprocess.Popen | None = None
        self.starts: list[float] = []

    def start(self) -> None:
        began = time.monotonic()
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                [*cli(), "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.wait_up()
        self.wait_workers(set())
        self.starts.append(time.monotonic() - began)

    def wait_up(self) -> None:
        try:
            wait_for_answer(self.port, PROBE, STARTUP_LIMIT)
        except OSError as exc:
            raise RunError(f"the server does not answer: {exc}\n{self.tail()}") from None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def worker_pids(self) -> list[int]:
        """granian's workers: the children of granian's master, the child of `serve`."""
        live = {p: info for p, info in processes().items() if info["state"] != "Z"}
        masters = [p for p, info in live.items() if info["ppid"] == self.proc.pid]
        masters = [p for p in masters if "granian" in cmdline(p)]
        return sorted(p for p, info in live.items() if info["ppid"] in masters)

    def wait_workers(self, gone: set[int]) -> list[int]:
        """Wait until `workers` workers run, none of them in `gone`; their pids."""
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline:
            if not self.alive():
                raise RunError(f"the server exited ({self.proc.returncode})\n{self.tail()}")
            pids = [p for p in self.worker_pids() if p not in gone]
            if len(pids) >= self.workers:
                return pids
            time.sleep(0.1)
        raise RunError(f"{self.workers} workers did not come up\n{self.tail()}")

    def kill_worker(self, rng: random.Random) -> int:
        """Kill one worker that has run for `SETTLED` seconds at least: granian takes a worker
        that dies again within 5.5 s of being replaced for a crash loop and stops the server
        (by design: a worker that cannot start must not be respawned forever)."""
        deadline = time.monotonic() + STARTUP_LIMIT
        while True:
            pids = [p for p in self.wait_workers(set()) if age(p) >= SETTLED]
            if pids:
                break
            if time.monotonic() > deadline:
                raise RunError("no worker has been running long enough to be killed")
            time.sleep(0.1)
        victim = rng.choice(pids)
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill_all(self) -> None:
        """SIGKILL every process of the server at once: `serve` and its mailer (its session)
        and granian's master and workers (a session of their own, so killing `serve`'s group
        alone would leave granian to stop gracefully on its parent-death signal)."""
        groups = {info["pgid"] for info in process_tree(self.proc.pid).values()}
        groups.add(self.proc.pid)
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        self.proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(p["pgid"] in groups and p["state"] != "Z" for p in processes().values()):
            if time.monotonic() > deadline:
                raise RunError("processes of the killed server are still running")
            time.sleep(0.05)

    def stop(self) -> None:
        if not self.alive():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.kill_all()

    def tail(self, chars: int | None = 3000) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[-chars:] if chars else text


def age(pid: int) -> float:
    """Seconds since a process started (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except OSError:
        return 0.0
    return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def drive(server: Server, kills: int, rng: random.Random, log) -> dict:
    """Kill `kills` times at random moments: a worker or the whole server, about half each
    (at least one of each from two kills on), restarting the server after a whole kill."""
    kinds = ["worker"] * (kills // 2) + ["server"] * (kills - kills // 2)
    rng.shuffle(kinds)
    done = {"worker": 0, "server": 0, "worker replaced (s)": [], "server restarted (s)": []}
    for n, kind in enumerate(kinds, 1):
        time.sleep(rng.uniform(0.2, 2.0))  # load runs; then the kill lands mid-request
        began = time.monotonic()
        if kind == "worker":
            victim = server.kill_worker(rng)
            try:
                server.wait_workers({victim})
                server.wait_up()
                done["worker replaced (s)"].append(round(time.monotonic() - began, 2))
            except RunError:
                if server.alive():
                    raise
                # A worker's death took the whole server down: noted (a check fails on it),
                # and the server is started again so that the run goes on.
                done["server gone after a worker kill"] = (
                    done.get("server gone after a worker kill", 0) + 1
                )
                server.start()
        else:
            server.kill_all()
            server.start()
            done["server restarted (s)"].append(round(time.monotonic() - began, 2))
        done[kind] += 1
        print(
            f"kill {n}/{kills}: {kind}, serving again after {time.monotonic() - began:.1f} s",
            file=log,
            flush=True,
        )
    return done


def final_reads(port: int, seeded: dict, ledger: Ledger, clock, rng) -> dict[str, dict]:
    """The occupancy at the end of each day and at two instants of each day in between."""
    api = Api(port, ledger, seeded["organizer"])
    instants = []
    for opening in clock.opening:
        instants.append(opening.replace(hour=17, minute=59, second=59).isoformat())
        instants += [clock.earlier(opening, rng).isoformat() for _ in range(2)]
    answers = {}
    for at in instants:
        answer = api.send(
            "occupancy", "GET", f"/api/v1/expos/{seeded['expo']}/venue/occupancy?at={quote(at)}"
        )
        if answer.status != 200:
            raise RunError(f"final occupancy read answered {answer.status}: {answer.body}")
        answers[at] = answer.body
    api.close()
    return answers


def wait_outbox(patience: float = 30, limit: float = 600) -> float:
    """Give the mailer time to send what no killed mailer holds a lease on: as long as it
    keeps sending (something within `patience` seconds), up to `limit` seconds."""
    from django.db.models import Q
    from django.utils import timezone

    from smartexpo.tickets.models import Registration

    began = progress = time.monotonic()
    before = None
    while time.monotonic() - began < limit and time.monotonic() - progress < patience:
        waiting = Registration.objects.filter(
            Q(confirmation_lease_until__isnull=True)
            | Q(confirmation_lease_until__lt=timezone.now()),
            source="api",
            status="active",
            confirmation_sent_at__isnull=True,
        ).count()
        if not waiting:
            break
        if before is None or waiting < before:
            before, progress = waiting, time.monotonic()
        time.sleep(0.5)
    return time.monotonic() - began


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--kills", type=int, default=int(os.environ.get("SMARTEXPO_SOAK_KILLS", "20"))
    )
    parser.add_argument(
        "--seed", type=int, default=int(os.environ.get("SMARTEXPO_SOAK_SEED", "0")) or None
    )
    parser.add_argument(
        "--quota",
        type=int,
        help="places per day of the day ticket (default: the number of kills, at least 30)",
    )
    parser.add_argument(
        "--staff", type=int, default=300, help="staff tickets issued before the run"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the report here as JSON")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and the data directory"
    )
    args = parser.parse_args(argv)
    if args.kills < 1:
        parser.error("--kills must be at least 1")
    args.seed = args.seed or random.SystemRandom().randint(1, 999)
    # Small enough to sell out even when restarts leave little time to serve (the days stay
    # full but for the places cancellations free); a pass has half as many.
    args.quota = args.quota or max(30, args.kills)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    rng = random.Random(args.seed)
    db = Database(os.environ.get("DATABASE_URL"), keep=args.keep)
    log = sys.stdout
    print(f"kill soak: {args.kills} kills, seed {args.seed}, {db.describe()}", file=log, flush=True)
    server = None
    report: dict = {"kills asked": args.kills, "seed": args.seed, "database": db.vendor}
    try:
        db.create()
        django_setup(db.env())
        t0 = time.monotonic()
        seeded = seed(quota=args.quota, staff=args.staff)
        report["seed (s)"] = round(time.monotonic() - t0, 1)
        env = {
            **os.environ,
            **db.env(),
            "SMARTEXPO_HOST": "127.0.0.1",
            "SMARTEXPO_RATE_LIMIT_REGISTRATIONS": "0",
            # Every client thread comes from 127.0.0.1: the per-address guard is not under test.
            "SMARTEXPO_RATE_LIMIT_REQUESTS": "0",
            # Confirmation emails are built (PDF and all) and sent nowhere.
            "SMARTEXPO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
        if db.vendor == "sqlite":
            env.pop("DATABASE_URL", None)
        server = Server(env, free_port(), args.workers, db.data_dir / "serve.log")
        server.start()
        ledger = Ledger()
        load = Load(server.port, seeded, ledger, args.seed)
        load.start()
        t0 = time.monotonic()
        report["kills"] = drive(server, args.kills, rng, log)
        time.sleep(1.0)
        load.stop()
        report["load (s)"] = round(time.monotonic() - t0, 1)
        answers = final_reads(server.port, seeded, ledger, load.clock, rng)
        report["outbox wait (s)"] = round(wait_outbox(), 1)
        # The checks read a quiet database: the server goes as it went at every whole kill
        # (a graceful stop is not under test here, and waits for a worker still starting).
        server.kill_all()
        checks = run_all(
            ledger=ledger, seeded=seeded, answers=answers, vendor=db.vendor, log=server.tail(None)
        )
        survived = Check("the server serves on when a worker dies")
        if gone := report["kills"].get("server gone after a worker kill"):
            survived.breach(f"{gone} worker kills took the whole server down")
        checks.insert(0, survived)
        report["answers"] = dict(sorted(ledger.answers.items()))
        report["requests sent again after a kill"] = dict(sorted(ledger.retried.items()))
        report["server start (s)"] = [round(s, 1) for s in server.starts]
        report["checks"] = [
            {"name": c.name, "ok": c.ok, "figures": c.figures, "breaches": c.breaches}
            for c in checks
        ]
        report["ok"] = all(c.ok for c in checks)
    except RunError as exc:
        report["ok"] = False
        report["error"] = str(exc)
    finally:
        if server is not None:
            server.stop()
        report["seconds"] = round(time.monotonic() - began, 1)
        if args.keep:
            report["kept"] = str(db.data_dir) + (f" and database {db.name}" if db.name else "")
        db.drop()
    print_report(report, log)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    if "error" in report:
        return 2
    return 0 if report["ok"] else 1


def print_report(report: dict, out) -> None:
    kills = report.get("kills", {})
    print(
        f"\n{kills.get('worker', 0)} worker kills, {kills.get('server', 0)} whole-server kills "
        f"in {report.get('load (s)', '?')} s of load; run {report['seconds']} s "
        f"({report['database']}, seed {report['seed']})",
        file=out,
    )
    if "error" in report:
        print(f"RUN FAILED: {report['error']}", file=out)
    print(f"answers: {report.get('answers')}", file=out)
    print(f"sent again after a cut: {report.get('requests sent again after a kill')}", file=out)
    for check in report.get("checks", []):
        print(f"[{'ok' if check['ok'] else 'FAIL'}] {check['name']}: {check['figures']}", file=out)
        for breach in check["breaches"]:
            print(f"    - {breach}", file=out)
    print("PASSED" if report.get("ok") else "FAILED", file=out, flush=True)


if __name__ == "__main__":
    sys.exit(main())
