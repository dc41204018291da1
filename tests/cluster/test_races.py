"""Wave 1's races across three servers behind HAProxy: concurrent clients, released together,
whose requests land on different servers that share one PostgreSQL."""

from __future__ import annotations

import pytest

from tests.cluster.conftest import register
from tests.concurrency import race

pytestmark = pytest.mark.cluster

CLIENTS = 40
PLACES = 15  # the `rush` edition's day pass (tests/cluster/world.py)


def test_a_quota_is_never_exceeded_by_clients_on_three_servers(cluster):
    before = cluster.requests_by_server()
    # Each client from an address of its own: forty visitors, not one over its limit.
    answers = race(
        [
            lambda n=n: register(cluster, "rush", n, source=f"127.0.1.{n + 1}")
            for n in range(CLIENTS)
        ]
    )
    after = cluster.requests_by_server()
    assert all(after[name] > before[name] for name in cluster.servers), (before, after)
    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] * PLACES + [409] * (CLIENTS - PLACES)
    assert {b["error"]["code"] for s, b in answers if s != 201} == {"sold_out"}
    counted = cluster.world("count", "rush")
    assert (counted["registrations"], counted["tickets"], counted["sold"]) == (15, 15, 15)
    created = sorted(b["email"] for s, b in answers if s == 201)
    assert counted["emails"] == created
