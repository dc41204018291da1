"""Gate staff sign a tablet in, scan online, lose the network, scan offline, and sync back.

The tickets are for August 2019, so the browser's clock is set to the first expo day with
Playwright's `page.clock` (the page itself always uses the real clock).
"""

import base64
import datetime as dt
import itertools
import re

import pytest
from playwright.sync_api import expect

from smartexpo.checkin.models import Scan
from smartexpo.checkin.offline import OfflineScanner
from smartexpo.devices.services import device_create, device_revoke
from smartexpo.tickets.keys import private_key
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.tickets.services.registration import registration_create
from smartexpo.tickets.services.signing_keys import signing_key_active
from smartexpo.venue.models import Gate, Zone
from tests.checkin.conftest import PRO_DAYS, make_types

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime.fromisoformat("2019-08-26T10:00:00+08:00")
CODE_LABEL = "Scan a ticket, or type its code and press Enter"
_people = itertools.count(1)


@pytest.fixture
def types(expo):
    return make_types(expo)


def issue(expo, name, code="day", days=("2019-08-26", "2019-08-27")):
    """Register someone; return (ticket, secret)."""
    issued = registration_create(
        expo=expo,
        ticket_type=code,
        days=list(days),
        name=name,
        email=f"visitor{next(_people)}@example.cn",
    )
    return issued.tickets[0], issued.secrets[0]


def scanner_token(expo, gates=("G1", "G-N1")):
    _device, token = device_create(
        expo=expo, name="North gate tablet", kind="scanner", gates=list(gates)
    )
    return token


def scan_code(page, secret):
    """What a keyboard-wedge reader does: type into whatever has focus, then Enter."""
    expect(page.locator("#code")).to_be_focused()
    page.keyboard.type(secret)
    page.keyboard.press("Enter")


def test_scan_online_offline_and_sync(live_server, page, expo, types):
    ticket_a, secret_a = issue(expo, "Li Wei")
    ticket_b, secret_b = issue(expo, "Zhang Xiaoming")
    _ticket_c, secret_c = issue(expo, "王小明", code="pro", days=PRO_DAYS)
    ticket_d, secret_d = issue(expo, "Chen Jing")
    token = scanner_token(expo)
    # A gate of the edition that this device does not serve.
    Gate.objects.create(
        expo=expo,
        code="S9",
        name_en="South gate",
        name_zh="南门",
        zone=Zone.objects.get(expo=expo, code="V"),
    )
    context = page.context
    page.clock.set_fixed_time(NOW)
    page.goto(f"{live_server.url}/expos/{expo.slug}/scanner/")
    expect(page.get_by_role("heading", name="Gate scanner")).to_be_visible()

    # A wrong token is refused in words.
    page.get_by_label("Device token").fill("sxd_not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_have_text(
        "This token was not accepted. Check that you pasted the whole device token."
    )

    page.get_by_label("Device token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("North gate tablet")).to_be_visible()
    gates = page.locator('#gates input[name="gate"]')
    expect(gates).to_have_count(2)  # the device's gates only, not S9
    page.get_by_role("radio", name="G1 North gate").check()
    expect(page.get_by_role("radio", name="In")).to_be_checked()
    expect(page.locator("#net")).to_have_attribute("data-online", "true")

    verdict = page.locator("#verdict")
    scan_code(page, secret_a)
    expect(verdict).to_be_visible()
    expect(verdict).to_have_attribute("data-result", "admit")
    expect(verdict).to_have_css("background-color", "rgb(10, 122, 50)")  # green
    expect(page.locator("#verdict-word")).to_have_text("ADMIT")
    expect(page.locator("#verdict-holder")).to_have_text("L* W**")
    expect(page.locator("#verdict-type")).to_contain_text("Day pass")
    # Back to the input after about two seconds.
    expect(verdict).to_be_hidden(timeout=5_000)

    scan_code(page, secret_a)
    expect(verdict).to_have_attribute("data-result", "reject")
    expect(verdict).to_have_css("background-color", "rgb(179, 19, 27)")  # red
    expect(page.locator("#verdict-word")).to_have_text("REJECT")
    expect(page.locator("#verdict-reason")).to_have_text("Already inside")

    # The next scan replaces the verdict at once: a typed code that is not a ticket.
    scan_code(page, "hello")
    expect(page.locator("#verdict-reason")).to_have_text("Not a valid ticket code")
    online = Scan.objects.filter(serial=ticket_a.serial).order_by("id")
    assert [(s.result, s.reason, s.source) for s in online] == [
        ("admit", "", "online"),
        ("reject", "already_inside", "online"),
    ]

    # D is cancelled; "Update" fetches the revocations since the last keys package and adds
    # them to the list the tablet holds.
    registration_cancel(registration=ticket_d.registration)
    page.get_by_role("button", name="Update").click()
    page.wait_for_function(
        "serial => JSON.parse(localStorage.getItem('smartexpo.scanner.test-2019.keys'))"
        ".revoked.includes(serial)",
        arg=ticket_d.serial,
    )
    expect(page.locator("#code")).to_be_focused()

    # The network goes: the tablet decides alone, and queues its admissions.
    context.set_offline(True)
    expect(page.locator("#net")).to_have_attribute("data-online", "false")
    expect(page.locator("#net")).to_have_text("Offline")
    scan_code(page, secret_b)
    expect(verdict).to_have_attribute("data-result", "admit")
    expect(page.locator("#verdict-meta")).to_contain_text("Decided offline")
    expect(page.locator("#verdict-type")).to_contain_text("Day pass")
    queue = page.locator("#queue")
    expect(queue).to_have_attribute("data-count", "1")
    expect(queue).to_have_text("Offline — 1 scan waiting")

    # Offline refusals are shown, never queued, by offline.py's rules: A is inside (this
    # tablet let it in), D is revoked, a bad signature, a day pass at the hall gate, C
    # leaving without having entered.
    scan_code(page, secret_a)
    expect(verdict).to_have_attribute("data-reason", "already_inside")
    expect(page.locator("#verdict-reason")).to_have_text("Already inside")
    scan_code(page, secret_d)
    expect(verdict).to_have_attribute("data-reason", "revoked")
    expect(page.locator("#verdict-reason")).to_have_text("Ticket cancelled")
    scan_code(page, secret_b[:-2] + ("AA" if not secret_b.endswith("AA") else "BA"))
    expect(verdict).to_have_attribute("data-reason", "invalid")
    page.get_by_role("radio", name="G-N1 Hall N1 gate").check()
    scan_code(page, secret_b)
    expect(verdict).to_have_attribute("data-reason", "zone_not_allowed")
    page.get_by_role("radio", name="G1 North gate").check()
    page.get_by_role("radio", name="Out").check()
    scan_code(page, secret_c)
    expect(verdict).to_have_attribute("data-reason", "not_inside")
    page.get_by_role("radio", name="In").check()
    expect(queue).to_have_attribute("data-count", "1")
    # Signing out would strand the queue: refused while scans wait.
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#console-error")).to_have_text(
        "1 scan is still waiting to sync. Go online before signing out."
    )
    assert not Scan.objects.filter(serial=ticket_b.serial).exists()

    # A reload while offline still shows the signed-in scanner and its queue.
    page.reload()
    expect(page.get_by_label(CODE_LABEL)).to_be_visible()
    expect(queue).to_have_attribute("data-count", "1")
    expect(page.get_by_role("radio", name="G1 North gate")).to_be_checked()

    # The network returns: the queue is synced and the server records B's admission.
    context.set_offline(False)
    expect(queue).to_have_attribute("data-count", "0", timeout=15_000)
    expect(queue).to_have_text("All scans synced")
    expect(page.locator("#net")).to_have_attribute("data-online", "true")
    synced = Scan.objects.get(serial=ticket_b.serial)
    assert (synced.result, synced.source, synced.gate_code, synced.direction) == (
        "admit",
        "sync",
        "G1",
        "in",
    )
    assert synced.scanned_at == NOW

    # 中文: the same tablet, the page switched to Chinese, still signed in.
    page.get_by_role("button", name="中文").click()
    expect(page).to_have_url(re.compile(rf"/zh-hans/expos/{expo.slug}/scanner/$"))
    expect(page.get_by_role("heading", name="闸机扫码")).to_be_visible()
    expect(page.locator("#net")).to_have_text("在线")
    expect(page.get_by_role("radio", name="G1 北门")).to_be_checked()
    # Whatever has focus, the reader's keystrokes end up in the code input.
    page.get_by_role("button", name="更新").focus()
    page.keyboard.type(secret_c)
    page.keyboard.press("Enter")
    expect(verdict).to_have_attribute("data-result", "admit")
    expect(page.locator("#verdict-word")).to_have_text("放行")
    expect(page.locator("#verdict-holder")).to_have_text("王**")
    expect(page.locator("#verdict-type")).to_contain_text("专业观众票")
    scan_code(page, secret_c)
    expect(page.locator("#verdict-word")).to_have_text("拒绝")
    expect(page.locator("#verdict-reason")).to_have_text("已在场内")
    expect(queue).to_have_text("扫码记录已全部同步")


# --- offline parity with smartexpo/checkin/offline.py ---------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def crafted(key, *, serial, body, version=1, kid=None, tamper=False) -> str:
    """A secret signed with the edition's key, with any field the format allows (or not)."""
    kid = key.kid if kid is None else kid
    signed = bytes((version, kid)) + serial.to_bytes(8, "big") + body
    signature = bytearray(private_key(record=key).sign(signed))
    if tamper:
        signature[10] ^= 0x01
    return b64url(signed + bytes(signature))


def body(type_id: int, first: str, mask: int) -> bytes:
    first_day = (dt.date.fromisoformat(first) - dt.date(2000, 1, 1)).days
    return type_id.to_bytes(4, "big") + first_day.to_bytes(2, "big") + mask.to_bytes(4, "big")


def test_offline_verdicts_match_offline_py(live_server, chromium, expo, types):
    """The browser's offline decisions equal `OfflineScanner.scan` on the same keys package
    and set-up, scan after scan, on a tablet whose own time zone is not the expo's."""
    from smartexpo.tickets.models import TicketType

    day_type = TicketType.objects.get(expo=expo, code="day")
    key = signing_key_active(expo=expo)
    _regular, regular_secret = issue(expo, "Li Wei")
    _pro, pro_secret = issue(expo, "Wang Fang", code="pro", days=PRO_DAYS)
    _late, late_secret = issue(expo, "Zhao Lei", days=["2019-08-27"])
    _first, first_secret = issue(expo, "Sun Li", days=["2019-08-26"])
    _last, last_secret = issue(expo, "Zhou Min", days=["2019-08-26"])
    cancelled, cancelled_secret = issue(expo, "Wu Gang")
    registration_cancel(registration=cancelled.registration)
    ok_body = body(day_type.pk, "2019-08-26", 0b1)

    morning = NOW
    midnight_before = dt.datetime.fromisoformat("2019-08-26T23:59:59+08:00")
    midnight = dt.datetime.fromisoformat("2019-08-27T00:00:00+08:00")

    def case(what, secret, gate="G1", direction="in", at=morning):
        return what, secret, gate, direction, at

    def signed(serial=77, body=ok_body, **fields):
        return crafted(key, serial=serial, body=body, **fields)

    cases = [
        case("entry", regular_secret),
        case("re-entry while inside", regular_secret),
        case("exit", regular_secret, direction="out"),
        case("second exit", regular_secret, direction="out"),
        case("day pass at the hall gate", regular_secret, gate="G-N1"),
        case("entry again", regular_secret),
        case("pro pass at the hall gate", pro_secret, gate="G-N1"),
        case("a day too early", late_secret),
        case("revoked", cancelled_secret),
        case("revoked leaving unseen", cancelled_secret, direction="out"),
        case("largest serial", signed(serial=2**53 - 1)),
        case("serial 2^53", signed(serial=2**53)),
        case("serial 0", signed(serial=0)),
        case("version 2", signed(version=2)),
        case("unknown key id", signed(kid=key.kid + 1)),
        case("bad signature", signed(tamper=True)),
        case("9-byte body", signed(body=ok_body[:9])),
        case("11-byte body", signed(body=ok_body + b"\0")),
        case("no body", signed(body=b"")),
        case("mask bit 0 clear", signed(body=body(day_type.pk, "2019-08-25", 0b10))),
        case("second day of a mask", signed(78, body(day_type.pk, "2019-08-25", 0b11))),
        case("type unknown here", signed(79, body(999_999, "2019-08-26", 0b1))),
        case("padding", regular_secret + "="),
        case("standard alphabet", "+" + regular_secret[1:]),
        case("truncated", regular_secret[:-4]),
        case("not a ticket", "hello"),
        case("last second of the day", first_secret, at=midnight_before),
        case("first second of the next day", last_secret, at=midnight),
        case("inside yesterday, in again today", regular_secret, at=midnight),
    ]

    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="America/Los_Angeles"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.clock.set_fixed_time(morning)
        page.goto(f"{live_server.url}/expos/{expo.slug}/scanner/")
        page.get_by_label("Device token").fill(scanner_token(expo))
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("radio", name="G1 North gate").check()
        stored = page.evaluate(
            "() => ['keys', 'setup'].map("
            "k => JSON.parse(localStorage.getItem('smartexpo.scanner.test-2019.' + k)))"
        )
        python = OfflineScanner(stored[0], stored[1])
        assert cancelled.serial in python.revoked
        context.set_offline(True)
        expect(page.locator("#net")).to_have_attribute("data-online", "false")

        verdict = page.locator("#verdict")
        expected_queue = []
        for what, secret, gate, direction, at in cases:
            page.clock.set_fixed_time(at)
            page.get_by_role("radio", name=re.compile(rf"^{re.escape(gate)} ")).check()
            page.get_by_role("radio", name="In" if direction == "in" else "Out").check()
            before = verdict.get_attribute("data-nonce") or ""
            scan_code(page, secret)
            expect(verdict).not_to_have_attribute("data-nonce", before)
            want = python.scan(secret, gate=gate, direction=direction, at=at)
            got = (verdict.get_attribute("data-result"), verdict.get_attribute("data-reason"))
            assert got == (want.result, want.reason or ""), what
            if want.admitted:
                expected_queue.append((secret, gate, direction, at))
        queue = page.locator("#queue")
        expect(queue).to_have_attribute("data-count", str(len(expected_queue)))

        # Back online, the server takes every offline admission; the two validly signed
        # serials it never issued are answered "unknown" and shown as refused.
        context.set_offline(False)
        expect(queue).to_have_attribute("data-count", "0", timeout=15_000)
        expect(page.locator("#notices")).to_have_text("2 synced scans were refused by the server")
        synced = list(Scan.objects.filter(source="sync").order_by("id"))
        assert [(s.gate_code, s.direction, s.scanned_at) for s in synced] == [
            (gate, direction, at) for _secret, gate, direction, at in expected_queue
        ]
        # On real tickets the server's rules agree with the tablet's: no conflict.
        assert {(s.result, s.reason) for s in synced} == {("admit", ""), ("reject", "unknown")}
        assert sum(s.reason == "unknown" for s in synced) == 2
    finally:
        context.close()


def test_a_long_queue_syncs_in_batches_of_at_most_5000(live_server, page, expo, types):
    _ticket, secret = issue(expo, "Li Wei")
    page.clock.set_fixed_time(NOW)
    page.goto(f"{live_server.url}/expos/{expo.slug}/scanner/")
    page.get_by_label("Device token").fill(scanner_token(expo))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#queue")).to_be_visible()
    expect(page.locator("#queue")).to_have_text("All scans synced")
    # What a day offline leaves behind: 5,001 queued admissions (one real ticket).
    page.evaluate(
        """secret => {
            const scans = [];
            for (let i = 0; i < 5001; i++) {
                scans.push({secret: i === 4999 ? secret : "garbage" + i, gate: "G1",
                    direction: "in", nonce: "queued-" + i,
                    scanned_at: "2019-08-26T09:30:00+08:00"});
            }
            localStorage.setItem("smartexpo.scanner.test-2019.queue", JSON.stringify(scans));
        }""",
        secret,
    )
    batches = []
    page.on(
        "request",
        lambda r: batches.append(len(r.post_data_json["scans"])) if r.url.endswith("/sync") else 0,
    )
    page.reload()
    expect(page.locator("#queue")).to_have_attribute("data-count", "0", timeout=30_000)
    assert batches == [5000, 1]
    assert Scan.objects.filter(source="sync").count() == 5001
    assert Scan.objects.get(nonce="queued-4999").result == "admit"
    expect(page.locator("#notices")).to_have_text("5,000 synced scans were refused by the server")


def test_the_page_against_the_production_application(production_server, page, expo, types):
    """`smartexpo serve` answers scans with a hot route ahead of Django: same page, same flow."""
    ticket, secret = issue(expo, "Li Wei")
    other, other_secret = issue(expo, "Zhang Xiaoming")
    page.clock.set_fixed_time(NOW)
    page.goto(f"{production_server}/zh-hans/expos/{expo.slug}/scanner/")
    page.get_by_label("设备令牌").fill(scanner_token(expo, gates=["G1"]))
    page.get_by_role("button", name="登录").click()
    # One gate: chosen already.
    expect(page.get_by_role("radio", name="G1 北门")).to_be_checked()
    verdict = page.locator("#verdict")
    scan_code(page, secret)
    expect(page.locator("#verdict-word")).to_have_text("放行")
    expect(page.locator("#verdict-holder")).to_have_text("L* W**")
    page.context.set_offline(True)
    scan_code(page, other_secret)
    expect(verdict).to_have_attribute("data-result", "admit")
    expect(page.locator("#verdict-meta")).to_contain_text("离线判定")
    expect(page.locator("#queue")).to_have_text("离线 — 1 条待同步")
    page.context.set_offline(False)
    expect(page.locator("#queue")).to_have_text("扫码记录已全部同步", timeout=15_000)
    assert Scan.objects.get(serial=ticket.serial).source == "online"
    assert Scan.objects.get(serial=other.serial).source == "sync"


def test_a_revoked_tablet_says_so_and_hands_its_queue_to_the_next_token(
    live_server, page, expo, types
):
    ticket, secret = issue(expo, "Li Wei")
    first, first_token = device_create(expo=expo, name="Old tablet", kind="scanner", gates=["G1"])
    page.clock.set_fixed_time(NOW)
    page.goto(f"{live_server.url}/expos/{expo.slug}/scanner/")
    page.get_by_label("Device token").fill(first_token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("radio", name="G1 North gate")).to_be_checked()
    page.context.set_offline(True)
    scan_code(page, secret)
    expect(page.locator("#queue")).to_have_attribute("data-count", "1")

    device_revoke(device=first)
    page.context.set_offline(False)
    expect(page.locator("#console-error")).to_have_text(
        "This device's token is no longer accepted. Sign in again."
    )
    expect(page.locator("#queue")).to_have_attribute("data-count", "1")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Device token")).to_be_visible()

    _second, second_token = device_create(
        expo=expo, name="New tablet", kind="scanner", gates=["G1"]
    )
    page.get_by_label("Device token").fill(second_token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#queue")).to_have_attribute("data-count", "0", timeout=15_000)
    synced = Scan.objects.get(serial=ticket.serial)
    assert (synced.device.name, synced.source, synced.result) == ("New tablet", "sync", "admit")
