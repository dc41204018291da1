"""Screenshots of the demo's pages (for the README), taken with Debian's Chromium.

Usage: python scripts/screenshot.py OUT.png [URL [WIDTH [HEIGHT]]] — starts nothing; point it at
a running demo (default http://127.0.0.1:8000/expos/sce-2019/halls/N1/, 1280 × 900). The whole
page is taken, at the viewport's width: `… 360 740` for a phone.
"""

from __future__ import annotations

import sys

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


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.png"
    url = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8000/expos/sce-2019/halls/N1/"
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 1280
    height = int(sys.argv[4]) if len(sys.argv) > 4 else 900
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url)
        page.screenshot(path=out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
