"""The team page (an exhibitor's members and invitations, for its administrators) and the
invitation's page, where a person accepts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors import members
from smartexpo.exhibitors.models import MemberRole
from smartexpo.portal.access import portal_view
from smartexpo.portal.forms import AcceptForm, InviteForm, RoleForm, add_service_errors
from smartexpo.portal.views.accounts import render_portal


def _back_to_team(request):
    return redirect("portal:team", expo=request.expo.slug, exhibitor=request.exhibitor.slug)


def _change(request, change, saved) -> bool:
    """Make a change to the team (a service call): its refusal, or the message `saved()` made
    once it is done (so it can tell the new state), for the next page. True if it was made."""
    try:
        change()
    except SmartExpoError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, saved())
    return True


@portal_view(admin_only=True)
def team(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    """The exhibitor's people, the invitations still waiting, and the form to invite."""
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            invitation = members.invitation_send(
                exhibitor=request.exhibitor,
                invited_by=request.user,
                language=translation.get_language() or "en",
                **form.cleaned_data,
            )
        except SmartExpoError as exc:
            add_service_errors(form, exc)
            status = 429 if exc.code == "rate_limited" else 422
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return _back_to_team(request)
    elif request.method == "POST":
        status = 422
    team_members = list(members.member_list(exhibitor=request.exhibitor))
    context = {
        "form": form,
        "members": team_members,
        "invitations": members.invitation_pending_list(exhibitor=request.exhibitor),
        "roles": MemberRole.choices,
        "admins": sum(1 for m in team_members if m.role == MemberRole.ADMIN),
    }
    return render_portal(request, "portal/team.html", context, status=status)


@require_POST
@portal_view(admin_only=True)
def revoke(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    """Withdraw a waiting invitation."""
    invitation = members.invitation_of(exhibitor=request.exhibitor, pk=pk)
    if invitation is None:
        messages.error(request, _("This invitation does not exist any more."))
        return _back_to_team(request)
    _change(
        request,
        lambda: members.invitation_revoke(invitation=invitation),
        lambda: _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email},
    )
    return _back_to_team(request)


@require_POST
@portal_view(admin_only=True)
def member_role(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    """Change a member's role."""
    member = members.member_get(exhibitor=request.exhibitor, pk=pk)
    form = RoleForm(request.POST)
    if member is None or not form.is_valid():
        messages.error(request, _("Nothing was changed: choose a member and a role."))
        return _back_to_team(request)
    _change(
        request,
        lambda: members.member_set_role(member=member, role=form.cleaned_data["role"]),
        lambda: (
            _("%(person)s is now %(role)s.")
            % {
                "person": member.user.email or member.user.username,
                "role": member.get_role_display(),
            }
        ),
    )
    return _back_to_team(request)


@require_POST
@portal_view(admin_only=True)
def member_remove(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    """Take a person off the team; one who removes themselves leaves the portal."""
    member = members.member_get(exhibitor=request.exhibitor, pk=pk)
    if member is None:
        messages.error(request, _("This person is not on the team any more."))
        return _back_to_team(request)
    removed = _change(
        request,
        lambda: members.member_remove(member=member),
        lambda: (
            _("%(person)s is no longer on the team.")
            % {"person": member.user.email or member.user.username}
        ),
    )
    if not removed:
        return _back_to_team(request)
    if member.user_id == request.user.pk and not members.is_organiser(request.user):
        return redirect("portal:index")
    return _back_to_team(request)


INVALID_TITLES = {
    "accepted": gettext_lazy("This invitation has been used already"),
    "revoked": gettext_lazy("This invitation was withdrawn"),
    "expired": gettext_lazy("This invitation has expired"),
    "unknown": gettext_lazy("This invitation link is not valid"),
}


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's page: a signed-in person joins with one click; anyone else creates an
    account (name and password) and is signed in. A used, withdrawn, expired or unknown link
    says which, translated."""
    invitation = members.invitation_get(token=token)
    state = members.invitation_state(invitation)
    if state != "valid":
        context = {"state": state, "title": str(INVALID_TITLES[state])}
        return render(
            request, "portal/accept_invalid.html", context, status=410 if invitation else 404
        )
    exhibitor = invitation.exhibitor
    context = {"invitation": invitation, "exhibitor": exhibitor, "expo": exhibitor.expo}
    signed_in = request.user.is_authenticated
    form = None if signed_in else AcceptForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if signed_in:
                members.invitation_accept(token=token, user=request.user)
            elif form.is_valid():
                user = members.invitation_accept_new_account(
                    token=token,
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                status = 422
        except SmartExpoError as exc:
            if exc.code.startswith("invitation_"):
                state = exc.code.removeprefix("invitation_")
                context = {"state": state, "title": str(INVALID_TITLES[state])}
                return render(request, "portal/accept_invalid.html", context, status=410)
            add_service_errors(form, exc)
            status = 422
        if status == 200:
            messages.success(
                request,
                _("Welcome to the portal of %(exhibitor)s.") % {"exhibitor": exhibitor.name},
            )
            return redirect("portal:home", expo=exhibitor.expo.slug, exhibitor=exhibitor.slug)
    context["form"] = form
    return render(request, "portal/accept.html", context, status=status)
