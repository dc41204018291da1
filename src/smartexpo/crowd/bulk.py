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

import contextlib
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
from smartexpo.checkin.models import Device, DeviceKind
from smartexpo.checkin.services.bulk_sync import COLUMNS as SCAN_COLUMNS
from smartexpo.checkin.services.bulk_sync import (
    BulkSyncPlan,
    scans_facts,
    scans_sync_apply,
    scans_sync_plan,
)
from smartexpo.core.db import driver_cursor, driver_sql
from smartexpo.core.errors import SmartExpoError
from smartexpo.crowd.fold import FoldReport, Movements, fold_apply_all, fold_plans
from smartexpo.crowd.ingest import MAX_COUNT, MAX_ID, insert_returning, stored_ids
from smartexpo.crowd.models import SensorEvent
from smartexpo.crowd.periods import to_us
from smartexpo.crowd.services import fold_lock, history_refresh
from smartexpo.crowd.visitors import hashed, visitor_hash
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
PAIR = 1 << 31  # zone ids stay below it: (device, zone) packed into one integer
Progress = Callable[[str, int, int], None]


@dataclasses.dataclass
class ImportReport:
    rows: int = 0
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
    column work done first. Then, holding the fold lock, the gate scans are decided with the
    check-in rules (`checkin.bulk_sync`), and while this thread inserts the sensor events (the
    database's work, mostly outside the GIL) a second one, on its own connection, plans the
    fold of every movement (numpy's work, reading only what the lock keeps still). Deciding
    the scans beside the insert was tried: a Python loop on the second thread holds the GIL
    that the insert needs for each row, and the two together took longer (bench/RESULTS.md).

    On SQLite the foreign keys are not looked up per row (a third of the insert's time,
    bench/RESULTS.md): the zones and devices were looked up by this import and are checked
    again under the write lock, before anything is written. Nor is the write-ahead log copied
    into the database inside the commit (SQLite's automatic checkpoint, 11 s of a 4 GB import):
    `serve`'s checkpointer does it beside the requests, or SQLite when the last connection
    closes."""
    with _no_checkpoint_in_commit():
        try:
            return _stream_import(expo, frame, progress)
        except (OSError, pl.exceptions.PolarsError) as exc:
            # The file is read as the import goes: a bad row group or a column of another
            # type shows only now (and the transaction has stored nothing).
            raise SmartExpoError("invalid", f"Cannot import the stream: {exc}") from None


@contextlib.contextmanager
def _no_checkpoint_in_commit():
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (pages,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")


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
        for name, (pk, gates) in _devices(expo, DeviceKind.SCANNER).items()
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
        events = _prepared(expo, stream.filter(source == "sensor"), report)
        if facts is not None:
            scan_facts = facts.result()
        else:
            scan_facts = scans_facts(expo=expo, scanners=scanners, frame=scans)
    clock.lap("reading and checking sensor events and gate scans")
    received = to_us(timezone.now())
    total = len(events)
    with connection.constraint_checks_disabled(), transaction.atomic():
        fold_lock(expo)
        _check_still_there(events)
        scan_plan = scans_sync_plan(expo=expo, scanners=scanners, facts=scan_facts)
        clock.lap("deciding gate scans")
        with ThreadPoolExecutor(max_workers=1) as pool:
            planned = None
            if beside:
                moves = _all_movements(events, scan_plan)
                planned = pool.submit(_plan_on_own_connection, expo, moves)
            inserted = _insert_all(expo, events, received, progress)
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
            with connection.cursor() as cursor:
                new = _insert_returning(cursor, expo, events, received)
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
    sensed = _movements(events)
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


def _prepared(expo: Expo, sensors: pl.LazyFrame, report: ImportReport) -> pl.DataFrame:
    """The valid sensor events, each id once, in id order, with the columns stored."""
    events = _checked(expo, sensors, report)
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
    return _with_visitor_hashes(events)


KIND = pl.Enum(["enter", "exit"])  # four bytes a row, where a string column takes sixteen
REASONS = ("invalid", "unknown_zone", "zone_not_allowed")  # problem codes 1, 2, 3


def _checked(expo: Expo, sensors: pl.LazyFrame, report: ImportReport) -> pl.DataFrame:
    """The valid events as (id, zone_id, device_id, kind, count, visitor, at_us, delta); the
    others are counted in the report by reason, as the API would answer them.

    One query reads the sensor columns and checks them; the events are copied again only if
    some are refused."""
    zones = dict(Zone.objects.filter(expo=expo).values_list("code", "id"))
    devices = _devices(expo, DeviceKind.SENSOR)
    device_ids = {name: pk for name, (pk, _codes) in devices.items()}
    # (device, zone) pairs as one integer each: a membership test, where a join on the two
    # columns took seconds over twenty million events.
    pair = pl.col("device_id") * PAIR + pl.col("zone_id")
    allowed = pl.Series(
        [pk * PAIR + zones[c] for pk, codes in devices.values() for c in codes if c in zones],
        dtype=pl.Int64,
    )
    count, kind = pl.col("count"), pl.col("kind")
    checked = (
        sensors.select(
            "id",
            kind.cast(KIND, strict=False),
            pl.col("at").dt.epoch("us").alias("at_us"),
            "visitor",
            count.fill_null(1).cast(pl.Int64),
            pl.col("zone")
            .replace_strict(zones, default=None, return_dtype=pl.Int64)
            .alias("zone_id"),
            pl.col("device")
            .replace_strict(device_ids, default=None, return_dtype=pl.Int64)
            .alias("device_id"),
        )
        .with_columns(
            pl.when(
                pl.col("id").is_null()
                | ~pl.col("id").str.len_chars().is_between(1, MAX_ID)
                | kind.is_null()
                | pl.col("at_us").is_null()
                | ~count.is_between(1, MAX_COUNT)
                | ~pl.col("visitor").str.len_chars().is_between(1, MAX_ID).fill_null(True)
                | pl.col("device_id").is_null()
            )
            .then(1)
            .when(pl.col("zone_id").is_null())
            .then(2)
            .when(~pair.is_in(allowed.implode()))
            .then(3)
            .otherwise(0)
            .cast(pl.UInt8)
            .alias("problem"),
            pl.when(kind == "enter").then(count).otherwise(-count).alias("delta"),
        )
        .collect()
    )
    if not (checked.get_column("problem") > 0).any():
        return checked.drop("problem")
    return _refusals_counted(expo, checked, report)


def _refusals_counted(expo: Expo, checked: pl.DataFrame, report: ImportReport) -> pl.DataFrame:
    """The valid events; the refused ones counted by reason, except that a refused event
    whose id a valid one above it carries, or one stored before, is a duplicate whatever its
    body (as the API answers it)."""
    rows = checked.with_row_index("row")
    problem = pl.col("problem")
    bad = rows.filter(problem > 0).select("row", "id", "problem")
    good = rows.filter(problem == 0)
    first = (
        good.filter(pl.col("id").is_in(bad.get_column("id").drop_nulls().implode()))
        .group_by("id")
        .agg(pl.col("row").min().alias("first"))
    )
    bad = bad.join(first, on="id", how="left").with_columns(
        (pl.col("first") < pl.col("row")).fill_null(False).alias("repeat")
    )
    well_formed = pl.col("id").str.len_chars().is_between(1, MAX_ID).fill_null(False)
    asked = bad.filter(~pl.col("repeat") & well_formed).get_column("id").unique().to_list()
    stored = pl.Series(sorted(stored_ids(expo, asked)), dtype=pl.Utf8)
    bad = bad.with_columns(pl.col("repeat") | pl.col("id").is_in(stored.implode()).fill_null(False))
    report.duplicates += int(bad.get_column("repeat").sum())
    refused = bad.filter(~pl.col("repeat")).get_column("problem").to_numpy()
    counted = np.bincount(refused, minlength=len(REASONS) + 1)[1:]
    for reason, n in zip(REASONS, counted.tolist(), strict=True):
        if n:
            report.rejected[reason] += n
    return good.drop("row", "problem")


def _with_visitor_hashes(events: pl.DataFrame) -> pl.DataFrame:
    """Each entry's visitor tag replaced by its hash (0 for none, and for exits), as the API
    hashes it (keyed BLAKE2b)."""
    tags = events.select(pl.when(pl.col("delta") > 0).then(pl.col("visitor"))).to_series()
    return events.with_columns(hashed(tags, visitor_hash).fill_null(0).alias("visitor_hash")).drop(
        "visitor"
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
    # Views of the columns where they are int64 already: the fold only reads them.
    columns = ("zone_id", "at_us", "delta", "visitor_hash")
    return Movements(*(np.asarray(events.get_column(c).to_numpy(), np.int64) for c in columns))


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
