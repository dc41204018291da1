"""The organiser's planning pages, under `expos/<expo>/planning/` (the root URL conf gives the
prefix)."""

from django.urls import path

from smartexpo.planning import views

app_name = "planning"

urlpatterns = [
    path("lanes/", views.lanes_page, name="lanes"),
    path("lanes/plan.csv", views.lanes_csv, name="lanes-csv"),
    path("lanes/plan.pdf", views.lanes_pdf, name="lanes-pdf"),
]
