"""The store facade's base, :class:`Transactions`: a SQLAlchemy engine and one transaction per
call. :class:`sequencer.store.repository.Store` and the facade parts it inherits build on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

P = ParamSpec("P")
R = TypeVar("R")


class Transactions:
    """Runs a store function in a read connection or a write transaction of ``engine``."""

    engine: Engine

    def _read(
        self, query: Callable[Concatenate[sa.Connection, P], R], /, *a: P.args, **k: P.kwargs
    ) -> R:
        with self.engine.connect() as conn:
            return query(conn, *a, **k)

    def _write(
        self, change: Callable[Concatenate[sa.Connection, P], R], /, *a: P.args, **k: P.kwargs
    ) -> R:
        with self.engine.begin() as conn:
            return change(conn, *a, **k)
