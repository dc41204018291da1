"""`make cluster`: SmartExpo as a small deployment on this machine, on loopback only.

    python scripts/cluster.py start  [--dir cluster] [--port 8080] [--servers 3] [--seed demo]
    python scripts/cluster.py status [--dir cluster]
    python scripts/cluster.py stop   [--dir cluster]

`start` brings up, in the cluster directory:

1. a private PostgreSQL (`initdb` into DIR/pg, as the `postgres` user when run as root, since
   PostgreSQL refuses to run as root), listening on 127.0.0.1 and its own port, with fsync on
   unless `--no-fsync` (this is a deployment recipe, not a test fixture);
2. the schema (`smartexpo migrate`) and the demo (`smartexpo demo seed`; `--seed full` adds
   the 2018 history as `make seed` does, `--seed small` seeds without registered visitors,
   `--seed none` not at all);
3. `--servers` × `smartexpo serve --no-background` on ports of their own, and one
   `smartexpo worker` (the background work), all with the same DATABASE_URL, the same
   SECRET_KEY (generated once into DIR/secret_key) and SMARTEXPO_TRUSTED_PROXIES=127.0.0.1;
4. HAProxy in front, from a generated DIR/haproxy.cfg: round robin, a server out of the pool
   after two failed `GET /readyz` one second apart.

The environment every SmartExpo process gets is written to DIR/env (KEY=VALUE lines, a systemd
EnvironmentFile's format), the ports and process ids to DIR/state.json, each process's output
to DIR/logs/. `stop` ends the processes with SIGTERM (SIGKILL only past `serve`'s own stop
bound), then HAProxy and PostgreSQL; it is idempotent, and `start` on a running cluster says so.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
DATABASE = "smartexpo"
# `smartexpo serve` exits within 15 s of SIGTERM (its STOP_BOUND_SECONDS); a little over that
# before SIGKILL, so that a stop never cuts a request that serve would have finished.
STOP_WAIT_SECONDS = 20
START_WAIT_SECONDS = 90
# Failed checks before a server is out and passed ones before it is back, one second apart:
# a dead server gets no new requests two to three seconds after it died.
CHECK_INTER = "1s"
CHECK_FALL = 2
CHECK_RISE = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    for name in ("start", "status", "stop"):
        command = sub.add_parser(name)
        command.add_argument("--dir", type=Path, default=Path("cluster"), help="default ./cluster")
    sub.choices["stop"].add_argument(
        "--remove-database", action="store_true", help="also delete PostgreSQL's data"
    )
    start = sub.choices["start"]
    start.add_argument("--port", type=int, default=8080, help="HAProxy's port (default 8080)")
    start.add_argument("--servers", type=int, default=3, help="serve processes (default 3)")
    start.add_argument(
        "--first-server-port", type=int, default=8101, help="the servers' first port (8101)"
    )
    start.add_argument("--pg-port", type=int, default=55480, help="PostgreSQL's port (55480)")
    start.add_argument("--workers", type=int, default=2, help="worker processes per serve (2)")
    start.add_argument(
        "--seed",
        choices=["full", "demo", "small", "none"],
        default="demo",
        help="full: `demo seed` and `demo history`, as `make seed` does; demo (default): "
        "`demo seed` only (the 2018 history takes many minutes more); small: without "
        "registered visitors; none: the schema only",
    )
    start.add_argument("--no-fsync", action="store_true", help="PostgreSQL without fsync")
    start.add_argument(
        "--stats-port", type=int, default=0, help="HAProxy's stats page on this port (off: 0)"
    )
    start.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="more environment for every SmartExpo process (repeatable)",
    )
    args = parser.parse_args(argv)
    cluster = Cluster(args.dir.resolve())
    if args.action == "start":
        return cluster.start(args)
    if args.action == "stop":
        return cluster.stop(remove=args.remove_database)
    return cluster.status()


class Cluster:
    """The processes of one cluster directory, through its state file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state_path = root / "state.json"
        self.logs = root / "logs"

    # --- state --------------------------------------------------------------------------------

    def state(self) -> dict:
        try:
            return json.loads(self.state_path.read_text())
        except FileNotFoundError:
            return {}

    def save(self, state: dict) -> None:
        self.state_path.write_text(json.dumps(state, indent=2) + "\n")

    def running(self) -> list[str]:
        """The names of this cluster's processes that are alive (PostgreSQL included)."""
        state = self.state()
        names = [name for name, pid in _pids(state) if _alive(pid)]
        if state.get("pg") and _pg_running(Path(state["pg"]["dir"]) / "data"):
            names.append("postgresql")
        return names

    # --- start --------------------------------------------------------------------------------

    def start(self, args) -> int:
        if alive := self.running():
            print(f"The cluster in {self.root} is already running ({', '.join(alive)}).")
            self.status()
            return 0
        if args.servers < 1:
            raise SystemExit("--servers must be at least 1.")
        if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
            raise SystemExit(
                "HAProxy not found (Debian package haproxy; `make cluster` installs it)."
            )
        ports = [args.port, args.pg_port, args.stats_port or None]
        ports += [args.first_server_port + i for i in range(args.servers)]
        for port in filter(None, ports):
            if not _port_free(port):
                raise SystemExit(f"Port {port} on {HOST} is in use; choose others (--help).")
        self.root.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        state: dict = {"address": f"http://{HOST}:{args.port}", "processes": {}}
        self.save(state)
        try:
            pg = self.pg_dir()
            state["pg"] = {"port": args.pg_port, "dir": str(pg)}
            self.save(state)
            _start_postgres(pg, args.pg_port, fsync=not args.no_fsync)
            env = self._app_env(args)
            self._prepare(env, args.seed)
            for i in range(args.servers):
                port = args.first_server_port + i
                self._spawn(
                    state,
                    f"web{i + 1}",
                    [
                        *("serve", "--no-background", "--host", HOST, "--port", str(port)),
                        *("--workers", str(args.workers)),
                    ],
                    env,
                    port=port,
                )
            self._spawn(state, "worker", ["worker"], env)
            for name, info in state["processes"].items():
                if "port" in info:
                    _wait_ready(f"http://{HOST}:{info['port']}/readyz", info["pid"], name)
            config = self.root / "haproxy.cfg"
            servers = [(n, i["port"]) for n, i in state["processes"].items() if "port" in i]
            config.write_text(haproxy_config(args.port, servers, self.root, args.stats_port))
            binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
            subprocess.run([binary, "-c", "-q", "-f", str(config)], check=True)
            haproxy = self._popen([binary, "-db", "-f", str(config)], "haproxy", os.environ)
            state["processes"]["haproxy"] = {"pid": haproxy.pid, "port": args.port}
            self.save(state)
            _wait_ready(f"{state['address']}/readyz", haproxy.pid, "haproxy")
        except BaseException:
            print(f"Start-up failed; stopping what started (logs in {self.logs}).", file=sys.stderr)
            self.stop(quiet=True)
            raise
        if (login := self.root / "login.txt").exists():
            print(login.read_text().rstrip())
        print(f"SmartExpo cluster at {state['address']}/")
        print(f"  {args.servers} servers, 1 worker, PostgreSQL on {HOST}:{args.pg_port}")
        print(f"  directory {self.root} (env, state.json, logs/); stop: make cluster-stop")
        return 0

    def _app_env(self, args) -> dict[str, str]:
        """What every SmartExpo process of the cluster runs with, also written to DIR/env."""
        key_path = self.root / "secret_key"
        if not key_path.exists():
            key_path.write_text(secrets.token_urlsafe(50))
            key_path.chmod(0o600)
        values = {
            "DATABASE_URL": f"postgres://postgres@{HOST}:{args.pg_port}/{DATABASE}",
            "SECRET_KEY": key_path.read_text().strip(),
            "SMARTEXPO_DATA_DIR": str(self.root / "data"),
            "SMARTEXPO_TRUSTED_PROXIES": HOST,
            "SMARTEXPO_BASE_URL": f"http://{HOST}:{args.port}",
        }
        for item in args.env:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise SystemExit(f"--env wants KEY=VALUE, not {item!r}.")
            values[name] = value
        env_file = self.root / "env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        env_file.chmod(0o600)
        return {**os.environ, **values}

    def _prepare(self, env: dict[str, str], seed: str) -> None:
        """The database, its schema, and the demo's data when asked for. A cluster started
        again finds its database: only the migrations that came since run, nothing is seeded."""
        if not _create_database(_port_of(env)):
            seed = "again"
        self._smartexpo(env, "migrate", "--no-input")
        if seed in ("full", "demo"):
            self._smartexpo(env, "demo", "seed", "--quiet")
        if seed == "full":
            self._smartexpo(env, "demo", "history", "--quiet")
        elif seed == "small":
            self._smartexpo(env, "demo", "seed", "--quiet", "--visitors", "0")
        if seed != "none":
            login = subprocess.run(
                [sys.executable, "-m", "smartexpo", "demo", "login", "--port", _port_of_base(env)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            (self.root / "login.txt").write_text(login.stdout)

    def _smartexpo(self, env: dict[str, str], *args: str) -> None:
        print(f"  smartexpo {' '.join(args)}", flush=True)
        with (self.logs / "setup.log").open("a") as log:
            subprocess.run(
                [sys.executable, "-m", "smartexpo", *args],
                env=env,
                check=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def _spawn(self, state: dict, name: str, args: list[str], env, port: int | None = None):
        command = [sys.executable, "-m", "smartexpo", *args]
        process = self._popen(command, name, env)
        # The command too: a server killed by hand (or by a test) is started again with it.
        state["processes"][name] = {"pid": process.pid, "command": command}
        if port:
            state["processes"][name]["port"] = port
        self.save(state)

    def _popen(self, command: list[str], name: str, env) -> subprocess.Popen:
        # A session of its own: the process outlives this script, and a stop signals its whole
        # group (serve's granian workers, the worker's helpers) without touching anything else.
        with (self.logs / f"{name}.log").open("ab") as log:
            return subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    # --- stop and status ----------------------------------------------------------------------

    def pg_dir(self) -> Path:
        """PostgreSQL's directory: DIR/pg, unless this runs as root and the `postgres` user
        cannot reach DIR (a private temporary directory, a home directory), then one of
        its own in the temporary directory, named after DIR so that a restart finds its data
        again (and refused when someone else made it)."""
        inside = self.root / "pg"
        if os.geteuid() != 0 or _postgres_reaches(self.root):
            return inside
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:12]
        outside = Path(tempfile.gettempdir()) / f"smartexpo-cluster-{digest}"
        if outside.exists() and outside.stat().st_uid not in (0, pwd.getpwnam("postgres").pw_uid):
            raise SystemExit(f"{outside} belongs to another user; remove it first.")
        return outside

    def stop(self, quiet: bool = False, remove: bool = False) -> int:
        state = self.state()
        if not state:
            if not quiet:
                print(f"No cluster in {self.root}.")
            return 0
        # The load balancer first, so that no request reaches a server that is stopping; then
        # the servers and the worker together, each within its own stop bound.
        pids = _pids(state)
        _stop_groups([(n, p) for n, p in pids if n == "haproxy" and _alive(p)])
        _stop_groups([(n, p) for n, p in pids if n != "haproxy" and _alive(p)])
        if state.get("pg"):
            _stop_postgres(Path(state["pg"]["dir"]) / "data")
        if remove:
            shutil.rmtree(self.pg_dir(), ignore_errors=True)
        state["processes"] = {}
        state.pop("pg", None)
        self.save(state)
        if not quiet:
            print(f"Cluster in {self.root} stopped.")
        return 0

    def status(self) -> int:
        state = self.state()
        alive = set(self.running())
        if not state.get("processes"):
            print(f"No cluster running in {self.root}.")
            return 1
        print(f"{state['address']}/")
        for name, info in state["processes"].items():
            where = f" port {info['port']}" if "port" in info else ""
            print(f"  {name:<9} pid {info['pid']:<8}{where}  {'up' if name in alive else 'DOWN'}")
        pg = "up" if "postgresql" in alive else "DOWN"
        print(f"  {'postgresql':<9} port {state.get('pg', {}).get('port', '?')}  {pg}")
        return 0 if len(alive) == len(state["processes"]) + 1 else 1


def haproxy_config(port: int, servers: list[tuple[str, int]], root: Path, stats_port: int) -> str:
    """HAProxy's configuration for the cluster (deploy/haproxy.cfg is the annotated example)."""
    lines = [
        "global",
        "    maxconn 4096",
        f"    stats socket {root / 'haproxy.sock'} mode 600 level admin",
        "",
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 60s",
        # Above serve's own request timeout (30 s), so the server, not HAProxy, answers it.
        "    timeout server 60s",
        "    timeout http-request 10s",
        "    timeout http-keep-alive 10s",
        "    timeout queue 10s",
        "",
        "frontend smartexpo",
        f"    bind {HOST}:{port}",
        # Appended to what the client sent; the servers read it from the right, only across
        # the proxies in SMARTEXPO_TRUSTED_PROXIES (core.ratelimit.client_address_of).
        "    option forwardfor",
        "    default_backend servers",
        "",
        "backend servers",
        "    balance roundrobin",
        # HTTP/1.1 with a Host the servers allow (Django refuses a request without one).
        "    option httpchk",
        f"    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host {HOST}",
        "    http-check expect status 200",
        f"    default-server inter {CHECK_INTER} fall {CHECK_FALL} rise {CHECK_RISE}",
        # A request that never reached a server (refused or failed connection) may go to
        # another one. Once it was sent, only GET and HEAD may be sent again (empty-response:
        # the server closed without answering); a POST may have been acted on before its
        # server died, so HAProxy answers 502 for it rather than register someone twice.
        "    retries 2",
        "    option redispatch 1",
        "    retry-on conn-failure empty-response",
        "    http-request disable-l7-retry unless METH_GET || METH_HEAD",
    ]
    lines += [f"    server {name} {HOST}:{p} check" for name, p in servers]
    if stats_port:
        lines += [
            "",
            "listen stats",
            f"    bind {HOST}:{stats_port}",
            "    stats enable",
            "    stats uri /",
            "    stats refresh 2s",
        ]
    return "\n".join(lines) + "\n"


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=_version)
    if not found:
        raise SystemExit("PostgreSQL server binaries not found (Debian package postgresql).")
    return str(found[-1])


def _version(path: Path) -> tuple:
    return tuple(int(p) for p in path.parts[-3].split(".") if p.isdigit())


def _as_pg(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """A PostgreSQL tool, as the `postgres` user when this runs as root."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)


def _postgres_reaches(path: Path) -> bool:
    probe = ["runuser", "-u", "postgres", "--", "test", "-x", str(path)]
    return subprocess.run(probe, capture_output=True).returncode == 0


def _start_postgres(pg: Path, port: int, *, fsync: bool) -> None:
    pg.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(pg, "postgres", "postgres")
    data = pg / "data"
    if not (data / "PG_VERSION").exists():
        _as_pg([_pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"])
    options = f"-p {port} -k {pg} -c listen_addresses={HOST} -c max_connections=200"
    if not fsync:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    log = str(pg / "server.log")
    _as_pg([_pg_bin("pg_ctl"), "-D", str(data), "-l", log, "-w", "-o", options, "start"])


def _create_database(port: str) -> bool:
    """Create the database; False when it is there already."""
    command = [_pg_bin("createdb"), "-h", HOST, "-p", port, "-U", "postgres", DATABASE]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode == 0:
        return True
    if "already exists" in done.stderr:
        return False
    raise SystemExit(f"createdb failed: {done.stderr.strip()}")


def _pg_running(data: Path) -> bool:
    if not data.exists():
        return False
    command = [_pg_bin("pg_ctl"), "-D", str(data), "status"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True).returncode == 0


def _stop_postgres(data: Path) -> None:
    if _pg_running(data):
        _as_pg([_pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])


def _port_of(env: dict[str, str]) -> str:
    return env["DATABASE_URL"].rsplit(":", 1)[1].split("/")[0]


def _port_of_base(env: dict[str, str]) -> str:
    return env["SMARTEXPO_BASE_URL"].rsplit(":", 1)[1]


# --- processes --------------------------------------------------------------------------------


def _pids(state: dict) -> list[tuple[str, int]]:
    return [(name, info["pid"]) for name, info in state.get("processes", {}).items()]


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its parent does not)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return fields[0] != "Z"


def _stop_groups(processes: list[tuple[str, int]]) -> None:
    """SIGTERM to each process's group; SIGKILL to what still runs after STOP_WAIT_SECONDS."""
    for _name, pid in processes:
        with_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while any(_alive(pid) for _n, pid in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    for name, pid in processes:
        if _alive(pid):
            print(f"{name} (pid {pid}) still runs {STOP_WAIT_SECONDS} s after SIGTERM: SIGKILL")
        # Also what the group leader left behind (a granian worker whose master was killed).
        with_group(pid, signal.SIGKILL)


def with_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _wait_ready(url: str, pid: int, name: str) -> None:
    deadline = time.monotonic() + START_WAIT_SECONDS
    while time.monotonic() < deadline:
        if not _alive(pid):
            raise SystemExit(f"{name} exited during start-up (its log: logs/{name}.log).")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"{name} not ready at {url} within {START_WAIT_SECONDS} s.")


if __name__ == "__main__":
    sys.exit(main())
