"""Small Core helpers every aggregate module shares: insert-or-ignore on either database, model
objects loaded from a query, a model's row values for an INSERT, batching of long id lists, and
the UTC fix for aggregates that bypass the column type."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlmodel import SQLModel
from sqlmodel.sql.expression import SelectOfScalar

M = TypeVar("M", bound=SQLModel)
T = TypeVar("T")

#: How many ids go into one ``IN (...)`` list.
BATCH = 2000


def models(conn: sa.Connection, query: SelectOfScalar[M]) -> list[M]:
    """The model objects ``query`` (a select of one model) selects, on ``conn``: every column
    loaded, nothing lazy, no session (see :func:`built`)."""
    return built(_entity(query), conn.execute(query))


def first_model(conn: sa.Connection, query: SelectOfScalar[M]) -> M | None:
    """The first model object ``query`` selects, or None."""
    result = conn.execute(query)
    row = result.first()  # and the rest discarded, as the ORM's first() does
    if row is None:
        return None
    return built(_entity(query), result, [row])[0]


def _entity(query: SelectOfScalar[M]) -> type[M]:
    model: type[M] = query.column_descriptions[0]["entity"]
    return model


def built(
    model: type[M], result: sa.CursorResult[Any], rows: Iterable[sa.Row[Any]] | None = None
) -> list[M]:
    """Model objects from ``result``'s rows (every column of ``model``'s table, by name), made
    as the ORM's loader makes them (a new instance of the class, its attributes set from the
    row, values through the column types) but without a Session: a session's set-up costs more
    than the few rows of a dispatch tick's reads, and nothing here writes through one. ``rows``
    are ``result``'s rows already fetched, if not all of them are wanted."""
    keys = tuple(result.keys())
    # the models' attributes work once their mappers are configured, which a Session's first
    # query does; here nothing else may have (a no-op once done)
    configure_mappers()
    new = manager_of_class(model).new_instance
    found = []
    for row in result if rows is None else rows:
        obj = new()
        obj.__dict__.update(zip(keys, row, strict=True))
        found.append(obj)
    return found


def insert_model(conn: sa.Connection, table: sa.Table, obj: SQLModel) -> int:
    """INSERT ``obj`` (every column, as the ORM writes it) and set its new ``id``; returns it."""
    values = row_values(table, obj)
    new_id = int(conn.execute(_insert_returning_id(table), values).scalar_one())
    obj.id = new_id  # every table given here has an int id
    return new_id


@lru_cache(maxsize=32)
def _insert_returning_id(table: sa.Table) -> Any:
    """An INSERT of ``table`` that returns the new id, built once per table (its values are the
    execution's parameters)."""
    return sa.insert(table).returning(table.c.id)


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


def unix_period(dialect: str, at: Any, seconds: int) -> Any:
    """SQL for the number of whole ``seconds``-long periods from the Unix epoch to the datetime
    expression ``at`` (UTC on both databases, whatever the session's time zone)."""
    if dialect == "sqlite":  # naive UTC ISO text there; cut the fraction first
        return sa.cast(sa.func.strftime("%s", sa.func.substr(at, 1, 19)), sa.Integer) // seconds
    return sa.cast(sa.func.floor(sa.extract("epoch", at) / seconds), sa.BigInteger)
