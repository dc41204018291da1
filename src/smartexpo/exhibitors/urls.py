from django.urls import path

from smartexpo.exhibitors import views

urlpatterns = [
    # <sha256>.<jpg|png|webp>: the content hash names the file, so it is cached for good.
    path("images/<str:filename>", views.image, name="exhibitor-image"),
]
