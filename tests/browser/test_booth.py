"""Booth staff sign a phone in on the booth page, lose the network, capture a lead with a note
and a rating offline, are refused a cancelled and a forged ticket, reload, and sync the lead
when the network returns; the same visitor again is the same lead.

The browser's clock is fixed on the first expo day (Playwright's `page.clock`), so the lead's
time in the database shows it is the moment of the offline scan, not of the sync.
"""

import datetime as dt
import itertools

import pytest
from playwright.sync_api import expect

from smartexpo.leads.models import Lead, LeadDevice
from smartexpo.leads.services.devices import lead_device_create, lead_device_revoke
from smartexpo.tickets.models import Registration
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.tickets.services.registration import registration_create
from tests.checkin.conftest import make_types

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime.fromisoformat("2019-08-26T10:00:00+08:00")
_people = itertools.count(1)


def issue(expo, name, share=()):
    issued = registration_create(
        expo=expo,
        ticket_type="day",
        days=["2019-08-26"],
        name=name,
        email=f"booth{next(_people)}@example.cn",
    )
    Registration.objects.filter(pk=issued.registration.pk).update(
        share=list(share), company="Geely"
    )
    return issued.registration, issued.secrets[0]


def scan_code(page, secret):
    """What a keyboard-wedge reader does: type into whatever has focus, then Enter."""
    expect(page.locator("#code")).to_be_focused()
    page.keyboard.type(secret)
    page.keyboard.press("Enter")


@pytest.fixture
def booth(expo):
    make_types(expo)
    device, token = lead_device_create(
        expo=expo, exhibitor=expo.test_exhibitors["huawei"], name="Li Na's phone"
    )
    return device, token


def sign_in(page, url, token):
    page.goto(url)
    expect(page.get_by_role("heading", name="Booth lead capture")).to_be_visible()
    page.get_by_label("Device token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#device-name")).to_have_text("Li Na's phone")


def test_capture_offline_refusals_and_sync(live_server, page, expo, booth):
    device, token = booth
    visitor, secret = issue(expo, "Li Wei", share=["name", "company"])
    cancelled, cancelled_secret = issue(expo, "Zhao Lei")
    registration_cancel(registration=cancelled)  # before sign-in: in the set-up's revocations
    context = page.context
    page.clock.set_fixed_time(NOW)
    url = f"{live_server.url}/expos/{expo.slug}/booth/"

    page.goto(url)
    page.get_by_label("Device token").fill("sxd_not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_have_text(
        "This token was not accepted. Check that you pasted the whole device token."
    )
    sign_in(page, url, token)
    expect(page.locator("#exhibitor-name")).to_have_text("Huawei")
    expect(page.locator("#net")).to_have_attribute("data-online", "true")
    expect(page.locator("#captures-empty")).to_be_visible()

    # The network goes: the lead is captured on the phone, with its note and rating.
    context.set_offline(True)
    expect(page.locator("#net")).to_have_attribute("data-online", "false")
    scan_code(page, secret)
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-result", "captured")
    expect(page.locator("#verdict-word")).to_have_text("CAPTURED")
    expect(page.locator("#lead-form")).to_be_visible()
    page.get_by_role("radio", name="4").check()
    page.get_by_label("Note").fill("Wants a demo of the 5G module")
    page.get_by_label("Tags (separated by commas)").fill("hot, 5G")
    page.get_by_role("button", name="Save the lead").click()
    expect(page.locator("#lead-form")).to_be_hidden()
    queue = page.locator("#queue")
    expect(queue).to_have_attribute("data-count", "1")
    expect(queue).to_have_text("Offline — 1 lead waiting")
    item = page.locator(f'#captures li[data-serial="{visitor.tickets.get().serial}"]')
    expect(item).to_have_attribute("data-status", "pending")
    expect(item).to_have_attribute("data-offline", "true")
    expect(item).to_contain_text("Captured offline · waiting to sync")
    expect(item).to_contain_text("Rating 4 of 5")
    expect(item).to_contain_text("#hot #5G")

    # Refused offline, never queued: a cancelled ticket, a forged one.
    scan_code(page, cancelled_secret)
    expect(verdict).to_have_attribute("data-result", "refused")
    expect(verdict).to_have_attribute("data-reason", "revoked")
    expect(page.locator("#verdict-reason")).to_have_text("Ticket cancelled")
    forged = secret[:-2] + ("AA" if not secret.endswith("AA") else "BA")
    scan_code(page, forged)
    expect(verdict).to_have_attribute("data-reason", "invalid")
    expect(page.locator("#verdict-reason")).to_have_text("Not a valid ticket code")
    expect(queue).to_have_attribute("data-count", "1")
    # Signing out would lose the waiting lead: refused.
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#console-error")).to_have_text(
        "1 lead is still waiting to sync. Go online before signing out."
    )
    assert not Lead.objects.exists()

    # A reload while offline still shows the signed-in page and its waiting lead.
    page.reload()
    expect(
        page.get_by_label("Scan a visitor’s ticket, or type its code and press Enter")
    ).to_be_visible()
    expect(queue).to_have_attribute("data-count", "1")

    # The network returns: the lead is synced, dated by the scan, with what staff wrote.
    context.set_offline(False)
    expect(queue).to_have_attribute("data-count", "0", timeout=15_000)
    expect(queue).to_have_text("All leads synced")
    expect(item).to_have_attribute("data-status", "synced")
    expect(item).to_contain_text("Synced")
    expect(item).to_contain_text("Li Wei · Geely")
    lead = Lead.objects.get()
    assert (lead.registration_id, lead.exhibitor.slug, lead.device_id) == (
        visitor.pk,
        "huawei",
        device.pk,
    )
    assert (lead.note, lead.rating, lead.tags) == (
        "Wants a demo of the 5G module",
        4,
        ["hot", "5G"],
    )
    assert lead.captured_at == NOW

    # Online, the same visitor again is the same lead: its note is edited.
    scan_code(page, secret)
    expect(verdict).to_have_attribute("data-result", "again")
    expect(page.get_by_label("Note")).to_have_value("Wants a demo of the 5G module")
    page.get_by_label("Note").fill("Demo booked for Tuesday")
    page.get_by_role("button", name="Save the lead").click()
    expect(item).to_contain_text("Demo booked for Tuesday")
    expect(queue).to_have_text("All leads synced")
    lead = Lead.objects.get()
    assert (lead.note, lead.rating, lead.captured_at) == ("Demo booked for Tuesday", 4, NOW)

    # The organiser turns lead capture off: the page says so, and refuses the scans.
    expo.lead_capture = False
    expo.save(update_fields=["lead_capture"])
    page.get_by_role("button", name="Update").click()
    expect(page.locator("#capture-off")).to_be_visible()
    _other, other_secret = issue(expo, "Sun Li")
    scan_code(page, other_secret)
    expect(verdict).to_have_attribute("data-reason", "lead_capture_off")
    assert Lead.objects.count() == 1


def test_a_revoked_device_is_told_and_chinese_on_a_phone(live_server, chromium, expo, booth):
    device, token = booth
    visitor, secret = issue(expo, "王小明", share=["name"])
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.clock.set_fixed_time(NOW)
        page.goto(f"{live_server.url}/zh-hans/expos/{expo.slug}/booth/")
        page.get_by_label("设备令牌").fill(token)
        page.locator("#signin-button").click()
        expect(page.locator("#device-name")).to_have_text("Li Na's phone")
        scan_code(page, secret)
        expect(page.locator("#verdict-word")).to_have_text("已采集")
        queue = page.locator("#queue")
        expect(queue).to_have_text("线索已全部同步")
        expect(page.locator("#captures li")).to_contain_text("王小明")
        # Nothing wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert Lead.objects.get().registration_id == visitor.pk

        # The device is revoked in the portal: the next change is refused in words, and waits.
        lead_device_revoke(binding=LeadDevice.objects.get(device=device))
        page.locator("#lead-close").click()
        scan_code(page, secret)
        expect(page.locator("#verdict-word")).to_have_text("已采集过")
        page.locator("#note").fill("下周回访")
        page.locator("#lead-save").click()
        expect(page.locator("#console-error")).to_have_text("本设备的令牌已失效，请重新登录。")
        expect(queue).to_have_attribute("data-count", "1")
        assert Lead.objects.get().note == ""
    finally:
        context.close()


def test_a_note_saved_while_the_capture_is_on_its_way_is_sent_after_it(
    live_server, page, expo, booth
):
    _device, token = booth
    _visitor, secret = issue(expo, "Li Wei")
    held = []

    def hold_the_first_capture(route):
        if route.request.method == "POST" and not held:
            held.append(route)  # answered below, once the note is saved
        else:
            route.continue_()

    page.route("**/api/v1/expos/*/leads", hold_the_first_capture)
    sign_in(page, f"{live_server.url}/expos/{expo.slug}/booth/", token)
    scan_code(page, secret)
    expect(page.locator("#verdict")).to_have_attribute("data-result", "captured")
    page.wait_for_function("() => true")  # let the held request reach the route
    assert len(held) == 1
    page.get_by_label("Note").fill("Met at the opening")
    page.get_by_role("button", name="Save the lead").click()
    held[0].continue_()
    expect(page.locator("#queue")).to_have_text("All leads synced")
    lead = Lead.objects.get()
    assert lead.note == "Met at the opening"
