"""Alembic's entry point, run by every ``alembic.command``.

It works on the connection :mod:`sequencer.store.migrate` passes in
``config.attributes["connection"]``
(inside the caller's transaction), or else on ``sqlalchemy.url``. SQLite gets batch mode, so a later
revision's ALTER TABLE is done by copying the table, the only way SQLite can.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from sequencer.store.tables import (
    UTCDateTime,
)  # and every table on SQLModel.metadata, for autogenerate

config = context.config
target_metadata = SQLModel.metadata


def render_item(kind: str, obj: Any, _context: Any) -> str | Literal[False]:
    """Autogenerate writes the model types as plain SQLAlchemy ones, with the same DDL: a revision
    stays readable and does not depend on the models it was written from."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(obj, AutoString) and obj.length is None:
        return "sa.String()"
    return False


def run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():  # `--sql`: print the SQL instead of running it
        context.configure(
            url=url,
            target_metadata=target_metadata,
            literal_binds=True,
            render_as_batch=bool(url and url.startswith("sqlite")),
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    if not url:
        raise RuntimeError(
            "no connection and no sqlalchemy.url: build the config with sequencer.store.migrate"
        )
    from sequencer.store.repository import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as own:
            run(own)
    finally:
        engine.dispose()


main()
