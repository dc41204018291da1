from django.urls import path

from smartexpo.portal import views

app_name = "portal"

urlpatterns = [
    path("portal/", views.index, name="index"),
    path("portal/login/", views.LoginView.as_view(), name="login"),
    path("portal/logout/", views.LogoutView.as_view(), name="logout"),
    path("portal/password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "portal/password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "portal/password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "portal/password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("portal/<slug:expo>/<slug:exhibitor>/", views.home, name="home"),
    path("portal/<slug:expo>/<slug:exhibitor>/team/", views.team, name="team"),
]
