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
    summary: str = ""  # what the home page says the section is for


SECTIONS = [
    Section("portal:home", _("Home")),
    Section(
        "portal:profile",
        _("Profile"),
        summary=_("Your name, description, website, tags and logo, in English and Chinese."),
    ),
    Section(
        "portal:showcase",
        _("Showcase"),
        summary=_("The products and technologies you show, with a picture each."),
    ),
    Section(
        "portal:team",
        _("Team"),
        admin_only=True,
        summary=_("Invite colleagues, change their roles, withdraw invitations."),
    ),
    Section(
        "portal:footfall",
        _("Footfall"),
        summary=_("Visits, distinct visitors and time spent at your booth, day by day."),
    ),
    Section(
        "portal:suggestions",
        _("Suggested visitors"),
        summary=_("Visitors who share their details and match what you offer, with why."),
    ),
    Section(
        "portal:staff-passes",
        _("Staff passes"),
        summary=_("Issue the passes your staff wear at the booth, and send them again."),
    ),
    Section(
        "portal:leads",
        _("Leads"),
        summary=_("The visitors your staff scanned at the booth, with notes and ratings; export."),
    ),
    Section(
        "portal:meetings",
        _("Meetings"),
        summary=_(
            "Business meetings: request visitors and exhibitors, answer requests, your schedule."
        ),
    ),
    Section(
        "portal:booth-devices",
        _("Booth devices"),
        admin_only=True,
        summary=_("Phones and tablets your staff capture leads with on the booth page."),
    ),
    Section(
        "portal:api-tokens",
        _("API tokens"),
        admin_only=True,
        summary=_("Keys that let your own systems use the API as your company."),
    ),
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
                "summary": section.summary,
            }
        )
    return result
