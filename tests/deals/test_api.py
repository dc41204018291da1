"""The deals API as partners meet it (docs/api.md, "Deals"): the contract's shapes, the
organiser's writes, floats refused, confidential amounts kept out of every public answer."""

from __future__ import annotations

import json

from smartexpo.deals import chain
from smartexpo.tickets.ticket_secrets import load_public_key_b64

from .test_services import deal_data

BASE = "/api/v1/expos/test-2019/deals"


def test_an_organiser_enters_a_deal_and_the_public_lists_it(expo, organizer, anonymous):
    r = organizer.post(BASE, deal_data())
    assert r.status_code == 201, r.content
    record = r.json()
    assert record["amount"] == "1250000000.50"
    assert record["version"] == 1
    r = anonymous.get(BASE)
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert {
        "id",
        "title",
        "sector",
        "kind",
        "amount",
        "currency",
        "signed_on",
        "at_expo",
        "status",
    } <= set(item)
    assert item["title"] == {"en": "Smart factory", "zh": "智能工厂"}
    assert item["amount"] == "1250000000.50"
    assert item["currency"] == "CNY"
    assert item["status"] == "signed"
    assert item["at_expo"] is True
    assert item["signed_on"] == "2019-08-26"


def test_a_float_amount_is_refused(expo, organizer):
    r = organizer.post(BASE, deal_data(amount=1250000000.5))
    assert r.status_code == 422
    assert "amount" in r.json()["error"]["detail"]["fields"]
    r = organizer.post(BASE, deal_data(amount="1.005"))
    assert r.status_code == 422


def test_only_organisers_write(expo, anonymous, exhibitor, device):
    for client in (anonymous, exhibitor, device):
        r = client.post(BASE, deal_data())
        assert r.status_code in (401, 403)


def test_the_tally_verifies_with_the_published_key(expo, organizer, anonymous):
    organizer.post(BASE, deal_data(amount="0.10"))
    organizer.post(BASE, deal_data(amount="0.20"))
    tally = anonymous.get(BASE + "/tally").json()
    assert tally["projects"] == 2
    assert tally["amount"] == "0.30"
    keys = anonymous.get(BASE + "/keys").json()["keys"]
    key = next(k for k in keys if k["kid"] == tally["kid"])
    load_public_key_b64(key["public_key"]).verify(
        chain.b64url_decode(tally["signature"]), chain.tally_message(tally)
    )
    log = anonymous.get(BASE + "/log").json()
    assert log["count"] == 2
    assert chain.chain_problems(log["items"]) == []
    assert tally["chain_head"] == log["items"][-1]["hash"]


def test_a_confidential_amount_is_in_no_public_answer(expo, organizer, anonymous):
    secret = "987654321.99"
    r = organizer.post(BASE, deal_data(amount=secret, amount_confidential=True))
    deal_id = r.json()["id"]
    organizer.patch(f"{BASE}/{deal_id}", {"amount": "987654322.99"})
    answers = [
        anonymous.get(BASE),
        anonymous.get(f"{BASE}/{deal_id}"),
        anonymous.get(BASE + "/log"),
        anonymous.get(BASE + "/tally"),
    ]
    assert answers[1].status_code == 404
    # The list, the deal and the log never show it; the tally counts it (in its totals).
    for answer in answers[:3]:
        text = answer.content.decode()
        assert "987654321" not in text
        assert "987654322" not in text
    tally = answers[3].json()
    assert tally["confidential"] == {"projects": 1, "amount": "987654322.99"}
    assert tally["amount"] == "987654322.99"
    assert json.dumps(answers[2].json()).count("amount_confidential") == 1


def test_patch_and_status_move_the_head(expo, organizer, anonymous):
    deal_id = organizer.post(BASE, deal_data()).json()["id"]
    head = anonymous.get(BASE + "/tally").json()["chain_head"]
    r = organizer.patch(f"{BASE}/{deal_id}", {"title": {"en": "Smarter factory"}, "version": 1})
    assert r.status_code == 200, r.content
    assert r.json()["version"] == 2
    r = organizer.patch(f"{BASE}/{deal_id}", {"title": {"en": "Old"}, "version": 1})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "version_conflict"
    r = organizer.post(
        f"{BASE}/{deal_id}/status",
        {"status": "operating", "on": "2020-05-01", "evidence": "Opening ceremony"},
    )
    assert r.status_code == 200
    r = organizer.post(
        f"{BASE}/{deal_id}/status",
        {"status": "registered", "on": "2020-05-02", "evidence": "Late paperwork"},
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "status_backwards"
    assert anonymous.get(BASE + "/tally").json()["chain_head"] != head
    assert anonymous.get(BASE + "/log").json()["count"] == 3
