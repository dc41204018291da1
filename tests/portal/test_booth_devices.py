"""The portal's booth devices: an admin makes a device for a member of staff (its token shown
once, and working on the booth page's API), sees its last contact, and revokes it; staff
members and other exhibitors cannot. And the booth page itself, with its service worker."""

from __future__ import annotations

import json
import re

from smartexpo.devices.models import Device
from smartexpo.leads.models import LeadDevice
from smartexpo.leads.services.devices import lead_device_create
from tests.conftest import ApiClient

DEVICES = "/portal/test-2019/huawei/booth-devices/"
SETUP = "/api/v1/expos/test-2019/leads/setup"


def created_token(html: str) -> str:
    found = re.search(r'<code id="new-token-value">([^<]+)</code>', html)
    assert found, html
    return found.group(1)


def test_an_admin_makes_a_device_whose_token_is_shown_once_and_opens_the_booth(expo, admin_client):
    page = admin_client.get(DEVICES)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-empty="no-device"' in html
    # The booth page's address, with its QR code, and no token in either.
    assert 'id="booth-url" href="http://testserver/expos/test-2019/booth/"' in html
    assert "<svg" in html

    response = admin_client.post(DEVICES, {"name": "Li Na’s phone"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = created_token(response.content.decode())
    binding = LeadDevice.objects.get()
    assert (binding.exhibitor.slug, binding.device.name) == ("huawei", "Li Na’s phone")
    assert not binding.device.gates.exists()  # it admits nobody at the gates
    listing = admin_client.get(DEVICES).content.decode()
    assert "Li Na’s phone" in listing and raw not in listing and "never connected" in listing
    # The booth page signs in with it.
    setup = ApiClient(raw).get(SETUP)
    assert setup.status_code == 200
    assert setup.json()["device"]["name"] == "Li Na’s phone"
    assert setup.json()["exhibitor"]["id"] == expo.test_exhibitors["huawei"].pk
    assert "last contact" in admin_client.get(DEVICES).content.decode()


def test_a_device_needs_a_name_said_in_chinese(expo, admin_client):
    response = admin_client.post("/zh-hans" + DEVICES, {"name": " "})
    assert response.status_code == 422
    assert "请为设备取个名字" in response.content.decode()
    assert not LeadDevice.objects.exists()


def test_revoking_asks_first_then_the_token_is_refused(expo, admin_client):
    device, raw = lead_device_create(
        expo=expo, exhibitor=expo.test_exhibitors["huawei"], name="Tablet 2"
    )
    revoke = f"{DEVICES}{device.pk}/revoke/"
    confirm = admin_client.get(revoke)
    assert confirm.status_code == 200 and "Tablet 2" in confirm.content.decode()
    device.refresh_from_db()
    assert device.revoked_at is None  # asking changes nothing
    assert admin_client.post(revoke).status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert ApiClient(raw).get(SETUP).status_code == 401
    html = admin_client.get(DEVICES).content.decode()
    assert f'data-device="{device.pk}" data-revoked="true"' in html
    # Revoking again is harmless.
    assert admin_client.post(revoke).status_code == 302
    assert "already revoked" in admin_client.get(revoke).content.decode()


def test_only_admins_of_the_exhibitor_manage_its_devices(expo, staff_client, other_client):
    toyota_device, _raw = lead_device_create(
        expo=expo, exhibitor=expo.test_exhibitors["toyota"], name="Toyota tablet"
    )
    assert staff_client.get(DEVICES).status_code == 403
    assert staff_client.post(DEVICES, {"name": "Mine"}).status_code == 403
    assert other_client.get(DEVICES).status_code == 404
    assert not LeadDevice.objects.filter(device__name="Mine").exists()
    # Toyota's device is not Huawei's to revoke, even for Huawei's admin.
    assert staff_client.post(f"{DEVICES}{toyota_device.pk}/revoke/").status_code == 403
    toyota_admin = "/portal/test-2019/toyota/booth-devices/"
    assert other_client.get(toyota_admin).status_code == 200


def test_an_admin_cannot_revoke_another_exhibitors_device(expo, admin_client):
    toyota_device, raw = lead_device_create(
        expo=expo, exhibitor=expo.test_exhibitors["toyota"], name="Toyota tablet"
    )
    assert admin_client.get(f"{DEVICES}{toyota_device.pk}/revoke/").status_code == 404
    assert admin_client.post(f"{DEVICES}{toyota_device.pk}/revoke/").status_code == 404
    assert Device.objects.get(pk=toyota_device.pk).revoked_at is None
    assert ApiClient(raw).get(SETUP).status_code == 200
    assert admin_client.post(f"{DEVICES}{2**60}/revoke/").status_code == 404


# --- the booth page ------------------------------------------------------------------------


def _config(html: str) -> dict:
    found = re.search(r'<script id="scanner-config" type="application/json">(.+?)</script>', html)
    assert found, html
    return json.loads(found.group(1))


def test_the_booth_page_in_both_languages_and_its_service_worker(expo, client):
    response = client.get("/expos/test-2019/booth/")
    assert response.status_code == 200
    config = _config(response.content.decode())
    assert config["api"] == {
        "setup": "/api/v1/expos/test-2019/leads/setup",
        "leads": "/api/v1/expos/test-2019/leads",
    }
    assert config["storage"] == "smartexpo.booth.test-2019."
    assert config["serviceWorker"] == "/expos/test-2019/booth/sw.js"
    assert config["strings"]["reasons"]["revoked"] == "Ticket cancelled"
    zh = _config(client.get("/zh-hans/expos/test-2019/booth/").content.decode())
    assert zh["lang"] == "zh" and zh["strings"]["captured"] == "已采集"
    assert zh["serviceWorker"] == "/zh-hans/expos/test-2019/booth/sw.js"

    worker = client.get("/expos/test-2019/booth/sw.js")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    assert "no-cache" in worker["Cache-Control"] or "max-age=0" in worker["Cache-Control"]
    assert client.get("/expos/nothing-here/booth/").status_code == 404
    assert client.get("/expos/nothing-here/booth/sw.js").status_code == 404
