"""URLs: the JSON API under /api/v1 (no language prefix), the admin, and the bilingual pages.

Pages use `i18n_patterns` without a prefix for English: `/exhibitors/…` is English and
`/zh-hans/exhibitors/…` is Chinese, so every page has a stable, shareable address per language.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from smartexpo.checkin.api import router as checkin_router
from smartexpo.core import health
from smartexpo.core.api import build_api
from smartexpo.crowd.api import router as crowd_router
from smartexpo.deals.api import router as deals_router
from smartexpo.exhibitors.api import router as exhibitors_router
from smartexpo.leads.api import router as leads_router
from smartexpo.meetings.api import router as meetings_router
from smartexpo.meetings.cards_api import router as meetings_cards_router
from smartexpo.meetings.checkin_api import router as meetings_checkin_router
from smartexpo.meetings.schedule_api import router as meetings_schedule_router
from smartexpo.privacy.api import router as privacy_router
from smartexpo.programme.api import router as programme_router
from smartexpo.programme.attendance_api import router as attendance_router
from smartexpo.recommend.api import router as recommend_router
from smartexpo.tickets.api import router as tickets_router
from smartexpo.tickets.restricted_api import router as restricted_router
from smartexpo.venue.api import router as venue_router
from smartexpo.web import views as web_views

api = build_api()
api.add_router("", venue_router)
api.add_router("", exhibitors_router)
api.add_router("", tickets_router)
api.add_router("", restricted_router)
api.add_router("", privacy_router)
api.add_router("", checkin_router)
api.add_router("", crowd_router)
api.add_router("", programme_router)
api.add_router("", attendance_router)
api.add_router("", recommend_router)
api.add_router("", leads_router)
api.add_router("", meetings_router)
api.add_router("", meetings_schedule_router)
api.add_router("", meetings_cards_router)
api.add_router("", meetings_checkin_router)
api.add_router("", deals_router)
api.add_router("", "smartexpo.deals.documents_api.router")  # a deal's PDFs, organisers only
api.add_router("", "smartexpo.planning.api.router")  # the attendance forecast
api.add_router("", "smartexpo.reports.api.router")  # report jobs, organisers only

urlpatterns = [
    # For load balancers and service managers; outside the versioned API and every language.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("i18n/setlang/", web_views.switch_language, name="set_language"),
    path("", include("smartexpo.exhibitors.urls")),
    path("", include("smartexpo.programme.feed_urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Its own prefix, so no other page tries its patterns; early, so a public deals page (a
    # link shared at the signing ceremony, thousands at once) tries few before its own.
    path("expos/<slug:expo>/deals/", include("smartexpo.deals.urls")),
    # The organiser's plans (staff only), under their own prefix.
    path("expos/<slug:expo>/planning/", include("smartexpo.planning.urls")),
    # The organiser's dashboard and the public big screen, under their own prefix.
    path("expos/<slug:expo>/reports/", include("smartexpo.reports.urls")),
    path("", include("smartexpo.tickets.urls")),
    path("", include("smartexpo.privacy.urls")),
    path("", include("smartexpo.checkin.urls")),
    path("", include("smartexpo.crowd.urls")),
    # Every portal address starts so: the pages after it need not try its ~30 patterns.
    path("portal/", include("smartexpo.portal.urls")),
    path("", include("smartexpo.programme.urls")),
    path("", include("smartexpo.recommend.urls")),
    path("", include("smartexpo.leads.urls")),
    path("", include("smartexpo.leads.booth_urls")),
    path("", include("smartexpo.meetings.urls")),
    path("", include("smartexpo.web.urls")),
    prefix_default_language=False,
)

handler404 = "smartexpo.web.views.page_not_found"
handler500 = "smartexpo.web.views.server_error"
