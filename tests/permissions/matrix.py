"""The permission matrix: who may do what, one row per route, one column per role.

This module is data, put together: the terms (roles, outcomes, `Row`) are in `terms.py`, the
rows in `rows/`, one module per area. `test_matrix.py` asks every cell through the production
WSGI application and `render.py` writes `docs/permissions.md` from it, so the document and the
behaviour cannot drift apart. A route the server has without a row here fails the tests.

A row names its route as the server does (`/api/v1/expos/{expo}/devices/{device_id}`), the
request a role that may use it would make (real ids come from the test world by name, see
`W`), and the answer each role gets.
"""

from __future__ import annotations

from tests.permissions.rows.admin import ADMIN_ROWS
from tests.permissions.rows.api import API_ROWS
from tests.permissions.rows.crowd_predict import CROWD_PREDICT_ROWS
from tests.permissions.rows.deals_admin import DEALS_ADMIN_ROWS
from tests.permissions.rows.deals_api import DEALS_API_ROWS
from tests.permissions.rows.deals_documents import DEALS_DOCUMENTS_ROWS
from tests.permissions.rows.deals_pages import DEALS_PAGE_ROWS
from tests.permissions.rows.leads import LEAD_ROWS
from tests.permissions.rows.meetings import MEETING_ROWS
from tests.permissions.rows.meetings_checkin import MEETINGS_CHECKIN_ROWS
from tests.permissions.rows.meetings_pages import MEETINGS_PAGE_ROWS
from tests.permissions.rows.meetings_schedule import MEETINGS_SCHEDULE_ROWS
from tests.permissions.rows.pages import PAGE_ROWS
from tests.permissions.rows.planning import PLANNING_ROWS
from tests.permissions.rows.portal import PORTAL_ROWS
from tests.permissions.rows.recommend import RECOMMEND_ROWS
from tests.permissions.rows.reports_dashboard import DASHBOARD_ROWS
from tests.permissions.rows.reports_jobs import REPORT_JOBS_ROWS
from tests.permissions.rows.reports_screen import REPORTS_SCREEN_ROWS
from tests.permissions.terms import (
    ALLOWED,
    BEARER,
    OUTCOMES,
    ROLE_KEYS,
    ROLES,
    SESSION,
    Row,
    W,
)

__all__ = ["ALLOWED", "BEARER", "OUTCOMES", "ROLES", "ROLE_KEYS", "ROWS", "SESSION", "Row", "W"]

# In this order the areas' tables come in docs/permissions.md.
ROWS = API_ROWS + RECOMMEND_ROWS + PAGE_ROWS + PORTAL_ROWS + ADMIN_ROWS + LEAD_ROWS
ROWS += MEETING_ROWS + MEETINGS_SCHEDULE_ROWS + MEETINGS_PAGE_ROWS + MEETINGS_CHECKIN_ROWS
ROWS += DEALS_API_ROWS
ROWS += DEALS_PAGE_ROWS
ROWS += DEALS_DOCUMENTS_ROWS + DEALS_ADMIN_ROWS
ROWS += CROWD_PREDICT_ROWS
ROWS += PLANNING_ROWS
ROWS += DASHBOARD_ROWS
ROWS += REPORT_JOBS_ROWS
ROWS += REPORTS_SCREEN_ROWS
