"""The cluster the `cluster` tests run against: `scripts/cluster.py` started once per session in
a temporary directory on free loopback ports (its own PostgreSQL, three `serve
--no-background`, one `worker`, HAProxy), stopped at the end."""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVERS = 3
REGISTRATION_LIMIT = 6


@dataclass
class Cluster:
    root: Path
    address: str
    servers: dict[str, int]
    env: dict[str, str]
    admin: dict = field(default_factory=dict)

    @property
    def port(self) -> int:
        return int(self.address.rsplit(":", 1)[1])

    def world(self, *args: str):
        """`tests.cluster.world` run against the cluster's database; its JSON answer."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.cluster.world", *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return json.loads(done.stdout)

    def haproxy(self, command: str) -> str:
        """One command on HAProxy's admin socket, its answer."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(10)
            sock.connect(str(self.root / "haproxy.sock"))
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def requests_by_server(self) -> dict[str, int]:
        """Requests HAProxy has sent to each server so far (its `stot` counter)."""
        lines = self.haproxy("show stat").lstrip("# ").splitlines()
        header = lines[0].split(",")
        counts = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == "servers" and row.get("svname") in self.servers:
                counts[row["svname"]] = int(row["stot"])
        return counts

    def server_states(self) -> dict[str, str]:
        """Each server's state as HAProxy sees it (UP, DOWN, ...)."""
        lines = self.haproxy("show stat").lstrip("# ").splitlines()
        header = lines[0].split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
        return {
            r["svname"]: r["status"]
            for r in rows
            if r.get("pxname") == "servers" and r.get("svname") in self.servers
        }


def request(
    base: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    source: str | None = None,
    timeout: float = 60,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a fresh connection, from `source` (a loopback address) when given:
    (status, headers, body). Redirects are not followed."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(
        url.hostname, url.port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


def register(
    cluster: Cluster,
    slug: str,
    n: int,
    *,
    source: str | None = None,
    headers=None,
    timeout: float = 60,
) -> tuple[int, dict]:
    """One registration for a day pass of `slug` through the load balancer, person `n`:
    (status, JSON answer)."""
    from smartexpo.tickets.identity import resident_check_digit

    first17 = f"110105{19600101 + n // 1000 * 10000}{n % 1000:03d}"
    body = {
        "ticket_type": "day",
        "days": ["2019-08-26"],
        "name": f"Visitor {n}",
        "email": f"v{n}@example.cn",
        "id_number": first17 + resident_check_digit(first17),
    }
    status, _headers, raw = request(
        cluster.address,
        "POST",
        f"/api/v1/expos/{slug}/registrations",
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        source=source,
        timeout=timeout,
    )
    return status, json.loads(raw) if raw else {}


def _free_ports(count: int) -> list[int]:
    """`count` consecutive free loopback ports (the servers' ports are consecutive)."""
    for _ in range(200):
        first = random.randrange(20000, 30000)
        if all(_free(port) for port in range(first, first + count)):
            return list(range(first, first + count))
    raise RuntimeError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Cluster:
    root = tmp_path_factory.mktemp("cluster")
    ports = _free_ports(SERVERS + 2)
    lb_port, pg_port, first = ports[0], ports[1], ports[2]
    script = [sys.executable, str(ROOT / "scripts" / "cluster.py")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    start = [
        *script,
        "start",
        "--dir",
        str(root),
        "--port",
        str(lb_port),
        "--pg-port",
        str(pg_port),
        "--first-server-port",
        str(first),
        "--servers",
        str(SERVERS),
        "--workers",
        "1",
        "--seed",
        "none",
        # Low, so that test_limits.py reaches the limit in a few requests.
        "--env",
        f"SMARTEXPO_RATE_LIMIT_REGISTRATIONS={REGISTRATION_LIMIT}",
        # A test database: durability buys nothing, and fsync halves the migrations' speed.
        "--no-fsync",
    ]
    try:
        subprocess.run(start, env=env, check=True, timeout=600, capture_output=True)
    except subprocess.CalledProcessError as failed:
        subprocess.run(
            [*script, "stop", "--dir", str(root), "--remove-database"], env=env, check=False
        )
        logs = "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in sorted((root / "logs").glob("*.log"))
        )
        pytest.fail(f"cluster did not start: {failed.stderr.decode()}\n{logs}")
    state = json.loads((root / "state.json").read_text())
    app_env = dict(env)
    for line in (root / "env").read_text().splitlines():
        name, _, value = line.partition("=")
        app_env[name] = value
    servers = {n: p["port"] for n, p in state["processes"].items() if n.startswith("web")}
    running = Cluster(root=root, address=state["address"], servers=servers, env=app_env)
    running.admin = running.world("setup")
    yield running
    subprocess.run(
        [*script, "stop", "--dir", str(root), "--remove-database"], env=env, check=True, timeout=120
    )
