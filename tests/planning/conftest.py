"""The planning tests' edition with two gates: North with 10 lanes and East with 2."""

from __future__ import annotations

import pytest

from smartexpo.venue.models import Gate, Zone, ZoneKind


@pytest.fixture
def gates(expo):
    venue = Zone.objects.filter(expo=expo, kind=ZoneKind.VENUE).first()
    Gate.objects.create(expo=expo, code="G-N", name_en="North", zone=venue, lanes=10)
    Gate.objects.create(expo=expo, code="G-E", name_en="East", zone=venue, lanes=2)
    return expo
