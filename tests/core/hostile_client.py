"""A hostile client, run as its own process by tests/core/test_hostile_clients.py.

    python -m tests.core.hostile_client slow-headers|deep-json PORT SECONDS

- `slow-headers`: 256 connections that start a request and send its headers one byte every
  half second, never finishing (a slowloris).
- `deep-json`: four connections posting, as fast as the server answers, a JSON body nested
  100,000 levels deep to the registration and scan endpoints.

The flood of tiny requests is `wrk`'s (much faster than Python). Every connection comes from
127.0.0.1; the legitimate client of the test comes from 127.0.0.2.
"""

from __future__ import annotations

import socket
import sys
import threading
import time

DEEP = b"[" * 100_000 + b"]" * 100_000


def slow_headers(port: int, seconds: float) -> None:
    sockets = []
    for _ in range(256):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /api/v1/expos HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            sockets.append(s)
        except OSError:
            break
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for s in list(sockets):
            try:
                s.sendall(b"a")
            except OSError:  # the server gave up on it: open another, as an attacker would
                sockets.remove(s)
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=5)
                    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                    sockets.append(s)
                except OSError:
                    pass
        time.sleep(0.5)
    for s in sockets:
        s.close()


def deep_json(port: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    paths = ["/api/v1/expos/x-2019/registrations", "/api/v1/expos/x-2019/checkin/scans"]

    def pound(path: str) -> None:
        import http.client

        while time.monotonic() < end:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("POST", path, DEEP, {"Content-Type": "application/json"})
                conn.getresponse().read()
            except OSError:
                time.sleep(0.01)
            finally:
                conn.close()

    threads = [threading.Thread(target=pound, args=(paths[n % 2],)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    mode, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    {"slow-headers": slow_headers, "deep-json": deep_json}[mode](port, seconds)
