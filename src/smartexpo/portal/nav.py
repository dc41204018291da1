"""The portal's sections, in the order of its navigation. Later features add their section
here, and the portal's navigation and home page list it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smartexpo.exhibitors.members import is_admin, is_organiser


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str
    admin_only: bool = False


SECTIONS = [
    Section("portal:home", _("Home")),
    Section("portal:profile", _("Profile")),
    Section("portal:showcase", _("Showcase")),
    Section("portal:team", _("Team"), admin_only=True),
    Section("portal:footfall", _("Footfall")),
    Section("portal:staff-passes", _("Staff passes")),
    Section("portal:api-tokens", _("API tokens"), admin_only=True),
]


def sections_for(request) -> list[dict]:
    """The sections the signed-in person may open for `request.exhibitor`, each with its URL
    and whether it is the current page (a section's sub-pages are named `<section>-…`)."""
    exhibitor = request.exhibitor
    allowed_admin = is_admin(request.membership) or is_organiser(request.user)
    view_name = request.resolver_match.view_name if request.resolver_match else ""
    result = []
    for section in SECTIONS:
        if section.admin_only and not allowed_admin:
            continue
        result.append(
            {
                "url": reverse(section.url_name, args=[exhibitor.expo.slug, exhibitor.slug]),
                "label": section.label,
                "current": view_name == section.url_name
                or view_name.startswith(section.url_name + "-"),
                "url_name": section.url_name,
            }
        )
    return result
