import pytest
from django.core.management import call_command

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.models import ApiToken, Role
from smartexpo.core.tokens import require_role, token_create, token_resolve, token_revoke


def test_token_is_stored_only_as_a_digest(db):
    token, raw = token_create(role=Role.ORGANIZER, name="ops")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.digest, stored.name)
    assert stored.prefix == raw[:12]
    assert len(raw) > 40


def test_token_resolves_to_its_role_and_a_revoked_one_does_not(db):
    token, raw = token_create(role=Role.ORGANIZER, name="ops")
    assert token_resolve(raw=raw).pk == token.pk
    token_revoke(token=token)
    assert token_resolve(raw=raw) is None


def test_unknown_or_absurd_tokens_resolve_to_nothing(db):
    assert token_resolve(raw="sxo_nope") is None
    assert token_resolve(raw="") is None
    assert token_resolve(raw="x" * 5000) is None


def test_exhibitor_token_needs_an_exhibitor(db):
    with pytest.raises(SmartExpoError) as exc:
        token_create(role=Role.EXHIBITOR, name="staff")
    assert exc.value.code == "invalid"
    assert "exhibitor" in exc.value.detail["fields"]


def test_exhibitor_token_is_bound_to_its_exhibitors_edition(expo):
    token, _raw = token_create(
        role=Role.EXHIBITOR, name="staff", exhibitor=expo.test_exhibitors["toyota"]
    )
    assert token.expo_id == expo.pk


def test_device_token_needs_an_edition(db):
    with pytest.raises(SmartExpoError) as exc:
        token_create(role=Role.DEVICE, name="scanner")
    assert exc.value.detail["fields"] == {"expo": "This token is bound to one edition."}


def test_unknown_role_and_empty_name_are_refused(db):
    with pytest.raises(SmartExpoError):
        token_create(role="admin", name="x")
    with pytest.raises(SmartExpoError):
        token_create(role=Role.ORGANIZER, name="  ")


def test_require_role_refuses_wrong_role_and_other_edition(expo, other_expo):
    token, _raw = token_create(role=Role.DEVICE, name="scanner", expo=expo)
    assert require_role(token, Role.DEVICE, expo=expo) is token
    with pytest.raises(SmartExpoError) as exc:
        require_role(token, Role.ORGANIZER, expo=expo)
    assert exc.value.code == "forbidden"
    with pytest.raises(SmartExpoError) as exc:
        require_role(token, Role.DEVICE, expo=other_expo)
    assert exc.value.code == "forbidden"
    with pytest.raises(SmartExpoError) as exc:
        require_role(None, Role.DEVICE)
    assert exc.value.code == "unauthenticated"


def test_cli_token_create_prints_only_the_token(db, capsys):
    call_command("token", "create", "--role", "organizer", "--name", "ops script")
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    raw = out.strip()
    assert raw.startswith("sxo_")
    assert token_resolve(raw=raw).name == "ops script"


def test_cli_token_create_for_an_exhibitor(expo, capsys):
    huawei = expo.test_exhibitors["huawei"]
    call_command(
        "token",
        "create",
        "--role",
        "exhibitor",
        "--name",
        "booth app",
        "--expo",
        expo.slug,
        "--exhibitor",
        str(huawei.pk),
    )
    raw = capsys.readouterr().out.strip()
    assert token_resolve(raw=raw).exhibitor_id == huawei.pk


def test_cli_token_create_refuses_bad_input_clearly(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="bound to one exhibitor"):
        call_command("token", "create", "--role", "exhibitor", "--name", "x")
    with pytest.raises(CommandError, match="No edition"):
        call_command("token", "create", "--role", "device", "--name", "x", "--expo", "nope")


def test_cli_token_list_never_shows_the_secret_and_revoke_works(db, capsys):
    token, raw = token_create(role=Role.ORGANIZER, name="ops")
    call_command("token", "list")
    listing = capsys.readouterr().out
    assert "ops" in listing
    assert raw not in listing
    call_command("token", "revoke", str(token.pk))
    assert token_resolve(raw=raw) is None
