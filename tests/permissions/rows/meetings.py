"""The matrix's rows of business meetings: sessions (an organiser defines them, anyone reads
them), requests and their answers, availability, the opt-in and suggested partners (a
participant's own token: Huawei's exhibitor token or R's manage token; an organiser names the
participant), and the admin.

In the world (`world._meetings`) R and the other registration opted in; R has asked Huawei for
a meeting (pending), so Huawei (the recipient) or an organiser answers it and R or an organiser
cancels it; any other participant is told it does not exist. A participant's token naming
another participant is refused (403) before anything is looked up."""

from __future__ import annotations

from tests.permissions.rows.admin import RECORD, admin_model
from tests.permissions.terms import Row, W, api, everyone

MEETINGS = "API: business meetings"
A = "/api/v1/expos/{expo}/meetings"
R = {"registration": W("registration")}
REQUEST = {"request_id": "meeting_request"}


def _participant(ok: str, *allowed: str, other: str = "403") -> dict[str, str]:
    """A participant's route: the roles allowed; a manage token is a credential here (R's is
    refused with 403 where not allowed), and what the other registration's gets."""
    holder = {"holder": ok if "holder" in allowed else "403"}
    return {**api(ok, *allowed), **holder, "other_holder": other}


ABOUT_R = _participant("200", "organizer", "holder")

MEETING_ROWS = [
    Row(
        MEETINGS,
        "POST",
        A + "/sessions",
        api("201", "organizer"),
        json={
            "code": "b2b-2",
            "starts_at": "2019-08-28T09:00:00+08:00",
            "ends_at": "2019-08-28T12:00:00+08:00",
            "slot_minutes": 20,
            "tables": 20,
            "zone": "N1",
        },
    ),
    Row(MEETINGS, "GET", A + "/sessions", everyone("200"), note="sessions are not secret"),
    Row(
        MEETINGS,
        "GET",
        A + "/sessions/{code}",
        everyone("200"),
        params={"code": "meeting_session"},
    ),
    Row(
        MEETINGS,
        "PATCH",
        A + "/sessions/{code}",
        api("200", "organizer"),
        params={"code": "meeting_session"},
        json={"cap_visitor": 10},
    ),
    Row(
        MEETINGS,
        "POST",
        A + "/requests",
        _participant("201", "organizer", "holder"),
        json={"from": R, "to": {"exhibitor": W("zte")}, "priority": "must"},
        variant="R asks ZTE",
        note="R's manage token for itself, or an organiser naming R",
    ),
    Row(
        MEETINGS,
        "POST",
        A + "/requests",
        _participant("201", "organizer", "exhibitor"),
        json={
            "from": {"exhibitor": W("exhibitor")},
            "to": {"exhibitor": W("zte")},
            "priority": "want",
        },
        # Not the other registration: check-in's world has Huawei meet it already.
        variant="Huawei asks ZTE",
    ),
    Row(
        MEETINGS,
        "GET",
        A + "/requests",
        _participant("200", "organizer", "exhibitor", "holder", other="200"),
        note="a participant's own, sent and received; an organiser's, all",
    ),
    Row(
        MEETINGS,
        "GET",
        A + "/requests/{request_id}",
        _participant("200", "organizer", "exhibitor", "holder", other="404"),
        params=REQUEST,
    ),
    *(
        Row(
            MEETINGS,
            "POST",
            A + "/requests/{request_id}/" + action,
            _participant("200", "organizer", "exhibitor", other="404"),
            params=REQUEST,
            note="Huawei, the recipient, or an organiser; R, who asked, 403",
        )
        for action in ("accept", "decline")
    ),
    Row(
        MEETINGS,
        "POST",
        A + "/requests/{request_id}/cancel",
        _participant("200", "organizer", "holder", other="404"),
        params=REQUEST,
        note="R, who asked, or an organiser; Huawei 403",
    ),
    Row(
        MEETINGS,
        "PUT",
        A + "/availability",
        ABOUT_R,
        json={
            "participant": R,
            "busy": [{"from": "2019-08-27T09:00:00+08:00", "to": "2019-08-27T10:00:00+08:00"}],
        },
    ),
    Row(MEETINGS, "GET", A + "/availability", ABOUT_R, query={"registration": W("registration")}),
    Row(
        MEETINGS,
        "PUT",
        A + "/participation",
        ABOUT_R,
        json={"participant": R, "open": True, "cap": 8},
    ),
    Row(MEETINGS, "GET", A + "/participation", ABOUT_R, query={"registration": W("registration")}),
    Row(MEETINGS, "GET", A + "/suggestions", ABOUT_R, query={"registration": W("registration")}),
    # The admin: sessions are defined there too; the rest is made by participants and the
    # optimiser (a participant's opt-in and cap may be changed, never added nor deleted).
    *admin_model("meetings", "meetingsession"),
    *admin_model("meetings", "participant", **RECORD),
    *admin_model("meetings", "meetingrequest", **RECORD),
    *admin_model("meetings", "meeting", **RECORD),
]
