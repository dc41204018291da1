"""The portal's API tokens: an exhibitor's admins make and revoke tokens for the exhibitor API;
staff members, other exhibitors and strangers cannot."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from smartexpo.core.models import ApiToken, Role
from smartexpo.core.tokens import token_create
from tests.conftest import ApiClient

TOKENS = "/portal/test-2019/huawei/api-tokens/"
FOOTFALL_API = "/api/v1/expos/test-2019/venue/footfall"


def created_token(html: str) -> str:
    found = re.search(r'<code id="new-token-value">([^<]+)</code>', html)
    assert found, html
    return found.group(1)


def test_an_admin_makes_a_token_shown_once_that_works_in_the_api(expo, admin_client):
    response = admin_client.post(TOKENS, {"name": "CRM sync"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    raw = created_token(html)
    assert raw.startswith("sxe_")
    assert "shown only this once" in html
    token = ApiToken.objects.get()
    assert (token.role, token.exhibitor.slug, token.expo_id) == ("exhibitor", "huawei", expo.pk)
    assert token.digest != raw and raw not in str(token.__dict__)
    # Listed afterwards by its prefix, never in full.
    listing = admin_client.get(TOKENS).content.decode()
    assert "CRM sync" in listing and token.prefix in listing and raw not in listing
    assert "never used" in listing
    # It is the exhibitor's: the API answers with Huawei's footfall.
    assert ApiClient(raw).get(FOOTFALL_API).status_code == 200
    assert "last used" in admin_client.get(TOKENS).content.decode()


def test_a_token_needs_a_name_and_says_so_in_chinese(expo, admin_client):
    response = admin_client.post("/zh-hans" + TOKENS, {"name": "  "})
    assert response.status_code == 422
    assert 'id="id_name_error"' in response.content.decode()
    assert "请为令牌取个名字" in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_revoking_asks_first_then_the_api_refuses_the_token(expo, admin_client):
    token, raw = token_create(
        role=Role.EXHIBITOR, name="Old", exhibitor=expo.test_exhibitors["huawei"]
    )
    revoke = f"{TOKENS}{token.pk}/revoke/"
    confirm = admin_client.get(revoke)
    assert confirm.status_code == 200 and "Old" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking is not revoking
    assert admin_client.post(revoke).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(raw).get(FOOTFALL_API).status_code == 401
    assert 'data-revoked="true"' in admin_client.get(TOKENS).content.decode()


def test_staff_members_may_not_manage_tokens(expo, staff_client):
    token, _raw = token_create(
        role=Role.EXHIBITOR, name="Kept", exhibitor=expo.test_exhibitors["huawei"]
    )
    assert staff_client.get(TOKENS).status_code == 403
    assert staff_client.post(TOKENS, {"name": "Mine"}).status_code == 403
    assert staff_client.post(f"{TOKENS}{token.pk}/revoke/").status_code == 403
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("via", ["huawei", "toyota"])
def test_another_exhibitor_never_sees_or_revokes_a_token(expo, other_client, via):
    token, _raw = token_create(
        role=Role.EXHIBITOR, name="Huawei's", exhibitor=expo.test_exhibitors["huawei"]
    )
    revoke = f"/portal/test-2019/{via}/api-tokens/{token.pk}/revoke/"
    assert other_client.get(revoke).status_code == 404
    assert other_client.post(revoke).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    if via == "toyota":
        assert (
            "Huawei's" not in other_client.get(TOKENS.replace("huawei", "toyota")).content.decode()
        )
    else:
        assert other_client.get(TOKENS).status_code == 404


def test_an_organiser_may_help_and_a_stranger_is_sent_to_sign_in(expo, organiser_client):
    _token, _raw = token_create(role=Role.ORGANIZER, name="Back office")
    html = organiser_client.get(TOKENS).content.decode()
    assert "Back office" not in html  # only the exhibitor's own tokens
    assert organiser_client.post(TOKENS, {"name": "For Huawei"}).status_code == 200
    assert ApiToken.objects.filter(role=Role.EXHIBITOR).count() == 1
    anonymous = Client().get(TOKENS)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/portal/login/")
    assert Client().post(TOKENS, {"name": "x"}).status_code in (302, 403)
    assert ApiToken.objects.filter(role=Role.EXHIBITOR).count() == 1
