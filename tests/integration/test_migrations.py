"""Schema migrations: every revision from empty to head gives the models' schema, an old database is
upgraded by ``sequencer db upgrade`` with every row kept, and an outdated one is refused, not
altered.
On SQLite and on PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from sequencer.errors import SchemaOutdated
from sequencer.store import Store, migrate
from sequencer.store.repository import make_engine

#: The tables of revision 0001_initial, and those 0002_inbox adds.
OLD_TABLES = (
    "contacts",
    "enrollments",
    "sends",
    "events",
    "tasks",
    "suppressions",
    "variants",
    "decisions",
)
INBOX_TABLES = {"inbox_state", "inbound_messages", "hook_nonces"}
T = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def run_cli(cwd: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("SEQUENCER_CONFIG", None)
    env.pop("SEQUENCER_DB", None)
    # --db takes a URL, or for SQLite a plain file path
    db = url.split("///", 1)[1] if url.startswith("sqlite") else url
    return subprocess.run(
        [sys.executable, "-m", "sequencer", "--db", db, *args],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    made = make_engine(database_url)
    yield made
    made.dispose()


def tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def fill_0001(engine: sa.Engine) -> None:
    """One of everything, written through the tables as they are in the database (revision 0001)."""
    meta = sa.MetaData()
    meta.reflect(engine, only=OLD_TABLES)
    t = meta.tables
    rows: list[tuple[str, list[dict[str, Any]]]] = [
        (
            "contacts",
            [
                dict(
                    id=1,
                    email="Ada@Example.com",
                    email_key="ada@example.com",
                    first_name="Ada",
                    last_name="Lovelace",
                    company="Engines Ltd",
                    title=None,
                    timezone="Europe/London",
                    linkedin_url="https://linkedin.example/ada",
                    fields={"plan": "pro", "note": "crème brûlée"},
                    created_at=T,
                    updated_at=T + timedelta(minutes=5),
                )
            ],
        ),
        (
            "enrollments",
            [
                dict(
                    id=1,
                    contact_id=1,
                    sequence="welcome",
                    sender="jane",
                    status="active",
                    timezone="Europe/London",
                    stop_reason=None,
                    stop_detail=None,
                    enrolled_at=T,
                    anchor_at=T + timedelta(hours=1),
                    finished_at=None,
                )
            ],
        ),
        (
            "sends",
            [
                dict(
                    id=1,
                    enrollment_id=1,
                    contact_id=1,
                    sequence="welcome",
                    sender="jane",
                    step_key="intro",
                    step_index=0,
                    channel="email",
                    status="sent",
                    due_at=T,
                    claimed_by=None,
                    lease_until=None,
                    attempts=1,
                    subject_key="a",
                    body_key="b",
                    subject="Hello Ada",
                    message_id="<m1@acme.example>",
                    in_reply_to=None,
                    references=None,
                    sent_at=T + timedelta(hours=1),
                    error=None,
                    created_at=T,
                ),
                dict(
                    id=2,
                    enrollment_id=1,
                    contact_id=1,
                    sequence="welcome",
                    sender="jane",
                    step_key="call",
                    step_index=1,
                    channel="call",
                    status="scheduled",
                    due_at=T + timedelta(days=3),
                    claimed_by=None,
                    lease_until=None,
                    attempts=0,
                    subject_key=None,
                    body_key=None,
                    subject=None,
                    message_id=None,
                    in_reply_to="<m1@acme.example>",
                    references="<m1@acme.example>",
                    sent_at=None,
                    error=None,
                    created_at=T + timedelta(hours=1),
                ),
            ],
        ),
        (
            "events",
            [
                dict(
                    id=1,
                    contact_id=1,
                    enrollment_id=1,
                    send_id=1,
                    kind="open",
                    detail="pixel",
                    at=T + timedelta(hours=2),
                )
            ],
        ),
        (
            "tasks",
            [
                dict(
                    id=1,
                    send_id=2,
                    contact_id=1,
                    enrollment_id=1,
                    sender="jane",
                    sequence="welcome",
                    step_key="call",
                    channel="call",
                    status="open",
                    message="Call Ada",
                    due_at=T + timedelta(days=3),
                    closed_at=None,
                )
            ],
        ),
        ("suppressions", [dict(id=1, key="@spam.example", reason="manual", created_at=T)]),
        (
            "variants",
            [
                dict(
                    id=1,
                    sequence="welcome",
                    step_key="intro",
                    factor="subject",
                    key="b",
                    status="retired",
                    since=T,
                    reason="worse than a",
                )
            ],
        ),
        (
            "decisions",
            [
                dict(
                    id=1,
                    look_at=T,
                    sequence="welcome",
                    step_key="intro",
                    factor="subject",
                    key="a",
                    sends=120,
                    successes=18,
                    rate=0.15,
                    z=2.25,
                    p=0.0244,
                    p_holm=None,
                    decision="best",
                    reason="better than b",
                )
            ],
        ),
    ]
    with engine.begin() as conn:
        for name, values in rows:
            conn.execute(sa.insert(t[name]), values)
        if (
            conn.dialect.name == "postgresql"
        ):  # explicit ids: move the sequences on, as real inserts would
            for name, _ in rows:
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), 10)"))


def dump(engine: sa.Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of the 0001 tables, read as they are stored."""
    meta = sa.MetaData()
    meta.reflect(engine, only=OLD_TABLES)
    with engine.connect() as conn:
        return {
            name: [
                dict(r._mapping)
                for r in conn.execute(sa.select(meta.tables[name]).order_by(sa.text("id")))
            ]
            for name in OLD_TABLES
        }


def kept(
    after: dict[str, list[dict[str, Any]]], before: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """``after`` cut down to the columns ``before`` had: later revisions add columns (empty in old
    rows).
    """
    return {
        name: [
            {k: v for k, v in row.items() if k in old}
            for row, old in zip(rows, before[name], strict=False)
        ]
        + rows[len(before[name]) :]
        for name, rows in after.items()
    }


def assert_store_works(url: str) -> None:
    store = Store(url)
    try:
        assert store.count_contacts() == 1
        ada = store.contact("ada@example.com")
        assert ada is not None
        assert (ada.fields, ada.created_at, ada.full_name) == (
            {"plan": "pro", "note": "crème brûlée"},
            T,
            "Ada Lovelace",
        )
        assert [(s.status, s.message_id, s.sent_at) for s in store.sends(1)] == [
            ("sent", "<m1@acme.example>", T + timedelta(hours=1)),
            ("scheduled", None, None),
        ]
        assert store.suppressed(["@spam.example"])
        assert [t.message for t in store.tasks()] == ["Call Ada"]
        # the tables 0002 added are there and work
        assert store.accept_hook("sig-1", at=T, window=timedelta(hours=1))
        assert not store.accept_hook("sig-1", at=T, window=timedelta(hours=1))
    finally:
        store.close()


def test_head_is_the_last_revision() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert scripts.get_current_head() == migrate.HEAD
    assert [s.revision for s in reversed(list(scripts.walk_revisions()))] == [
        "0001_initial",
        "0002_inbox",
        "0003_sender_days",
        "0004_chaining",
        "0005_fidelity",
    ]


def test_every_migration_from_empty_gives_the_models_schema(engine: sa.Engine) -> None:
    assert migrate.current(engine) is None
    assert migrate.upgrade(engine) == (None, migrate.HEAD)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
    assert tables(engine) == set(SQLModel.metadata.tables) | {"alembic_version"}
    # compare_metadata does not look at an index's WHERE: the partial unique index, by its effect
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO contacts (id, email, email_key, fields, created_at, updated_at) "
                "VALUES (1, 'a@x.example', 'a@x.example', '{}', :t, :t)"
            ),
            {"t": T},
        )
        enroll = sa.text(
            "INSERT INTO enrollments (contact_id, sequence, sender, status, timezone, enrolled_at) "
            "VALUES (1, :seq, 'jane', :status, 'UTC', :t)"
        )
        conn.execute(enroll, {"seq": "one", "status": "completed", "t": T})
        conn.execute(enroll, {"seq": "two", "status": "active", "t": T})
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(enroll, {"seq": "three", "status": "active", "t": T})


def test_fresh_database_is_created_and_stamped_at_head(
    database_url: str, engine: sa.Engine
) -> None:
    Store(database_url).close()
    found = migrate.status(engine)
    assert (found.current, found.stamped, found.up_to_date) == (migrate.HEAD, True, True)
    Store(database_url).close()  # and opens again as it is


def test_several_processes_opening_a_new_database_at_once(
    database_url: str, engine: sa.Engine
) -> None:
    start = threading.Barrier(6)

    def open_store() -> None:
        start.wait()
        Store(database_url).close()

    with ThreadPoolExecutor(6) as pool:
        for done in [pool.submit(open_store) for _ in range(6)]:
            done.result()
    with engine.connect() as conn:
        assert list(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()) == [
            migrate.HEAD
        ]


def test_db_upgrade_keeps_every_row(database_url: str, engine: sa.Engine, tmp_path: Path) -> None:
    migrate.upgrade(engine, to="0001_initial")
    fill_0001(engine)
    before = dump(engine)
    assert not tables(engine) & INBOX_TABLES

    result = run_cli(tmp_path, database_url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"database upgraded: 0001_initial -> {migrate.HEAD}"

    assert kept(dump(engine), before) == before
    assert tables(engine) >= INBOX_TABLES
    assert migrate.status(engine).up_to_date
    assert migrate.upgrade(engine) == (migrate.HEAD, migrate.HEAD)  # again: nothing to do
    assert_store_works(database_url)


def test_outdated_database_is_refused_and_left_alone(
    database_url: str, engine: sa.Engine, tmp_path: Path
) -> None:
    migrate.upgrade(engine, to="0001_initial")
    with pytest.raises(SchemaOutdated, match="sequencer db upgrade") as raised:
        Store(database_url)
    assert "0001_initial" in raised.value.message and migrate.HEAD in raised.value.message

    result = run_cli(tmp_path, database_url, "report")
    assert result.returncode == 1
    assert "sequencer db upgrade" in result.stderr and "0001_initial" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    # neither opened it at the head behind the user's back
    assert migrate.current(engine) == "0001_initial"
    assert not tables(engine) & INBOX_TABLES


def test_legacy_unstamped_database_is_detected_and_upgraded(
    database_url: str, engine: sa.Engine, tmp_path: Path
) -> None:
    # what a sequencer from before migrations made: the 0001 tables, and no alembic_version
    migrate.upgrade(engine, to="0001_initial")
    fill_0001(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
    before = dump(engine)
    found = migrate.status(engine)
    assert (found.current, found.stamped, found.up_to_date) == ("0001_initial", False, False)
    with pytest.raises(SchemaOutdated, match="no schema revision recorded"):
        Store(database_url)

    status = run_cli(tmp_path, database_url, "db", "status")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert "current:  0001_initial (not recorded: detected from its tables)" in lines
    assert f"head:     {migrate.HEAD}" in lines
    assert "upgrade needed: back up the database, then run `sequencer db upgrade`" in lines

    result = run_cli(tmp_path, database_url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (
        "stamped 0001_initial" in result.stdout
        and f"0001_initial -> {migrate.HEAD}" in result.stdout
    )
    assert kept(dump(engine), before) == before
    assert migrate.status(engine).up_to_date
    assert_store_works(database_url)


def test_legacy_database_with_the_inbox_tables_is_only_stamped(
    database_url: str, engine: sa.Engine
) -> None:
    Store(database_url).close()
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
    assert migrate.current(engine) == migrate.HEAD
    with pytest.raises(SchemaOutdated, match="no schema revision recorded"):
        Store(database_url)
    assert migrate.upgrade(engine) == (migrate.HEAD, migrate.HEAD)
    assert migrate.status(engine).up_to_date
    Store(database_url).close()


def test_database_from_a_newer_sequencer_is_refused(database_url: str, engine: sa.Engine) -> None:
    Store(database_url).close()
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099_future'"))
    found = migrate.status(engine)
    assert (found.current, found.known) == ("0099_future", False)
    with pytest.raises(SchemaOutdated, match="newer than this sequencer"):
        Store(database_url)
    with pytest.raises(SchemaOutdated, match="0099_future"):
        migrate.upgrade(engine)
    assert migrate.current(engine) == "0099_future"
