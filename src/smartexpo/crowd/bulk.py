"""The batch path: a whole stream of venue events from a Parquet file, vectorised.

A digital-twin run (`smartexpo simulate --dry-run`) or a venue's own export is a table of
sensor events and gate scans (the columns are `STREAM_COLUMNS`). Sensor events are checked as
columns — the same rules as the API, each bad event counted by its reason — and stored in
time-ordered chunks, each chunk one transaction that inserts its events and folds exactly the
new ones into the occupancy history. So the file may be imported again, or after a crash: events
already stored are duplicates and change nothing. Gate scans go through the check-in service's
offline sync (`checkin.sync.scans_sync`) in batches, every rule applied as for a scanner.
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

from smartexpo.checkin.devices import Scanner
from smartexpo.checkin.driver import driver_cursor, driver_sql
from smartexpo.checkin.models import Device, DeviceKind
from smartexpo.checkin.sync import MAX_BATCH, scans_sync_many
from smartexpo.core.errors import SmartExpoError
from smartexpo.crowd.fold import FoldReport, Movements, fold_apply, fold_plan
from smartexpo.crowd.ingest import MAX_COUNT, MAX_ID, insert_returning
from smartexpo.crowd.models import SensorEvent
from smartexpo.crowd.periods import to_us
from smartexpo.crowd.services import fold_lock, pending_fold
from smartexpo.crowd.visitors import visitor_hash
from smartexpo.venue.models import Expo, Zone

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
CHUNK_EVENTS = 500_000  # rows per executemany: the progress bar's step
Progress = Callable[[str, int, int], None]


@dataclasses.dataclass
class ImportReport:
    sensor_events: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: Counter = dataclasses.field(default_factory=Counter)
    scans: int = 0
    scan_results: Counter = dataclasses.field(default_factory=Counter)
    fold: FoldReport = dataclasses.field(default_factory=FoldReport)
    # Seconds per phase: checking the sensor events, syncing the scans, inserting the events,
    # folding (after the insert: what the plan did not do beside it), committing.
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)


def stream_read(path: Path) -> pl.DataFrame:
    """The stream's table; a clear error for a file that is not one."""
    try:
        frame = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise SmartExpoError("invalid", f"Cannot read {path} as Parquet: {exc}") from None
    missing = [c for c in ("at", "source", "device", "id") if c not in frame.columns]
    if missing:
        raise SmartExpoError(
            "invalid", f"{path} lacks the columns {', '.join(missing)}.", {"missing": missing}
        )
    for column in STREAM_COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(
                pl.lit(None, dtype=pl.Int32 if column == "count" else pl.Utf8).alias(column)
            )
    if not isinstance(frame.schema["at"], pl.Datetime):
        raise SmartExpoError("invalid", "Column `at` must be a timestamp.")
    return frame.with_columns(pl.col("at").dt.convert_time_zone("UTC").dt.cast_time_unit("us"))


def _devices(expo: Expo, kind: str) -> dict[str, tuple[int, frozenset[str]]]:
    """Live devices of a kind by name, with the codes of their zones or gates."""
    found: dict[str, tuple[int, frozenset[str]]] = {}
    devices = Device.objects.filter(expo=expo, kind=kind, revoked_at__isnull=True)
    for device in devices.prefetch_related("zones", "gates").order_by("id"):
        bound = device.zones.all() if kind == DeviceKind.SENSOR else device.gates.all()
        found[device.name] = (device.pk, frozenset(b.code for b in bound))
    return found


def stream_import(
    *, expo: Expo, frame: pl.DataFrame, progress: Progress | None = None
) -> ImportReport:
    """Import a stream (see the module's docstring); returns what was stored and refused.

    Everything is one transaction, so the history never shows half a file and a file
    imported again, or after a crash, adds only what is new. Checking the sensor events is
    column work done first; then, holding the fold lock, a second thread plans their fold
    on its own connection (numpy's work, reading only the stored history, which the lock
    keeps still) while this one syncs the gate scans and inserts the events (the database's
    work); the plan is applied, and the scans' movements folded, before the commit.

    On SQLite the foreign keys are not looked up per row (a third of the insert's time,
    bench/RESULTS.md): the zones and devices were looked up by this import and are checked
    again under the write lock, before anything is written."""
    report = ImportReport()
    sensors = frame.filter(pl.col("source") == "sensor")
    scans = frame.filter(pl.col("source") == "scan")
    other = len(frame) - len(sensors) - len(scans)
    if other:
        report.rejected["invalid"] += other
    report.sensor_events, report.scans = len(sensors), len(scans)
    clock = _Clock(report.seconds)
    events = _prepared(expo, sensors, report)
    del sensors, frame  # tens of millions of rows: keep one copy at a time
    clock.lap("checking sensor events")
    received = to_us(timezone.now())
    total = len(events)
    with connection.constraint_checks_disabled(), transaction.atomic():
        fold_lock(expo)
        _check_still_there(events)
        with ThreadPoolExecutor(max_workers=1) as pool:
            planned = None
            if total >= PLAN_BESIDE_ABOVE:
                planned = pool.submit(_plan_on_own_connection, expo, _movements(events))
            _import_scans(expo, scans, report, progress)
            clock.lap("syncing gate scans")
            inserted = _insert_all(expo, events, received, progress)
            clock.lap("inserting sensor events")
            plan = planned.result() if planned is not None else None
        if inserted == total:
            new = events
        else:
            # Some were stored before (a file imported again): find out which are new.
            transaction.savepoint_rollback(inserted.savepoint)
            with connection.cursor() as cursor:
                new = _insert_returning(cursor, expo, events, received)
            report.duplicates += total - len(new)
            plan = None
        report.accepted = len(new)
        if progress:
            progress("occupancy history", 0, 1)
        folded = fold_apply(plan or fold_plan(expo=expo, moves=_movements(new)))
        scans_folded = pending_fold(expo=expo)
        if progress:
            progress("occupancy history", 1, 1)
        clock.lap("folding the occupancy history")
    clock.lap("committing")
    report.fold = FoldReport(
        folded.movements + scans_folded.movements,
        folded.minutes_written + scans_folded.minutes_written,
        folded.alerts_raised + scans_folded.alerts_raised,
        folded.alerts_removed + scans_folded.alerts_removed,
    )
    return report


class _Clock:
    """Seconds between laps, into a report's `seconds` (the planning thread's own time is
    inside the laps it overlaps)."""

    def __init__(self, into: dict[str, float]):
        self.into, self.last = into, time.monotonic()

    def lap(self, label: str) -> None:
        now = time.monotonic()
        self.into[label] = self.into.get(label, 0.0) + now - self.last
        self.last = now


def _prepared(expo: Expo, frame: pl.DataFrame, report: ImportReport) -> pl.DataFrame:
    """The valid sensor events, each id once, in id order, with the columns stored."""
    events = _checked(expo, frame, report)
    ids = events.get_column("id")
    # In id order the unique index is written along its order, not all over it; a stream
    # from the simulator is in that order already, and strictly increasing ids are distinct.
    if not ids.is_sorted():
        events = events.sort("id", maintain_order=True)
        ids = events.get_column("id")
    if len(ids) > 1 and (ids.slice(1) == ids.slice(0, len(ids) - 1)).any():
        # A repeated id is a duplicate whatever its body: the first one counts.
        before = len(events)
        events = events.unique(subset=["id"], keep="first", maintain_order=True)
        report.duplicates += before - len(events)
    return _with_columns_for_storage(events)


def _checked(expo: Expo, frame: pl.DataFrame, report: ImportReport) -> pl.DataFrame:
    """The valid events as (id, zone_id, device_id, kind, count, visitor, at); the others are
    counted in the report by reason, as the API would answer them."""
    zones = dict(Zone.objects.filter(expo=expo).values_list("code", "id"))
    devices = _devices(expo, DeviceKind.SENSOR)
    device_ids = {name: pk for name, (pk, _codes) in devices.items()}
    allowed = pl.DataFrame(
        [(pk, zones[c]) for pk, codes in devices.values() for c in codes if c in zones],
        schema={"device_id": pl.Int64, "zone_id": pl.Int64},
        orient="row",
    ).with_columns(pl.lit(True).alias("allowed"))
    frame = (
        frame.select(
            "id",
            "kind",
            "at",
            "visitor",
            pl.col("count").fill_null(1).cast(pl.Int64),
            pl.col("zone")
            .replace_strict(zones, default=None, return_dtype=pl.Int64)
            .alias("zone_id"),
            pl.col("device")
            .replace_strict(device_ids, default=None, return_dtype=pl.Int64)
            .alias("device_id"),
        )
        .join(allowed, on=["device_id", "zone_id"], how="left", maintain_order="left")
        .with_columns(
            pl.when(
                pl.col("id").is_null()
                | ~pl.col("id").str.len_chars().is_between(1, MAX_ID)
                | ~pl.col("kind").is_in(["enter", "exit"]).fill_null(False)
                | pl.col("at").is_null()
                | ~pl.col("count").is_between(1, MAX_COUNT)
                | ~pl.col("visitor").str.len_chars().is_between(1, MAX_ID).fill_null(True)
                | pl.col("device_id").is_null()
            )
            .then(pl.lit("invalid"))
            .when(pl.col("zone_id").is_null())
            .then(pl.lit("unknown_zone"))
            .when(pl.col("allowed").is_null())
            .then(pl.lit("zone_not_allowed"))
            .otherwise(pl.lit(None))
            .alias("problem")
        )
    )
    for reason, count in frame.group_by("problem").len().iter_rows():
        if reason is not None:
            report.rejected[reason] += count
    return frame.filter(pl.col("problem").is_null()).drop("problem", "allowed")


def _with_columns_for_storage(frame: pl.DataFrame) -> pl.DataFrame:
    """Event times in µs (as stored), movements as signed counts, visitor hashes."""
    at = pl.col("at")
    enter = pl.col("kind") == "enter"
    # Each distinct tag is hashed once, as the API hashes it (keyed BLAKE2b).
    tags = frame.filter(enter).get_column("visitor").drop_nulls().unique()
    hashes = pl.DataFrame(
        {"visitor": tags, "visitor_hash": [visitor_hash(t) for t in tags.to_list()]},
        schema={"visitor": pl.Utf8, "visitor_hash": pl.Int64},
    )
    return (
        frame.join(hashes, on="visitor", how="left", maintain_order="left")
        .with_columns(
            at.dt.epoch("us").alias("at_us"),
            pl.when(enter).then(pl.col("count")).otherwise(-pl.col("count")).alias("delta"),
            pl.when(enter).then(pl.col("visitor_hash")).otherwise(0).fill_null(0),
        )
        .drop("at", "visitor")
    )


def _insert_sql() -> str:
    table = connection.ops.quote_name(SensorEvent._meta.db_table)
    return (
        f"INSERT INTO {table} (expo_id, event_id, device_id, zone_id, kind, count, at, "  # noqa: S608
        "received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (expo_id, event_id) DO NOTHING"
    )


class _Inserted(int):
    """How many rows an insert stored, with the savepoint taken before it."""

    savepoint: str


def _insert_all(expo: Expo, events: pl.DataFrame, received, progress) -> _Inserted:
    savepoint = transaction.savepoint()
    inserted = 0
    total = len(events)
    # The driver's own cursor: Django's SQLite cursor tees the rows of an executemany to
    # peek at the first, which buffers them all (a quarter of the insert's time here).
    sql = driver_sql(_insert_sql())
    with driver_cursor() as cursor:
        for start in range(0, total, CHUNK_EVENTS):
            chunk = events.slice(start, CHUNK_EVENTS)
            cursor.executemany(sql, _rows(expo, chunk, received))
            inserted += cursor.rowcount
            if progress:
                progress("sensor events", min(start + CHUNK_EVENTS, total), total)
    if inserted == total:
        transaction.savepoint_commit(savepoint)
    result = _Inserted(inserted)
    result.savepoint = savepoint
    return result


def _movements(events: pl.DataFrame) -> Movements:
    return Movements(
        events.get_column("zone_id").to_numpy().astype(np.int64),
        events.get_column("at_us").to_numpy().astype(np.int64),
        events.get_column("delta").to_numpy().astype(np.int64),
        events.get_column("visitor_hash").to_numpy().astype(np.int64),
    )


def _plan_on_own_connection(expo: Expo, moves: Movements):
    try:
        return fold_plan(expo=expo, moves=moves)
    finally:
        connection.close()


def _rows(expo: Expo, chunk: pl.DataFrame, received):
    n = len(chunk)
    return zip(
        [expo.pk] * n,
        chunk.get_column("id").to_list(),
        chunk.get_column("device_id").to_list(),
        chunk.get_column("zone_id").to_list(),
        chunk.get_column("kind").to_list(),
        chunk.get_column("count").to_list(),
        chunk.get_column("at_us").to_list(),
        [received] * n,
        strict=True,
    )


def _check_still_there(events: pl.DataFrame) -> None:
    zones = events.get_column("zone_id").unique().to_list()
    devices = events.get_column("device_id").unique().to_list()
    live = Device.objects.filter(pk__in=devices, revoked_at__isnull=True).count()
    if Zone.objects.filter(pk__in=zones).count() != len(zones) or live != len(devices):
        raise SmartExpoError(
            "conflict", "Zones or devices of this edition changed during the import: run it again."
        )


def _insert_returning(cursor, expo: Expo, frame: pl.DataFrame, received) -> pl.DataFrame:
    stored = set(insert_returning(cursor, list(_rows(expo, frame, received))))
    return frame.filter(pl.col("id").is_in(list(stored)))


def _import_scans(expo, frame: pl.DataFrame, report: ImportReport, progress) -> None:
    """The gate scans through the check-in service's offline sync, in time order across
    gates (batches of 5,000 scans of any scanners), every rule applied."""
    if not len(frame):
        return
    scanners = {
        name: Scanner(pk, expo.pk, name, gates)
        for name, (pk, gates) in _devices(expo, DeviceKind.SCANNER).items()
    }
    frame = frame.sort("at", maintain_order=True)
    known = frame.filter(pl.col("device").is_in(list(scanners)))
    if unknown := len(frame) - len(known):
        report.scan_results["unknown_device"] += unknown
    columns = known.select(
        "device",
        "secret",
        "gate",
        "direction",
        "id",
        pl.col("at").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00"),
    )
    done, total = 0, len(columns)
    for start in range(0, total, MAX_BATCH):
        items = [
            (
                scanners[device],
                {
                    "secret": secret,
                    "gate": gate,
                    "direction": direction,
                    "nonce": nonce,
                    "scanned_at": at,
                },
            )
            for device, secret, gate, direction, nonce, at in columns.slice(
                start, MAX_BATCH
            ).iter_rows()
        ]
        for result in scans_sync_many(expo=expo, items=items):
            key = result.get("reason") or result["result"]
            if key == "conflict":
                key = f"conflict:{result['detail']['reason']}"
            report.scan_results[str(key)] += 1
        done += len(items)
        if progress:
            progress("gate scans", done, total)
