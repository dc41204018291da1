"""An edition's dashboards and reports, under `expos/<expo>/` (the root URL conf gives the
prefix): the organiser's dashboard, the public big screen and the post-show report."""

from django.urls import path

from smartexpo.reports import dashboard, edition_views, exhibitor_views, screen_views

app_name = "reports"

urlpatterns: list = []
# The organiser's dashboard and its JSON companion (reports.dashboard).
urlpatterns += [
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("dashboard/data.json", dashboard.dashboard_data, name="dashboard-data"),
]
# The public big screen: the page and the JSON its script polls.
urlpatterns += [
    path("screen/", screen_views.screen_page, name="screen"),
    path("screen/data.json", screen_views.screen_data, name="screen-data"),
]
# The post-show report, for organisers (reports.edition_views).
urlpatterns += [
    path("report.pdf", edition_views.report_pdf, name="report-pdf"),
    path("report.xlsx", edition_views.report_xlsx, name="report-xlsx"),
]
# The exhibitor reports, for organisers (reports.exhibitor_views).
urlpatterns += [
    path(
        "exhibitors/<int:exhibitor>/report.pdf",
        exhibitor_views.exhibitor_report_pdf,
        name="exhibitor-pdf",
    ),
    path("exhibitors/reports.zip", exhibitor_views.exhibitor_reports_zip, name="exhibitors-zip"),
]
