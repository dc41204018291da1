from django.urls import path

from smartexpo.portal.views import (
    accounts,
    booth_devices,
    footfall,
    leads,
    meetings,
    passes,
    profile,
    report,
    suggestions,
    team,
    tokens,
)

app_name = "portal"

EXHIBITOR = "<slug:expo>/<slug:exhibitor>/"

urlpatterns = [
    path("", accounts.index, name="index"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("password-reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        accounts.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("invitations/<str:token>/", team.accept, name="accept"),
    path(EXHIBITOR, accounts.home, name="home"),
    path(EXHIBITOR + "profile/", profile.profile, name="profile"),
    path(EXHIBITOR + "showcase/", profile.showcase, name="showcase"),
    path(EXHIBITOR + "showcase/<int:pk>/", profile.showcase_edit, name="showcase-edit"),
    path(EXHIBITOR + "showcase/<int:pk>/move/", profile.showcase_move, name="showcase-move"),
    path(EXHIBITOR + "showcase/<int:pk>/delete/", profile.showcase_delete, name="showcase-delete"),
    path(EXHIBITOR + "team/", team.team, name="team"),
    path(EXHIBITOR + "team/invitations/<int:pk>/revoke/", team.revoke, name="team-revoke"),
    path(EXHIBITOR + "team/members/<int:pk>/role/", team.member_role, name="team-role"),
    path(EXHIBITOR + "team/members/<int:pk>/remove/", team.member_remove, name="team-remove"),
    path(
        EXHIBITOR + "footfall/",
        footfall.footfall,
        name="footfall",
    ),
    path(EXHIBITOR + "report.pdf", report.report_pdf, name="report-pdf"),
    path(EXHIBITOR + "suggested-visitors/", suggestions.suggestions, name="suggestions"),
    path(
        EXHIBITOR + "staff-passes/",
        passes.staff_passes,
        name="staff-passes",
    ),
    path(
        EXHIBITOR + "staff-passes/<int:pk>/resend/",
        passes.staff_pass_resend,
        name="staff-passes-resend",
    ),
    path(
        EXHIBITOR + "staff-passes/<int:pk>/cancel/",
        passes.staff_pass_cancel,
        name="staff-passes-cancel",
    ),
    path(
        EXHIBITOR + "api-tokens/",
        tokens.api_tokens,
        name="api-tokens",
    ),
    path(
        EXHIBITOR + "api-tokens/<int:pk>/revoke/",
        tokens.api_token_revoke,
        name="api-tokens-revoke",
    ),
    path(EXHIBITOR + "leads/", leads.lead_list, name="leads"),
    path(EXHIBITOR + "leads/<int:pk>/", leads.lead_edit, name="leads-edit"),
    *(
        path(
            EXHIBITOR + f"leads/export.{kind}",
            leads.lead_export,
            {"kind": kind},
            name=f"leads-export-{kind}",
        )
        for kind in leads.EXPORTS
    ),
    path(EXHIBITOR + "meetings/", meetings.meetings, name="meetings"),
    path(EXHIBITOR + "meetings.ics", meetings.meetings_ics, name="meetings-ics"),
    path(EXHIBITOR + "booth-devices/", booth_devices.booth_devices, name="booth-devices"),
    path(
        EXHIBITOR + "booth-devices/<int:pk>/revoke/",
        booth_devices.booth_device_revoke,
        name="booth-devices-revoke",
    ),
]
