"""Panels a higher app adds to the visitor's agenda page (the recommendations' "Recommended
for you"): the programme sits below them and cannot import them, so they register a callable
here in their `AppConfig.ready()`.

A panel is called as `panel(request, expo, registration, token)` and returns HTML (already
escaped, `SafeString`) or "" to show nothing; the agenda shows the panels in the order they
were registered, below the agenda's sessions.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

Panel = Callable[[HttpRequest, object, object, str], str]

_agenda_panels: list[Panel] = []


def agenda_panel_register(panel: Panel) -> None:
    """Show `panel` on every visitor's agenda page (registering it twice shows it once)."""
    if panel not in _agenda_panels:
        _agenda_panels.append(panel)


def agenda_panels(request: HttpRequest, expo, registration, token: str) -> list[str]:
    """The registered panels' HTML for this agenda page, the empty ones left out."""
    found = (panel(request, expo, registration, token) for panel in _agenda_panels)
    return [html for html in found if html]
