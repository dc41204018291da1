"""A visitor's own data, behind the manage link: download it as JSON, or erase it."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from smartexpo.core.audit import VISITOR
from smartexpo.core.errors import SmartExpoError
from smartexpo.privacy import services
from smartexpo.privacy.forms import EraseForm
from smartexpo.tickets import selectors
from smartexpo.venue import selectors as venue


def _registration(expo: str, token: str):
    """The edition and the registration a manage link names, or 404 (an erased registration's
    link is one of no registration)."""
    try:
        edition = venue.expo_get(slug=expo)
    except SmartExpoError:
        raise Http404 from None
    registration = selectors.registration_by_manage_token(raw=token)
    if registration is None or registration.expo_id != edition.pk:
        raise Http404
    registration.expo = edition
    return edition, registration


def export_json(data) -> str:
    """An export as the file people download (the API's encoding: UTF-8, ISO instants)."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def personal_data(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    """Everything stored about the visitor, as a JSON file to keep."""
    _edition, registration = _registration(expo, token)
    data = services.personal_data_export(registration=registration, actor=VISITOR, via="page")
    response = HttpResponse(export_json(data), content_type="application/json; charset=utf-8")
    name = f"personal-data-{expo}-{registration.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def erase(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    """Erase the visitor's data, once they ticked the confirmation; then the page that says
    it is done (the manage link no longer works, so it cannot be where they land)."""
    edition, registration = _registration(expo, token)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.personal_data_erase(registration=registration, actor=VISITOR, via="page")
        return redirect("privacy:erased", expo=edition.slug)
    context = {"expo": edition, "registration": registration, "token": token, "form": form}
    return render(request, "privacy/erase.html", context, status=422 if form.errors else 200)


def erased(request: HttpRequest, expo: str) -> HttpResponse:
    try:
        edition = venue.expo_get(slug=expo)
    except SmartExpoError:
        raise Http404 from None
    return render(request, "privacy/erased.html", {"expo": edition})
