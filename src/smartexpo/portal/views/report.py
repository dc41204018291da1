"""The exhibitor's own report as a PDF (`reports.exhibitor_pdf`: English, then Chinese), for
every member of its staff: of a visitor it holds only what every member sees in the leads list
(the serial and the masked name), so unlike the leads' exports it is no copy of personal data
that a withdrawal could no longer reach."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from smartexpo.portal.access import portal_view
from smartexpo.reports.exhibitor import exhibitor_context, exhibitor_report
from smartexpo.reports.exhibitor_bundle import member_name
from smartexpo.reports.exhibitor_pdf import exhibitor_pdf


@require_safe
@never_cache
@portal_view()
def report_pdf(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    firm = request.exhibitor
    context = exhibitor_context(expo=request.expo)
    report = exhibitor_report(context=context, exhibitor=firm)
    response = HttpResponse(exhibitor_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{member_name(report, firm.slug)}"'
    return response
