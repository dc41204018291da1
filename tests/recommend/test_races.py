""" "No thanks" said at once, by several requests of each side, on a live server running the
production WSGI application: exactly one dismissal per side, one 201 and the rest 200, never a
500 (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import pytest

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.recommend.models import Dismissal
from smartexpo.tickets.selectors import manage_token_of
from tests.concurrency import call_json, race

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_thanks_at_once_from_both_sides_is_one_dismissal_each(production_server, world):
    buyer, toyota = world.test_people["buyer"], world.test_exhibitors["toyota"]
    base = f"{production_server}/api/v1/expos/test-2019"
    visitor_url = f"{base}/registrations/{buyer.pk}/recommendations/dismissals"
    exhibitor_url = f"{base}/recommendations/visitors/dismissals"
    manage = manage_token_of(buyer)
    _t, staff = token_create(role=Role.EXHIBITOR, name="Toyota staff", exhibitor=toyota)
    calls = [
        (lambda: call_json(visitor_url, manage, {"exhibitor": toyota.pk})) for _ in range(5)
    ] + [(lambda: call_json(exhibitor_url, staff, {"registration": buyer.pk})) for _ in range(5)]
    results = race(calls)
    by_side = {"visitor": [], "exhibitor": []}
    for status, body in results:
        assert status in (200, 201), body
        by_side[body["by"]].append(status)
    assert sorted(by_side["visitor"]) == [200] * 4 + [201]
    assert sorted(by_side["exhibitor"]) == [200] * 4 + [201]
    assert sorted(Dismissal.objects.values_list("by", flat=True)) == ["exhibitor", "visitor"]
