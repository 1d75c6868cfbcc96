"""A group's writes on PostgreSQL in one statement, on the group writer's own connection.

:mod:`pipeline` sends a group as BEGIN, a ``SET LOCAL``, the results, one statement per mark and
COMMIT: one round trip, but five statements, and the driver's pipeline costs about 250 µs of the
client's CPU per group (``bench/claim.py``). Most groups need none of that: their results and
marks fit in one statement (:func:`groups.group_statement`), which, run alone on a connection in
autocommit, is its own transaction, all of it or nothing. That is one statement, one round trip
and one wait per group; about 80 µs of CPU, against 250.

The connection is the writer's own, taken from the engine's pool and never given back to it: in
autocommit, and with ``plan_cache_mode = force_generic_plan`` for its whole session, since its
statements run on arrays whose generic plans are as good for any group, and PostgreSQL would
otherwise plan each run anew (see :data:`pipeline._GENERIC`). It is closed with the store.

A group goes through :mod:`pipeline` instead when it needs statements whose outcome another
depends on, or rows a statement may change only once: a chained enrollment completed, a sender
day whose row this process has yet to see (made first, in the same transaction), two marks
taking slots in the same sender day, or the connection in use by another thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
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


class GroupConnection:
    """The group writer's own connections to PostgreSQL, and the groups written on them: one for
    the event loop (:meth:`awrite`), one for threads (:meth:`write`)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._conn: sa.Connection | None = None
        self._lock = threading.Lock()
        self._aconn: Any = None  # psycopg.AsyncConnection, made on the loop that uses it
        self._aloop: asyncio.AbstractEventLoop | None = None
        self._abusy = False

    def write(
        self,
        records: Sequence[SentRecord],
        beginnings: Sequence[Beginning],
        known_days: set[tuple[str, str]],
    ) -> list[Any] | None:
        """Write the group in one statement, committed; each mark's row for
        :func:`pipeline.outcomes`, in the order given. None, having written nothing, when the
        group does not :func:`fit <fits>` or the connection is busy."""
        if not (records or beginnings) or not fits(records, beginnings, known_days):
            return None
        if not self._lock.acquire(blocking=False):
            return None
        try:
            raw, values, order = _compose(records, beginnings)
            conn = self._connection()
            driver: Any = conn.connection.driver_connection
            cursor = driver.cursor()
            try:
                conn.dispatch.before_cursor_execute(conn, cursor, raw.sql, values, None, False)
                cursor.execute(raw.sql, values)
                row = cursor.fetchone()
            except BaseException:
                if driver.closed or driver.broken:
                    self._close_sync()  # a new one next time
                raise
            finally:
                cursor.close()
        finally:
            self._lock.release()
        return _rows(row, order, beginnings)

    async def awrite(
        self,
        records: Sequence[SentRecord],
        beginnings: Sequence[Beginning],
        known_days: set[tuple[str, str]],
    ) -> list[Any] | None:
        """:meth:`write` on the running event loop, with no thread: the loop goes on while the
        statement is at the server, and the group's outcome comes back without two thread
        switches (about 200 µs a group in ``bench/claim.py``)."""
        if not (records or beginnings) or not fits(records, beginnings, known_days):
            return None
        if self._abusy:
            return None
        self._abusy = True
        try:
            raw, values, order = _compose(records, beginnings)
            conn = await self._async_connection()
            cursor = conn.cursor()
            try:
                self.engine.dispatch.before_cursor_execute(
                    None, cursor, raw.sql, values, None, False
                )
                await cursor.execute(raw.sql, values)
                row = await cursor.fetchone()
            except BaseException:
                if conn.closed or conn.broken:
                    self._close_async()
                raise
            finally:
                await cursor.close()
        finally:
            self._abusy = False
        return _rows(row, order, beginnings)

    def _connection(self) -> sa.Connection:
        if self._conn is None:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                conn.connection.driver_connection.execute(_GENERIC)  # type: ignore[union-attr]
            except BaseException:
                conn.invalidate()
                conn.close()
                raise
            self._conn = conn
        return self._conn

    async def _async_connection(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._aconn is not None and self._aloop is not loop:
            self._close_async()  # made on a loop that has ended (another asyncio.run)
        if self._aconn is None:
            import psycopg  # only here: PostgreSQL and its driver are optional

            url = self.engine.url.set(drivername="postgresql")
            conn = await psycopg.AsyncConnection.connect(
                url.render_as_string(hide_password=False), autocommit=True
            )
            try:
                await conn.execute(_GENERIC)
            except BaseException:
                await conn.close()
                raise
            self._aconn, self._aloop = conn, loop
        return self._aconn

    def _close_sync(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.invalidate()
            conn.close()

    def _close_async(self) -> None:
        conn, self._aconn, self._aloop = self._aconn, None, None
        if conn is not None:  # its socket closed here: its loop may be gone
            conn.pgconn.finish()

    def close(self) -> None:
        """Close both connections (neither goes back to a pool: its session settings are its
        own)."""
        self._close_sync()
        self._close_async()


#: The writer's connections run their statements on their generic plans (see the module's notes).
_GENERIC = "SET plan_cache_mode = force_generic_plan"


def _compose(
    records: Sequence[SentRecord], beginnings: Sequence[Beginning]
) -> tuple[pipeline.Raw, dict[str, Any], list[int]]:
    """The group's statement, its parameters, and the marks' order in it."""
    pipeline.check_aware(beginnings)
    # marks sorted by sender, read in that order: two workers lock the sender days in one order
    order = sorted(range(len(beginnings)), key=lambda i: beginnings[i].send.sender)
    shape = tuple(
        (len(beginnings[i].suppression_keys), beginnings[i].quota is not None) for i in order
    )
    raw = _statement(bool(records), shape)
    values = dict(raw.constants)
    if records:
        values |= pipeline.record_values(records)
    for position, index in enumerate(order):
        item = beginnings[index]
        params = groups.mark_values(item)
        if item.quota is not None:
            params |= groups.slot_values(item.quota, item.now)
        values |= {f"{name}__{position}": value for name, value in params.items()}
    return raw, values, order


def _rows(row: Any, order: list[int], beginnings: Sequence[Beginning]) -> list[Any]:
    """Each mark's row, as :func:`pipeline.outcomes` reads it, in the order given."""
    rows: list[Any] = [None] * len(beginnings)
    for position, index in enumerate(order):
        eligible, marked = row[2 * position], row[2 * position + 1]
        if beginnings[index].quota is not None:
            rows[index] = (eligible, marked)
        else:  # a mark without a slot: its id when taken
            rows[index] = (beginnings[index].send.id,) if marked else None
    return rows


@lru_cache(maxsize=64)
def _statement(records: bool, shape: tuple[tuple[int, bool], ...]) -> pipeline.Raw:
    """The group's statement in the driver's SQL, compiled once per shape."""
    return pipeline.driver_sql(groups.group_statement(records, shape))
