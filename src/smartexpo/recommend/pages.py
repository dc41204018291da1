"""The recommendations on pages: the visitor's "Recommended for you" panel on their agenda
(`programme.panels`), and the exhibitor's suggested visitors (the portal's page asks
`suggested_for_portal`). Both show the active language and say why, and both offer "No thanks".
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

from smartexpo.core.errors import SmartExpoError
from smartexpo.recommend import selectors
from smartexpo.recommend.models import Dismissal, DismissedBy

# How many of each kind the agenda shows.
AGENDA_EXHIBITORS = 6
AGENDA_SESSIONS = 4


def _lang() -> str:
    return "zh" if (get_language() or "en").startswith("zh") else "en"


def _localised(items: list[dict], kind: str, lang: str) -> list[dict]:
    out = []
    for item in items:
        thing = item[kind]
        name = thing["name"] if kind == "exhibitor" else thing["title"]
        out.append(
            {
                **thing,
                "label": name[lang],
                "score": item["score"],
                "reasons": [r[lang] for r in item["reasons"]],
            }
        )
    return out


def agenda_panel(request: HttpRequest, expo, registration, token: str) -> str:
    """The agenda's "Recommended for you" panel: exhibitors and sessions worth the visitor's
    time, with reasons and "No thanks"; nothing before the edition's first model."""
    try:
        exhibitors = selectors.for_visitor(expo=expo, registration=registration, kind="exhibitor")
        sessions = selectors.for_visitor(expo=expo, registration=registration, kind="session")
    except SmartExpoError:
        return ""  # no model built yet: the agenda shows what it always showed
    lang = _lang()
    declined = (
        Dismissal.objects.filter(registration=registration, by=DismissedBy.VISITOR)
        .select_related("exhibitor")
        .order_by("-id")
    )
    context = {
        "expo": expo,
        "declined": [{"id": d.exhibitor_id, "label": d.exhibitor.name} for d in declined],
        "token": token,
        "exhibitors": _localised(exhibitors[:AGENDA_EXHIBITORS], "exhibitor", lang),
        "sessions": _localised(sessions[:AGENDA_SESSIONS], "session", lang),
        "csrf_token": get_token(request),
    }
    return render_to_string("recommend/_agenda_panel.html", context, request=request)


def suggested_for_portal(*, expo, exhibitor, limit: int = 30) -> list[dict] | None:
    """The visitors the portal's "Suggested visitors" page lists (their shared fields, score
    and reasons in the active language), or None before the edition's first model."""
    try:
        found = selectors.for_exhibitor(expo=expo, exhibitor=exhibitor, limit=limit)
    except SmartExpoError:
        return None
    lang = _lang()
    return [
        {
            "registration": item["visitor"]["registration"],
            "fields": {k: v for k, v in item["visitor"].items() if k != "registration"},
            "score": item["score"],
            "reasons": [r[lang] for r in item["reasons"]],
        }
        for item in found
    ]
