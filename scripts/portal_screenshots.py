"""Screenshots of the exhibitor portal's booth pages (footfall, staff passes, API tokens), at a
phone's width and a desktop's, for docs/screenshots/.

Usage, against the demo after the digital twin has run (`make demo-live`, or `smartexpo demo
seed` then `smartexpo simulate`), with the same SMARTEXPO_DATA_DIR as the running server:

    python scripts/portal_screenshots.py [BASE_URL] [OUT_DIR]

It picks the 2019 exhibitor whose booth had the most visits, gives it a portal administrator,
three staff passes and two API tokens (one of them revoked) if it has none yet, signs in and
takes each page whole (`<page>-desktop.png` at 1280 wide, `<page>-360.png` at 360 × 740).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django

EDITION = "sce-2019"
EMAIL = "li.na@exhibitor.example.cn"
PASSWORD = "portal-screenshots-password"  # noqa: S105 - a demo account made for the screenshots
PEOPLE = [
    ("Zhang Wei", "zhang.wei@exhibitor.example.cn"),
    ("Wang Fang", "wang.fang@exhibitor.example.cn"),
    ("Chen Jing", "chen.jing@exhibitor.example.cn"),
]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]


def prepare() -> tuple[str, str]:
    """(the exhibitor's slug, the busiest day) after giving it its portal's people and data."""
    from django.contrib.auth import get_user_model
    from django.db.models import Sum

    from smartexpo.core.tokens import exhibitor_tokens, token_create, token_revoke
    from smartexpo.crowd import selectors as crowd
    from smartexpo.crowd.models import ZoneDay
    from smartexpo.crowd.services import history_refresh
    from smartexpo.exhibitors.models import Exhibitor, ExhibitorMember
    from smartexpo.tickets.services.restricted import staff_pass_issue, staff_passes
    from smartexpo.venue.models import Expo

    expo = Expo.objects.get(slug=EDITION)
    history_refresh(expo=expo)
    booths = crowd.booth_owners(expo=expo)
    busiest = (
        ZoneDay.objects.filter(zone_id__in=[z for z, b in booths.items() if b["exhibitor_id"]])
        .values("zone_id")
        .annotate(visits=Sum("entries"))
        .order_by("-visits")
        .first()
    )
    if busiest is None:
        sys.exit("No booth has any visit: run the digital twin first (smartexpo simulate).")
    exhibitor = Exhibitor.objects.get(pk=booths[busiest["zone_id"]]["exhibitor_id"])
    day = ZoneDay.objects.filter(zone_id=busiest["zone_id"]).order_by("-entries").first().period
    users = get_user_model().objects
    user = users.filter(username=EMAIL).first() or users.create_user(
        EMAIL, email=EMAIL, password=PASSWORD, first_name="Na", last_name="Li"
    )
    ExhibitorMember.objects.get_or_create(
        user=user, exhibitor=exhibitor, defaults={"role": "admin"}
    )
    if not staff_passes(exhibitor=exhibitor).exists():
        for name, email in PEOPLE:
            staff_pass_issue(exhibitor=exhibitor, name=name, email=email)
    if not exhibitor_tokens(exhibitor=exhibitor):
        old, _raw = token_create(
            role="exhibitor", name="Trade-show app (2018)", exhibitor=exhibitor
        )
        token_revoke(token=old)
        token_create(role="exhibitor", name="CRM sync", exhibitor=exhibitor)
    return exhibitor.slug, day.isoformat()


def shoot(base: str, out: Path, slug: str, day: str) -> None:
    from playwright.sync_api import sync_playwright

    portal = f"{base}/portal/{EDITION}/{slug}"
    pages = {
        "portal-footfall": f"/footfall/?day={day}",
        "portal-staff-passes": "/staff-passes/",
        "portal-api-tokens": "/api-tokens/",
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for suffix, viewport in (
            ("desktop", {"width": 1280, "height": 900}),
            ("360", {"width": 360, "height": 740}),
        ):
            page = browser.new_page(viewport=viewport)
            page.goto(f"{base}/portal/login/")
            page.fill("#id_username", EMAIL)
            page.fill("#id_password", PASSWORD)
            page.locator("form.card button[type=submit]").click()
            page.wait_for_load_state("load")
            for name, path in pages.items():
                page.goto(portal + path)
                page.wait_for_load_state("load")
                page.screenshot(path=str(out / f"{name}-{suffix}.png"), full_page=True)
            page.close()
        browser.close()


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
    django.setup()
    slug, day = prepare()
    shoot(base.rstrip("/"), out, slug, day)


if __name__ == "__main__":
    main()
