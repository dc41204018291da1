"""Writes of venue intelligence: folding movements, acknowledging alerts, the replay clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from smartexpo.core.errors import SmartExpoError, not_found
from smartexpo.crowd import queries
from smartexpo.crowd.fold import FoldReport, Movements, fold_apply, fold_plan, movements_fold
from smartexpo.crowd.models import CrowdAlert, ReplayClock
from smartexpo.venue.models import Expo

# Movements folded per transaction: bounds the memory and the write lock's hold.
FOLD_BATCH = 500_000


def fold_lock(expo: Expo) -> None:
    """Serialise folds of one edition (inside a transaction; see `queries.fold_lock`)."""
    queries.fold_lock(expo.pk)


def pending_exists(*, expo: Expo) -> bool:
    """Whether accepted movements of the edition wait to be folded (one indexed probe)."""
    return queries.pending_exists(expo.pk)


def pending_fold(*, expo: Expo) -> FoldReport:
    """Fold every movement waiting for the edition into its occupancy history.

    Readers call it before answering (a cheap probe when nothing waits), `smartexpo serve`
    calls it every second so that alerts are raised without anybody looking, and so does the
    simulator after each tick. Each batch is one transaction: the movements leave the pending
    table in the transaction that folds them."""
    total = FoldReport()
    while pending_exists(expo=expo):
        with transaction.atomic():
            fold_lock(expo)
            rows = queries.pending_first(expo.pk, FOLD_BATCH)
            if not rows:
                break
            ids, zone, at_us, delta, visitor = (list(c) for c in zip(*rows, strict=True))
            report = movements_fold(
                expo=expo,
                moves=Movements.of(
                    zone, at_us, delta, np.array([v or 0 for v in visitor], dtype=np.int64)
                ),
            )
            queries.pending_delete(expo.pk, ids)
        total.movements += report.movements
        total.minutes_written += report.minutes_written
        total.alerts_raised += report.alerts_raised
        total.alerts_removed += report.alerts_removed
    return total


def history_refresh(*, expo: Expo) -> None:
    """What every reader calls first: fold what accepted requests have queued, so that an
    answered request is in the answer (a single indexed probe when nothing waits)."""
    if pending_exists(expo=expo):
        pending_fold(expo=expo)


class Movement(NamedTuple):
    """One change of a zone's occupancy, queued for the fold: ±`delta` people at `at_us`
    (microseconds since the epoch), an entry with its visitor's keyed hash when known."""

    expo_id: int
    zone_id: int
    at_us: int
    delta: int
    visitor: int | None


def movements_enqueue(*, cursor, movements: Sequence[Movement]) -> None:
    """Queue movements for the fold on the caller's driver cursor (`core.db.driver_cursor`),
    in its transaction: the movement commits with the write that caused it (a gate's
    admission, a sync batch's), or not at all."""
    if movements:
        queries.pending_insert(cursor, movements)


def zone_history_rebuild(*, zone) -> FoldReport:
    """Recompute a zone's whole occupancy history after its safe capacity or area changed:
    counts stay, alerts follow the new thresholds (acknowledgements stay with alerts that
    still overlap)."""
    expo = zone.expo
    history_refresh(expo=expo)
    with transaction.atomic():
        fold_lock(expo)
        empty = Movements.of([], [], [])
        return fold_apply(fold_plan(expo=expo, moves=empty, rebuild=frozenset({zone.pk})))


def zone_thresholds_followed(sender, *, zone, **kwargs) -> str:
    """`venue.signals.zone_thresholds_changed`'s receiver: the alert thresholds moved with the
    zone's capacity or area, so its alerts are recomputed in event time."""
    zone_history_rebuild(zone=zone)
    return gettext("Its occupancy history was recomputed for the new thresholds.")


@transaction.atomic
def alert_acknowledge(*, expo: Expo, alert_id: int, by: str) -> CrowdAlert:
    """Record that an organiser has seen an alert (the first acknowledgement is kept)."""
    try:
        alert = (
            CrowdAlert.objects.select_for_update()
            .select_related("zone")
            .get(expo=expo, pk=int(alert_id))
        )
    except (CrowdAlert.DoesNotExist, ValueError, TypeError):
        raise not_found("alert") from None
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = (by or "")[:150]
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert


def replay_clock_set(
    *, expo: Expo, at: dt.datetime, speed: float = 1.0, achieved: float | None = None
) -> ReplayClock:
    """Point the live venue page at a simulated or replayed instant of the edition.

    `speed` is the one asked for; `achieved` what the run measured (simulated seconds over
    wall seconds), which the page shows when given, since a machine that falls behind plays
    slower than asked."""
    if at.tzinfo is None:
        raise SmartExpoError("invalid", "The replay instant needs its UTC offset.")
    clock, _created = ReplayClock.objects.update_or_create(
        expo=expo,
        defaults={
            "at": at,
            "speed": float(speed),
            "achieved_speed": None if achieved is None else float(achieved),
            "updated_at": timezone.now(),
        },
    )
    return clock


def replay_clock_renew(*, expo: Expo) -> bool:
    """Say that the run behind the replay clock is still going, its instant unchanged: the
    page keeps following a clock renewed within `crowd.live.REPLAY_FRESH`, and one step of a
    run that falls behind (sending half an hour of a busy day, folding it) can take longer
    than that. One UPDATE of one row; False if there is no clock to renew."""
    return bool(ReplayClock.objects.filter(expo=expo).update(updated_at=timezone.now()))


def replay_clock_clear(*, expo: Expo) -> None:
    """Let the live venue page follow the real clock again."""
    ReplayClock.objects.filter(expo=expo).delete()
