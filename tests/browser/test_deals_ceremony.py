"""The signing ceremony's big screen counts up when a deal is entered, lands on the exact
figures, and keeps them through a network drop."""

from __future__ import annotations

import json

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from smartexpo.deals import selectors
from smartexpo.deals.services.deals import deal_create
from tests.deals.test_services import deal_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every amount frame the screen draws, kept by the page itself (the count-up is too quick to
# sample from here).
WATCH = """() => {
  const amount = document.getElementById("amount");
  window.seenAmounts = [];
  new MutationObserver(() => window.seenAmounts.push(amount.textContent))
    .observe(amount, {childList: true, characterData: true, subtree: true});
}"""


def tally_served(expo) -> bool:
    try:
        resolve(f"/api/v1/expos/{expo.slug}/deals/tally")
    except Resolver404:
        return False
    return True


def test_the_ceremony_screen_counts_up_as_a_deal_is_entered(live_server, chromium, expo):
    deal_create(expo=expo, data=deal_data(amount="1000.00"))
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    network = {"up": True}

    def answer(route):
        if not network["up"]:
            route.abort()
        elif served:
            route.continue_()
        else:
            # Until the ledger's API serves the signed tally here, the test answers it the way
            # that route will: with `selectors.tally` (API.md, "Deals").
            route.fulfill(
                status=200,
                content_type="application/json",
                body=json.dumps(selectors.tally(expo=expo)),
            )

    served = tally_served(expo)
    page.route("**/api/v1/expos/*/deals/tally", answer)
    try:
        page.goto(f"{live_server.url}/expos/{expo.slug}/deals/ceremony/")
        expect(page.locator("#status")).to_have_attribute("data-state", "live")
        expect(page.locator("#projects")).to_have_text("1")
        expect(page.locator("#amount")).to_have_text("¥1,000.00")
        expect(page.locator("body")).to_contain_text("签约项目数")  # both languages at once
        page.evaluate("window.stillTheSamePage = true")
        page.evaluate(WATCH)

        deal_create(expo=expo, data=deal_data(amount="123456789.01", at_expo=False))
        expect(page.locator("#projects")).to_have_text("2", timeout=10_000)
        expect(page.locator("#amount")).to_have_text("¥123,457,789.01")
        expect(page.locator("#amount")).to_have_attribute("data-value", "123457789.01")
        expect(page.locator("body")).to_have_attribute("data-counting", "false")
        seen = page.evaluate("window.seenAmounts")
        # Counted up through figures in between, and landed on the tally's exact digits.
        between = [s for s in seen if s not in ("¥1,000.00", "¥123,457,789.01")]
        assert between, seen
        assert seen[-1] == "¥123,457,789.01"

        # The network drops: the screen says so and keeps its figures; then it comes back.
        network["up"] = False
        expect(page.locator("#status")).to_have_attribute("data-state", "lost", timeout=10_000)
        expect(page.locator("#status")).to_contain_text("Connection lost")
        expect(page.locator("#amount")).to_have_text("¥123,457,789.01")
        network["up"] = True
        deal_create(expo=expo, data=deal_data(amount="0.99"))
        expect(page.locator("#status")).to_have_attribute("data-state", "live", timeout=10_000)
        expect(page.locator("#projects")).to_have_text("3", timeout=10_000)
        expect(page.locator("#amount")).to_have_text("¥123,457,790.00")
        expect(page.locator("#at-expo")).to_have_text("2")
        assert page.evaluate("window.stillTheSamePage") is True
    finally:
        context.close()
