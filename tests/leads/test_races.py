"""The same visitor scanned at once by several booth devices and the exhibitor's own token, on
a live server running the production WSGI application: exactly one lead, never a 500
(SQLite and PostgreSQL alike)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from smartexpo.leads.models import Lead
from tests.leads.conftest import booth_device, visitor

pytestmark = pytest.mark.django_db(transaction=True)


def _post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def _race(calls) -> list:
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


def test_the_same_ticket_at_once_makes_exactly_one_lead(production_server, expo, types):
    url = f"{production_server}/api/v1/expos/test-2019/leads"
    people = [visitor(expo) for _ in range(2)]
    tokens = [booth_device(expo, name=f"Tablet {n}")[1].token for n in range(6)]
    calls = [
        (lambda t=token, p=person, n=n: _post(url, t, {"secret": p.secret, "note": f"n{n}"}))
        for person in people
        for n, token in enumerate(tokens)
    ]
    results = _race(calls)
    statuses = [status for status, _body in results]
    assert sorted(statuses) == [200] * 10 + [201] * 2, results
    assert Lead.objects.count() == 2
    for person in people:
        lead = Lead.objects.get(registration=person.registration)
        ids = {body["id"] for status, body in results if body["serial"] == person.ticket.serial}
        assert ids == {lead.pk}
