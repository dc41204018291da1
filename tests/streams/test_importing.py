"""The batch path: a Parquet stream of sensor events and gate scans, imported as columns."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from smartexpo.checkin.models import Scan
from smartexpo.crowd.models import SensorEvent
from smartexpo.crowd.selectors import occupancy_at
from smartexpo.devices.services import device_create
from smartexpo.streams.importing import stream_import, stream_read
from tests.checkin.conftest import issue, make_types

UTC = dt.UTC


def row(at, source="sensor", device="Hall sensor", **values):
    base = dict.fromkeys(["id", "zone", "kind", "count", "visitor", "gate", "direction", "secret"])
    return {"at": at, "source": source, "device": device, **base, **values}


@pytest.fixture
def stream(expo, tmp_path):
    device_create(expo=expo, name="Hall sensor", kind="sensor", zones=["N1", "S1"])
    device_create(expo=expo, name="Gate G1", kind="scanner", gates=["G1"])
    make_types(expo)
    _ticket, secret = issue(expo)
    ten = dt.datetime(2019, 8, 26, 2, 0, tzinfo=UTC)  # 10:00 in Chongqing
    rows = [
        row(ten, id="e1", zone="N1", kind="enter", count=5, visitor="v1"),
        row(ten + dt.timedelta(minutes=5), id="e2", zone="N1", kind="exit", count=2),
        row(ten, id="e3", zone="S1", kind="enter"),
        row(ten, id="e1", zone="S1", kind="enter"),  # a repeated id: a duplicate
        row(ten, id="e4", zone="NOPE", kind="enter"),  # unknown zone
        row(ten, id="e5", zone="V", kind="enter"),  # not this sensor's zone
        row(ten, id="e6", zone="N1", kind="jump"),  # invalid
        row(ten, id="e7", zone="N1", kind="enter", device="Nobody"),  # no such device
        row(ten, "scan", "Gate G1", id="n1", gate="G1", direction="in", secret=secret),
        row(ten, "scan", "Gate G1", id="n2", gate="G1", direction="in", secret=secret),
    ]
    frame = pl.DataFrame(rows, schema_overrides={"at": pl.Datetime("us", "UTC"), "count": pl.Int32})
    path = tmp_path / "stream.parquet"
    frame.write_parquet(path)
    return path


def test_a_stream_is_stored_folded_and_its_refusals_counted(expo, stream):
    report = stream_import(expo=expo, frame=stream_read(stream))
    assert (report.accepted, report.duplicates) == (3, 1)
    assert dict(report.rejected) == {"unknown_zone": 1, "zone_not_allowed": 1, "invalid": 2}
    assert dict(report.scan_results) == {"admit": 1, "conflict:already_inside": 1}
    assert SensorEvent.objects.count() == 3 and Scan.objects.count() == 2
    zones = {
        z.zone.code: z.count
        for z in occupancy_at(expo=expo, at=dt.datetime(2019, 8, 26, 3, tzinfo=UTC))
    }
    # The conflict let a second person through the gate: both count.
    assert (zones["N1"], zones["S1"], zones["V"]) == (3, 1, 2)


def test_importing_the_same_stream_again_changes_nothing(expo, stream):
    stream_import(expo=expo, frame=stream_read(stream))
    again = stream_import(expo=expo, frame=stream_read(stream))
    assert (again.accepted, again.duplicates) == (0, 4)
    zones = {
        z.zone.code: z.count
        for z in occupancy_at(expo=expo, at=dt.datetime(2019, 8, 26, 3, tzinfo=UTC))
    }
    assert (zones["N1"], zones["S1"], zones["V"]) == (3, 1, 2)


def test_the_import_command_reports_what_it_did(expo, stream, capsys):
    call_command("venue", "import", str(stream), "--expo", "test-2019", "--quiet")
    out = capsys.readouterr().out
    assert "3 stored, 1 duplicates" in out
    assert "unknown_zone 1" in out


def test_a_file_that_is_not_a_stream_is_refused_clearly(expo, tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("venue", "import", str(bad), "--expo", "test-2019", "--quiet")
    with pytest.raises(CommandError, match="No such file"):
        call_command("venue", "import", str(tmp_path / "none"), "--expo", "test-2019")
    other = tmp_path / "other.parquet"
    pl.DataFrame({"x": [1]}).write_parquet(other)
    with pytest.raises(CommandError, match="lacks the columns"):
        call_command("venue", "import", str(other), "--expo", "test-2019", "--quiet")


@pytest.mark.django_db(transaction=True)
def test_a_big_stream_plans_beside_its_inserts_with_the_same_outcome(expo, stream, monkeypatch):
    # From PLAN_BESIDE_ABOVE events on, the scans are authenticated and the fold planned on
    # other connections, while this one checks and inserts (their data must be committed).
    monkeypatch.setattr("smartexpo.streams.importing.PLAN_BESIDE_ABOVE", 0)
    report = stream_import(expo=expo, frame=stream_read(stream))
    assert (report.accepted, report.duplicates) == (3, 1)
    assert dict(report.scan_results) == {"admit": 1, "conflict:already_inside": 1}
    zones = {
        z.zone.code: z.count
        for z in occupancy_at(expo=expo, at=dt.datetime(2019, 8, 26, 3, tzinfo=UTC))
    }
    assert (zones["N1"], zones["S1"], zones["V"]) == (3, 1, 2)


def test_a_stream_without_optional_columns_or_with_text_times_is_answered(expo, tmp_path):
    device_create(expo=expo, name="Hall sensor", kind="sensor", zones=["N1"])
    ten = dt.datetime(2019, 8, 26, 2, 0, tzinfo=UTC)
    # A name with glob characters is a file's name, not a pattern.
    bare = tmp_path / "bare [1].parquet"
    pl.DataFrame(
        {
            "at": [ten, ten],
            "source": ["sensor", "other"],
            "device": ["Hall sensor"] * 2,
            "id": ["e1", "e2"],
        }
    ).write_parquet(bare)
    report = stream_import(expo=expo, frame=stream_read(bare))
    # No zone and no kind: the sensor row is invalid, the other source too.
    assert (report.rows, report.sensor_events, report.accepted) == (2, 1, 0)
    assert dict(report.rejected) == {"invalid": 2}
    text = tmp_path / "text.parquet"
    pl.DataFrame(
        {"at": ["10:00"], "source": ["sensor"], "device": ["x"], "id": ["e"]}
    ).write_parquet(text)
    with pytest.raises(CommandError, match="must be a timestamp"):
        call_command("venue", "import", str(text), "--expo", "test-2019", "--quiet")


def test_a_column_of_another_type_is_answered_and_stores_nothing(expo, stream, tmp_path):
    typed = pl.read_parquet(stream).with_columns(pl.col("count").cast(pl.Utf8).fill_null("many"))
    bad = tmp_path / "typed.parquet"
    typed.write_parquet(bad)
    with pytest.raises(CommandError, match="Cannot import the stream"):
        call_command("venue", "import", str(bad), "--expo", "test-2019", "--quiet")
    assert not SensorEvent.objects.exists() and not Scan.objects.exists()


def test_a_refused_row_under_an_id_taken_above_or_before_is_a_duplicate(expo, tmp_path):
    device_create(expo=expo, name="Hall sensor", kind="sensor", zones=["N1"])
    ten = dt.datetime(2019, 8, 26, 2, 0, tzinfo=UTC)

    def write(name, rows):
        path = tmp_path / name
        frame = pl.DataFrame(rows, schema_overrides={"at": pl.Datetime("us", "UTC")})
        frame.write_parquet(path)
        return path

    first = write(
        "first.parquet",
        [
            row(ten, id="e1", zone="N1", kind="enter"),
            row(ten, id="e1", zone="NOPE", kind="enter"),  # e1 is taken above
            row(ten, id="e9", zone="NOPE", kind="enter"),  # refused first: e9 is not taken
            row(ten, id="e9", zone="N1", kind="enter"),
        ],
    )
    report = stream_import(expo=expo, frame=stream_read(first))
    assert (report.accepted, report.duplicates) == (2, 1)
    assert dict(report.rejected) == {"unknown_zone": 1}
    # Its optional columns hold nothing: Parquet columns of type null.
    again = write("again.parquet", [row(ten, id="e9", zone="N1", kind="jump")])
    report = stream_import(expo=expo, frame=stream_read(again))
    assert (report.accepted, report.duplicates, dict(report.rejected)) == (0, 1, {})


def test_a_row_without_a_zone_or_at_a_time_the_api_refuses_is_invalid(expo, tmp_path):
    # The schema requires a zone, and an instant within core.instants.YEARS, as the API does.
    device_create(expo=expo, name="Hall sensor", kind="sensor", zones=["N1"])
    ten = dt.datetime(2019, 8, 26, 2, 0, tzinfo=UTC)
    rows = [
        row(ten, id="e1", zone=None, kind="enter"),
        row(dt.datetime(1970, 12, 31, 23, 59, tzinfo=UTC), id="e2", zone="N1", kind="enter"),
        row(dt.datetime(9999, 1, 1, tzinfo=UTC), id="e3", zone="N1", kind="enter"),
        row(dt.datetime(1971, 1, 1, tzinfo=UTC), id="e4", zone="N1", kind="enter"),
    ]
    path = tmp_path / "stream.parquet"
    pl.DataFrame(rows, schema_overrides={"at": pl.Datetime("us", "UTC")}).write_parquet(path)
    report = stream_import(expo=expo, frame=stream_read(path))
    assert (report.accepted, report.duplicates, dict(report.rejected)) == (1, 0, {"invalid": 3})
