"""`smartexpo serve` is the production server: gunicorn, static files, API, pages."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

# Each test serves a fresh SQLite database of its own, whichever database the suite runs on.
pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")), reason="serves its own SQLite database"
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["granian", "gunicorn"])
def served(tmp_path, request):
    env = {
        **os.environ,
        "SMARTEXPO_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "smartexpo.settings",
    }
    env.pop("DATABASE_URL", None)  # a fresh SQLite database in the temporary data directory
    cli = [sys.executable, "-m", "smartexpo"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [
            *cli,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--server",
            request.param,
            "--no-mailer",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/v1/expos", timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail(server.stdout.read().decode())
    yield base
    server.terminate()
    server.wait(timeout=20)


def fetch(url: str):
    return fetch_request(url)


def fetch_request(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        with exc:  # an open error response would keep its connection, and the server, waiting
            return exc.code, exc.headers, exc.read()


def test_serve_answers_api_pages_and_static_files(served):
    status, headers, body = fetch(f"{served}/api/v1/expos")
    assert status == 200
    assert body == b'{"count": 0, "items": []}'
    status, _headers, body = fetch(f"{served}/")
    assert status == 200
    assert b"demo seed" in body
    status, headers, body = fetch(f"{served}/static/smartexpo/app.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "max-age" in headers.get("Cache-Control", "")
    status, _headers, body = fetch(f"{served}/static/ninja/swagger-ui-bundle.js")
    assert status == 200
    status, headers, body = fetch(f"{served}/api/v1/nope")
    assert status == 404
    assert b'"not_found"' in body
    assert headers.get("Server", "granian").startswith(("gunicorn", "granian"))
    # A registration attempt passes the rate limiter and meets the catalogue: a clean 404.
    request = urllib.request.Request(
        f"{served}/api/v1/expos/nope/registrations",
        data=b'{"ticket_type": "day", "days": ["2019-08-26"], "name": "A", "email": "a@b.cn"}',
        headers={"Content-Type": "application/json"},
    )
    status, _headers, body = fetch_request(request)
    assert status == 404
    assert b'"not_found"' in body


def test_serve_refuses_a_bad_port(tmp_path):
    env = {**os.environ, "SMARTEXPO_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "smartexpo", "serve", "--port", "70000"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert b"--port must be between 1 and 65535" in result.stderr


def test_stopping_serve_does_not_wait_forever_for_a_half_sent_request(tmp_path):
    """A client that stalls mid-request must not hold a restart: granian's workers are killed
    after their grace period (10 s) instead of waiting for it."""
    import socket as sockets

    env = {**os.environ, "SMARTEXPO_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "smartexpo"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1", "--no-mailer"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/expos", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        stalled = sockets.create_connection(("127.0.0.1", port))
        stalled.sendall(b"GET /api/v1/expos HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line
        time.sleep(0.5)
        server.terminate()
        assert server.wait(timeout=25) is not None
        stalled.close()
    finally:
        if server.poll() is None:
            server.kill()
