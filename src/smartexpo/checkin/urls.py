from django.urls import path

from smartexpo.checkin import views

app_name = "checkin"

urlpatterns = [
    path("expos/<slug:expo>/scanner/", views.scanner, name="scanner"),
    path("expos/<slug:expo>/scanner/sw.js", views.scanner_service_worker, name="scanner-sw"),
]
