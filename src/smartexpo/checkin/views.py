"""The gate scanner page: a tablet at a gate scans tickets online, and decides alone offline.

The page is static apart from its labels: everything it does goes through the check-in API
with the device token the gate staff paste in (kept in the browser, never sent to this view).
Offline it verifies secrets in the browser with WebCrypto (Ed25519) and walks the rule table of
`smartexpo.checkin.rules`, handed over in the page's configuration (`rules`), as
`smartexpo.checkin.offline` does; see `static/checkin/rules.js` and `scanner-secrets.js`. An
edition on a demo clock (`venue.clock`) has the page date its scans by it, and say so on screen.
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

from smartexpo.checkin import rules
from smartexpo.checkin.schemas import MAX_BATCH
from smartexpo.venue import selectors as venue
from smartexpo.venue.clock import demo_clock_out

# The sync endpoint takes at most this many scans per request (docs/api.md).
SYNC_BATCH = MAX_BATCH


def _counted(one: str, other: str) -> dict[str, str]:
    """A counted message for the script, `{n}` standing for the number: its form for 1 and
    for other numbers (English and Chinese need no more). Callers spell out both `ngettext`
    calls so that makemessages finds the strings."""
    return {"one": one, "other": other}


def scanner_strings() -> dict:
    """Every text the scanner's script shows, in the request's language."""
    return {
        "admit": pgettext("gate verdict", "ADMIT"),
        "reject": pgettext("gate verdict", "REJECT"),
        "reasons": {
            "invalid": _("Not a valid ticket code"),
            "unknown": _("No such ticket"),
            "revoked": _("Ticket cancelled"),
            "wrong_day": _("Not valid today"),
            "already_inside": _("Already inside"),
            "not_inside": _("Not checked in, cannot exit here"),
            "zone_not_allowed": _("Ticket not valid for this area"),
            "gate_not_allowed": _("This device does not serve this gate"),
            "not_reserved": _("No reservation for this session"),
            "conflict": _("Conflicts with the server's records"),
            "no_offline_check": _("Cannot check tickets offline in this browser"),
            "other": _("Refused"),
        },
        "online": pgettext("network status", "Online"),
        "offline": pgettext("network status", "Offline"),
        "offline_decision": _("Decided offline"),
        "direction_in": pgettext("gate direction", "In"),
        "direction_out": pgettext("gate direction", "Out"),
        "serial": _("Serial"),
        "queue_offline": _counted(
            ngettext("Offline — {n} scan waiting", "Offline — {n} scans waiting", 1),
            ngettext("Offline — {n} scan waiting", "Offline — {n} scans waiting", 2),
        ),
        "queue_online": _counted(
            ngettext("Syncing — {n} scan waiting", "Syncing — {n} scans waiting", 1),
            ngettext("Syncing — {n} scan waiting", "Syncing — {n} scans waiting", 2),
        ),
        "queue_empty": _("All scans synced"),
        "conflicts": _counted(
            ngettext(
                "{n} synced scan conflicted with the server's records",
                "{n} synced scans conflicted with the server's records",
                1,
            ),
            ngettext(
                "{n} synced scan conflicted with the server's records",
                "{n} synced scans conflicted with the server's records",
                2,
            ),
        ),
        "refused": _counted(
            ngettext(
                "{n} synced scan was refused by the server",
                "{n} synced scans were refused by the server",
                1,
            ),
            ngettext(
                "{n} synced scan was refused by the server",
                "{n} synced scans were refused by the server",
                2,
            ),
        ),
        "demo_clock": _(
            "Demo clock {time} ({zone}): not the real time. This edition's scans are dated by it."
        ),
        "demo_badge": _("Demo clock {time}"),
        "keys_updated": _("Ticket keys updated {time}"),
        "keys_never": _("Ticket keys not loaded yet"),
        "errors": {
            "token_required": _("Paste the device token first."),
            "token_rejected": _(
                "This token was not accepted. Check that you pasted the whole device token."
            ),
            "token_forbidden": _("This token does not belong to a gate scanner of this edition."),
            "token_revoked": _("This device's token is no longer accepted. Sign in again."),
            "sign_in_offline": _("Cannot reach the server. Signing in needs a connection."),
            "server": _("The server could not answer ({status}). Try again."),
            "choose_gate": _("Choose a gate first."),
            "storage": _("This device's storage is full: offline scans cannot be kept."),
            "no_gates": _("This device serves no gate of this edition."),
            "sign_out_queue": _counted(
                ngettext(
                    "{n} scan is still waiting to sync. Go online before signing out.",
                    "{n} scans are still waiting to sync. Go online before signing out.",
                    1,
                ),
                ngettext(
                    "{n} scan is still waiting to sync. Go online before signing out.",
                    "{n} scans are still waiting to sync. Go online before signing out.",
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
def scanner(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    api = f"/api/v1/expos/{edition.slug}/checkin"
    config = {
        "expo": edition.slug,
        "lang": "zh" if (translation.get_language() or "en").startswith("zh") else "en",
        "api": {
            "setup": f"{api}/setup",
            "keys": f"{api}/keys",
            "scans": f"{api}/scans",
            "sync": f"{api}/sync",
        },
        "storage": f"smartexpo.scanner.{edition.slug}.",
        "timezone": edition.timezone,
        # The edition's demo clock, until the device's set-up (which carries it too) is read.
        "demoClock": demo_clock_out(edition),
        "serviceWorker": reverse("checkin:scanner-sw", kwargs={"expo": edition.slug}),
        "syncBatch": SYNC_BATCH,
        # The check-in rules, in their order: the script decides offline by them.
        "rules": rules.table(),
        "onlineTimeoutMs": 1500,
        "resultMs": 2000,
        "retryMs": 5000,
        "strings": scanner_strings(),
    }
    return render(request, "checkin/scanner.html", {"expo": edition, "config": config})


@require_safe
@never_cache
def scanner_service_worker(request: HttpRequest, expo: str) -> HttpResponse:
    """The scanner's service worker, served under the page's own address so that its scope
    is the page: a reload at the gate while the network is down still shows the scanner."""
    venue.expo_or_404(slug=expo)
    path = finders.find("checkin/scanner-sw.js")
    if not path:  # pragma: no cover - shipped with the app
        raise Http404
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    return HttpResponse(source, content_type="text/javascript; charset=utf-8")
