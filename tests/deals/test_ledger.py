"""The ledger holds, and every way of tampering with it is found: an edited, deleted or
reordered entry, a changed tally, a tally signed with another key, a deal changed behind the
log's back. `smartexpo deals verify` locally and against a live server."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.management import call_command
from django.db import connection

from smartexpo.deals import chain, selectors, verify
from smartexpo.deals.keys import keys_package
from smartexpo.deals.services.deals import deal_create, deal_status_set, deal_update
from smartexpo.deals.services.ledger import entry_body
from smartexpo.tickets import ticket_secrets as ts

from .test_services import deal_data


@pytest.fixture
def answers(expo):
    """The public answers of an edition with four deals, one changed, one cancelled, one
    whose amount is confidential."""
    a = deal_create(expo=expo, data=deal_data(amount="100.10"))
    deal_create(expo=expo, data=deal_data(amount="200.20", sector="smart-vehicles"))
    deal_create(expo=expo, data=deal_data(amount="300.30", amount_confidential=True))
    gone = deal_create(
        expo=expo, data=deal_data(amount="400.40", kind="procurement", investment_form="")
    )
    deal_update(expo=expo, deal_id=a.pk, data={"amount": "150.15"})
    deal_status_set(
        expo=expo, deal_id=gone.pk, status="cancelled", on="2019-09-01", evidence="Withdrawn"
    )
    entries = [entry_body(e) for e in selectors.log_entries(expo=expo)]
    return json.loads(json.dumps(entries)), keys_package(expo=expo), selectors.tally(expo=expo)


def check(entries, keys, tally):
    return verify.ledger_check(entries=entries, keys=keys, tally=tally)


def test_an_untouched_ledger_holds(answers):
    report = check(*answers)
    assert report.problems == []
    assert report.projects == 3
    assert report.amount == "650.65"


def test_an_edited_entry_is_found(answers):
    entries, keys, tally = copy.deepcopy(answers)
    entries[1]["change"]["amount_cny"] = "2000.20"
    assert any("hash does not match" in p for p in check(entries, keys, tally).problems)


def test_an_edited_entry_with_its_hash_recomputed_breaks_the_next_link(answers):
    entries, keys, tally = copy.deepcopy(answers)
    entries[1]["change"]["amount_cny"] = "2000.20"
    entries[1]["hash"] = chain.entry_hash(entries[1])
    problems = check(entries, keys, tally).problems
    assert any("entry 3: prev" in p for p in problems)


def test_a_deleted_entry_is_found(answers):
    entries, keys, tally = copy.deepcopy(answers)
    del entries[2]
    problems = check(entries, keys, tally).problems
    assert any("missing or reordered" in p for p in problems)


def test_a_reordered_entry_is_found(answers):
    entries, keys, tally = copy.deepcopy(answers)
    entries[1], entries[2] = entries[2], entries[1]
    assert check(entries, keys, tally).problems


def test_a_changed_tally_is_found(answers):
    entries, keys, tally = copy.deepcopy(answers)
    tally["amount"] = "650.66"
    problems = check(entries, keys, tally).problems
    assert any("signature does not verify" in p for p in problems)
    assert any("is not the public amounts" in p for p in problems)


def test_a_tally_signed_with_another_key_is_found(answers):
    entries, keys, tally = copy.deepcopy(answers)
    forged = ts.generate_private_key()
    tally["projects"] = 4
    tally["signature"] = chain.b64url(forged.sign(chain.tally_message(tally)))
    problems = check(entries, keys, tally).problems
    assert any("signature does not verify" in p for p in problems)
    assert any("counts 4 projects" in p for p in problems)


def test_a_tally_under_an_unpublished_key_is_found(answers):
    entries, keys, tally = copy.deepcopy(answers)
    tally["kid"] = 9
    assert any("not published" in p for p in check(entries, keys, tally).problems)


def test_a_float_in_an_entry_cannot_be_hashed(answers):
    entries, keys, tally = copy.deepcopy(answers)
    entries[0]["change"]["amount_cny"] = 100.1
    assert any("cannot be hashed" in p for p in check(entries, keys, tally).problems)


def test_a_deal_changed_behind_the_log_is_found_locally(expo, answers):
    assert verify.local_check(expo=expo).problems == []
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE deals_deal SET title_en = 'Forged' WHERE id = (SELECT MIN(id) FROM deals_deal)"
        )
    problems = verify.local_check(expo=expo).problems
    assert any("is not what its log entries say" in p for p in problems)


def test_the_command_verifies_locally(expo, answers, capsys):
    call_command("deals", "verify", "--expo", expo.slug)
    assert "the ledger holds" in capsys.readouterr().out
    call_command("deals", "verify", "--expo", expo.slug, "--json")
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_the_command_fails_when_the_ledger_does_not_hold(expo, answers, capsys):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE deals_ledger SET head = %s", ["1" * 64])
    with pytest.raises(SystemExit) as exit_:
        call_command("deals", "verify", "--expo", expo.slug)
    assert exit_.value.code == 1
    assert "does NOT hold" in capsys.readouterr().err


def test_a_rotated_key_signs_and_the_old_one_stays_published(expo, answers):
    call_command("deals", "rotate-key", "--expo", expo.slug)
    deal_create(expo=expo, data=deal_data(amount="1.00"))
    tally = selectors.tally(expo=expo)
    assert tally["kid"] == 2
    assert [k["kid"] for k in keys_package(expo=expo)["keys"]] == [1, 2]
    assert verify.local_check(expo=expo).problems == []
