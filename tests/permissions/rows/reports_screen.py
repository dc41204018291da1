"""The matrix's rows of the public big screen: the page and the JSON its script polls. Public:
every credential is ignored (there is nothing personal on it)."""

from __future__ import annotations

from tests.permissions.terms import Row, everyone

SCREEN = "Pages: public big screen"
E = "/expos/{expo}/reports"

REPORTS_SCREEN_ROWS = [
    Row(SCREEN, "GET", E + "/screen/", everyone("200"), note="polls screen/data.json"),
    Row(SCREEN, "GET", E + "/screen/data.json", everyone("200"), note="kept a few seconds"),
]
