"""A note the deals pages show above an edition's figures, offered by an app above this one
(the demo marks its invented projects as illustrative): deals cannot import it, so the app
registers a provider when it is ready, as the programme's agenda panels are registered."""

from __future__ import annotations

from collections.abc import Callable

from smartexpo.venue.models import Expo

Provider = Callable[..., dict[str, str] | None]
_providers: list[Provider] = []


def note_provider_register(provider: Provider) -> None:
    """Add `provider(expo=…) -> {"en", "zh"} | None` (once, however often it is called)."""
    if provider not in _providers:
        _providers.append(provider)


def note_for(*, expo: Expo) -> dict[str, str] | None:
    """The first note a provider gives for `expo`, or None."""
    for provider in _providers:
        note = provider(expo=expo)
        if note:
            return note
    return None
