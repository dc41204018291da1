"""An edition's dashboards and reports, under `expos/<expo>/` (the root URL conf gives the
prefix): the organiser's dashboard and the public big screen."""

from django.urls import path

from smartexpo.reports import screen_views

app_name = "reports"

# The screen's and the dashboard's pages are added here by their modules' views.
urlpatterns: list = []

# The public big screen: the page and the JSON its script polls.
urlpatterns += [
    path("screen/", screen_views.screen_page, name="screen"),
    path("screen/data.json", screen_views.screen_data, name="screen-data"),
]
