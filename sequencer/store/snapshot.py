"""A read-only snapshot of a database into another one, for ``sequencer simulate``.

The source is opened so that nothing can be written to it: a SQLite file through SQLite's own
read-only modes (no pragma, no checkpoint: the file stays byte-identical), a
PostgreSQL database in a ``READ ONLY`` transaction. Every table's rows are copied, in foreign-key
order, into a target that :class:`~sequencer.store.Store` has just created at the head schema.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlmodel import SQLModel

from sequencer.errors import SchemaOutdated
from sequencer.store import migrate
from sequencer.store.repository import Store

#: Rows inserted per statement.
_CHUNK = 500


def source_exists(url: str) -> bool:
    """False for a SQLite file that does not exist (opening it read-only would fail)."""
    if not url.startswith("sqlite"):
        return True
    path = url.split("///", 1)[-1].split("?", 1)[0]
    return path not in ("", ":memory:") and Path(path).is_file()


def _read_only(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[-1].split("?", 1)[0]).resolve()
        # With a write-ahead log beside it (a worker has the file open), read through the log;
        # without one, the file is the whole database: read it as immutable, which creates no
        # -wal or -shm file beside it.
        live = path.with_name(path.name + "-wal").exists()
        mode = "mode=ro" if live else "immutable=1"
        return sa.create_engine(f"sqlite:///file:{path}?{mode}&uri=true")
    return sa.create_engine(url, execution_options={"postgresql_readonly": True})


def copy_into(source_url: str, target: Store) -> dict[str, int]:
    """Copy every row of ``source_url`` into ``target`` (empty, at the head schema), reading the
    source only. Returns the rows copied per table. Raises :class:`SchemaOutdated` when the source
    is not at the schema this sequencer reads.
    """
    source = _read_only(source_url)
    try:
        found = migrate.status(source)
        if found.current is None:
            return {}
        if not found.up_to_date:
            raise SchemaOutdated(
                f"{source_url}: the database schema is at revision {found.current}, this "
                f"sequencer needs {found.head}: run `sequencer db upgrade` first"
            )
        copied: dict[str, int] = {}
        with source.connect() as read, target.engine.begin() as write:
            for table in SQLModel.metadata.sorted_tables:
                rows = read.execute(sa.select(table)).mappings()
                count = 0
                while chunk := [dict(row) for row in rows.fetchmany(_CHUNK)]:
                    write.execute(table.insert(), chunk)
                    count += len(chunk)
                copied[table.name] = count
        return copied
    finally:
        source.dispose()
