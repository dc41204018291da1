"""A venue's recorded stream imported in one go: gate scans and sensor events, vectorised.

A digital-twin run (`smartexpo simulate --dry-run`) or a venue's own export is a table of
sensor events and gate scans (the columns are `STREAM_COLUMNS`). This is the use case above
check-in and venue intelligence that drives both: sensor events are checked as columns and
stored by `crowd.bulk` — the same rules as the API, each bad event counted by its reason —
gate scans are decided with the check-in rules by `checkin.services.bulk_sync`, as an offline sync
would decide them, and every movement of both is folded into the occupancy history. One
transaction: a file may be imported again, or after a crash, and what is already stored is a
duplicate that changes nothing.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from smartexpo.checkin.services.bulk_sync import COLUMNS as SCAN_COLUMNS
from smartexpo.checkin.services.bulk_sync import (
    BulkSyncPlan,
    scans_facts,
    scans_sync_apply,
    scans_sync_plan,
)
from smartexpo.core.db import wal_autocheckpoint_paused
from smartexpo.core.errors import SmartExpoError
from smartexpo.crowd.bulk import (
    SensorTally,
    sensor_events_insert,
    sensor_events_insert_new,
    sensor_events_prepared,
    sensor_events_still_there,
    sensor_movements,
)
from smartexpo.crowd.fold import FoldReport, Movements, fold_apply_all, fold_plans
from smartexpo.crowd.periods import to_us
from smartexpo.crowd.services import fold_lock, history_refresh
from smartexpo.devices.auth import Scanner
from smartexpo.devices.models import DeviceKind
from smartexpo.devices.selectors import devices_by_name
from smartexpo.venue.models import Expo

STREAM_COLUMNS = {
    "at": "event time (UTC microseconds; scans: scanned_at)",
    "source": "sensor or scan",
    "device": "the reporting device's name",
    "id": "sensor: event id; scan: nonce",
    "zone": "sensor: zone code",
    "kind": "sensor: enter or exit",
    "count": "sensor: people (1 if null)",
    "visitor": "sensor: pseudonymous visitor tag (optional)",
    "gate": "scan: gate code",
    "direction": "scan: in or out",
    "secret": "scan: the ticket's secret",
}
# Planned in a second thread from this many events on; below, the thread is not worth it (and
# tests, whose data is uncommitted, see it only on their own connection).
PLAN_BESIDE_ABOVE = 200_000
Progress = Callable[[str, int, int], None]


@dataclasses.dataclass
class ImportReport(SensorTally):
    """What an import stored, refused and folded (the sensor events' tally included)."""

    rows: int = 0
    sensor_events: int = 0
    accepted: int = 0
    scans: int = 0
    scan_results: Counter = dataclasses.field(default_factory=Counter)
    fold: FoldReport = dataclasses.field(default_factory=FoldReport)
    # Seconds per phase: checking the sensor events, syncing the scans, inserting the events,
    # folding (after the insert: what the plan did not do beside it), committing.
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)


def stream_read(path: Path) -> pl.LazyFrame:
    """The stream's table, scanned lazily: each query of the import reads only the columns and
    rows it needs (a whole 4-day stream read at once is ~5 GB of columns); a clear error for a
    file that is not one."""
    try:
        frame = pl.scan_parquet(path, glob=False)
        schema = frame.collect_schema()
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise SmartExpoError("invalid", f"Cannot read {path} as Parquet: {exc}") from None
    missing = [c for c in ("at", "source", "device", "id") if c not in schema]
    if missing:
        raise SmartExpoError(
            "invalid", f"{path} lacks the columns {', '.join(missing)}.", {"missing": missing}
        )
    if not isinstance(schema["at"], pl.Datetime):
        raise SmartExpoError("invalid", "Column `at` must be a timestamp.")

    def typed(column: str) -> pl.DataType:
        return pl.Int32() if column == "count" else pl.Utf8()

    # A column left out, or written with nothing in it (of type null), is a column of nulls.
    absent = [c for c in STREAM_COLUMNS if c not in schema]
    empty = [c for c in STREAM_COLUMNS if c in schema and schema[c] == pl.Null]
    return frame.with_columns(
        *(pl.lit(None, dtype=typed(c)).alias(c) for c in absent),
        *(pl.col(c).cast(typed(c)) for c in empty),
        pl.col("at").dt.convert_time_zone("UTC").dt.cast_time_unit("us"),
    )


def stream_import(
    *, expo: Expo, frame: pl.DataFrame, progress: Progress | None = None
) -> ImportReport:
    """Import a stream (see the module's docstring); returns what was stored and refused.

    Everything is one transaction, so the history never shows half a file and a file
    imported again, or after a crash, adds only what is new. Checking the sensor events is
    column work done first. Then, holding the fold lock, the gate scans are decided with the
    check-in rules (`checkin.services.bulk_sync`), and while this thread inserts the sensor
    events (the database's work, mostly outside the GIL) a second one, on its own connection,
    plans the fold of every movement (numpy's work, reading only what the lock keeps still).
    Deciding the scans beside the insert was tried: a Python loop on the second thread holds
    the GIL that the insert needs for each row, and the two together took longer
    (bench/RESULTS.md).

    On SQLite the foreign keys are not looked up per row (a third of the insert's time,
    bench/RESULTS.md): the zones and devices were looked up by this import and are checked
    again under the write lock, before anything is written. Nor is the write-ahead log copied
    into the database inside the commit (SQLite's automatic checkpoint, 11 s of a 4 GB import):
    `serve`'s checkpointer does it beside the requests, or SQLite when the last connection
    closes."""
    with wal_autocheckpoint_paused():
        try:
            return _stream_import(expo, frame, progress)
        except (OSError, pl.exceptions.PolarsError) as exc:
            # The file is read as the import goes: a bad row group or a column of another
            # type shows only now (and the transaction has stored nothing).
            raise SmartExpoError("invalid", f"Cannot import the stream: {exc}") from None


def _stream_import(
    expo: Expo, frame: pl.LazyFrame | pl.DataFrame, progress: Progress | None
) -> ImportReport:
    report = ImportReport()
    stream = frame.lazy()
    source = pl.col("source")
    counts = stream.select(
        pl.len(), (source == "sensor").sum().alias("sensor"), (source == "scan").sum().alias("scan")
    )
    report.rows, report.sensor_events, report.scans = counts.collect().row(0)
    if other := report.rows - report.sensor_events - report.scans:
        report.rejected["invalid"] += other
    clock = _Clock(report.seconds)
    scanners = {
        name: Scanner(pk, expo.pk, name, gates)
        for name, (pk, gates) in devices_by_name(expo=expo, kind=DeviceKind.SCANNER).items()
    }
    scans = (
        stream.filter(source == "scan")
        .select(pl.col("id").alias("nonce"), *(c for c in SCAN_COLUMNS if c != "nonce"))
        .sort("at", maintain_order=True)
        .collect()
    )
    beside = report.sensor_events + report.scans >= PLAN_BESIDE_ABOVE
    with ThreadPoolExecutor(max_workers=1) as early:
        # The scans' secrets are authenticated (Python's work) while the sensor events are
        # checked (polars' work, outside the GIL): neither needs the lock.
        facts = early.submit(_facts_on_own_connection, expo, scanners, scans) if beside else None
        events = sensor_events_prepared(expo, stream.filter(source == "sensor"), report)
        if facts is not None:
            scan_facts = facts.result()
        else:
            scan_facts = scans_facts(expo=expo, scanners=scanners, frame=scans)
    clock.lap("reading and checking sensor events and gate scans")
    received = to_us(timezone.now())
    total = len(events)
    with connection.constraint_checks_disabled(), transaction.atomic():
        fold_lock(expo)
        sensor_events_still_there(events)
        scan_plan = scans_sync_plan(expo=expo, scanners=scanners, facts=scan_facts)
        clock.lap("deciding gate scans")
        with ThreadPoolExecutor(max_workers=1) as pool:
            planned = None
            if beside:
                moves = _all_movements(events, scan_plan)
                planned = pool.submit(_plan_on_own_connection, expo, moves)
            inserted = sensor_events_insert(expo, events, received, progress)
            clock.lap("inserting sensor events")
            plans = planned.result() if planned is not None else None
            clock.lap("planning the fold (beside the insert)")
        scans_sync_apply(scan_plan)
        report.scan_results.update(scan_plan.results)
        clock.lap("recording gate scans")
        if inserted == total:
            new = events
        else:
            # Some were stored before (a file imported again): find out which are new.
            transaction.savepoint_rollback(inserted.savepoint)
            new = sensor_events_insert_new(expo, events, received)
            report.duplicates += total - len(new)
            plans = None
        report.accepted = len(new)
        if progress:
            progress("occupancy history", 0, 1)
        if plans is None:
            plans = fold_plans(expo=expo, moves=_all_movements(new, scan_plan))
        report.fold = fold_apply_all(plans)
        # Movements other requests queued before the lock was taken.
        history_refresh(expo=expo)
        if progress:
            progress("occupancy history", 1, 1)
        clock.lap("folding the occupancy history")
    clock.lap("committing")
    return report


def _all_movements(events: pl.DataFrame, scan_plan: BulkSyncPlan) -> Movements:
    """The sensor events' movements and those of the scans that let somebody through."""
    sensed = sensor_movements(events)
    return Movements(
        np.concatenate((sensed.zone, scan_plan.movement_zone)),
        np.concatenate((sensed.at_us, scan_plan.movement_at_us)),
        np.concatenate((sensed.delta, scan_plan.movement_delta)),
        np.concatenate((sensed.visitor, scan_plan.movement_visitor)),
    )


class _Clock:
    """Seconds between laps, into a report's `seconds` (the planning thread's own time is
    inside the laps it overlaps)."""

    def __init__(self, into: dict[str, float]):
        self.into, self.last = into, time.monotonic()

    def lap(self, label: str) -> None:
        now = time.monotonic()
        self.into[label] = self.into.get(label, 0.0) + now - self.last
        self.last = now


def _facts_on_own_connection(expo: Expo, scanners, scans: pl.DataFrame):
    try:
        return scans_facts(expo=expo, scanners=scanners, frame=scans)
    finally:
        connection.close()


def _plan_on_own_connection(expo: Expo, moves: Movements):
    """The fold's plans, computed on this thread's own connection."""
    try:
        return fold_plans(expo=expo, moves=moves)
    finally:
        connection.close()
