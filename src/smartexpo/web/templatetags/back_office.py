"""The back office home's "Shortcuts" panel (`admin/smartexpo_index.html`)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from smartexpo.web.selectors import editions_newest_first

register = template.Library()


@register.inclusion_tag("admin/shortcuts.html", takes_context=True)
def back_office_shortcuts(context) -> dict:
    """Links per edition (newest first) and the API docs, in the page's language; the
    programme's publish page only to those who may publish."""
    request = context.get("request")
    can_publish = request is not None and request.user.has_perm("programme.publish_release")
    editions = []
    today = timezone.localdate()
    for expo in editions_newest_first():
        # The entries of today during the show, else of its first day (the page's own choice).
        day = today if expo.starts_on <= today <= expo.ends_on else expo.starts_on
        entries = (
            reverse("admin:checkin_scan_entries")
            + "?"
            + urlencode({"expo": expo.pk, "day": day.isoformat()})
        )
        editions.append(
            {
                "expo": expo,
                "site": reverse("web:expo-home", kwargs={"expo": expo.slug}),
                "live": reverse("crowd:live", kwargs={"expo": expo.slug}),
                "lanes": reverse("planning:lanes", kwargs={"expo": expo.slug}),
                "scanner": reverse("checkin:scanner", kwargs={"expo": expo.slug}),
                "entries": entries,
                "change": reverse("admin:venue_expo_change", args=[expo.pk]),
                "grid": reverse("admin:programme_session_grid") + f"?expo={expo.pk}",
                "publish": (
                    reverse("admin:programme_release_publish") + f"?expo={expo.pk}"
                    if can_publish
                    else None
                ),
            }
        )
    return {"editions": editions, "api_docs": reverse("api-v1:openapi-view")}
