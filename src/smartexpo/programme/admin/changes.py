"""A release's changes (`snapshot.changes_between`) as an organiser reads them: each session by
its title, a move with where and when from and to, in the page's language."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from smartexpo.programme.display import lang_key

KINDS = {
    "added": _("Added"),
    "moved": _("Moved"),
    "changed": _("Changed"),
    "cancelled": _("Cancelled"),
}


@dataclasses.dataclass(frozen=True)
class ChangeLine:
    kind: str
    label: str
    session: int
    title: str
    detail: str = ""


def _when(place: dict[str, Any], rooms: dict[str, str]) -> str:
    start = dt.datetime.fromisoformat(place["starts_at"])
    end = dt.datetime.fromisoformat(place["ends_at"])
    return "{}–{}, {}".format(
        date_format(start, "D j M H:i"),
        date_format(end, "H:i"),
        rooms.get(place["room"], place["room"]),
    )


def readable_changes(
    changes: dict[str, list], before: list[dict], after: list[dict]
) -> list[ChangeLine]:
    """One line per session a release adds, moves, changes or cancels (`before`: the records
    of the release before it, `after`: its own)."""
    lang = lang_key()
    old = {r["id"]: r for r in before}
    new = {r["id"]: r for r in after}
    rooms = {r["room"]: r["room_name"][lang] for r in (*before, *after)}

    def title(pk: int) -> str:
        record = new.get(pk) or old.get(pk)
        return record["title"][lang] if record else f"#{pk}"

    lines = [ChangeLine("added", KINDS["added"], pk, title(pk)) for pk in changes.get("added", [])]
    for move in changes.get("moved", []):
        detail = _("from %(from)s to %(to)s") % {
            "from": _when(move["from"], rooms),
            "to": _when(move["to"], rooms),
        }
        lines.append(ChangeLine("moved", KINDS["moved"], move["id"], title(move["id"]), detail))
    lines += [
        ChangeLine("changed", KINDS["changed"], pk, title(pk)) for pk in changes.get("changed", [])
    ]
    lines += [
        ChangeLine("cancelled", KINDS["cancelled"], pk, title(pk))
        for pk in changes.get("cancelled", [])
    ]
    return lines


def warnings_digest(warnings) -> str:
    """A short fingerprint of a set of warnings: the publish page sends the one its reader saw,
    so that a warning raised meanwhile is shown before anyone confirms it."""
    text = "\n".join(sorted(f"{w.code}:{sorted(w.sessions)}" for w in warnings))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
