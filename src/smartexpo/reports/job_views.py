"""The report jobs' pages (organisers only, `core.organisers`): the dashboard's "Build the
report" forms post here; the jobs page lists the edition's recent jobs with their progress
(updated by `static/reports/jobs.js`, or by the page's Refresh link without JavaScript) and
their downloads."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from smartexpo.core import organisers
from smartexpo.core.errors import SmartExpoError
from smartexpo.reports import job_kinds, selectors
from smartexpo.reports.api import result_response
from smartexpo.reports.dashboard import organiser_page
from smartexpo.reports.forms import JobForm
from smartexpo.reports.models import JobStatus, ReportJob
from smartexpo.reports.services.jobs import job_create
from smartexpo.venue import selectors as venue

POLL_MS = 1500
organiser_json = organisers.organiser_json(gettext_lazy("Only organisers may see report jobs."))


def job_row(job: ReportJob, edition) -> dict:
    """What the page and its JSON show of a job, in the request's language."""
    job.expo = edition
    kind = job_kinds.kind_get(job.kind)
    done = job.status == JobStatus.DONE
    percent = round(100 * job.done / job.total) if job.total else (100 if done else 0)
    return {
        "id": job.pk,
        "kind": job.kind,
        "label": str(kind.label) if kind else job.kind,
        "language": job.language,
        "status": job.status,
        "status_label": str(JobStatus(job.status).label),
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "error": job.error if job.status == JobStatus.FAILED else "",
        "created_at": job.created_at.isoformat(),
        # As the dashboard shows every time: in the edition's time zone.
        "asked_at": job.created_at.astimezone(job.expo.tz).strftime("%Y-%m-%d %H:%M"),
        "requested_by": job.requested_by,
        "download": (
            reverse("reports:job-download", kwargs={"expo": edition.slug, "job_id": job.pk})
            if done
            else None
        ),
        "filename": job.filename if done else "",
    }


def _edition(expo: str):
    return venue.expo_or_404(slug=expo, published_only=False)


@require_POST
@never_cache
@organiser_page
def job_new(request: HttpRequest, expo: str) -> HttpResponse:
    edition = _edition(expo)
    form = JobForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "reports/jobs.html",
            _jobs_context(request, edition, form=form),
            status=400,
        )
    job, _created = job_create(
        expo=edition,
        kind=form.cleaned_data["kind"],
        language=form.cleaned_data["language"],
        requested_by=request.user.get_username(),
    )
    return redirect(f"{reverse('reports:jobs', kwargs={'expo': edition.slug})}?job={job.pk}")


def _jobs_context(request, edition, *, form=None) -> dict:
    rows = [job_row(job, edition) for job in selectors.recent_jobs(expo=edition)]
    config = {
        "url": reverse("reports:jobs-data", kwargs={"expo": edition.slug}),
        "pollMs": POLL_MS,
        "strings": {
            "download": _("Download"),
            "failed": _("The status could not be read; reload the page."),
        },
    }
    language = "zh-hans" if (request.LANGUAGE_CODE or "en").startswith("zh") else "en"
    return {
        "expo": edition,
        "rows": rows,
        "form": form or JobForm(initial={"language": language}),
        "config": config,
        "highlight": request.GET.get("job", ""),
    }


@require_safe
@never_cache
@organiser_page
def jobs_page(request: HttpRequest, expo: str) -> HttpResponse:
    edition = _edition(expo)
    return render(request, "reports/jobs.html", _jobs_context(request, edition))


@require_safe
@never_cache
@organiser_json
def jobs_data(request: HttpRequest, expo: str) -> JsonResponse:
    edition = _edition(expo)
    rows = [job_row(job, edition) for job in selectors.recent_jobs(expo=edition)]
    return JsonResponse({"jobs": rows}, json_dumps_params={"ensure_ascii": False})


@require_safe
@never_cache
@organiser_page
def job_download(request: HttpRequest, expo: str, job_id: int) -> HttpResponse:
    edition = _edition(expo)
    try:
        job = selectors.job_result(expo=edition, job_id=job_id)
    except SmartExpoError as error:
        if error.code == "not_found":
            raise Http404(error.message) from None
        return redirect(f"{reverse('reports:jobs', kwargs={'expo': edition.slug})}?job={job_id}")
    return result_response(job)
