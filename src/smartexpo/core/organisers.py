"""Who may open the organisers' pages (the live venue, planning): Django staff users, signed in
through the admin. One rule, so that every organiser page admits and refuses the same people."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.shortcuts import render


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
