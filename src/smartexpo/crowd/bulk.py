"""Sensor events by the million: a recorded stream's sensor events, checked and stored as columns.

The batch twin of `crowd.ingest`: the API's rules (`crowd.event_rules`: its reasons, in its
order) compiled into one Polars expression over a frame's columns, each refused event counted by
its reason, and the valid ones inserted in chunks on the driver's own cursor.
`tests/crowd/test_event_rules.py` holds the two paths' answers equal for random streams.
`streams.importing` drives it, together with check-in's batch path for the gate scans.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import numpy as np
import polars as pl
from django.db import transaction

from smartexpo.core.db import driver_cursor
from smartexpo.core.errors import SmartExpoError
from smartexpo.core.instants import YEARS
from smartexpo.crowd import queries
from smartexpo.crowd.event_rules import INVALID, REASONS, UNKNOWN_ZONE, ZONE_NOT_ALLOWED
from smartexpo.crowd.fold import Movements
from smartexpo.crowd.ingest import stored_ids
from smartexpo.crowd.periods import to_us
from smartexpo.crowd.schemas import MAX_COUNT, MAX_ID
from smartexpo.crowd.visitors import hashed, visitor_hash
from smartexpo.devices.models import Device, DeviceKind
from smartexpo.devices.selectors import devices_by_name
from smartexpo.venue.models import Expo, Zone

CHUNK_EVENTS = 500_000  # rows per executemany: the progress bar's step
PAIR = 1 << 31  # zone ids stay below it: (device, zone) packed into one integer


@dataclasses.dataclass
class SensorTally:
    """What checking a stream's sensor events counted besides the events kept."""

    duplicates: int = 0
    rejected: Counter = dataclasses.field(default_factory=Counter)


def sensor_events_prepared(expo: Expo, sensors: pl.LazyFrame, report: SensorTally) -> pl.DataFrame:
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
# The instants the schema accepts (`core.instants.YEARS`), as microseconds: a stream's times are
# UTC, and the schema reads the year of an instant written in UTC.
AT_US = (
    to_us(dt.datetime(YEARS[0], 1, 1, tzinfo=dt.UTC)),
    to_us(dt.datetime(YEARS[1] + 1, 1, 1, tzinfo=dt.UTC)) - 1,
)


def _problem(conditions: dict[str, pl.Expr]) -> pl.Expr:
    """The problem code of each event: the position in `REASONS` (from 1) of the first reason
    whose condition holds, 0 for none — the order `event_refusal` checks them in."""
    assert conditions.keys() == set(REASONS), "a condition for each reason, no other"
    code = pl.when(conditions[REASONS[0]]).then(1)
    for n, reason in enumerate(REASONS[1:], start=2):
        code = code.when(conditions[reason]).then(n)
    return code.otherwise(0).cast(pl.UInt8)


def _checked(expo: Expo, sensors: pl.LazyFrame, report: SensorTally) -> pl.DataFrame:
    """The valid events as (id, zone_id, device_id, kind, count, visitor, at_us, delta); the
    others are counted in the report by reason, as the API would answer them.

    One query reads the sensor columns and checks them; the events are copied again only if
    some are refused."""
    zones = dict(Zone.objects.filter(expo=expo).values_list("code", "id"))
    devices = devices_by_name(expo=expo, kind=DeviceKind.SENSOR)
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
            # An event without a zone breaks the schema: a bit a row, not the codes again.
            pl.col("zone").is_null().alias("zone_missing"),
        )
        .with_columns(
            _problem(
                {
                    # The schema's (`EventIn`: tests/crowd/test_event_rules.py holds these
                    # columns to it), and a row that names no sensor of the edition.
                    INVALID: pl.col("id").is_null()
                    | ~pl.col("id").str.len_chars().is_between(1, MAX_ID)
                    | kind.is_null()
                    | ~pl.col("at_us").is_between(*AT_US).fill_null(False)
                    | ~count.is_between(1, MAX_COUNT)
                    | ~pl.col("visitor").str.len_chars().is_between(1, MAX_ID).fill_null(True)
                    | pl.col("zone_missing")
                    | pl.col("device_id").is_null(),
                    UNKNOWN_ZONE: pl.col("zone_id").is_null(),
                    ZONE_NOT_ALLOWED: ~pair.is_in(allowed.implode()),
                }
            ).alias("problem"),
            pl.when(kind == "enter").then(count).otherwise(-count).alias("delta"),
        )
        .drop("zone_missing")
        .collect()
    )
    if not (checked.get_column("problem") > 0).any():
        return checked.drop("problem")
    return _refusals_counted(expo, checked, report)


def _refusals_counted(expo: Expo, checked: pl.DataFrame, report: SensorTally) -> pl.DataFrame:
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


class _Inserted(int):
    """How many rows an insert stored, with the savepoint taken before it."""

    savepoint: str


def sensor_events_insert(expo: Expo, events: pl.DataFrame, received, progress) -> _Inserted:
    """Insert the events in chunks (those stored before are skipped); report progress."""
    savepoint = transaction.savepoint()
    inserted = 0
    total = len(events)
    # The driver's own cursor: Django's SQLite cursor tees the rows of an executemany to
    # peek at the first, which buffers them all (a quarter of the insert's time here).
    with driver_cursor() as cursor:
        for start in range(0, total, CHUNK_EVENTS):
            chunk = events.slice(start, CHUNK_EVENTS)
            inserted += queries.sensor_events_insert_many(cursor, _rows(expo, chunk, received))
            if progress:
                progress("sensor events", min(start + CHUNK_EVENTS, total), total)
    if inserted == total:
        transaction.savepoint_commit(savepoint)
    result = _Inserted(inserted)
    result.savepoint = savepoint
    return result


def sensor_movements(events: pl.DataFrame) -> Movements:
    """The occupancy movements of prepared events."""
    # Views of the columns where they are int64 already: the fold only reads them.
    columns = ("zone_id", "at_us", "delta", "visitor_hash")
    return Movements(*(np.asarray(events.get_column(c).to_numpy(), np.int64) for c in columns))


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


def sensor_events_still_there(events: pl.DataFrame) -> None:
    """Refuse (`conflict`) if a zone or device the events were checked against is gone."""
    zones = events.get_column("zone_id").unique().to_list()
    devices = events.get_column("device_id").unique().to_list()
    live = Device.objects.filter(pk__in=devices, revoked_at__isnull=True).count()
    if Zone.objects.filter(pk__in=zones).count() != len(zones) or live != len(devices):
        raise SmartExpoError(
            "conflict", "Zones or devices of this edition changed during the import: run it again."
        )


def sensor_events_insert_new(expo: Expo, frame: pl.DataFrame, received) -> pl.DataFrame:
    """Insert the events one by one where new; return those that were."""
    stored = set(queries.sensor_events_insert_returning(list(_rows(expo, frame, received))))
    return frame.filter(pl.col("id").is_in(list(stored)))
