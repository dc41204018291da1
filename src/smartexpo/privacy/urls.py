from django.urls import path

from smartexpo.privacy import views

app_name = "privacy"

urlpatterns = [
    path(
        "expos/<slug:expo>/my/<str:token>/personal-data.json",
        views.personal_data,
        name="personal-data",
    ),
    path("expos/<slug:expo>/my/<str:token>/erase/", views.erase, name="erase"),
    path("expos/<slug:expo>/erased/", views.erased, name="erased"),
]
