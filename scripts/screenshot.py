"""Screenshots of the demo's pages (for the README), taken with Debian's Chromium.

Usage: python scripts/screenshot.py [--organiser] OUT.png [URL [WIDTH [HEIGHT]]] — starts
nothing; point it at a running demo (default: hall N3 with Huawei's booth marked,
http://127.0.0.1:8000/expos/sce-2019/halls/N3/?booth=N3-001, 1280 × 900; the README's is
1200 wide). The whole page is taken, at the viewport's width: `… 360 740` for a phone.
`--organiser` signs in first as the demo organiser (`smartexpo demo login`), whose password is
read from the data directory (SMARTEXPO_DATA_DIR, default ./data): for back-office pages.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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


def sign_in(page, url: str) -> None:
    """Sign in to the back office of the server `url` is on, as the demo organiser."""
    password = (
        Path(os.environ.get("SMARTEXPO_DATA_DIR", "data")) / "demo-organiser-password"
    ).read_text()
    scheme, netloc, *_ = urlsplit(url)
    page.goto(urlunsplit((scheme, netloc, "/admin/login/", "", "")))
    page.fill("#id_username", "organizer")
    page.fill("#id_password", password.strip())
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def main() -> None:
    args = sys.argv[1:]
    organiser = "--organiser" in args
    args = [a for a in args if a != "--organiser"]
    out = args[0] if args else "docs/screenshot.png"
    url = (
        args[1] if len(args) > 1 else "http://127.0.0.1:8000/expos/sce-2019/halls/N3/?booth=N3-001"
    )
    width = int(args[2]) if len(args) > 2 else 1280
    height = int(args[3]) if len(args) > 3 else 900
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        if organiser:
            sign_in(page, url)
        page.goto(url)
        page.screenshot(path=out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
