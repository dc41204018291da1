"""The public big screen of an edition (`/expos/<expo>/reports/screen/`): a 1920 × 1080 page for
the entrance hall, and the JSON its script polls (`screen/data.json`).

Public: nobody signs in, and nothing personal is shown. The English address shows English and
Chinese side by side, the Chinese one (`/zh-hans/…`) Chinese only. The page arrives with the
figures of now (it reads without JavaScript); `static/reports/screen.js` then polls the JSON
and updates the page in place (docs/reports.md, "The public big screen").
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from smartexpo.core.middleware import api_error
from smartexpo.reports import screen
from smartexpo.venue import selectors as venue

POLL_MS = 5000
TIMEOUT_MS = 8000
# A failed poll is tried again after POLL_MS, then twice as long each time, up to this.
BACKOFF_MAX_MS = 60_000
HTML_LANG = {"en": "en", "zh": "zh-Hans"}


def _langs() -> list[str]:
    """The languages the screen shows: Chinese alone on a Chinese address, else both."""
    return ["zh"] if (translation.get_language() or "en").startswith("zh") else ["en", "zh"]


@require_safe
def screen_page(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    data = screen.screen_snapshot(expo=edition)
    labels = screen.labels()
    langs = _langs()
    config = {
        "url": reverse("reports:screen-data", kwargs={"expo": edition.slug}),
        "pollMs": POLL_MS,
        "timeoutMs": TIMEOUT_MS,
        "backoffMaxMs": BACKOFF_MAX_MS,
        "langs": langs,
        "timezone": edition.timezone,
        # Only the languages shown: the Chinese page carries no English.
        "labels": {key: {lang: names[lang] for lang in langs} for key, names in labels.items()},
    }
    context = {
        "expo": edition,
        "data": data,
        "langs": langs,
        "bilingual": len(langs) == 2,
        "config": config,
        "texts": {key: _texts(names, langs) for key, names in labels.items()},
        "status": _texts(_status(data, labels), langs),
        # Fixed slots, filled or left empty: the script fills the same ones on every poll.
        "hall_lists": [
            (
                key,
                _texts(labels[key], langs),
                _slots(data["halls"][key], screen.HALLS_SHOWN, langs, "name", "level_name"),
            )
            for key in ("busiest", "quietest")
        ],
        "sessions": _slots(data["sessions"], screen.SESSIONS_SHOWN, langs, "title", "room_name"),
        "figures": {
            "visitors_today": f"{data['visitors']['today']:,}",
            "visitors_total": f"{data['visitors']['total']:,}",
            "deals_projects": f"{data['deals']['projects']:,}",
            "deals_at_expo": f"{data['deals']['at_expo']:,}",
        },
    }
    return render(request, "reports/screen.html", context)


def _slots(items: list, size: int, langs: list[str], *keys: str) -> list[dict]:
    """`size` slots, the items first: each `{"item": item or None}` with its names (`keys`) in
    the screen's languages as (HTML language, text) pairs, empty in an empty slot."""
    blank = {key: {"en": "", "zh": ""} for key in keys}
    slots = []
    for i in range(size):
        item = items[i] if i < len(items) else None
        names = item or blank
        slots.append({"item": item, **{f"{k}_texts": _texts(names[k], langs) for k in keys}})
    return slots


def _texts(names: dict[str, str], langs: list[str]) -> list[tuple[str, str]]:
    return [(HTML_LANG[lang], names[lang]) for lang in langs]


def _status(data: dict, labels: dict) -> dict[str, str]:
    clock = data["clock"]
    if clock["open"]:
        return {k: v % {"time": clock["closes"]} for k, v in labels["open_until"].items()}
    return labels["closed"]


@require_safe
def screen_data(request: HttpRequest, expo: str) -> HttpResponse:
    """The screen's figures now, the same for every screen and language for a few seconds
    (`screen.screen_snapshot`)."""
    try:
        edition = venue.expo_or_404(slug=expo)
    except Http404:
        return api_error(404, "not_found", "No such edition.")
    response = JsonResponse(
        screen.screen_snapshot(expo=edition), json_dumps_params={"ensure_ascii": False}
    )
    # Shared caches may keep it as long as the server does; the figures are public.
    response["Cache-Control"] = f"public, max-age={int(screen.CACHE_SECONDS)}"
    return response
