"""Real concurrent clients for the race tests: calls released together by a barrier, each in
its own thread, against a live server (`production_server`)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request


def call_json(url: str, token: str, body: dict | None = None, *, method: str = "POST"):
    """(status, JSON body) of one request with a bearer token; a refusal is an answer too."""
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body or {}).encode() if method == "POST" else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def race(calls) -> list:
    """Every call at once (a barrier), each in its own thread; their answers in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
