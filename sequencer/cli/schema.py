"""The ``db`` group: the database schema's revision, and its upgrade to this version."""

from __future__ import annotations

from typing import Any

import typer

from sequencer.cli.common import escape, friendly, out, read_config

db_app = typer.Typer(
    help="The database schema: its revision, and upgrades after installing a newer sequencer.",
    no_args_is_help=True,
)


def _db_engine() -> Any:
    """An SQLAlchemy engine on the configured database, not a Store: a Store refuses an outdated
    schema.
    """
    from sequencer.store.repository import make_engine

    return make_engine(read_config().database_url)


@db_app.command("upgrade")
@friendly
def db_upgrade() -> None:
    """Upgrade the database schema to this version of sequencer, keeping every row (back it up
    first).
    """
    from sequencer.store import migrate

    eng = _db_engine()
    try:
        found = migrate.status(eng)
        before, after = migrate.upgrade(eng)
    finally:
        eng.dispose()
    if before is None:
        out.print(f"database created at {after}")
    elif not found.stamped:
        out.print(
            f"database made by an older sequencer: stamped {before} (detected from its tables)"
            + ("" if before == after else f", upgraded: {before} -> {after}")
        )
    elif before == after:
        out.print(f"database is up to date ({after})")
    else:
        out.print(f"database upgraded: {before} -> {after}")


@db_app.command("status")
@friendly
def db_status() -> None:
    """The database's schema revision, and the one this version of sequencer needs."""
    from sequencer.store import migrate

    eng = _db_engine()
    try:
        found = migrate.status(eng)
        where = eng.url.render_as_string(hide_password=True)
    finally:
        eng.dispose()
    detected = (
        ""
        if found.stamped or found.current is None
        else " (not recorded: detected from its tables)"
    )
    out.print(f"database: {escape(where)}")
    out.print(f"current:  {found.current or '(empty database)'}{detected}")
    out.print(f"head:     {found.head}")
    if found.up_to_date:
        out.print("[green]up to date[/]")
    elif found.current is None:
        out.print("empty: sequencer creates the schema when it first uses the database")
    elif not found.known:
        out.print("[red]the database is newer than this sequencer[/]: a newer version upgraded it")
    else:
        out.print(
            "[yellow]upgrade needed[/]: back up the database, then run `sequencer db upgrade`"
        )
