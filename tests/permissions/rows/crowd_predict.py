"""The matrix's row of the predicted crowd alerts (issue 18): the same roles as the live
alert list, organisers only. The live page's data, which carries them too, has its row in
`pages.py`."""

from __future__ import annotations

from tests.permissions.terms import VENUE, Row, api

A = "/api/v1/expos/{expo}"

CROWD_PREDICT_ROWS = [
    Row(
        VENUE,
        "GET",
        A + "/venue/alerts/predicted",
        api("200", "organizer"),
        note="forecast from the folded history; never among the live alerts",
    ),
]
