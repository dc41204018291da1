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
import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from smartexpo.checkin.devices import Scanner
from smartexpo.checkin.models import Device, DeviceKind
from smartexpo.checkin.sync import MAX_BATCH, scans_sync
from smartexpo.core.errors import SmartExpoError
from smartexpo.crowd.fold import FoldReport, Movements, movements_fold
from smartexpo.crowd.ingest import MAX_COUNT, MAX_ID, insert_returning
from smartexpo.crowd.models import SensorEvent
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
CHUNK_EVENTS = 1_000_000
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
    """Import a stream (see the module's docstring); returns what was stored and refused."""
    report = ImportReport()
    sensors = frame.filter(pl.col("source") == "sensor")
    scans = frame.filter(pl.col("source") == "scan")
    other = len(frame) - len(sensors) - len(scans)
    if other:
        report.rejected["invalid"] += other
    _import_sensor_events(expo, sensors, report, progress)
    _import_scans(expo, scans, report, progress)
    folded = pending_fold(expo=expo)
    report.fold.movements += folded.movements
    report.fold.minutes_written += folded.minutes_written
    report.fold.alerts_raised += folded.alerts_raised
    return report


def _import_sensor_events(expo, frame: pl.DataFrame, report: ImportReport, progress) -> None:
    report.sensor_events = len(frame)
    if not len(frame):
        return
    zones = dict(Zone.objects.filter(expo=expo).values_list("code", "id"))
    devices = _devices(expo, DeviceKind.SENSOR)
    pairs = [(name, code) for name, (_pk, codes) in devices.items() for code in codes]
    allowed = pl.DataFrame(
        {"device": [p[0] for p in pairs], "zone": [p[1] for p in pairs], "allowed": True},
        schema={"device": pl.Utf8, "zone": pl.Utf8, "allowed": pl.Boolean},
    )
    frame = (
        frame.with_columns(
            pl.col("count").fill_null(1).cast(pl.Int64),
            pl.col("zone")
            .replace_strict(zones, default=None, return_dtype=pl.Int64)
            .alias("zone_id"),
            pl.col("device")
            .replace_strict(
                {n: d[0] for n, d in devices.items()}, default=None, return_dtype=pl.Int64
            )
            .alias("device_id"),
        )
        .join(allowed, on=["device", "zone"], how="left")
        .with_columns(
            pl.when(
                pl.col("id").is_null()
                | (pl.col("id").str.len_chars() < 1)
                | (pl.col("id").str.len_chars() > MAX_ID)
                | ~pl.col("kind").is_in(["enter", "exit"]).fill_null(False)
                | pl.col("at").is_null()
                | ~pl.col("count").is_between(1, MAX_COUNT)
                | (pl.col("visitor").str.len_chars() > MAX_ID).fill_null(False)
                | (pl.col("visitor").str.len_chars() < 1).fill_null(False)
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
    frame = frame.filter(pl.col("problem").is_null())
    unique = frame.unique(subset=["id"], keep="first", maintain_order=True)
    report.duplicates += len(frame) - len(unique)
    events = _with_columns_for_storage(unique.sort("at"), expo)
    total = len(events)
    for start in range(0, total, CHUNK_EVENTS):
        chunk = events.slice(start, CHUNK_EVENTS)
        stored = _store_chunk(expo, chunk, report)
        report.accepted += stored
        if progress:
            progress("sensor events", min(start + CHUNK_EVENTS, total), total)


def _with_columns_for_storage(frame: pl.DataFrame, expo: Expo) -> pl.DataFrame:
    """Event times as the database stores them, movements as signed counts, visitor hashes."""
    at = pl.col("at")
    if connection.vendor == "sqlite":
        # Django's SQLite format (naive UTC, microseconds only when not zero).
        text = (
            pl.when(at.dt.microsecond() == 0)
            .then(at.dt.strftime("%Y-%m-%d %H:%M:%S"))
            .otherwise(at.dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
        )
    else:
        text = at.dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00:00")
    tags = frame.get_column("visitor").drop_nulls().unique().to_list()
    hashes = {tag: visitor_hash(tag) for tag in tags}
    return frame.with_columns(
        text.alias("at_db"),
        at.dt.epoch("us").alias("at_us"),
        pl.when(pl.col("kind") == "enter")
        .then(pl.col("count"))
        .otherwise(-pl.col("count"))
        .alias("delta"),
        pl.when(pl.col("kind") == "enter")
        .then(pl.col("visitor").replace_strict(hashes, default=0, return_dtype=pl.Int64))
        .otherwise(0)
        .fill_null(0)
        .alias("visitor_hash"),
    )


def _insert_sql() -> str:
    table = connection.ops.quote_name(SensorEvent._meta.db_table)
    return (
        f"INSERT INTO {table} (expo_id, event_id, device_id, zone_id, kind, count, at, "  # noqa: S608
        "received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (expo_id, event_id) DO NOTHING"
    )


def _store_chunk(expo: Expo, chunk: pl.DataFrame, report: ImportReport) -> int:
    """Insert one chunk's events and fold the new ones, in one transaction."""
    # Ordered by id, the unique index is written along its order rather than all over it.
    by_id = chunk.sort("id")
    received = connection.ops.adapt_datetimefield_value(timezone.now())
    n = len(by_id)
    rows = zip(
        [expo.pk] * n,
        by_id.get_column("id").to_list(),
        by_id.get_column("device_id").to_list(),
        by_id.get_column("zone_id").to_list(),
        by_id.get_column("kind").to_list(),
        by_id.get_column("count").to_list(),
        by_id.get_column("at_db").to_list(),
        [received] * n,
        strict=True,
    )
    with transaction.atomic():
        fold_lock(expo)
        with connection.cursor() as cursor:
            sid = transaction.savepoint()
            cursor.executemany(_insert_sql(), rows)
            if cursor.rowcount == n:
                transaction.savepoint_commit(sid)
                new = by_id
            else:
                # Some were stored before (a resumed import): find out which are new.
                transaction.savepoint_rollback(sid)
                new = _insert_returning(cursor, expo, by_id, received)
                report.duplicates += n - len(new)
        movements_fold(
            expo=expo,
            moves=Movements(
                new.get_column("zone_id").to_numpy().astype(np.int64),
                new.get_column("at_us").to_numpy().astype(np.int64),
                new.get_column("delta").to_numpy().astype(np.int64),
                new.get_column("visitor_hash").to_numpy().astype(np.int64),
            ),
        )
    return len(new)


def _insert_returning(cursor, expo: Expo, frame: pl.DataFrame, received) -> pl.DataFrame:
    rows = [
        (expo.pk, i, d, z, k, c, a, received)
        for i, d, z, k, c, a in frame.select(
            "id", "device_id", "zone_id", "kind", "count", "at_db"
        ).iter_rows()
    ]
    stored = set(insert_returning(cursor, rows))
    return frame.filter(pl.col("id").is_in(list(stored)))


def _import_scans(expo, frame: pl.DataFrame, report: ImportReport, progress) -> None:
    report.scans = len(frame)
    if not len(frame):
        return
    scanners = _devices(expo, DeviceKind.SCANNER)
    done = 0
    for (name,), group in frame.sort("at").group_by(["device"], maintain_order=True):
        device = scanners.get(name)
        if device is None:
            report.scan_results["unknown_device"] += len(group)
            done += len(group)
            continue
        scanner = Scanner(device[0], expo.pk, name, device[1])
        for start in range(0, len(group), MAX_BATCH):
            batch = group.slice(start, MAX_BATCH)
            items = [
                {
                    "secret": secret,
                    "gate": gate,
                    "direction": direction,
                    "nonce": nonce,
                    "scanned_at": at.replace(tzinfo=dt.UTC).isoformat()
                    if at.tzinfo is None
                    else at.isoformat(),
                }
                for secret, gate, direction, nonce, at in batch.select(
                    "secret", "gate", "direction", "id", "at"
                ).iter_rows()
            ]
            for result in scans_sync(expo=expo, scanner=scanner, items=items):
                key = result.get("reason") or result["result"]
                if key == "conflict":
                    key = f"conflict:{result['detail']['reason']}"
                report.scan_results[key] += 1
            done += len(batch)
            if progress:
                progress("gate scans", done, len(frame))
