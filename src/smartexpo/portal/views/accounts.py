"""Signing in and out, the password reset, the list of one's exhibitors and an exhibitor's
home page. Thin views: the access rules are `access.portal_view`'s, the writes the
`exhibitors` services'."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.ratelimit import client_address, rate_limit_enforce
from smartexpo.exhibitors import members
from smartexpo.exhibitors.models import ExhibitorStatus
from smartexpo.portal.access import portal_view
from smartexpo.portal.forms import LoginForm
from smartexpo.portal.nav import sections_for

RATE_LIMITED_MESSAGE = _("Too many requests from your network; please try again in a minute.")

portal_login_required = login_required(login_url=reverse_lazy("portal:login"))


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("portal:index")


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal:login")


@portal_login_required
def index(request: HttpRequest) -> HttpResponse:
    """The exhibitors the signed-in person belongs to; straight to the one when there is one."""
    memberships = list(members.memberships_of(request.user))
    if len(memberships) == 1:
        exhibitor = memberships[0].exhibitor
        return redirect("portal:home", expo=exhibitor.expo.slug, exhibitor=exhibitor.slug)
    context = {
        "memberships": memberships,
        "organiser": members.is_organiser(request.user),
    }
    return render(request, "portal/index.html", context)


@portal_view()
def home(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    """The exhibitor's dashboard: its name, booths, approval and the way to each section."""
    booths = [
        a.booth
        for a in request.exhibitor.booth_assignments.select_related(
            "booth", "booth__hall"
        ).order_by("booth__code")
    ]
    context = {
        "booths": booths,
        "sections": [s for s in sections_for(request) if s["url_name"] != "portal:home"],
        "showcase_count": request.exhibitor.showcase.count(),
        "public": request.exhibitor.status == ExhibitorStatus.APPROVED,
    }
    return render_portal(request, "portal/home.html", context)


def render_portal(request: HttpRequest, template: str, context: dict, status: int = 200):
    """Render a page of an exhibitor's portal (after `portal_view`)."""
    context = {"expo": request.expo, "exhibitor": request.exhibitor, **context}
    return render(request, template, context, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per client address: each ask may send an email."""

    template_name = "portal/password_reset_form.html"
    email_template_name = "portal/password_reset_email.txt"
    subject_template_name = "portal/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password-reset-done")

    def form_valid(self, form):
        try:
            rate_limit_enforce(
                scope="portal-password-reset",
                client=client_address(self.request),
                limit=settings.SMARTEXPO_RATE_LIMIT_PORTAL_EMAILS,
                message="Too many requests from this address; try again later.",
            )
        except SmartExpoError:
            form.add_error(None, RATE_LIMITED_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # Links in emails point at the public address, not at whatever Host the ask came with.
        self.extra_email_context = {"base_url": settings.SMARTEXPO_BASE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"
