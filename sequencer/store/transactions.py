"""The store facade's base, :class:`Transactions`: a SQLAlchemy engine and one transaction per
call. :class:`sequencer.store.repository.Store` and the facade parts it inherits build on it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

P = ParamSpec("P")
R = TypeVar("R")


class Transactions:
    """Runs a store function in a read connection or a write transaction of ``engine``."""

    engine: Engine

    @cached_property
    def _single(self) -> Engine:
        """Where a read, or a write of one statement, runs. On PostgreSQL, connections that commit
        each statement on its own: no BEGIN and no COMMIT or ROLLBACK, two round trips fewer, and
        nothing else changes (under READ COMMITTED each statement reads its own snapshot anyway,
        and one statement is atomic). SQLite's reads keep their transaction: one snapshot for all
        their statements."""
        if self.engine.dialect.name != "postgresql":
            return self.engine
        return self.engine.execution_options(isolation_level="AUTOCOMMIT")

    def _read(
        self, query: Callable[Concatenate[sa.Connection, P], R], /, *a: P.args, **k: P.kwargs
    ) -> R:
        with self._single.connect() as conn:
            return query(conn, *a, **k)

    def _write_one(
        self, change: Callable[Concatenate[sa.Connection, P], R], /, *a: P.args, **k: P.kwargs
    ) -> R:
        """``change``, which makes a single statement: alone on PostgreSQL (see :attr:`_single`),
        in a transaction elsewhere."""
        if self._single is self.engine:
            return self._write(change, *a, **k)
        with self._single.connect() as conn:
            return change(conn, *a, **k)

    def _write(
        self, change: Callable[Concatenate[sa.Connection, P], R], /, *a: P.args, **k: P.kwargs
    ) -> R:
        with self.engine.begin() as conn:
            return change(conn, *a, **k)
