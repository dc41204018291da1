"""One exhibitor's report for organisers (`core.organisers`, as the dashboard and the
post-show report): `…/reports/exhibitors/<id>/report.pdf`. Each exhibitor's own staff download
theirs from the portal (`portal:report-pdf`). All of them in one ZIP is a report job
(`job_kinds`, "exhibitors-zip"): at full scale it takes longer than a request may."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from smartexpo.exhibitors.models import Exhibitor
from smartexpo.reports.dashboard import organiser_page
from smartexpo.reports.edition_views import _download
from smartexpo.reports.exhibitor import exhibitor_context, exhibitor_report
from smartexpo.reports.exhibitor_bundle import member_name
from smartexpo.reports.exhibitor_pdf import exhibitor_pdf
from smartexpo.venue import selectors as venue


@require_safe
@never_cache
@organiser_page
def exhibitor_report_pdf(request: HttpRequest, expo: str, exhibitor: int) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo, published_only=False)
    firm = Exhibitor.objects.select_related("sector").filter(expo=edition, pk=exhibitor).first()
    if firm is None:
        raise Http404
    report = exhibitor_report(context=exhibitor_context(expo=edition), exhibitor=firm)
    return _download(exhibitor_pdf(report), "application/pdf", member_name(report, firm.slug))
