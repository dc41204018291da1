"""Who may open which page of an exhibitor's portal.

`portal_view` wraps every page under /portal/<expo>/<exhibitor>/: anonymous visitors go to the
login page; a signed-in person who is not a member gets the same 404 as an address that names
no exhibitor, so the portal does not tell who exhibits; organisers (back-office staff allowed to
change exhibitors) may open any exhibitor's portal to help; a page for administrators answers
403 to a member of the exhibitor's staff.
"""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from smartexpo.exhibitors import members
from smartexpo.exhibitors.models import MemberRole


def portal_view(admin_only: bool = False):
    """Decorate a view taking (request, expo, exhibitor, ...) with the portal's access rules;
    sets `request.exhibitor`, `request.expo` and `request.membership` (None for an organiser
    who is not a member)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, expo: str, exhibitor: str, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("portal:login"))
            found = members.portal_exhibitor(expo_slug=expo, slug=exhibitor)
            if found is None:
                raise Http404
            membership = members.membership_get(user=request.user, exhibitor=found)
            organiser = members.is_organiser(request.user)
            if membership is None and not organiser:
                raise Http404
            request.exhibitor = found
            request.expo = found.expo
            request.membership = membership
            if admin_only and not organiser and membership.role != MemberRole.ADMIN:
                return render(
                    request,
                    "portal/forbidden.html",
                    {"expo": found.expo, "exhibitor": found},
                    status=403,
                )
            return view(request, expo, exhibitor, *args, **kwargs)

        return wrapper

    return decorator
