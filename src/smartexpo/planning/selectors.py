"""Reads for planning: an edition's gates and their installed lanes."""

from __future__ import annotations

from smartexpo.venue.models import Expo, Gate


def gate_lanes(*, expo: Expo) -> dict[str, int]:
    """Installed lanes of each of the edition's gates, by gate code (the gates' order)."""
    return dict(Gate.objects.filter(expo=expo).order_by("id").values_list("code", "lanes"))
