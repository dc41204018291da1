"""The matrix's rows of the organiser's dashboard and its JSON, of the post-show report's
downloads and of the exhibitor reports' (one exhibitor's, or all in a ZIP): staff sessions
only, as the live venue and planning pages; the pages send the rest to the admin's login (a
signed-in account without staff status gets a 403 page), the JSON answers them in the API's
error shape."""

from __future__ import annotations

from tests.permissions.terms import Row, organiser_json, organiser_page

DASHBOARD = "Pages: organiser's dashboard"
D = "/expos/{expo}/reports/dashboard/"
R = "/expos/{expo}/reports/"

DASHBOARD_ROWS = [
    Row(DASHBOARD, "GET", D, organiser_page("200")),
    Row(DASHBOARD, "GET", D + "data.json", organiser_json("200")),
    Row(DASHBOARD, "GET", R + "report.pdf", organiser_page("200"), note="post-show report"),
    Row(DASHBOARD, "GET", R + "report.xlsx", organiser_page("200"), note="post-show report"),
    Row(
        DASHBOARD,
        "GET",
        R + "exhibitors/{exhibitor}/report.pdf",
        organiser_page("200"),
        params={"exhibitor": "exhibitor"},
        note="one exhibitor's report (its staff: the portal's)",
    ),
]
