"""The portal's staff passes: the exhibitor's grants and passes, issuing one, sending its ticket
again, cancelling one.

The rules are the ticket services' (`tickets.services.restricted`, `.cancellation`), as the
exhibitor's API applies them: a pass takes one of the grant's passes in the registration's own
transaction (so concurrent members never issue more than granted), and cancelling revokes its
ticket and gives the pass back to the grant. Who may do what (docs/registration-access.md):
every member issues passes and has their e-tickets emailed again; only the exhibitor's admins
(and organisers) cancel one, since a cancelled ticket stops someone at the gate. For the same
reason only they see a pass's ticket page and PDF: their addresses carry the pass's manage
token, and the ticket page can cancel the pass too."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors import members
from smartexpo.portal.access import portal_view
from smartexpo.portal.pass_forms import StaffPassForm
from smartexpo.tickets import selectors as ticket_selectors
from smartexpo.tickets.models import RegistrationStatus
from smartexpo.tickets.services import restricted
from smartexpo.tickets.services.cancellation import registration_cancel


def _may_cancel(request: HttpRequest) -> bool:
    """Admins and organisers, as `portal_view(admin_only=True)` lets through."""
    return members.is_admin(request.membership) or members.is_organiser(request.user)


def _pass_rows(exhibitor, *, with_links: bool) -> list[dict]:
    rows = []
    for registration in restricted.staff_passes(exhibitor=exhibitor):
        # The manage token opens the pass's page, where it can be cancelled: only those who
        # may cancel are given it.
        token = ticket_selectors.manage_token_of(registration) if with_links else None
        tickets = list(registration.tickets.all())
        rows.append(
            {
                "registration": registration,
                "active": registration.status == RegistrationStatus.ACTIVE,
                "days": sorted({d for t in tickets for d in t.days}),
                "token": token,
                "tickets": tickets,
            }
        )
    return rows


def _grants(exhibitor) -> list:
    return list(restricted.pass_grants(exhibitor=exhibitor).prefetch_related("ticket_type__quotas"))


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("portal:staff-passes", expo=request.expo.slug, exhibitor=request.exhibitor.slug)


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view()
def staff_passes(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    edition, firm = request.expo, request.exhibitor
    grants = _grants(firm)
    form = StaffPassForm(request.POST or None, expo=edition, grants=grants)
    if request.method == "POST" and grants and form.is_valid():
        try:
            issued = restricted.staff_pass_issue(
                exhibitor=firm, language=translation.get_language() or "en", **form.service_fields()
            )
        except SmartExpoError as exc:
            form.apply_refusal(exc)
            grants = _grants(firm)  # the grant's count has moved if another took the last one
        else:
            messages.success(
                request,
                _("Staff pass issued to %(name)s. The e-ticket is on its way to %(email)s.")
                % {"name": issued.registration.name, "email": issued.registration.email},
            )
            return _back(request)
    context = {
        "expo": edition,
        "exhibitor": firm,
        "grants": grants,
        "form": form,
        "passes": _pass_rows(firm, with_links=_may_cancel(request)),
        "may_cancel": _may_cancel(request),
        "available": sum(max(0, g.passes - g.used) for g in grants),
    }
    status = 422 if form.errors else 200
    return render(request, "portal/staff_passes.html", context, status=status)


def _pass(request: HttpRequest, pk: int):
    try:
        return restricted.staff_pass_get(exhibitor=request.exhibitor, pk=pk)
    except SmartExpoError:
        raise Http404 from None


@require_POST
@portal_view()
def staff_pass_resend(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    registration = _pass(request, pk)
    if restricted.staff_pass_resend(registration=registration):
        messages.success(
            request,
            _("The e-ticket will be emailed to %(email)s again in a moment.")
            % {"email": registration.email},
        )
    elif registration.status == RegistrationStatus.ACTIVE:
        messages.info(
            request,
            _("The e-ticket email to %(email)s is already on its way.")
            % {"email": registration.email},
        )
    else:
        messages.error(request, _("This pass is cancelled: there is no ticket to send."))
    return _back(request)


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view(admin_only=True)
def staff_pass_cancel(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    registration = _pass(request, pk)
    if request.method == "POST":
        if registration.status == RegistrationStatus.ACTIVE:
            registration_cancel(registration=registration)
            messages.success(
                request,
                _(
                    "The pass of %(name)s is cancelled: its ticket no longer opens the gates, and "
                    "the pass is back among those you can issue."
                )
                % {"name": registration.name},
            )
        return _back(request)
    context = {"expo": request.expo, "exhibitor": request.exhibitor, "registration": registration}
    return render(request, "portal/staff_pass_cancel.html", context)
