"""An edition's dashboards and reports, under `expos/<expo>/` (the root URL conf gives the
prefix): the organiser's dashboard and the public big screen."""

from django.urls import path

from smartexpo.reports import dashboard

app_name = "reports"

# The screen's and the dashboard's pages are added here by their modules' views.
urlpatterns: list = []
# The organiser's dashboard and its JSON companion (reports.dashboard).
urlpatterns += [
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("dashboard/data.json", dashboard.dashboard_data, name="dashboard-data"),
]
