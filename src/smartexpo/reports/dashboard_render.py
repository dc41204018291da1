"""The dashboard's answer made from its payload: the sections' HTML the page's script swaps in,
and the JSON body that `data.json` answers (the page's poll). Made once per payload in each
process (`ByPayload`), and by the report worker for every process at once
(`dashboard_shared`)."""

from __future__ import annotations

import json
import threading

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from smartexpo.reports import dashboard_links

# The sections the script replaces, in page order: each is `reports/dashboard_<name>.html`.
SECTIONS = ("registrations", "bookings", "admissions", "halls", "alerts", "activity", "deals")


def context(edition, payload: dict) -> dict:
    """The templates' context: the edition, the payload as `d` and the figures' sources."""
    return {"expo": edition, "d": payload, "links": dashboard_links.links(edition, payload)}


class ByPayload:
    """What is made from a kept payload, by the payload's identity: the polls of one interval
    are answered it without making it again. A few entries suffice (one payload per edition
    and language is current at a time)."""

    KEPT = 16

    def __init__(self):
        self._made: dict[int, tuple[object, object]] = {}
        self._lock = threading.Lock()

    def get(self, payload, make):
        with self._lock:
            kept = self._made.get(id(payload))
        if kept is not None and kept[0] is payload:
            return kept[1]
        made = make()
        with self._lock:
            if len(self._made) >= self.KEPT:
                self._made.clear()
            self._made[id(payload)] = (payload, made)
        return made


# The sections' HTML, the JSON answer and a stored answer read back: at 700,000 visitors
# encoding it is a good part of a poll's cost, and the polls of an interval all answer the
# same bytes.
_rendered = ByPayload()
_bodies = ByPayload()
_parsed = ByPayload()


def sections(edition, payload: dict) -> dict[str, str]:
    """Each section's HTML, in the active language."""

    def render_all() -> dict[str, str]:
        made = context(edition, payload)
        return {name: render_to_string(f"reports/dashboard_{name}.html", made) for name in SECTIONS}

    return _rendered.get(payload, render_all)


def body(edition, payload: dict) -> bytes:
    """The JSON `data.json` answers: the instant, the figures and the sections' HTML."""

    def encode() -> bytes:
        answer = {
            "at": payload["at"],
            "local": payload["local"],
            "clock": payload["clock"],
            "figures": payload,
            "sections": sections(edition, payload),
        }
        return json.dumps(answer, cls=DjangoJSONEncoder, ensure_ascii=False).encode()

    return _bodies.get(payload, encode)


def parsed(answer: bytes) -> tuple[dict, dict[str, str]]:
    """A stored answer read back for the page: its figures (as JSON has them: what the page's
    template and the sources' links read are text already) and its sections' HTML."""

    def parse():
        decoded = json.loads(answer)
        # The HTML was rendered, and escaped, by `sections` before it was stored.
        html = {name: mark_safe(text) for name, text in decoded["sections"].items()}  # noqa: S308
        return decoded["figures"], html

    return _parsed.get(answer, parse)
