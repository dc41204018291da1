"""The booth page's addresses (docs/booth-scanner.md), bilingual like every page."""

from django.urls import path

from smartexpo.leads import booth_views

app_name = "booth"

urlpatterns = [
    path("expos/<slug:expo>/booth/", booth_views.booth, name="page"),
    path("expos/<slug:expo>/booth/sw.js", booth_views.booth_service_worker, name="sw"),
]
