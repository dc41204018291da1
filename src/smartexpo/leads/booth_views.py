"""The booth page: an exhibitor's staff capture leads by scanning visitors' e-tickets, on a phone
or a tablet, online or not (docs/booth-scanner.md).

The page is static apart from its labels, like the gate scanner's (`checkin.views.scanner`),
whose modules it loads: everything it does goes through the leads API with the staff device's
token (kept in the browser, never sent to this view). Offline it verifies a ticket's secret
with WebCrypto (Ed25519, `checkin/scanner-secrets.js`) against the public keys and revoked
serials of the leads set-up, queues the capture with its time, and syncs it through
`POST …/leads` (with `captured_at`) when the network returns.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from smartexpo.venue import selectors as venue
from smartexpo.venue.clock import demo_clock_out

# The most captures a device keeps once synced (the newest): the portal lists them all; the
# page only needs the recent ones, and a phone's storage holds no more personal data than that.
KEEP_SYNCED = 50


def _counted(one: str, other: str) -> dict[str, str]:
    """A counted message for the script, `{n}` standing for the number (as the scanner's)."""
    return {"one": one, "other": other}


def booth_strings() -> dict:
    """Every text the booth page's script shows, in the request's language."""
    return {
        "captured": pgettext("lead verdict", "CAPTURED"),
        "again": pgettext("lead verdict", "ALREADY CAPTURED"),
        "refused": pgettext("lead verdict", "REFUSED"),
        "captured_help": _("Add a rating, a note or tags below, or scan the next visitor."),
        "again_help": _("This visitor is already among your leads: change the note below."),
        "edit": _("Edit"),
        "reasons": {
            "invalid": _("Not a valid ticket code"),
            "revoked": _("Ticket cancelled"),
            "lead_capture_off": _("Lead capture is off for this edition"),
            "no_offline_check": _("Cannot check tickets offline in this browser"),
            "other": _("Refused"),
        },
        "states": {
            "offline": _("Captured offline · waiting to sync"),
            "pending": _("Waiting to sync"),
            "changed": _("Changes waiting to sync"),
            "synced": _("Synced"),
            "refused": _("Refused: {reason}"),
        },
        "online": pgettext("network status", "Online"),
        "offline": pgettext("network status", "Offline"),
        "serial": _("Serial"),
        "visitor_unknown": _("Visitor’s details appear once synced"),
        "rating": _("Rating {n} of 5"),
        "no_rating": _("Not rated"),
        "queue_offline": _counted(
            ngettext("Offline — {n} lead waiting", "Offline — {n} leads waiting", 1),
            ngettext("Offline — {n} lead waiting", "Offline — {n} leads waiting", 2),
        ),
        "queue_online": _counted(
            ngettext("Syncing — {n} lead waiting", "Syncing — {n} leads waiting", 1),
            ngettext("Syncing — {n} lead waiting", "Syncing — {n} leads waiting", 2),
        ),
        "queue_empty": _("All leads synced"),
        # The gate scanner's words for a demo clock (checkin/scanner-clock.js shows them).
        "demo_clock": _(
            "Demo clock {time} ({zone}): not the real time. This edition's scans are dated by it."
        ),
        "keys_updated": _("Ticket keys updated {time}"),
        "keys_never": _("Ticket keys not loaded yet"),
        "capture_off": _(
            "Lead capture is off for this edition: the organiser has not opened it. Scans are "
            "refused."
        ),
        "camera_start": _("Use the camera"),
        "camera_stop": _("Stop the camera"),
        "errors": {
            "token_required": _("Paste the device token first."),
            "token_rejected": _(
                "This token was not accepted. Check that you pasted the whole device token."
            ),
            "token_forbidden": _(
                "This token does not belong to an exhibitor's booth device of this edition."
            ),
            "token_revoked": _("This device's token is no longer accepted. Sign in again."),
            "sign_in_offline": _("Cannot reach the server. Signing in needs a connection."),
            "server": _("The server could not answer ({status}). Try again."),
            "storage": _("This device's storage is full: offline leads cannot be kept."),
            "camera": _("The camera cannot be used here: scan with a reader or type the code."),
            "sign_out_queue": _counted(
                ngettext(
                    "{n} lead is still waiting to sync. Go online before signing out.",
                    "{n} leads are still waiting to sync. Go online before signing out.",
                    1,
                ),
                ngettext(
                    "{n} lead is still waiting to sync. Go online before signing out.",
                    "{n} leads are still waiting to sync. Go online before signing out.",
                    2,
                ),
            ),
            "no_crypto": _(
                "This browser cannot verify tickets offline: open the page over HTTPS in a "
                "current Chrome, Edge or Safari."
            ),
        },
    }


@require_safe
def booth(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    api = f"/api/v1/expos/{edition.slug}/leads"
    config = {
        "expo": edition.slug,
        "lang": "zh" if (translation.get_language() or "en").startswith("zh") else "en",
        "api": {"setup": f"{api}/setup", "leads": api},
        # Its own keys: a phone may also be a gate scanner of the same edition.
        "storage": f"smartexpo.booth.{edition.slug}.",
        "timezone": edition.timezone,
        "demoClock": demo_clock_out(edition),
        "serviceWorker": reverse("booth:sw", kwargs={"expo": edition.slug}),
        "keepSynced": KEEP_SYNCED,
        "onlineTimeoutMs": 3000,
        "retryMs": 5000,
        "strings": booth_strings(),
    }
    return render(request, "leads/booth.html", {"expo": edition, "config": config})


@require_safe
@never_cache
def booth_service_worker(request: HttpRequest, expo: str) -> HttpResponse:
    """The gate scanner's service worker (network first, the API never cached), served under
    the booth page's own address so that its scope is that page: a reload at the booth while
    the network is down still shows it."""
    venue.expo_or_404(slug=expo)
    path = finders.find("checkin/scanner-sw.js")
    if not path:  # pragma: no cover - shipped with the checkin app
        raise Http404
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    return HttpResponse(source, content_type="text/javascript; charset=utf-8")
