"""Round trips to the database during a benchmark run, counted two ways: on the client, the calls
one SQLAlchemy engine makes to its driver (:class:`DriverCalls`), and on PostgreSQL, what the
server itself recorded in ``pg_stat_statements`` (:class:`ServerStatements`).

    calls = DriverCalls(engine.store.engine)      # counting starts here
    server = ServerStatements(admin_url)          # .missing says why, when it cannot count
    server.reset(database)
    ... the run ...
    counted, statements = calls.take(), server.read(database)

The client count is every ``execute`` and ``executemany`` the engine sends (its
``before_cursor_execute`` event, which the store also fires for the statements it sends through
the driver's pipeline), every BEGIN, COMMIT and ROLLBACK (the engine's ``begin``, ``commit`` and
``rollback`` events) and every pre-ping of a pooled connection. On PostgreSQL each of them is one
round trip (psycopg sends BEGIN as its own command), except statements sent in a psycopg pipeline:
a pipeline is one round trip whatever it holds, BEGIN included when it goes first in one. On
SQLite none is. The
server count needs ``shared_preload_libraries=pg_stat_statements`` (tests/services.sh starts
PostgreSQL so); the extension is created here, by the benchmark, never by the application. It
counts statements (BEGIN and COMMIT included) and their execution time, planning aside; a pre-ping
(SQLAlchemy sends PostgreSQL an empty query, ``;``) is a round trip it does not see.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

#: A comment that marks the benchmark's own queries, so the server count leaves them out.
MARK = "/* bench */"


@dataclass
class Calls:
    """What one engine sent to its driver."""

    execute: int = 0
    executemany: int = 0
    begin: int = 0
    commit: int = 0
    rollback: int = 0
    ping: int = 0
    #: statements sent inside a driver pipeline (counted in :attr:`statements` too), and pipelines
    pipelined: int = 0
    pipelines: int = 0

    @property
    def statements(self) -> int:
        """Driver calls that carry SQL: ``execute`` and ``executemany``."""
        return self.execute + self.executemany

    @property
    def transactions(self) -> int:
        """BEGIN, COMMIT and ROLLBACK."""
        return self.begin + self.commit + self.rollback

    @property
    def round_trips(self) -> int:
        """Every call that waits for PostgreSQL's answer: statements outside a pipeline, each
        pipeline, transaction boundaries and pre-pings."""
        return self.statements - self.pipelined + self.pipelines + self.transactions + self.ping


class DriverCalls:
    """Counts the driver calls of one SQLAlchemy engine from now until :meth:`close`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.calls = Calls()
        #: connections whose BEGIN psycopg has yet to send (with their first statement)
        self._beginning: set[Any] = set()
        self._lock = threading.Lock()  # the group writer's thread counts too
        self._listeners: list[tuple[str, Callable[..., None]]] = [
            ("before_cursor_execute", self._executed),
            ("begin", self._begun),
            ("commit", self._ended("commit")),
            ("rollback", self._ended("rollback")),
        ]
        for name, listener in self._listeners:
            sa.event.listen(engine, name, listener)
        # a pre-ping runs on the raw driver connection, outside the engine's events
        dialect = engine.dialect
        self._ping = dialect.do_ping

        def ping(dbapi_connection: Any) -> bool:
            self.calls.ping += 1
            return bool(self._ping(dbapi_connection))

        dialect.do_ping = ping  # type: ignore[method-assign]
        self._pipeline = _count_pipelines(self.calls_add)

    def calls_add(self, name: str) -> None:
        """Add one to the count ``name``."""
        with self._lock:
            setattr(self.calls, name, getattr(self.calls, name) + 1)

    def _executed(self, conn: Any, cursor: Any, *args: Any) -> None:
        executemany = args[-1]
        pgconn = getattr(getattr(cursor, "connection", None), "pgconn", None)
        pipelined = getattr(pgconn, "pipeline_status", 0) != 0  # psycopg's: 0 is off
        self.calls_add("executemany" if executemany else "execute")
        if pipelined:
            self.calls_add("pipelined")
        with self._lock:
            begun, self._beginning = conn in self._beginning, self._beginning - {conn}
        if begun and not pipelined:  # a BEGIN in a pipeline costs no round trip of its own
            self.calls_add("begin")

    def _begun(self, conn: Any) -> None:
        with self._lock:
            self._beginning.add(conn)

    def _ended(self, name: str) -> Callable[..., None]:
        def count(conn: Any) -> None:
            with self._lock:
                self._beginning.discard(conn)
            if _in_transaction(conn):
                self.calls_add(name)

        return count

    def take(self) -> Calls:
        """The counts so far; counting starts again from zero."""
        taken, self.calls = self.calls, Calls()
        return taken

    def close(self) -> None:
        """Stop counting."""
        for name, listener in self._listeners:
            sa.event.remove(self.engine, name, listener)
        self.engine.dialect.do_ping = self._ping  # type: ignore[method-assign]
        self._pipeline()


def _in_transaction(conn: sa.Connection) -> bool:
    """Whether the driver has a transaction to end: psycopg sends no COMMIT or ROLLBACK when the
    server's session is idle (the store's pipeline sent its COMMIT already). True off psycopg."""
    pgconn = getattr(conn.connection.driver_connection, "pgconn", None)
    return pgconn is None or pgconn.transaction_status != 0  # 0: idle


def _count_pipelines(add: Callable[[str], None]) -> Callable[[], None]:
    """Count every psycopg pipeline opened from now on (one round trip each); returns the undo.
    Without psycopg there is nothing to count."""
    try:
        import psycopg
    except ImportError:
        return lambda: None
    original = psycopg.Connection.pipeline

    @contextmanager
    def pipeline(self: Any) -> Iterator[Any]:
        add("pipelines")
        with original(self) as opened:
            yield opened

    psycopg.Connection.pipeline = pipeline  # type: ignore[assignment,method-assign]

    def undo() -> None:
        psycopg.Connection.pipeline = original  # type: ignore[method-assign]

    return undo


@dataclass(frozen=True)
class Statement:
    """One normalised statement as ``pg_stat_statements`` saw it."""

    query: str
    calls: int
    #: Execution time on the server, in milliseconds (planning not included).
    exec_ms: float


@dataclass(frozen=True)
class ServerCounts:
    """The statements PostgreSQL ran for one database during a run."""

    statements: list[Statement]

    @property
    def calls(self) -> int:
        return sum(s.calls for s in self.statements)

    @property
    def exec_ms(self) -> float:
        return sum(s.exec_ms for s in self.statements)

    def top(self, n: int) -> list[Statement]:
        """The ``n`` statements that took the most server time."""
        return sorted(self.statements, key=lambda s: -s.exec_ms)[:n]


class ServerStatements:
    """``pg_stat_statements`` on the PostgreSQL server of ``admin_url`` (its maintenance database,
    where the extension is created); :attr:`missing` says why nothing can be counted."""

    def __init__(self, admin_url: str) -> None:
        self.engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.missing: str | None = None
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text(f"{MARK} CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
                conn.execute(sa.text(f"{MARK} SELECT count(*) FROM pg_stat_statements"))
        except sa.exc.DBAPIError as error:
            self.missing = (
                f"pg_stat_statements cannot be read ({str(error.orig).strip().splitlines()[0]}); "
                "start PostgreSQL with shared_preload_libraries=pg_stat_statements, as "
                "tests/services.sh does"
            )

    def reset(self, database: str) -> None:
        """Forget what was recorded for ``database``."""
        if self.missing is None:
            with self.engine.connect() as conn:
                conn.execute(
                    sa.text(f"{MARK} SELECT pg_stat_statements_reset(0, {_DBID}, 0)"),
                    {"name": database},
                )

    def read(self, database: str) -> ServerCounts | None:
        """What was recorded for ``database`` since its :meth:`reset` (None when nothing can be
        counted); the benchmark's own marked queries left out."""
        if self.missing is not None:
            return None
        query = sa.text(
            f"{MARK} SELECT query, calls, total_exec_time FROM pg_stat_statements "
            f"WHERE dbid = {_DBID} AND query NOT LIKE :mark"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query, {"name": database, "mark": f"%{MARK}%"}).all()
        return ServerCounts([Statement(q, int(c), float(t)) for q, c, t in rows])

    def close(self) -> None:
        self.engine.dispose()


_DBID = "(SELECT oid FROM pg_database WHERE datname = :name)"


def database_of(url: str) -> str:
    """The database name in a PostgreSQL URL."""
    return sa.make_url(url).database or ""
