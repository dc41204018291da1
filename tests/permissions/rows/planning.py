"""The matrix's rows of the organiser's planning pages: the gate-lane plan page (an arrivals CSV
uploaded to it) and its CSV and PDF exports. Staff sessions only, as the live venue page: the
rest go to the admin's login, a signed-in account without staff status gets a 403 page.

The exports name a plan kept in the asker's session (`?plan=<key>`): the world keeps one in the
admin's and the staff account's sessions (`world._planning`)."""

from __future__ import annotations

from tests.permissions.terms import Row, W, organiser_page

PLANNING = "Pages: planning"
L = "/expos/{expo}/planning/lanes/"
ARRIVALS = "gate,period_start,arrivals\nG1,2019-08-26T09:00,120\nG1,2019-08-26T09:15,300\n"


class Upload:
    """The arrivals file of the form, read afresh by every request that posts it."""

    name = "arrivals.csv"
    content_type = "text/csv"

    def read(self) -> bytes:
        return ARRIVALS.encode()


PLAN = {"plan": W("lanes_plan")}

PLANNING_ROWS = [
    Row(PLANNING, "GET", L, organiser_page("200")),
    Row(
        PLANNING,
        "POST",
        L,
        organiser_page("302"),
        form={"arrivals_file": Upload(), "wait_minutes": "10", "percentile": "95"},
        note="a valid upload is kept in the session, then the plan's address",
    ),
    Row(PLANNING, "GET", L + "plan.csv", organiser_page("200"), query=PLAN),
    Row(PLANNING, "GET", L + "plan.pdf", organiser_page("200"), query=PLAN),
]
