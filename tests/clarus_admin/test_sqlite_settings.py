"""SQLite, the embedded default, as the settings open it: write-ahead logging, every commit
synced to disk, a writer waiting its turn."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

# What SQLite's PRAGMA synchronous answers for FULL.
SYNCHRONOUS_FULL = 2


@pytest.fixture
def opened(tmp_path: Path, django_db_blocker):
    """A connection to a new SQLite file with the desk's own options (not the test database)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("These are SQLite's settings; this run's database is not SQLite.")
    wrapper = DatabaseWrapper({**database, "NAME": str(tmp_path / "desk.sqlite3")}, alias="probe")
    with django_db_blocker.unblock():
        wrapper.ensure_connection()
        try:
            yield wrapper
        finally:
            wrapper.close()


def pragma(wrapper: DatabaseWrapper, name: str) -> object:
    with wrapper.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_sqlite_keeps_a_write_ahead_log_and_syncs_every_commit(opened):
    assert pragma(opened, "journal_mode") == "wal"
    # An order is marked "sending" before Clarus is called: that commit must survive a power cut.
    assert pragma(opened, "synchronous") == SYNCHRONOUS_FULL


def test_a_commit_writes_to_the_log_beside_the_database(opened, tmp_path: Path):
    with opened.cursor() as cursor:
        cursor.execute("CREATE TABLE note (text TEXT)")
        cursor.execute("INSERT INTO note VALUES ('kept')")
    opened.commit()

    assert (tmp_path / "desk.sqlite3-wal").exists()
    with opened.cursor() as cursor:
        cursor.execute("SELECT text FROM note")
        assert cursor.fetchall() == [("kept",)]
