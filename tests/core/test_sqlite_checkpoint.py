"""WAL checkpoints run beside the server, not inside a request's commit."""

import sqlite3

import pytest

from smartexpo.core.sqlite_checkpoint import Checkpointer


def _wal_frames(path) -> int:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # (busy, frames in the log, frames checkpointed); a zero-page PASSIVE only reports.
        return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()


def test_the_checkpointer_copies_the_log_back_while_writers_keep_writing(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the checkpointer checkpoints
    writer.execute("CREATE TABLE t (x TEXT)")
    checkpointer = Checkpointer(path, interval=0.05)
    checkpointer.start()
    try:
        for _ in range(50):
            writer.execute("INSERT INTO t VALUES (?)", ("x" * 4000,))
        deadline = 100
        while checkpointer.checkpoints < 2 and deadline:
            checkpointer.join(0.05)
            deadline -= 1
    finally:
        checkpointer.stop()
    assert not checkpointer.is_alive()
    assert checkpointer.checkpoints >= 2
    busy, logged, copied = _wal_frames(path)
    assert busy == 0 and logged == copied  # everything in the log is in the database file
    assert writer.execute("SELECT count(*) FROM t").fetchone() == (50,)


@pytest.mark.django_db
def test_connections_take_the_autocheckpoint_serve_sets(monkeypatch):
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    monkeypatch.setenv("SMARTEXPO_SQLITE_AUTOCHECKPOINT", "20000")
    # A connection of its own: the test's connection is inside the test's transaction.
    fresh = type(connection)(dict(connection.settings_dict))
    try:
        with fresh.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone() == (20000,)
    finally:
        fresh.close()
