"""The portal's leads: the visitors the exhibitor's staff captured at the booth, filtered by
rating, tag or words, each lead's note, rating and tags edited in place, and the list as CSV,
an Excel workbook or vCards.

What the exhibitor sees of a visitor is the leads app's to decide (`leads.selectors`): the
fields the visitor shares now, nothing after a withdrawal; the files are the leads app's
exports, the API's. Who may do what: every member reads and annotates the leads (the booth's
staff captured them); only the exhibitor's admins (and organisers) export them, as only the
exhibitor's own API token may (not a booth device's): a file is a copy that a visitor's later
withdrawal or narrowed consent can no longer reach.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors import members
from smartexpo.leads import exports
from smartexpo.leads import selectors as leads
from smartexpo.leads.services.capture import lead_update
from smartexpo.portal.access import portal_view
from smartexpo.portal.lead_forms import LeadFilterForm, LeadForm

PER_PAGE = 50
KEPT_QUERY = ("rating", "tag", "q", "page")
EXPORTS = ("csv", "xlsx", "vcf")


def may_export(request: HttpRequest) -> bool:
    """Admins and organisers, as `portal_view(admin_only=True)` lets through."""
    return members.is_admin(request.membership) or members.is_organiser(request.user)


def _query(data: QueryDict, keep=KEPT_QUERY) -> str:
    """The list's own parameters of a query string, and nothing else (the address a form
    sends back to is built from them, never taken whole from the request)."""
    kept = QueryDict(mutable=True)
    for name in keep:
        if data.get(name):
            kept[name] = data[name][:120]
    return kept.urlencode()


def lead_row(lead, expo) -> dict:
    """A lead as the list shows it: only what `leads.selectors` lets the exhibitor see."""
    return {
        "lead": lead,
        "holder": leads.holder(lead),
        "visitor": leads.visitor_fields(lead, expo),
        # In the edition's time zone, as the exports write it (not the server's).
        "captured_at": timezone.localtime(lead.captured_at, expo.tz).strftime("%Y-%m-%d %H:%M"),
        "device": lead.device.name if lead.device_id and lead.device else None,
        "form": LeadForm.for_lead(lead),
    }


@require_safe
@portal_view()
def lead_list(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    edition, firm = request.expo, request.exhibitor
    filters = LeadFilterForm(request.GET or None)
    chosen = filters.filters()
    found = leads.lead_list(exhibitor=firm, expo=edition, **chosen)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    query = _query(request.GET, keep=("rating", "tag", "q"))
    context = {
        "expo": edition,
        "exhibitor": firm,
        "filters": filters,
        "filtered": any(v is not None for v in chosen.values()),
        "page": page,
        "rows": [lead_row(lead, edition) for lead in page.object_list],
        "total": leads.lead_list(exhibitor=firm, expo=edition).count(),
        "query": query,
        "back": _query(request.GET),
        "may_export": may_export(request),
        "exports": [
            (kind, reverse(f"portal:leads-export-{kind}", args=[edition.slug, firm.slug]))
            for kind in EXPORTS
        ],
        "booth_url": reverse("booth:page", args=[edition.slug]),
    }
    return render(request, "portal/leads.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view()
def lead_edit(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    edition, firm = request.expo, request.exhibitor
    try:
        lead = leads.lead_get(exhibitor=firm, pk=pk)
    except SmartExpoError:
        raise Http404 from None
    back = _query(request.GET)
    form = LeadForm.for_lead(lead, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        lead_update(lead=lead, fields=form.lead_fields())
        messages.success(request, _("Lead %(serial)s saved.") % {"serial": lead.serial})
        url = reverse("portal:leads", args=[edition.slug, firm.slug])
        return redirect(f"{url}{'?' + back if back else ''}#lead-{lead.pk}")
    context = {
        "expo": edition,
        "exhibitor": firm,
        "row": {**lead_row(lead, edition), "form": form},
        "back": back,
    }
    return render(request, "portal/lead_edit.html", context, status=422 if form.errors else 200)


@require_safe
@portal_view(admin_only=True)
def lead_export(request: HttpRequest, expo: str, exhibitor: str, kind: str) -> HttpResponse:
    edition, firm = request.expo, request.exhibitor
    chosen = LeadFilterForm(request.GET or None).filters()
    found = leads.lead_list(exhibitor=firm, expo=edition, **chosen)
    return exports.response(kind, found, expo=edition, exhibitor=firm)
