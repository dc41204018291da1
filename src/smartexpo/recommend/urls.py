from django.urls import path

from smartexpo.recommend import views

app_name = "recommend"

urlpatterns = [
    path(
        "expos/<slug:expo>/my/<str:token>/recommendations/dismiss/",
        views.dismiss,
        name="dismiss",
    ),
]
