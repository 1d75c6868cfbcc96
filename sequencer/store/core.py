"""Small Core helpers every aggregate module shares: insert-or-ignore on either database, model
objects loaded from a query, a model's row values for an INSERT, batching of long id lists, and
the UTC fix for aggregates that bypass the column type."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel
from sqlmodel.sql.expression import SelectOfScalar

M = TypeVar("M", bound=SQLModel)
T = TypeVar("T")

#: How many ids go into one ``IN (...)`` list.
BATCH = 2000


def models(conn: sa.Connection, query: SelectOfScalar[M]) -> list[M]:
    """The model objects ``query`` selects, loaded as the ORM loads them, on ``conn`` (detached
    once returned: every column is loaded, nothing is lazy)."""
    with Session(conn) as session:
        return list(session.exec(query))


def first_model(conn: sa.Connection, query: SelectOfScalar[M]) -> M | None:
    """The first model object ``query`` selects, or None."""
    with Session(conn) as session:
        return session.exec(query).first()


def insert_model(conn: sa.Connection, table: sa.Table, obj: SQLModel) -> int:
    """INSERT ``obj`` (every column, as the ORM writes it) and set its new ``id``; returns it."""
    values = row_values(table, obj)
    new_id = int(conn.execute(sa.insert(table).values(values).returning(table.c.id)).scalar_one())
    obj.id = new_id  # every table given here has an int id
    return new_id


def row_values(table: sa.Table, obj: SQLModel) -> dict[str, Any]:
    """Every column of ``obj`` but its id, for an executemany INSERT."""
    return {c.name: getattr(obj, c.name) for c in table.columns if c.name != "id"}


def insert_ignoring(conn: sa.Connection, table: sa.Table, keys: list[str]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING on either database."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=keys)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=keys)


def batches(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """``items`` in slices of :data:`BATCH`."""
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def aware(value: datetime | None) -> datetime | None:
    """Aggregates bypass the column type on SQLite and come back naive: they are UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
