"""Folding in the background: `smartexpo serve` keeps the occupancy history current, so that
alerts are raised the second their movements arrive, whether or not anybody is reading."""

from __future__ import annotations

import logging

from smartexpo.core.periodic import Periodic
from smartexpo.crowd.models import PendingMovement
from smartexpo.crowd.services import pending_fold
from smartexpo.venue.models import Expo

logger = logging.getLogger("smartexpo.crowd")
INTERVAL_SECONDS = 1.0


def fold_all(*, expo: Expo | None = None) -> int:
    """Fold the pending movements of one edition, or of every edition that has some; returns
    how many were folded."""
    if expo is not None:
        return pending_fold(expo=expo).movements
    waiting = set(PendingMovement.objects.values_list("expo_id", flat=True).distinct())
    return sum(pending_fold(expo=e).movements for e in Expo.objects.filter(pk__in=waiting))


class Folder(Periodic):
    """A daemon thread folding every edition's pending movements until `stop()`."""

    def __init__(self, interval: float = INTERVAL_SECONDS):
        super().__init__(
            name="crowd-folder",
            interval=interval,
            work=fold_all,
            logger=logger,
            failure="Folding pending movements failed",
        )
