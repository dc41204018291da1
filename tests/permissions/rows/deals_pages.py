"""The matrix's rows of the public deals pages: the tally with year over year, the list and a
deal, the follow-up and the signing ceremony's screen. All public: every credential is ignored,
and a deal whose amount is confidential is not found, as one of another edition is not."""

from __future__ import annotations

from tests.permissions.terms import Row, everyone

DEALS_PAGES = "Pages: signed projects (deals)"
E = "/expos/{expo}/deals"

DEALS_PAGE_ROWS = [
    Row(DEALS_PAGES, "GET", E + "/", everyone("200"), query={"day": "2"}),
    Row(DEALS_PAGES, "GET", E + "/list/", everyone("200"), query={"country": "DE"}),
    Row(DEALS_PAGES, "GET", E + "/{pk}/", everyone("200"), params={"pk": "deals_pages_deal"}),
    Row(
        DEALS_PAGES,
        "GET",
        E + "/{pk}/",
        everyone("404"),
        params={"pk": "deals_pages_confidential"},
        variant="confidential amount",
        note="a deal whose amount is confidential is counted, not shown",
    ),
    Row(
        DEALS_PAGES,
        "GET",
        E + "/{pk}/",
        everyone("404"),
        params={"pk": "deals_pages_other_edition"},
        variant="another edition's deal",
    ),
    Row(DEALS_PAGES, "GET", E + "/follow-up/", everyone("200")),
    Row(DEALS_PAGES, "GET", E + "/ceremony/", everyone("200"), note="polls the signed tally"),
]
