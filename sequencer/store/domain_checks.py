"""Domain checks: the DNS verdict of each recipient domain ``import --verify`` looked up, kept so
the next import within the TTL asks DNS nothing for it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sequencer.store.core import batches
from sequencer.store.tables import DOMAIN_CHECKS


def fresh(
    conn: sa.Connection, domains: Sequence[str], *, since: datetime
) -> dict[str, tuple[str, str]]:
    """The verdict and detail of each of ``domains`` checked at or after ``since``."""
    found: dict[str, tuple[str, str]] = {}
    table = DOMAIN_CHECKS
    for chunk in batches(list(domains)):
        query = sa.select(table.c.domain, table.c.verdict, table.c.detail).where(
            table.c.domain.in_(list(chunk)), table.c.checked_at >= since
        )
        found.update({d: (v, detail) for d, v, detail in conn.execute(query)})
    return found


def save(conn: sa.Connection, verdicts: Sequence[tuple[str, str, str]], *, at: datetime) -> None:
    """Keep each (domain, verdict, detail), checked ``at``; a domain checked before is replaced."""
    if not verdicts:
        return
    statement = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(DOMAIN_CHECKS)
    statement = statement.on_conflict_do_update(
        index_elements=["domain"],
        set_={
            "verdict": statement.excluded.verdict,
            "detail": statement.excluded.detail,
            "checked_at": statement.excluded.checked_at,
        },
    )
    rows = [
        {"domain": d, "verdict": v, "detail": detail, "checked_at": at} for d, v, detail in verdicts
    ]
    for chunk in batches(rows):
        conn.execute(statement, list(chunk))
