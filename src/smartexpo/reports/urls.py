"""An edition's dashboards and reports, under `expos/<expo>/` (the root URL conf gives the
prefix): the organiser's dashboard, the public big screen and the post-show report."""

from django.urls import path

from smartexpo.reports import (
    dashboard,
    edition_views,
    exhibitor_views,
    job_views,
    schedule_views,
    screen_views,
)

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
]
# Report jobs built in the background, and the daily report emails (reports.job_views,
# reports.schedule_views), for organisers.
urlpatterns += [
    path("jobs/", job_views.jobs_page, name="jobs"),
    path("jobs/new", job_views.job_new, name="job-new"),
    path("jobs/data.json", job_views.jobs_data, name="jobs-data"),
    path("jobs/<int:job_id>/download", job_views.job_download, name="job-download"),
    path("schedules/", schedule_views.schedules_page, name="schedules"),
    path("schedules/<int:schedule_id>/", schedule_views.schedule_edit, name="schedule-edit"),
    path(
        "schedules/<int:schedule_id>/delete",
        schedule_views.schedule_delete,
        name="schedule-delete",
    ),
]
