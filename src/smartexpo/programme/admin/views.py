"""The programme admin's own pages: the week grid of a room and "Publish the programme"."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from smartexpo.core.admin import edition_choice_response, requested_edition
from smartexpo.core.errors import SmartExpoError
from smartexpo.programme.admin.changes import readable_changes, warnings_digest
from smartexpo.programme.admin.forms import PublishForm
from smartexpo.programme.grid import rooms_of, week_grid
from smartexpo.programme.selectors import programme_preview
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.venue.models import Expo

__all__ = ["PermissionDenied", "grid", "publish"]

PUBLISH_PERMISSION = "programme.publish_release"


def _edition(request) -> Expo | None:
    """The edition asked for (`?expo=<id>`), else the newest."""
    chosen = requested_edition(request)
    expo = Expo.objects.filter(pk=chosen).first() if chosen is not None else None
    return expo or Expo.objects.order_by("-starts_on", "-id").first()


def grid(model_admin, request):
    """One room's week: the edition's days as columns, sessions placed by their time, those
    with warnings marked, each linked to its change page; the free hours link to an add page
    prefilled with the room, the day and the hour."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    expo = _edition(request)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Week grid of a forum room"),
        "editions": Expo.objects.order_by("-starts_on", "-id"),
        "expo": expo,
    }
    if expo is not None:
        rooms = list(rooms_of(expo))
        room = next((r for r in rooms if r.code == request.GET.get("room")), None)
        room = room or (rooms[0] if rooms else None)
        context.update(rooms=rooms, room=room)
        if room is not None:
            context["grid"] = week = week_grid(expo=expo, room=room)
            context["title"] = _("Week grid of %(room)s") % {"room": room.name}
            context["room_links"] = [
                (r, "?" + urlencode({"expo": expo.pk, "room": r.code})) for r in rooms
            ]
            if model_admin.has_add_permission(request):
                context["add_slots"] = _add_slots(expo, room, week)
    return TemplateResponse(request, "admin/programme/session/grid.html", context)


def _add_slots(expo: Expo, room, week) -> list[dict]:
    """An "add a session here" link for every hour of every day of the grid."""
    add = reverse("admin:programme_session_add")
    slots = []
    for column, day in enumerate(week.days, start=1):
        for hour in week.hours:
            start = dt.datetime.combine(day, hour.time)
            query = {"expo": expo.pk, "room": room.pk, "starts_at": start.isoformat()}
            slots.append(
                {
                    "column": column,
                    "row": hour.row,
                    "url": f"{add}?{urlencode(query)}",
                    "label": _("Add a session on %(day)s at %(time)s")
                    % {"day": day.isoformat(), "time": hour.label},
                }
            )
    return slots


def publish(model_admin, request):
    """What publishing the working copy would change, the warnings open, and the publish
    button; warnings open need the explicit confirmation, which `programme_publish` checks."""
    if not request.user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied
    chosen = requested_edition(request)
    if chosen is None:
        return edition_choice_response(
            request,
            site=model_admin.admin_site,
            opts=model_admin.model._meta,
            title=_("Publish the programme: choose the edition"),
        )
    expo = get_object_or_404(Expo, pk=chosen)
    preview = programme_preview(expo=expo)
    digest = warnings_digest(preview.warnings)
    # The page sends back the digest of the warnings it showed (`seen`, always today's).
    form = PublishForm(
        request.POST if request.method == "POST" else None, warnings=len(preview.warnings)
    )
    if request.method == "POST" and form.is_valid():
        confirm = bool(form.cleaned_data.get("confirm"))
        if confirm and form.cleaned_data["seen"] != digest:
            # Confirmed other warnings than those open now: show these before anyone agrees.
            form.add_error(
                "confirm",
                _("The warnings changed since this page was opened; check them and confirm again."),
            )
        else:
            try:
                release = programme_publish(
                    expo=expo,
                    actor=request.user.get_username(),
                    confirm=confirm,
                    comment=form.cleaned_data["comment"],
                )
            except SmartExpoError as exc:
                if exc.code != "unconfirmed_warnings":
                    raise
                form.add_error(None, exc.message)
            else:
                model_admin.message_user(
                    request,
                    _("Version %(version)s of the programme of %(expo)s is published.")
                    % {"version": release.version, "expo": expo.name},
                    messages.SUCCESS,
                )
                return redirect("admin:programme_release_change", release.pk)
    previous = preview.previous
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Publish the programme of %(expo)s") % {"expo": expo.name},
        "expo": expo,
        "preview": preview,
        "changes": readable_changes(
            preview.changes, previous.sessions if previous else [], preview.records
        ),
        "form": form,
        "digest": digest,
        "grid_url": reverse("admin:programme_session_grid") + "?" + urlencode({"expo": expo.pk}),
    }
    return TemplateResponse(request, "admin/programme/release/publish.html", context)
