"""The matrix's rows of issue 18's API: the predicted crowd alerts (the same roles as the live
alert list, organisers only) and the attendance forecast (organisers only). The live page's
data, which carries the predicted alerts too, has its row in `pages.py`."""

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
    Row(
        VENUE,
        "GET",
        A + "/planning/forecast",
        api("200", "organizer"),
        note="the attendance forecast, learned from the previous edition",
    ),
]
