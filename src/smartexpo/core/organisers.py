"""Who may open the organisers' pages (the live venue, planning): Django staff users, signed in
through the admin. One rule, so that every organiser page admits and refuses the same people."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.middleware import api_error
from smartexpo.core.responses import error_response


def is_organiser(user) -> bool:
    """An active staff account."""
    return user.is_authenticated and user.is_active and user.is_staff


def organiser_page(forbidden_template: str):
    """A view decorator: anonymous visitors go to the admin login, signed-in accounts that are
    not organisers get `forbidden_template` with a 403."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_organiser(request.user):
                return render(request, forbidden_template, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def organiser_json(refusal):
    """A view decorator for the JSON an organiser page's script polls: the same people as
    `organiser_page`, refused in the API's error shape (the script reads the status; a
    redirect to the login page would reach it as HTML it cannot use). `refusal` is the 403's
    message, a lazy translation; an unknown edition is a 404 `not_found`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return api_error(401, "unauthenticated", _("Your session has ended: log in again."))
            if not is_organiser(request.user):
                return api_error(403, "forbidden", str(refusal))
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return api_error(404, "not_found", _("No such edition."))
            except SmartExpoError as error:
                return error_response(error)

        return wrapper

    return decorate
