"""The post-show report's downloads: `…/reports/report.pdf` (bilingual) and
`…/reports/report.xlsx` (in the page's language), for organisers only (`core.organisers`, as
the dashboard)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from smartexpo.reports import edition, edition_pdf, edition_xlsx
from smartexpo.reports.dashboard import organiser_page
from smartexpo.venue import selectors as venue

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@never_cache
@organiser_page
def report_pdf(request: HttpRequest, expo: str) -> HttpResponse:
    edition_ = venue.expo_or_404(slug=expo, published_only=False)
    body = edition_pdf.report_pdf(edition.edition_report(expo=edition_))
    return _download(body, "application/pdf", f"{edition_.slug}-report.pdf")


@require_safe
@never_cache
@organiser_page
def report_xlsx(request: HttpRequest, expo: str) -> HttpResponse:
    edition_ = venue.expo_or_404(slug=expo, published_only=False)
    body = edition_xlsx.report_xlsx(edition.edition_report(expo=edition_))
    suffix = "-zh" if edition_pdf.language() == "zh" else ""
    return _download(body, XLSX, f"{edition_.slug}-report{suffix}.xlsx")
