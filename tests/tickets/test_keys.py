"""Key rotation: new tickets get the new key, old tickets keep verifying offline."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartexpo.tickets import ticket_secrets as ts
from smartexpo.tickets.services.registration import registration_create
from smartexpo.tickets.services.ticket_types import ticket_type_create


@pytest.fixture
def day_type(expo):
    return ticket_type_create(
        expo=expo, code="day", name_en="Day", days=["2019-08-26"], quota_per_day=10
    )


def register(expo, n):
    return registration_create(
        expo=expo, ticket_type="day", days=["2019-08-26"], name=f"P{n}", email=f"p{n}@x.cn"
    )


def test_rotation_keeps_old_tickets_valid_and_signs_new_ones_with_the_new_key(
    expo, day_type, device, capsys
):
    before = register(expo, 1)
    call_command("keys", "rotate", "--expo", expo.slug)
    assert "signed with key 2" in capsys.readouterr().out
    after = register(expo, 2)
    assert before.tickets[0].kid == 1
    assert after.tickets[0].kid == 2
    package = device.get("/api/v1/expos/test-2019/checkin/keys").json()
    assert [k["kid"] for k in package["keys"]] == [1, 2]
    public = {k["kid"]: ts.load_public_key_b64(k["public_key"]) for k in package["keys"]}
    assert ts.verify_secret(before.secrets[0], public).serial == before.tickets[0].serial
    assert ts.verify_secret(after.secrets[0], public).serial == after.tickets[0].serial
    call_command("keys", "list", "--expo", expo.slug)
    listing = capsys.readouterr().out
    assert "1\tverify only" in listing
    assert "2\tsigning" in listing


def test_unknown_edition_is_refused(db):
    with pytest.raises(CommandError, match="No edition"):
        call_command("keys", "rotate", "--expo", "nope")
