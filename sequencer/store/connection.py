"""Connection set-up: the SQLAlchemy engine for a database URL, with SQLite's pragmas (WAL, foreign
keys, secure delete, busy timeout) and PostgreSQL's pool. Nothing else configures one.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL mode, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        # "sqlite://" and ":memory:" are in memory; a "file:" URI is SQLite's to open
        path = sa.engine.make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:"):
            _create_private(Path(path))
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT},
            hide_parameters=True,  # errors and logs never carry addresses
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # no pre-ping: a round trip per checkout on the send path; a dropped connection fails one
    # transaction, the pool is then renewed, and the worker's next tick goes on
    return sa.create_engine(url, pool_pre_ping=False, hide_parameters=True)


def shared_across_threads(engine: sa.Engine) -> bool:
    """Whether a thread other than the caller's sees the same database through ``engine``: not
    an in-memory SQLite one, whose pool gives each thread a database of its own."""
    return not isinstance(engine.pool, sa.pool.SingletonThreadPool)


#: How long a SQLite write waits for another connection's write to end, in seconds.
BUSY_TIMEOUT = 30


@contextmanager
def waiting_for_writers(conn: sa.Connection, seconds: float | None) -> Iterator[None]:
    """On SQLite, while inside: how long ``conn``'s statements wait for another writer
    (``seconds``; None leaves :data:`BUSY_TIMEOUT`). A setting of the connection, made on the
    driver's connection directly, and put back on the way out."""
    if seconds is None or conn.dialect.name != "sqlite":
        yield
        return
    driver: Any = conn.connection.driver_connection
    driver.execute(f"PRAGMA busy_timeout = {round(seconds * 1000)}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")


def brief(error: BaseException) -> str:
    """A database error in one line, in the database's own words: the driver's first line, without
    SQLAlchemy's statement and parameters (which hold addresses) or the server's DETAIL and
    CONTEXT lines. Any other error: its first line."""
    cause = error.orig if isinstance(error, sa.exc.StatementError) and error.orig else error
    lines = str(cause).strip().splitlines()
    return lines[0].strip() if lines else type(cause).__name__


def locked(error: BaseException) -> bool:
    """Whether ``error`` is SQLite's answer that another connection holds the database."""
    return "database is locked" in str(error)


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (0600) before SQLite opens it; SQLite
    gives its -wal and -shm files the same mode. An existing file is left as it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    _enter_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # deleted and overwritten content is zeroed, not left in free space (`sequencer forget`)
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _enter_wal(cursor: Any, patience: float = 30.0) -> None:
    """Switch the file to WAL (it stays so). The switch needs the file to itself, and SQLite answers
    "database is locked" at once, without its busy timeout, while another process holds it: so retry
    for up to ``patience`` seconds, as the busy timeout would."""
    deadline = time.monotonic() + patience
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
