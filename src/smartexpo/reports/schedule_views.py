"""The daily report emails' page (organisers only, `core.organisers`): list, create, edit
(pausing is unticking "Active") and delete an edition's schedules."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from smartexpo.core.errors import SmartExpoError
from smartexpo.reports import job_kinds, selectors
from smartexpo.reports.dashboard import organiser_page
from smartexpo.reports.forms import ScheduleForm
from smartexpo.reports.services import schedules
from smartexpo.venue import selectors as venue


def _edition(expo: str):
    return venue.expo_or_404(slug=expo, published_only=False)


def _schedule(edition, schedule_id: int):
    try:
        return selectors.schedule_get(expo=edition, schedule_id=schedule_id)
    except SmartExpoError:
        raise Http404 from None


def _save(form: ScheduleForm, save) -> bool:
    """Run `save(values)` on a valid form; the service's refusals become the form's errors."""
    if not form.is_valid():
        return False
    values = {
        "recipients": form.addresses(),
        "send_time": form.cleaned_data["send_time"],
        "language": form.cleaned_data["language"],
        "kinds": form.cleaned_data["kinds"],
        "active": form.cleaned_data["active"],
    }
    try:
        save(values)
    except SmartExpoError as error:
        for field, message in error.detail.get("fields", {}).items():
            form.add_error(field if field in form.fields else None, message)
        return False
    return True


def _rows(edition) -> list[dict]:
    labels = dict(job_kinds.kind_choices())
    return [
        {
            "schedule": s,
            "kinds": [labels.get(k, k) for k in s.kinds],
            "language": _("Chinese") if s.language.startswith("zh") else _("English"),
        }
        for s in selectors.schedule_list(expo=edition)
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@organiser_page
def schedules_page(request: HttpRequest, expo: str) -> HttpResponse:
    edition = _edition(expo)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST":
        saved = _save(
            form,
            lambda values: schedules.schedule_create(
                expo=edition, created_by=request.user.get_username(), **values
            ),
        )
        if saved:
            messages.success(request, _("The daily report email is scheduled."))
            return redirect("reports:schedules", expo=edition.slug)
    context = {
        "expo": edition,
        "rows": _rows(edition),
        "form": form,
        "days": schedules.send_days(edition),
    }
    return render(request, "reports/schedules.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@organiser_page
def schedule_edit(request: HttpRequest, expo: str, schedule_id: int) -> HttpResponse:
    edition = _edition(expo)
    schedule = _schedule(edition, schedule_id)
    initial = {
        "recipients": "\n".join(schedule.recipients),
        "send_time": schedule.send_time,
        "language": schedule.language,
        "kinds": schedule.kinds,
        "active": schedule.active,
    }
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = _save(form, lambda values: schedules.schedule_update(schedule=schedule, **values))
        if saved:
            messages.success(request, _("The daily report email is saved."))
            return redirect("reports:schedules", expo=edition.slug)
    context = {"expo": edition, "schedule": schedule, "form": form}
    return render(
        request, "reports/schedule_edit.html", context, status=400 if form.errors else 200
    )


@require_POST
@never_cache
@organiser_page
def schedule_delete(request: HttpRequest, expo: str, schedule_id: int) -> HttpResponse:
    edition = _edition(expo)
    schedules.schedule_delete(schedule=_schedule(edition, schedule_id))
    messages.success(request, _("The daily report email is deleted."))
    return redirect(reverse("reports:schedules", kwargs={"expo": edition.slug}))
