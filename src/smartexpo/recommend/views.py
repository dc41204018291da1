"""The visitor's "No thanks" from the agenda page's panel (the exhibitor's is the portal's)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartexpo.exhibitors.models import Exhibitor, ExhibitorStatus
from smartexpo.recommend.models import DismissedBy
from smartexpo.recommend.services.dismissals import dismissal_add, dismissal_remove
from smartexpo.tickets import selectors as tickets
from smartexpo.venue import selectors as venue


@require_POST
def dismiss(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    """ "No thanks" (or its undo) to an exhibitor, by the registration whose manage link this is;
    back to the agenda's panel."""
    edition = venue.expo_or_404(slug=expo)
    registration = tickets.registration_by_manage_token(raw=token)
    if registration is None or registration.expo_id != edition.pk:
        raise Http404
    back = redirect("programme:agenda", expo=edition.slug, token=token)
    back["Location"] += "#recommended"
    value = request.POST.get("exhibitor", "")
    exhibitor = (
        Exhibitor.objects.filter(
            expo=edition, pk=int(value), status=ExhibitorStatus.APPROVED
        ).first()
        if value.isdigit() and len(value) < 12
        else None
    )
    if exhibitor is None:
        messages.error(request, _("That exhibitor is not in this edition's catalogue."))
        return back
    name = exhibitor.name
    if request.POST.get("action") == "undo":
        dismissal_remove(registration=registration, exhibitor=exhibitor, by=DismissedBy.VISITOR)
        messages.success(request, _("%(name)s may be recommended to you again.") % {"name": name})
        return back
    dismissal_add(registration=registration, exhibitor=exhibitor, by=DismissedBy.VISITOR)
    messages.success(
        request, _("No thanks: %(name)s will not be recommended to you again.") % {"name": name}
    )
    return back
