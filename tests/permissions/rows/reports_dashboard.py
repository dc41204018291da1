"""The matrix's rows of the organiser's dashboard and its JSON: staff sessions only, as the live
venue and planning pages; the page sends the rest to the admin's login (a signed-in account
without staff status gets a 403 page), the JSON answers them in the API's error shape."""

from __future__ import annotations

from tests.permissions.terms import Row, organiser_json, organiser_page

DASHBOARD = "Pages: organiser's dashboard"
D = "/expos/{expo}/reports/dashboard/"

DASHBOARD_ROWS = [
    Row(DASHBOARD, "GET", D, organiser_page("200")),
    Row(DASHBOARD, "GET", D + "data.json", organiser_json("200")),
]
