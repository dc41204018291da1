"""The same visitor scanned at once by several booth devices and the exhibitor's own token, on
a live server running the production WSGI application: exactly one lead, never a 500
(SQLite and PostgreSQL alike)."""

from __future__ import annotations

import pytest

from smartexpo.leads.models import Lead
from tests.concurrency import call_json, race
from tests.leads.conftest import booth_device, visitor

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_ticket_at_once_makes_exactly_one_lead(production_server, expo, types):
    url = f"{production_server}/api/v1/expos/test-2019/leads"
    people = [visitor(expo) for _ in range(2)]
    tokens = [booth_device(expo, name=f"Tablet {n}")[1].token for n in range(6)]
    calls = [
        (lambda t=token, p=person, n=n: call_json(url, t, {"secret": p.secret, "note": f"n{n}"}))
        for person in people
        for n, token in enumerate(tokens)
    ]
    results = race(calls)
    statuses = [status for status, _body in results]
    assert sorted(statuses) == [200] * 10 + [201] * 2, results
    assert Lead.objects.count() == 2
    for person in people:
        lead = Lead.objects.get(registration=person.registration)
        ids = {body["id"] for status, body in results if body["serial"] == person.ticket.serial}
        assert ids == {lead.pk}
