from django.urls import path

from smartexpo.portal import footfall_views, pass_views, token_views, views

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
    path(
        "portal/<slug:expo>/<slug:exhibitor>/footfall/",
        footfall_views.footfall,
        name="footfall",
    ),
    path(
        "portal/<slug:expo>/<slug:exhibitor>/staff-passes/",
        pass_views.staff_passes,
        name="staff-passes",
    ),
    path(
        "portal/<slug:expo>/<slug:exhibitor>/staff-passes/<int:pk>/resend/",
        pass_views.staff_pass_resend,
        name="staff-passes-resend",
    ),
    path(
        "portal/<slug:expo>/<slug:exhibitor>/staff-passes/<int:pk>/cancel/",
        pass_views.staff_pass_cancel,
        name="staff-passes-cancel",
    ),
    path(
        "portal/<slug:expo>/<slug:exhibitor>/api-tokens/",
        token_views.api_tokens,
        name="api-tokens",
    ),
    path(
        "portal/<slug:expo>/<slug:exhibitor>/api-tokens/<int:pk>/revoke/",
        token_views.api_token_revoke,
        name="api-tokens-revoke",
    ),
]
