"""The bulk import decides sensor events as the API does, for random streams of events.

`crowd.event_rules` holds the rules once: the API (`crowd.ingest.events_ingest`) calls its
`event_refusal`, whose `invalid` is the documented schema (`EventIn`); the bulk import
(`streams.importing.stream_import`, through `crowd.bulk`) compiles them into polars columns.
Here a random stream — ids repeated, empty or too long, kinds, counts, times and visitor tags in
and out of range, zones known, unknown or not the sensor's, devices known and not — is
imported both ways, each in a transaction rolled back, on an edition holding some of its ids
already: the same events accepted and stored, the same duplicates, the same refusals by reason.

The API path receives the stream as its sensors would send it: in order, each run of one
device's rows a batch from that device (the API's answers do not depend on how events are
batched). A row of a device that is no sensor of the edition never reaches the API (the
request is refused whole); it is given to it as the invalid event it is.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import polars as pl
import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smartexpo.core.bodies import InvalidItem, items_checked
from smartexpo.crowd.event_rules import (
    INVALID,
    REASONS,
    UNKNOWN_ZONE,
    ZONE_NOT_ALLOWED,
    event_refusal,
)
from smartexpo.crowd.ingest import events_ingest
from smartexpo.crowd.models import SensorEvent
from smartexpo.crowd.schemas import MAX_COUNT, MAX_ID, EventIn
from smartexpo.devices.auth import Sensor
from smartexpo.devices.services import device_create
from smartexpo.streams.importing import STREAM_COLUMNS, stream_import, stream_read

UTC = dt.UTC
SENSORS = {"Hall sensor": ("N1", "S1"), "Venue sensor": ("V",)}
STORED_BEFORE = "Venue sensor"  # the device of the events stored before the stream
TEN = dt.datetime(2019, 8, 26, 2, tzinfo=UTC)  # 10:00 at the test edition
TYPES = {"count": pl.Int32, "at": pl.Datetime("us", "UTC")}


def mostly(valid, odd):
    """`valid` four times in five, else `odd`: most events break one rule at most, so each
    rule decides some of them (shrinking leads to valid)."""
    return st.integers(0, 4).flatmap(lambda n: odd if n == 4 else valid)


ids = mostly(
    st.sampled_from(["e1", "e2", "e3", "e4", "事5"]),  # few: repeats are common
    st.sampled_from(["", "x" * MAX_ID, "y" * (MAX_ID + 1), " e1", None]),
)
times = mostly(
    st.one_of(
        st.integers(-3600, 3600).map(lambda s: TEN + dt.timedelta(seconds=s)),
        st.integers(0, 999_999).map(lambda us: TEN + dt.timedelta(microseconds=us)),
    ),
    # The years an instant may have (`core.instants.YEARS`), at their ends and beyond.
    st.sampled_from(
        [
            dt.datetime(1, 1, 1, tzinfo=UTC),
            dt.datetime(1970, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
            dt.datetime(1971, 1, 1, tzinfo=UTC),
            dt.datetime(9998, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
            dt.datetime(9999, 1, 1, tzinfo=UTC),
            None,
        ]
    ),
)
rows = st.fixed_dictionaries(
    {
        "device": mostly(st.sampled_from(list(SENSORS)), st.sampled_from(["Nobody", None])),
        "id": ids,
        "zone": mostly(
            st.sampled_from(["N1", "S1", "V"]), st.sampled_from(["R1", "NOPE", "", None])
        ),
        "kind": mostly(st.sampled_from(["enter", "exit"]), st.sampled_from(["jump", "Exit", None])),
        # A stream's null count is 1, as an event that leaves it out.
        "count": mostly(
            st.one_of(st.none(), st.integers(1, 3)),
            st.sampled_from([0, -1, MAX_COUNT, MAX_COUNT + 1, 2**31 - 1, -(2**31)]),
        ),
        "at": times,
        "visitor": mostly(
            st.sampled_from([None, "v1", "访客"]),
            st.sampled_from(["", "v" * MAX_ID, "w" * (MAX_ID + 1)]),
        ),
    }
)
streams = st.tuples(
    st.lists(rows, min_size=4, max_size=30),
    st.lists(st.sampled_from(["e1", "e2", "e3", "事5", "x" * MAX_ID]), unique=True, max_size=3),
)


def event_fields(row: dict) -> dict:
    """The event a sensor sends for a stream's row: its fields that are not null, the time as
    ISO 8601 (a sensor writes JSON)."""
    fields = {k: row[k] for k in ("id", "zone", "kind", "count", "visitor") if row[k] is not None}
    if row["at"] is not None:
        fields["at"] = row["at"].isoformat()
    return fields


@pytest.fixture
def sensors(expo) -> dict[str, Sensor]:
    found = {}
    for name, zones in SENSORS.items():
        device, _token = device_create(expo=expo, name=name, kind="sensor", zones=list(zones))
        found[name] = Sensor(device.pk, expo.pk, name, frozenset(zones))
    return found


def store_before(expo, sensors, stored: list[str]) -> None:
    """Events stored before the stream, under some of its ids."""
    events = [
        {"id": i, "zone": "V", "kind": "enter", "at": TEN.isoformat(), "count": 7} for i in stored
    ]
    result = events_ingest(
        expo=expo, sensor=sensors[STORED_BEFORE], items=items_checked(EventIn, events)
    )
    assert result.accepted == len(stored)


def stored_events(expo) -> list[tuple]:
    return sorted(
        SensorEvent.objects.filter(expo=expo).values_list(
            "event_id", "device_id", "zone_id", "kind", "count", "at"
        )
    )


def through_the_api(expo, sensors, stream) -> tuple[int, int, Counter]:
    """The stream sent to the API as its sensors would send it (see the module's docstring)."""
    accepted = duplicates = 0
    rejected: Counter = Counter()
    for device, run in itertools.groupby(stream, key=lambda row: row["device"]):
        values = [event_fields(row) for row in run]
        items = items_checked(EventIn, values)
        if device not in sensors:
            # Not the API's input: a row naming no sensor is invalid, and says so itself.
            assert all(event_refusal(v, {}, None) == INVALID for v in values)
            items = [
                InvalidItem(v, {**(i.fields if isinstance(i, InvalidItem) else {}), "device": "?"})
                for v, i in zip(values, items, strict=True)
            ]
        sensor = sensors.get(device, sensors[STORED_BEFORE])
        answer = events_ingest(expo=expo, sensor=sensor, items=items)
        accepted += answer.accepted
        duplicates += answer.duplicates
        rejected.update(r["reason"] for r in answer.rejected)
    return accepted, duplicates, rejected


def through_the_import(expo, stream, path) -> tuple[int, int, Counter]:
    """The stream written to Parquet and imported, as `smartexpo venue import` does."""
    frame = pl.DataFrame(
        [{"source": "sensor", **row} for row in stream],
        schema={c: TYPES.get(c, pl.Utf8) for c in STREAM_COLUMNS},
    )
    frame.write_parquet(path)
    report = stream_import(expo=expo, frame=stream_read(path))
    return report.accepted, report.duplicates, +report.rejected


def in_rollback(run):
    with transaction.atomic():
        result = run()
        transaction.set_rollback(True)
    return result


PROPERTY = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(case=streams)
@example(  # a stored id under an event of a zone the edition lacks: a duplicate, both ways
    case=(
        [
            {
                "device": "Hall sensor",
                "id": "e1",
                "zone": "NOPE",
                "kind": "enter",
                "count": None,
                "at": TEN,
                "visitor": None,
            }
        ],
        ["e1"],
    )
)
@example(  # an event without a zone: invalid (the schema requires one), not an unknown zone
    case=(
        [
            {
                "device": "Hall sensor",
                "id": "e1",
                "zone": None,
                "kind": "enter",
                "count": 2,
                "at": TEN,
                "visitor": None,
            }
        ],
        [],
    )
)
def test_the_import_decides_sensor_events_as_the_api(expo, sensors, tmp_path, case):
    stream, stored = case

    def api():
        store_before(expo, sensors, stored)
        return through_the_api(expo, sensors, stream), stored_events(expo)

    def bulk():
        store_before(expo, sensors, stored)
        return through_the_import(expo, stream, tmp_path / "stream.parquet"), stored_events(expo)

    assert in_rollback(bulk) == in_rollback(api)


def test_the_reference_checks_the_reasons_in_their_order():
    zones, bound = {"N1", "S1", "V"}, {"N1"}
    event = {"id": "e1", "zone": "N1", "kind": "enter", "at": TEN.isoformat()}
    assert REASONS == (INVALID, UNKNOWN_ZONE, ZONE_NOT_ALLOWED)
    assert event_refusal(event, zones, bound) is None
    assert event_refusal({**event, "zone": "V"}, zones, bound) == ZONE_NOT_ALLOWED
    assert event_refusal({**event, "zone": "NOPE"}, zones, bound) == UNKNOWN_ZONE
    assert event_refusal({**event, "zone": "NOPE", "count": 0}, zones, bound) == INVALID
    assert event_refusal(event, zones, None) == INVALID  # no sensor of the edition
    assert event_refusal(EventIn.model_validate(event), zones, bound) is None
    assert event_refusal(InvalidItem(event, {"count": "?"}), zones, bound) == INVALID
