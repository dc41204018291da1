"""The matrix's rows of the business meetings' pages: a visitor's meetings page and calendar
behind the manage link, the portal's "Meetings" and its calendar, and the organiser's table
cards PDF."""

from __future__ import annotations

from tests.permissions.terms import PORTAL, Row, api, everyone, portal_page

MEETING_PAGES = "Pages: business meetings"
MINE = {"token": "manage_token"}
HUAWEI = {"exhibitor": "exhibitor_slug"}
P = "/portal/{expo}/{exhibitor}"

MEETINGS_PAGE_ROWS = [
    Row(
        MEETING_PAGES,
        "GET",
        "/expos/{expo}/my/{token}/meetings/",
        everyone("200"),
        params=MINE,
        note="the manage token is the credential: any session or API token is ignored",
    ),
    Row(
        MEETING_PAGES,
        "GET",
        "/expos/{expo}/my/{token}/meetings.ics",
        everyone("200"),
        params=MINE,
    ),
    Row(PORTAL, "GET", P + "/meetings/", portal_page("200"), params=HUAWEI),
    Row(PORTAL, "GET", P + "/meetings.ics", portal_page("200"), params=HUAWEI),
    Row(
        MEETING_PAGES,
        "GET",
        "/api/v1/expos/{expo}/meetings/sessions/{code}/table-cards.pdf",
        api("200", "organizer"),
        params={"code": "meetings_pages_session"},
        note="one A4 page per table, with its meetings and both participants' names",
    ),
    Row(
        MEETING_PAGES,
        "POST",
        "/expos/{expo}/my/{token}/meetings/",
        everyone("302"),
        params=MINE,
        form={"action": "open", "open": "1"},
        note="R opts in to meetings",
    ),
    Row(
        PORTAL,
        "POST",
        P + "/meetings/",
        portal_page("302"),
        params=HUAWEI,
        form={
            "action": "busy-add",
            "starts_at": "2019-08-26T09:00",
            "ends_at": "2019-08-26T10:00",
        },
        note="Huawei marks an hour busy",
    ),
]
