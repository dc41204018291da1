"""Rate limits behind the load balancer: the registration limit counts a client's requests on
every server together, and the client is the address HAProxy forwards (X-Forwarded-For, read
because SMARTEXPO_TRUSTED_PROXIES names HAProxy's address), not HAProxy's own.

The clients speak from loopback addresses other than HAProxy's (127.0.0.1): 127.0.0.2 and
127.0.0.3 are two visitors."""

from __future__ import annotations

import time

import pytest

from tests.cluster.conftest import REGISTRATION_LIMIT, register

pytestmark = pytest.mark.cluster


def test_the_registration_limit_holds_across_servers_for_the_forwarded_address(cluster):
    # The limit is counted in one-minute windows: start early in one, so that the few requests
    # below all fall into the same window.
    if time.time() % 60 > 40:
        time.sleep(61 - time.time() % 60)
    before = cluster.requests_by_server()
    answers = [
        register(cluster, "open", 1000 + n, source="127.0.0.2")[0]
        for n in range(REGISTRATION_LIMIT)
    ]
    after = cluster.requests_by_server()
    assert answers == [201] * REGISTRATION_LIMIT
    # Every server took some of them: a per-server count would not have reached the limit.
    assert all(after[name] > before[name] for name in cluster.servers), (before, after)
    status, body = register(cluster, "open", 1100, source="127.0.0.2")
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    # A forged X-Forwarded-For is not believed: HAProxy appends the real address, and that
    # one is not a trusted proxy.
    forged = {"X-Forwarded-For": "203.0.113.9"}
    status, body = register(cluster, "open", 1101, source="127.0.0.2", headers=forged)
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    # Another visitor is not held back by the first one's count.
    assert register(cluster, "open", 1200, source="127.0.0.3")[0] == 201
    counted = cluster.world("count", "open")["emails"]
    assert "v1100@example.cn" not in counted and "v1101@example.cn" not in counted
    assert "v1200@example.cn" in counted
