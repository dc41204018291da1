from django.urls import path

from smartexpo.crowd import views

app_name = "crowd"

urlpatterns = [
    path("expos/<slug:expo>/live/", views.live_page, name="live"),
    path("expos/<slug:expo>/live/data.json", views.live_data, name="live-data"),
    path("expos/<slug:expo>/live/chart.json", views.live_chart, name="live-chart"),
    path(
        "expos/<slug:expo>/live/alerts/<int:alert_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
    path("vendor/plotly-<str:version>.min.js", views.plotly_bundle, name="plotly"),
]
