"""Schema versions, kept by Alembic: a fresh database is created at the head revision, an older one
is upgraded on request (``sequencer db upgrade``), never behind the user's back.

Only this module and the migrations (``sequencer/store/migrations``) import Alembic. There is no
alembic.ini: :func:`alembic_config` builds the configuration, and the migrations run on the caller's
engine, through ``config.attributes["connection"]``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import sequencer.store.tables  # noqa: F401 - every table on SQLModel.metadata before create_all
from sequencer.errors import SchemaOutdated

if (
    TYPE_CHECKING
):  # Alembic itself is imported when needed: opening a database at the head never does
    from alembic.config import Config
    from alembic.script import ScriptDirectory

#: The newest revision, the schema this version of sequencer reads and writes
#: (a test checks it is the head of ``migrations/versions``).
HEAD = "0005_fidelity"
MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"

#: Tables a database made by a sequencer from before migrations can hold (it has no version table).
_LEGACY_TABLES = frozenset(
    {
        "contacts",
        "enrollments",
        "sends",
        "events",
        "tasks",
        "suppressions",
        "variants",
        "decisions",
        "inbox_state",
        "inbound_messages",
        "hook_nonces",
    }
)
#: For such a database: a table each revision added, newest first; none of them present means
#: 0001_initial.
#: (revision, table, column): the revision added that table, or that column to it.
_ADDED_BY = (
    ("0005_fidelity", "holds", None),
    ("0004_chaining", "enrollments", "starts_at"),
    ("0003_sender_days", "sender_days", None),
    ("0002_inbox", "inbox_state", None),
)  # newest first
_FIRST = "0001_initial"
#: PostgreSQL advisory lock taken while creating or migrating the schema (any number, fixed).
_LOCK_KEY = 0x5E9_5C4E_3A


@dataclass(frozen=True, kw_only=True)
class Status:
    """Where a database's schema stands."""

    #: The revision stamped in the database, else the one its tables show (made by an older
    #: sequencer,
    #: unstamped), else None: an empty database.
    current: str | None
    #: The revision this version of sequencer needs.
    head: str
    #: Whether ``current`` is recorded in the database (False: detected from its tables, or empty).
    stamped: bool
    #: False when ``current`` is a revision this sequencer does not know: a newer one upgraded the
    #: database.
    known: bool

    @property
    def up_to_date(self) -> bool:
        return self.stamped and self.current == self.head


def alembic_config(url: str | None = None, *, connection: sa.Connection | None = None) -> Config:
    """Alembic's configuration without an ini file: the migrations folder, ``url``, and
    ``connection``
    (used, inside its transaction, instead of connecting to ``url``)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option(
        "file_template", "%%(rev)s"
    )  # new revision files are named by their readable ids
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # the ini parser's escape
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def status(engine: Engine) -> Status:
    with engine.connect() as conn:
        return _status(conn)


def current(engine: Engine) -> str | None:
    """The revision stamped in the database, or the one detected in an unstamped database made by an
    older sequencer; None for an empty database."""
    return status(engine).current


def prepare(engine: Engine) -> None:
    """Make the database ready for this sequencer, or say why it is not.

    An empty database gets the whole schema at once (``create_all``, stamped at the head: much
    faster than running every migration). A database at the head is left alone. Any other raises
    :class:`SchemaOutdated`: upgrading is the user's call (after a backup), with ``sequencer db
    upgrade``.
    """
    found = status(engine)
    if found.current is None:
        # several processes may open the same new database at once: one creates, the others wait and
        # see it
        with _exclusive(engine) as conn:
            found = _status(conn)
            if found.current is None:
                from alembic.runtime.migration import MigrationContext

                SQLModel.metadata.create_all(conn)
                MigrationContext.configure(conn).stamp(_scripts(), HEAD)
                return
    _check(found)


def upgrade(engine: Engine, *, to: str = "head") -> tuple[str | None, str]:
    """Run the migrations from the database's revision up to ``to`` (default: the head), in one
    transaction; an unstamped database made by an older sequencer is stamped with the revision its
    tables show first. Returns the revisions before (None: the database was empty) and after."""
    from alembic import command

    with _exclusive(engine, migrating=True) as conn:
        before = _status(conn)
        if not before.known:
            raise SchemaOutdated(_newer(before))
        config = alembic_config(connection=conn)
        if not before.stamped and before.current is not None:
            command.stamp(config, before.current)
        command.upgrade(config, to)
        after = _status(conn).current
    assert after is not None
    return before.current, after


def _check(found: Status) -> None:
    if found.up_to_date:
        return
    if not found.known:
        raise SchemaOutdated(_newer(found))
    if found.stamped:
        state = f"the database schema is at revision {found.current}"
    else:
        state = (
            f"the database has no schema revision recorded (an older sequencer made it; "
            f"its tables match revision {found.current})"
        )
    raise SchemaOutdated(
        f"{state}; this version of sequencer needs {found.head}. Back up the database, "
        "then run `sequencer db upgrade`."
    )


def _newer(found: Status) -> str:
    return (
        f"the database schema is at revision {found.current}, "
        "which this version of sequencer does not "
        f"know (its newest is {found.head}): the database "
        "is newer than this sequencer, a newer one "
        "upgraded it. Use that version, or restore a backup made before the upgrade."
    )


def _status(conn: sa.Connection) -> Status:
    tables = set(sa.inspect(conn).get_table_names())
    stamped: list[str] = []
    if VERSION_TABLE in tables:
        stamped = list(conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    if len(stamped) > 1:
        raise SchemaOutdated(
            f"the database records several schema revisions ({', '.join(sorted(stamped))}); "
            f"this version of sequencer has a single line of revisions up to {HEAD}."
        )
    if stamped:
        revision = stamped[0]
        return Status(
            current=revision,
            head=HEAD,
            stamped=True,
            known=revision == HEAD or revision in _known(),
        )
    return Status(current=_detect(conn, tables), head=HEAD, stamped=False, known=True)


def _detect(conn: sa.Connection, tables: set[str]) -> str | None:
    """The revision an unstamped database's tables show; None when it holds no sequencer table."""
    if not tables & _LEGACY_TABLES:
        return None
    inspector = sa.inspect(conn)

    def has(table: str, column: str | None) -> bool:
        if table not in tables:
            return False
        return column is None or column in {c["name"] for c in inspector.get_columns(table)}

    return next((revision for revision, table, column in _ADDED_BY if has(table, column)), _FIRST)


@functools.cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def _known() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


@contextmanager
def _exclusive(engine: Engine, *, migrating: bool = False) -> Iterator[sa.Connection]:
    """A connection in a transaction that covers the DDL too and that one process at a time holds,
    committed when the block ends: a second process waits, then finds the schema the first made.

    PostgreSQL's DDL is transactional as it is; an advisory lock, released at the commit, makes the
    others wait. SQLite's driver would commit before each DDL statement, so the transaction is begun
    by hand, IMMEDIATE: it takes the write lock now (others wait up to the busy timeout). When
    ``migrating``, SQLite's foreign keys are off meanwhile (batch mode copies and renames tables,
    which they would stop) and checked before the commit instead.
    """
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        fk_off = sqlite and migrating
        if fk_off:
            conn.exec_driver_sql(
                "PRAGMA foreign_keys=OFF"
            )  # a no-op inside a transaction: before BEGIN
        if sqlite:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        try:
            yield conn
            if fk_off:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(
                        f"the migration broke foreign keys, nothing was changed: {broken[:5]}"
                    )
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            if fk_off:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
