"""The send path's SQLite statements run straight on the driver (:mod:`sequencer.store.raw`) store
exactly what SQLAlchemy would have stored, refuse a missing parameter instead of writing NULL,
and are seen by the engine's statement listeners.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sender_days import claimed_sends

from sequencer.store import Store, groups, raw
from sequencer.store.tables import ENROLLMENTS, SENDS

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def sends(database_url: str, tmp_path: Path) -> list[int]:
    """Two sends claimed by worker "w", on a database made for the test."""
    return claimed_sends(database_url, tmp_path, 2)


@pytest.fixture
def store(database_url: str, sends: list[int]) -> Iterator[Store]:
    """The test database's store, opened once its sends are claimed."""
    opened = Store(database_url)
    yield opened
    opened.close()


def _stored(path: str, table: str, column: str, row_id: int) -> Any:
    """The value as SQLite holds it (text for a datetime), read without SQLAlchemy."""
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT {column} FROM {table} WHERE id = ?", (row_id,)).fetchone()[0]


def _file(database_url: str) -> str:
    return database_url.removeprefix("sqlite:///")


aware_times = st.builds(
    lambda naive, minutes: naive.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2200, 1, 1)),
    st.integers(min_value=-14 * 60 + 1, max_value=14 * 60 - 1),
)


@SQLITE
def test_a_raw_statement_stores_what_sqlalchemy_stores(
    database_url: str, sends: list[int], store: Store
) -> None:
    with store.engine.connect() as conn:
        first, second = (
            conn.execute(sa.select(SENDS.c.enrollment_id).where(SENDS.c.id == i)).scalar_one()
            for i in sends
        )
    reset = sa.update(ENROLLMENTS).values(anchor_at=None)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(at=aware_times)
    def same(at: datetime) -> None:
        with store.engine.begin() as conn:
            conn.execute(reset)
            conn.execute(groups._SQL["anchor"], {"_id": first, "_at": at})
            changed = raw.execute(conn, groups._SQL["anchor"], {"_id": second, "_at": at})
        assert changed == 1
        path = _file(database_url)
        by_sqlalchemy = _stored(path, "enrollments", "anchor_at", first)
        assert _stored(path, "enrollments", "anchor_at", second) == by_sqlalchemy
        with store.engine.connect() as conn:
            back = conn.execute(
                sa.select(ENROLLMENTS.c.anchor_at).where(ENROLLMENTS.c.id == second)
            ).scalar_one()
        assert back == at.astimezone(UTC)

    same()


@SQLITE
def test_a_raw_statement_refuses_a_missing_parameter(
    database_url: str, sends: list[int], store: Store
) -> None:
    send_id = sends[0]
    with pytest.raises(KeyError, match="_at"), store.engine.begin() as conn:
        raw.execute_many(conn, groups._SQL["mark"], [{"_id": send_id}])
    assert _stored(_file(database_url), "sends", "status", send_id) == "claimed"


@SQLITE
def test_listeners_see_raw_statements(database_url: str, sends: list[int], store: Store) -> None:
    send_id = sends[0]
    seen: list[tuple[str, bool]] = []

    def listen(*args: Any) -> None:
        seen.append((args[2], args[5]))

    sa.event.listen(store.engine, "before_cursor_execute", listen)
    try:
        at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
        with store.engine.begin() as conn:
            raw.execute_many(conn, groups._SQL["mark"], [{"_id": send_id, "_at": at}])
        assert [(sql.split()[0], many) for sql, many in seen] == [("UPDATE", True)]
        assert _stored(_file(database_url), "sends", "status", send_id) == "sent"
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", listen)


@SQLITE
def test_a_statement_completed_only_at_execution_goes_through_sqlalchemy(
    database_url: str, sends: list[int], store: Store
) -> None:
    """A send with no suppression key: its mark's ``IN ()`` is an empty expanding list, which
    SQLAlchemy renders at execution."""
    send_id = sends[0]
    values = {
        "_id": send_id,
        "_worker": "w",
        "_now": datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        **{f"_{h}": None for h in groups._HEADERS},
    }
    with store.engine.begin() as conn:
        assert raw.execute(conn, groups.begin_alone(0), values) == 1
    assert _stored(_file(database_url), "sends", "status", send_id) == "sending"


def test_objects_read_without_a_session_work_in_a_fresh_process(tmp_path: Path) -> None:
    """The dispatch tick's reads build model objects without an ORM session; their attributes
    need the models' mappers configured, which nothing else may have done yet in the process."""
    script = f"""
import sqlalchemy as sa
from datetime import UTC, datetime
from sequencer.store import Store
from sequencer.store.tables import CONTACTS
store = Store("sqlite:///{tmp_path / "fresh.db"}")
now = datetime(2026, 12, 4, tzinfo=UTC)
with store.engine.begin() as conn:
    conn.execute(sa.insert(CONTACTS).values(
        email="a@x.example", email_key="a@x.example", fields={{}}, created_at=now, updated_at=now
    ))
contact = store.contacts_by_id([1])[1]
print(contact.email, contact.created_at.isoformat())
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["a@x.example", "2026-12-04T00:00:00+00:00"]


@SQLITE
def test_a_raw_statement_outside_a_transaction_is_not_lost(
    database_url: str, sends: list[int], store: Store
) -> None:
    """Outside a begun transaction the statement goes through SQLAlchemy, which begins one, so a
    commit keeps it (on the driver alone, SQLAlchemy would not know there is anything to commit)."""
    send_id = sends[0]
    at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with store.engine.connect() as conn:
        raw.execute_many(conn, groups._SQL["mark"], [{"_id": send_id, "_at": at}])
        conn.commit()
    assert _stored(_file(database_url), "sends", "status", send_id) == "sent"


@SQLITE
def test_statements_made_anew_at_every_call_do_not_grow_the_cache(store: Store) -> None:
    with store.engine.begin() as conn:
        for _ in range(raw._KEPT + 50):
            fresh = sa.update(SENDS).where(SENDS.c.id == sa.bindparam("_id")).values(attempts=0)
            assert raw.execute(conn, fresh, {"_id": -1}) == 0
    assert len(raw._CACHE) <= raw._KEPT
