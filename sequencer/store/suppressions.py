"""Suppressions: addresses and ``@domain`` keys that are never mailed, in any sequence; the hashed
keys ``forget`` leaves behind are among them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from sequencer.contacts import ERASED_PREFIX
from sequencer.store.core import insert_ignoring, models
from sequencer.store.tables import SUPPRESSIONS, Suppression


def add(conn: sa.Connection, key: str, *, reason: str, at: datetime) -> bool:
    """Insert a suppression unless it exists (race-free on both databases); True if it was new."""
    # RETURNING, not rowcount: drivers report rowcount -1 for some INSERTs
    inserted = conn.execute(
        insert_ignoring(conn, SUPPRESSIONS, ["key"])
        .values(key=key, reason=reason, created_at=at)
        .returning(SUPPRESSIONS.c.id)
    )
    return inserted.first() is not None


def any_of(conn: sa.Connection, keys: Sequence[str]) -> bool:
    """Whether any of ``keys`` is suppressed."""
    query = sa.select(SUPPRESSIONS.c.id).where(SUPPRESSIONS.c.key.in_(list(keys)))
    return conn.execute(query).first() is not None


def listed(conn: sa.Connection) -> list[Suppression]:
    query = select(Suppression).order_by(col(Suppression.created_at), col(Suppression.id))
    return models(conn, query)


def erased_keys(conn: sa.Connection) -> set[str]:
    """Every hashed suppression key that ``forget`` left (``sha256:…``)."""
    query = sa.select(SUPPRESSIONS.c.key).where(SUPPRESSIONS.c.key.startswith(ERASED_PREFIX))
    return set(conn.execute(query).scalars())
