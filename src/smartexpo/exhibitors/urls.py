from django.urls import re_path

from smartexpo.exhibitors import views

urlpatterns = [
    re_path(
        r"^images/(?P<sha256>[0-9a-f]{64})\.(?P<ext>jpg|png|webp)$",
        views.image,
        name="exhibitor-image",
    ),
]
