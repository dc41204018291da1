"""One client cannot crowd the others out: a per-address budget in front of every request.

A worker process answers one request at a time, and the server hands it requests in the order
they come. A client that sends thousands of requests a second from one address would keep
every worker busy with its own, and everybody else would wait behind them. So each worker
keeps a token bucket per client address: `SMARTEXPO_RATE_LIMIT_REQUESTS` requests a second,
with bursts of twice that. A request over the budget is answered 429 before Django is
involved (microseconds instead of a millisecond), so a flood costs the server little and the
other clients are served in time.

The budget is per worker process, on purpose: it needs no shared state and no database, and it
bounds what one address takes from each worker. The registration limit (`core.ratelimit`) is
the one that must hold across processes and servers. Behind a reverse proxy, the client's
address comes from `X-Forwarded-For` only for proxies in `SMARTEXPO_TRUSTED_PROXIES`, as for
the registration limit. `0` turns the guard off (benchmarks, which drive a server from one
address, do that).
"""

from __future__ import annotations

import json
import math
import time

from django.conf import settings

from smartexpo.core.errors import error_body
from smartexpo.core.ratelimit import client_address_of

# Addresses remembered per process before the idle ones are forgotten.
MAX_ADDRESSES = 10_000


class Buckets:
    """Token buckets by client address: `rate` tokens a second, holding at most `2 × rate`."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.buckets: dict[str, list[float]] = {}  # address → [tokens, last refill]

    def take(self, address: str, rate: float) -> float:
        """0 if the address may make a request now (one token taken), else the seconds until
        it may."""
        now = self.clock()
        capacity = max(2 * rate, 1.0)
        bucket = self.buckets.get(address)
        if bucket is None:
            if len(self.buckets) >= MAX_ADDRESSES:
                self._forget_idle(now, capacity, rate)
            bucket = self.buckets[address] = [capacity, now]
        tokens = min(capacity, bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        if tokens >= 1:
            bucket[0] = tokens - 1
            return 0.0
        bucket[0] = tokens
        return (1 - tokens) / rate

    def _forget_idle(self, now: float, capacity: float, rate: float) -> None:
        # A bucket that has refilled completely says nothing a new one would not.
        full = [a for a, (t, last) in self.buckets.items() if t + (now - last) * rate >= capacity]
        for address in full:
            del self.buckets[address]
        if len(self.buckets) >= MAX_ADDRESSES:  # a spread-out flood: start over
            self.buckets.clear()


_buckets = Buckets()


def flood_refusal(environ) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """The 429 answer (status, headers, body) for a request over its address's budget, or
    None to serve it."""
    rate = settings.SMARTEXPO_RATE_LIMIT_REQUESTS
    if rate <= 0:
        return None
    wait = _buckets.take(client_address_of(environ), rate)
    if not wait:
        return None
    retry = str(max(1, math.ceil(wait)))
    if environ.get("PATH_INFO", "").startswith("/api/"):
        error = error_body(
            "rate_limited",
            "Too many requests from your address; slow down.",
            {"retry_after": int(retry)},
        )
        body, kind = json.dumps(error).encode(), "application/json"
    else:
        body, kind = b"Too many requests from your address; try again in a moment.\n", "text/plain"
    headers = [
        ("Content-Type", f"{kind}; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Retry-After", retry),
    ]
    return "429 Too Many Requests", headers, body


def forget_addresses() -> None:
    """Start every address's budget afresh (tests)."""
    _buckets.buckets.clear()
