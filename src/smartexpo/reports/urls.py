"""An edition's dashboards and reports, under `expos/<expo>/` (the root URL conf gives the
prefix): the organiser's dashboard and the public big screen."""

from django.urls import path

app_name = "reports"

# The screen's and the dashboard's pages are added here by their modules' views.
urlpatterns: list = []
