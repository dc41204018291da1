"""A recommendation's reasons in both languages, from the engine's reason codes.

The engine says why with codes (`engine.Reason`: "same_sector" with `{"sector": "smart-
vehicles"}`); this module turns them into `{"en": "same sector: smart vehicles", "zh":
"同一领域：智能汽车"}` with the names the database holds (`Names`, read when a model is loaded).
Every answer carries both languages, whatever the request's, so that a page or an app shows the
visitor's language without asking again.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Mapping

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from smartexpo.exhibitors.models import Sector, Tag
from smartexpo.tickets.models import Intent
from smartexpo.venue.models import Zone, ZoneKind

LANGUAGES = (("en", "en"), ("zh", "zh-hans"))


@dataclasses.dataclass(frozen=True)
class Names:
    """Code → (English, Chinese) of the sectors, tags, halls and intents a reason may name."""

    sectors: Mapping[str, tuple[str, str]]
    tags: Mapping[str, tuple[str, str]]
    halls: Mapping[str, tuple[str, str]]

    @classmethod
    def read(cls, *, expo_id: int) -> Names:
        def pairs(rows: Iterable[tuple[str, str, str]]) -> dict[str, tuple[str, str]]:
            return {code: (en, zh or en) for code, en, zh in rows}

        return cls(
            sectors=pairs(Sector.objects.values_list("code", "name_en", "name_zh")),
            tags=pairs(Tag.objects.values_list("code", "name_en", "name_zh")),
            halls=pairs(
                Zone.objects.filter(expo_id=expo_id, kind=ZoneKind.HALL).values_list(
                    "code", "code", "code"
                )
            ),
        )


def _templates() -> dict[str, dict[str, str]]:
    """Each reason code's sentence, per language (read once per process: the catalogues do not
    change while it runs)."""
    found: dict[str, dict[str, str]] = {}
    for key, language in LANGUAGES:
        with translation.override(language):
            texts = {
                "same_sector": _("same sector: {sector}"),
                "shared_tags": _("shared interests: {tags}"),
                "intent_match": _("matches the intent “{intent}” in {sector}"),
                "similar_text": _("close to the profile"),
                "visited_hall": _("visited hall {hall}"),
                "visitors_like_you": _("people with similar visits chose it"),
                "popular": _("popular at this edition"),
                "separator": pgettext("list of names", ", "),
            }
            texts.update({f"intent:{value}": str(label) for value, label in Intent.choices})
        for code, text in texts.items():
            found.setdefault(code, {})[key] = text
    return found


_lock = threading.Lock()
_cache: dict[str, dict[str, dict[str, str]]] = {}


def templates() -> dict[str, dict[str, str]]:
    if "t" not in _cache:
        with _lock:
            _cache["t"] = _templates()
    return _cache["t"]


def _name(table: Mapping[str, tuple[str, str]], code: str, key: str) -> str:
    pair = table.get(code)
    if pair is None:
        return code
    return pair[0] if key == "en" else pair[1]


def _codes(value) -> list[str]:
    """A reason's list parameter: the engine passes a list, or codes joined by commas."""
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return [str(v) for v in value or ()]


def render(reason, names: Names) -> dict[str, str] | None:
    """The reason as `{"en", "zh"}`, or None for a code this version does not know."""
    texts = templates()
    template = texts.get(reason.code)
    if template is None or reason.code == "separator" or reason.code.startswith("intent:"):
        return None
    params = reason.params or {}
    out = {}
    for key, _language in LANGUAGES:
        values = {
            "sector": _name(names.sectors, str(params.get("sector", "")), key),
            "hall": _name(names.halls, str(params.get("hall", "")), key),
            "tags": texts["separator"][key].join(
                _name(names.tags, code, key) for code in _codes(params.get("tags"))
            ),
            "intent": texts.get(f"intent:{params.get('intent', '')}", {}).get(
                key, str(params.get("intent", ""))
            ),
        }
        out[key] = template[key].format(**values)
    return out


def render_all(reasons: Iterable, names: Names) -> list[dict[str, str]]:
    """The reasons the engine gave, rendered, unknown codes left out."""
    return [text for text in (render(r, names) for r in reasons) if text is not None]


def forget_templates() -> None:
    """Drop the sentences (a test that changes the catalogues starts over)."""
    with _lock:
        _cache.clear()
