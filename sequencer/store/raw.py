"""The send path's hottest SQLite statements, run straight on the driver.

A group's marks and results (:mod:`groups`) are a few short statements per send, and on SQLite,
which runs in the process, SQLAlchemy's own work around each execution (its result objects, its
parameter handling, its events) costs more than SQLite's work on the rows. The statements stay
SQLAlchemy Core, built once in :mod:`groups`; here each is compiled once for the connection's
dialect, and run on the driver's cursor with its parameters in the compiled order, each passed
through the bind processor SQLAlchemy would have used (so a datetime is stored exactly as
SQLAlchemy stores it). They run in the caller's transaction: the same driver connection, which
begins it before the first change, as it does for SQLAlchemy's own statements. Event listeners
of the engine (``before_cursor_execute``) see them, as they see SQLAlchemy's.

On another database each statement simply goes through SQLAlchemy (PostgreSQL's groups have
their own path, :mod:`pipeline`), and so does a statement whose SQL SQLAlchemy completes only at
execution (an expanding ``IN``, or an empty one: a send with no suppression key).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


@dataclass(frozen=True)
class _Compiled:
    """A statement as the SQLite driver takes it."""

    sql: str
    #: each ``?`` of the SQL: the parameter's name, whether the caller must give it (else the
    #: value SQLAlchemy bound in the statement itself is used), and its bind processor, if any
    slots: tuple[tuple[str, bool, Any, Callable[[Any], Any] | None], ...]

    def values(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The driver's parameters; a KeyError names a required one not given (never a NULL)."""
        out = []
        for name, required, constant, process in self.slots:
            value = params[name] if required else params.get(name, constant)
            out.append(value if process is None else process(value))
        return tuple(out)


#: Compiled statements, by the statement object (kept alive with it, so its id is not reused);
#: None for one whose SQL is only complete at execution (an expanding ``IN``, an empty one).
_CACHE: dict[int, tuple[Any, _Compiled | None]] = {}
#: The most statements kept: the send path has about a dozen; a caller that made statements anew
#: at every call would otherwise grow the cache for ever.
_KEPT = 256


def _compiled(conn: sa.Connection, statement: Any) -> _Compiled | None:
    hit = _CACHE.get(id(statement))
    if hit is not None and hit[0] is statement:
        return hit[1]
    compiled = statement.compile(dialect=conn.dialect)
    names = compiled.positiontup
    binds = compiled.binds
    result = None
    if names is not None and not any(b.expanding or b.literal_execute for b in binds.values()):
        processors = compiled._bind_processors
        bound = compiled.params
        slots = tuple((n, binds[n].required, bound.get(n), processors.get(n)) for n in names)
        result = _Compiled(str(compiled), slots)
    if len(_CACHE) >= _KEPT:
        _CACHE.clear()
    _CACHE[id(statement)] = (statement, result)
    return result


def _direct(conn: sa.Connection, statement: Any) -> _Compiled | None:
    """``statement`` for the driver, or None where SQLAlchemy must run it: another database, or
    no transaction begun yet (SQLAlchemy's own execution begins one, and commits what it did)."""
    if conn.dialect.name != "sqlite" or not conn.in_transaction():
        return None
    return _compiled(conn, statement)


def execute(conn: sa.Connection, statement: Any, params: Mapping[str, Any]) -> int:
    """Run ``statement`` (an UPDATE, INSERT or DELETE) with ``params``; the rows it changed."""
    compiled = _direct(conn, statement)
    if compiled is None:
        return int(conn.execute(statement, dict(params)).rowcount)
    values = compiled.values(params)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        conn.dispatch.before_cursor_execute(conn, cursor, compiled.sql, values, None, False)
        cursor.execute(compiled.sql, values)
        return int(cursor.rowcount)
    finally:
        cursor.close()


def execute_many(conn: sa.Connection, statement: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run ``statement`` once for each of ``rows``, in one driver call."""
    if not rows:
        return
    compiled = _direct(conn, statement)
    if compiled is None:
        conn.execute(statement, [dict(r) for r in rows])
        return
    values = [compiled.values(r) for r in rows]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        conn.dispatch.before_cursor_execute(conn, cursor, compiled.sql, values, None, True)
        cursor.executemany(compiled.sql, values)
    finally:
        cursor.close()
