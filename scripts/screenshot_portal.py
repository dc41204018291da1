"""Screenshots of every page of the exhibitor portal, at a phone's width and a desktop's, for
docs/screenshots/, taken with Debian's Chromium.

Usage, against the demo after the digital twin has run (`make demo-live`, or `smartexpo demo
seed` then `smartexpo simulate`), with the same SMARTEXPO_DATA_DIR as the running server:

    python scripts/screenshot_portal.py [BASE_URL] [OUT_DIR]

It picks the 2019 exhibitor whose booth had the most visits (the footfall page needs them),
gives it a portal administrator, three staff passes and two API tokens (one of them revoked) if
it has none yet, and invites one more person. It takes the invitation's page and the sign-in
page, signs in and takes each of the exhibitor's pages whole, as OUT_DIR/portal-<page>-desktop.png
(1280 wide) and -360.png (360 × 740); OUT_DIR defaults to docs/screenshots.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django
from screenshot import CHROMIUM_ARGS

EDITION = "sce-2019"
EMAIL = "li.na@exhibitor.example.cn"
PASSWORD = "portal-screenshots-password"  # noqa: S105 - a demo account made for the screenshots
INVITED = "zhou.min@exhibitor.example.cn"
PEOPLE = [
    ("Zhang Wei", "zhang.wei@exhibitor.example.cn"),
    ("Wang Fang", "wang.fang@exhibitor.example.cn"),
    ("Chen Jing", "chen.jing@exhibitor.example.cn"),
]
SIZES = {"desktop": {"width": 1280, "height": 900}, "360": {"width": 360, "height": 740}}


def prepare() -> tuple[str, str, str]:
    """(the exhibitor's slug, the busiest day, an invitation's path) after giving the exhibitor
    its portal's people and data."""
    from django.contrib.auth import get_user_model
    from django.db.models import Sum
    from django.urls import reverse

    from smartexpo.core.tokens import exhibitor_tokens, token_create, token_revoke
    from smartexpo.crowd import selectors as crowd
    from smartexpo.crowd.models import ZoneDay
    from smartexpo.crowd.services import history_refresh
    from smartexpo.exhibitors.members import invitation_create
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
    # A fresh invitation each run (it replaces the one before): its token is shown only once.
    _invitation, token = invitation_create(exhibitor=exhibitor, email=INVITED, role="staff")
    return exhibitor.slug, day.isoformat(), reverse("portal:accept", args=[token])


def shoot(base: str, out: Path, slug: str, day: str, invitation: str) -> None:
    from playwright.sync_api import sync_playwright

    portal = f"/portal/{EDITION}/{slug}/"
    signed_in = {
        "portal-home": portal,
        "portal-profile": portal + "profile/",
        "portal-showcase": portal + "showcase/",
        "portal-team": portal + "team/",
        "portal-footfall": portal + f"footfall/?day={day}",
        "portal-staff-passes": portal + "staff-passes/",
        "portal-api-tokens": portal + "api-tokens/",
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            page.goto(base + invitation)
            page.screenshot(path=out / f"portal-accept-{size}.png", full_page=True)
            page.goto(f"{base}/portal/login/")
            page.screenshot(path=out / f"portal-login-{size}.png", full_page=True)
            page.fill("#id_username", EMAIL)
            page.fill("#id_password", PASSWORD)
            page.locator("form.card button[type=submit]").click()
            page.wait_for_selector(".portal-nav")
            for name, path in signed_in.items():
                page.goto(base + path)
                page.wait_for_load_state("load")
                page.screenshot(path=out / f"{name}-{size}.png", full_page=True)
            context.close()
        browser.close()


def main() -> None:
    base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
    django.setup()
    shoot(base, out, *prepare())


if __name__ == "__main__":
    main()
