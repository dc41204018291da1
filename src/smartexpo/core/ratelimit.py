"""Per-client rate limits that hold across every worker process.

A fixed window per (scope, client address) — a minute unless a caller asks for an hour —
counted with one atomic upsert
(`INSERT … ON CONFLICT DO UPDATE … RETURNING`). On the embedded SQLite set-up the counters live
in their own small database file beside the main one, so counting never competes with
registrations for the main database's write lock; with PostgreSQL they live in the shared
database, so the limit holds across several app servers behind a load balancer.
"""

from __future__ import annotations

import functools
import ipaddress
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from smartexpo.core import queries
from smartexpo.core.errors import SmartExpoError

WINDOW_SECONDS = 60
HOUR_SECONDS = 3600
# Counters are pruned once their window is over, whatever its length: a counter's row holds
# the first minute of its window, so those older than the longest window (and a margin) go.
_PRUNE_MINUTES = HOUR_SECONDS // 60 + 2


def client_address(request: HttpRequest) -> str:
    """The client's address of a request (`client_address_of` its META)."""
    return client_address_of(request.META)


def client_address_of(meta) -> str:
    """The client's address: REMOTE_ADDR, or, when that is a trusted proxy, the nearest
    untrusted address in X-Forwarded-For (a client can prepend anything to that header, so it
    is read from the right, only across proxies we trust). `meta`: a request's META or a WSGI
    environ."""
    remote = meta.get("REMOTE_ADDR", "") or "unknown"
    trusted = _trusted_networks()
    if not trusted or not _in(remote, trusted):
        return remote
    forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if not _in(address, trusted):
            return address
    return remote


def _trusted_networks():
    # Read on every request (the flood guard asks for each one): parsed once per setting.
    return _networks(tuple(getattr(settings, "SMARTEXPO_TRUSTED_PROXIES", [])))


@functools.cache
def _networks(raw: tuple[str, ...]) -> tuple:
    networks = []
    for item in raw:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return tuple(networks)


def _in(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int


def rate_limit_check(
    *,
    scope: str,
    client: str,
    limit: int,
    now: float | None = None,
    window_seconds: int = WINDOW_SECONDS,
) -> Verdict:
    """Count one attempt of `client` in `scope`; allowed while the window's count ≤ `limit`.

    `window_seconds`: the window's length, a whole number of minutes up to an hour (a minute
    by default). A scope has one length: a minute and an hour of the same scope would share
    the counter of the hour's first minute. A limit of 0 turns the check off (benchmarks do)."""
    if limit <= 0:
        return Verdict(True, 0)
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    # The counters' key is the first minute of the window, whatever its length.
    first_minute = window * window_seconds // 60
    # Old windows are pruned now and then by the counting itself: no scheduler needed.
    prune_before = None
    if random.random() < 0.001:
        prune_before = int(now // 60) - _PRUNE_MINUTES
    hits = queries.ratelimit_hit(scope, client, first_minute, prune_before=prune_before)
    retry_after = max(1, int((window + 1) * window_seconds - now + 0.999))
    return Verdict(hits <= limit, retry_after)


def rate_limit_enforce(
    *, scope: str, client: str, limit: int, message: str, window_seconds: int = WINDOW_SECONDS
) -> None:
    """Count one attempt as `rate_limit_check` does, and refuse one over the limit: 429
    `rate_limited` with `message` and `detail.retry_after` (sent as Retry-After)."""
    verdict = rate_limit_check(
        scope=scope, client=client, limit=limit, window_seconds=window_seconds
    )
    if not verdict.allowed:
        raise SmartExpoError("rate_limited", message, {"retry_after": verdict.retry_after})


def registration_rate_limit(request: HttpRequest) -> None:
    """Refuse (429 `rate_limited`, with Retry-After) a client over the registration limit."""
    rate_limit_enforce(
        scope="registrations",
        client=client_address(request),
        limit=settings.SMARTEXPO_RATE_LIMIT_REGISTRATIONS,
        message="Too many registrations from this address; try again later.",
    )
