"""Screenshots of the exhibitor portal (for the README), taken with Debian's Chromium.

Usage: python scripts/screenshot_portal.py EMAIL PASSWORD INVITATION_URL [BASE [OUT_DIR]]

Point it at a running demo (BASE, default http://127.0.0.1:8000): `smartexpo demo login`
shows the demo exhibitor's EMAIL and PASSWORD, and `smartexpo exhibitor-invite sce-2019 huawei
someone@example.com --role staff` prints an INVITATION_URL. It signs in and takes each page
whole, at 1280 wide and at 360 × 740, as OUT_DIR/portal-<page>-desktop.png and -360.png
(default docs/screenshots). It changes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"desktop": {"width": 1280, "height": 900}, "360": {"width": 360, "height": 740}}
PORTAL = "/portal/sce-2019/huawei/"
SIGNED_IN = {
    "portal-home": PORTAL,
    "portal-profile": PORTAL + "profile/",
    "portal-showcase": PORTAL + "showcase/",
    "portal-team": PORTAL + "team/",
}


def main() -> None:
    email, password, invitation = sys.argv[1:4]
    base = (sys.argv[4] if len(sys.argv) > 4 else "http://127.0.0.1:8000").rstrip("/")
    out = Path(sys.argv[5] if len(sys.argv) > 5 else "docs/screenshots")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            page.goto(invitation)
            page.screenshot(path=out / f"portal-accept-{size}.png", full_page=True)
            page.goto(f"{base}/portal/login/")
            page.screenshot(path=out / f"portal-login-{size}.png", full_page=True)
            page.fill("#id_username", email)
            page.fill("#id_password", password)
            page.locator("form.card button[type=submit]").click()
            page.wait_for_selector(".portal-nav")
            for name, path in SIGNED_IN.items():
                page.goto(base + path)
                page.wait_for_load_state("load")
                page.screenshot(path=out / f"{name}-{size}.png", full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
