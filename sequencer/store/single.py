"""A group's writes on PostgreSQL in one statement, on the event loop, through the group writer's
own asynchronous connection.

:mod:`pipeline` sends a group as BEGIN, a ``SET LOCAL``, the results, one statement per mark and
COMMIT, in a thread: one round trip, but five statements, about 250 µs of the client's CPU per
group in the driver's pipeline, and two thread switches. Most groups fit in one statement
(:func:`groups.group_statement`), which, run alone on a connection in autocommit, is its own
transaction, all of it or nothing: one statement, one round trip, about 80 µs of CPU, and no
thread (``bench/claim.py``).

The connection is the writer's own, made from the engine's URL on the loop that uses it: in
autocommit, with ``plan_cache_mode = force_generic_plan`` for its session (its statements run on
arrays whose generic plans are as good for any group, and PostgreSQL would otherwise plan each
run anew; see :data:`pipeline._GENERIC`), and with a ``lock_timeout`` of :data:`LOCK_WAIT`. A
statement reads the database as it was when it started: in the pipeline each mark is a statement
of its own, which sees what was committed while an earlier one waited for a row lock (a
suppression, a hold); one statement would not. So no wait of the statement for a lock (another
worker's group on the same sender day, a stop on the same enrollment) lasts longer than that: it
fails, having written nothing, and the group goes through the pipeline in a thread instead, and
no deadlock can form around it. A statement that waits on several locks, each for less, reads a
database older by their sum (milliseconds). The pipeline locks a group's sender days in a
statement of their own before any mark (:func:`groups.lock_days_statement`), so a mark there
reads the database as it is once its day is the transaction's, however long that took.

A group goes through :mod:`pipeline` instead, too, when it needs statements whose outcome
another depends on, or rows a statement may change only once: a chained enrollment completed, a
sender day whose row this process has yet to see (made first, in the same transaction), two marks
taking slots in the same sender day; or when the connection is in use on another event loop.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from sequencer.store import groups, pipeline
from sequencer.store.groups import Beginning, SentRecord
from sequencer.store.sends import NewChain


def fits(
    records: Sequence[SentRecord],
    beginnings: Sequence[Beginning],
    known_days: set[tuple[str, str]],
) -> bool:
    """Whether the group can be written in one statement (see the module's notes)."""
    if any(isinstance(r.next_send, NewChain) for r in records):
        return False
    days = [(b.quota.sender, b.quota.day) for b in beginnings if b.quota is not None]
    return len(set(days)) == len(days) and all(day in known_days for day in days)


#: The longest the group's statement waits for a row lock before it gives up (PostgreSQL's
#: ``lock_timeout``); the group then goes through the pipeline.
LOCK_WAIT = "2ms"
#: How long, in seconds, the writer's connection is not tried again after an attempt failed.
RETRY = 60.0
#: PostgreSQL's error code for a lock not taken within ``lock_timeout``.
_LOCK_NOT_AVAILABLE = "55P03"


class GroupConnection:
    """The group writer's own asynchronous connection to PostgreSQL, and the groups written on
    it (:meth:`write`)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._conn: Any = None  # psycopg.AsyncConnection, made on the loop that uses it
        self._loop: asyncio.AbstractEventLoop | None = None
        #: one group at a time on the connection, whichever thread's loop asks
        self._lock = threading.Lock()
        #: the store was closed while a group was at the server: close it once that one ends
        self._closing = False
        #: after a failed connection attempt, the next one waits until then (time.monotonic())
        self._retry_at = 0.0

    async def write(
        self,
        records: Sequence[SentRecord],
        beginnings: Sequence[Beginning],
        known_days: set[tuple[str, str]],
    ) -> list[Any] | None:
        """Write the group in one statement, committed; each mark's row for
        :func:`pipeline.outcomes`, in the order given. None, having written nothing, when the
        group does not :func:`fit <fits>`, when the statement would have waited for a lock
        longer than :data:`LOCK_WAIT`, or when the connection is in use on another loop. Raises
        the driver's error when the statement failed (nothing of it was written) or the
        connection was lost (then the engine's pool is renewed too, as SQLAlchemy does when it
        finds a connection lost: the server has likely dropped those as well)."""
        if not (records or beginnings) or not fits(records, beginnings, known_days):
            return None
        if not self._lock.acquire(blocking=False):
            return None
        try:
            conn = await self._connection()
            if conn is None:
                return None
            statement, values, order = _compose(records, beginnings)
            params = [values[name] for name in statement.names]
            cursor = _raw_cursor(conn)
            try:
                self.engine.dispatch.before_cursor_execute(
                    None, cursor, statement.sql, params, None, False
                )
                await cursor.execute(statement.sql, params)
                row = await cursor.fetchone()
            except BaseException as exc:
                if conn.closed or conn.broken:
                    self._close()
                    self.engine.dispose()
                elif getattr(exc, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                    return None  # lock_timeout: nothing of it written
                raise
            finally:
                await cursor.close()
        finally:
            if self._closing:
                self._close()
            self._lock.release()
        return _rows(row, order, beginnings)

    async def _connection(self) -> Any:
        """The connection for the running loop; None when it is in use on another loop that
        is still running, or when it cannot be made (a URL only SQLAlchemy reads, such as
        several hosts; the server down): the groups then go through the pipeline, and the next
        attempt waits :data:`RETRY` seconds."""
        loop = asyncio.get_running_loop()
        if self._conn is not None and self._loop is not loop:
            if self._loop is not None and not self._loop.is_closed():
                return None
            self._close()  # made on a loop that has ended (another asyncio.run)
        if self._conn is None:
            if self._closing or time.monotonic() < self._retry_at:
                return None
            import psycopg  # only here: PostgreSQL and its driver are optional

            url = self.engine.url.set(drivername="postgresql")
            try:
                conn = await psycopg.AsyncConnection.connect(
                    url.render_as_string(hide_password=False), autocommit=True
                )
            except psycopg.Error:
                self._retry_at = time.monotonic() + RETRY
                return None
            try:
                await conn.execute(_GENERIC)
                await conn.execute(f"SET lock_timeout = '{LOCK_WAIT}'")
            except BaseException:
                await conn.close()
                raise
            self._conn, self._loop = conn, loop
        return self._conn

    def _close(self) -> None:
        conn, self._conn, self._loop = self._conn, None, None
        if conn is not None:  # its socket closed here: its loop may be gone
            conn.pgconn.finish()

    def close(self) -> None:
        """Close the connection: now, or, when a group is at the server on it (its loop waiting
        for the answer, perhaps on this very thread), once that group ends; no group is started
        on it after this."""
        self._closing = True
        if self._lock.acquire(blocking=False):
            try:
                self._close()
            finally:
                self._lock.release()


#: The writer's connection runs its statements on their generic plans (see the module's notes).
_GENERIC = "SET plan_cache_mode = force_generic_plan"


def _compose(
    records: Sequence[SentRecord], beginnings: Sequence[Beginning]
) -> tuple[_Statement, dict[str, Any], list[int]]:
    """The group's statement, its parameters by name, and the marks' order in it."""
    pipeline.check_aware(beginnings)
    order = groups.by_sender(beginnings)  # read in that order: locked in that order
    shape = tuple(
        (len(beginnings[i].suppression_keys), beginnings[i].quota is not None) for i in order
    )
    raw = _statement(bool(records), shape)
    values = dict(raw.constants)
    if records:
        values |= pipeline.record_values(records)
    for position, index in enumerate(order):
        params = groups.mark_params(beginnings[index])
        values |= {f"{name}__{position}": value for name, value in params.items()}
    return raw, values, order


def _rows(row: Any, order: list[int], beginnings: Sequence[Beginning]) -> list[Any]:
    """Each mark's row, as :func:`pipeline.outcomes` reads it, in the order given."""
    rows: list[Any] = [None] * len(beginnings)
    for position, index in enumerate(order):
        eligible, marked = row[3 + 2 * position], row[4 + 2 * position]
        if beginnings[index].quota is not None:
            rows[index] = (eligible, marked)
        else:  # a mark without a slot: its id when taken
            rows[index] = (beginnings[index].send.id,) if marked else None
    return rows


@dataclass(frozen=True)
class _Statement:
    """A group's statement as PostgreSQL takes it, with numbered parameters (``$1`` …): the
    driver then sends it as it is. Given named ones, the driver would parse the whole text on
    every run once it is longer than its cache takes (4 KB: a group with results and one mark
    already is), about 200 µs a group."""

    sql: str
    #: the parameters' names, in their numbers' order
    names: tuple[str, ...]
    #: the values SQLAlchemy bound in the statement itself
    constants: dict[str, Any]


_NAMED = re.compile(r"%\((\w+)\)s")


@lru_cache(maxsize=64)
def _statement(records: bool, shape: tuple[tuple[int, bool], ...]) -> _Statement:
    """The group's statement for its shape, compiled once."""
    compiled = pipeline.driver_sql(groups.group_statement(records, shape))
    names: list[str] = []
    numbers: dict[str, int] = {}

    def numbered(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in numbers:
            names.append(name)
            numbers[name] = len(names)
        return f"${numbers[name]}"

    # the driver's SQL doubles a literal percent sign: PostgreSQL's takes it single
    sql = _NAMED.sub(numbered, compiled.sql).replace("%%", "%")
    return _Statement(sql, tuple(names), compiled.constants)


def _raw_cursor(conn: Any) -> Any:
    import psycopg  # only here: PostgreSQL and its driver are optional

    return psycopg.AsyncRawCursor(conn)
