"""The read-only snapshot ``sequencer simulate`` works on: every row of a SQLite or PostgreSQL
database copied into a fresh SQLite file, the source only read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sequence_texts import always_open

from sequencer import Engine, SimulatedClock
from sequencer.config import Config, Sender
from sequencer.errors import SchemaOutdated
from sequencer.store import Store, snapshot


def test_every_row_is_copied_and_the_source_is_only_read(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "seqs").mkdir()
    (tmp_path / "seqs" / "always.yaml").write_text(always_open())
    (tmp_path / "c.csv").write_text("email,first_name,team\na@x.example,A,red\nb@x.example,B,\n")
    config = Config(
        database_url=database_url,
        sequences=(tmp_path / "seqs",),
        senders={"jane": Sender(name="jane", display_name="Jane", email="jane@acme.example")},
    )
    with Engine(config, clock=SimulatedClock(datetime(2026, 12, 7, 9, tzinfo=UTC))) as engine:
        engine.import_contacts(tmp_path / "c.csv")
        engine.enroll("always")
        engine.suppress("@blocked.example")

    target = Store(f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        copied = snapshot.copy_into(database_url, target)
        assert copied["contacts"] == 2 and copied["enrollments"] == 2 and copied["sends"] == 2
        assert copied["suppressions"] == 1
        assert {c.email: c.fields for c in target.contacts()} == {
            "a@x.example": {"team": "red"},
            "b@x.example": {},
        }
        due = target.next_due()
        assert due is not None and due.tzinfo is not None
    finally:
        target.close()

    # the engine the snapshot reads through refuses writes
    with pytest.raises(sa.exc.DBAPIError):
        reader = snapshot._read_only(database_url)  # the guard itself is under test
        try:
            with reader.begin() as conn:
                conn.execute(sa.text("DELETE FROM contacts"))
        finally:
            reader.dispose()


def test_a_database_at_another_schema_is_refused_by_name(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    with sa.create_engine(f"sqlite:///{old}").begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0003_sender_days')"))
    target = Store(f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        with pytest.raises(SchemaOutdated) as e:
            snapshot.copy_into(f"sqlite:///{old}", target)
    finally:
        target.close()
    assert str(old) in e.value.message and "sequencer db upgrade" in e.value.message
