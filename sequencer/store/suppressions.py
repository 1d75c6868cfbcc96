"""Suppressions: addresses and ``@domain`` keys that are never mailed, in any sequence; the hashed
keys ``forget`` leaves behind are among them. :func:`add` and :func:`remove` are the only
functions that write the list, and each writes its change (with its reason and source) into the
change log (``suppression_changes``) in the same transaction, so the log and the list never
disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from sequencer.contacts import ERASED_PREFIX
from sequencer.store.core import insert_ignoring, models
from sequencer.store.tables import (
    SUPPRESSION_CHANGES,
    SUPPRESSIONS,
    Suppression,
    SuppressionChange,
)

#: The change log's actions.
ADDED, REMOVED = "added", "removed"


def add(conn: sa.Connection, key: str, *, reason: str, at: datetime, source: str) -> bool:
    """Insert a suppression unless it exists (race-free on both databases), logging the change;
    True if it was new."""
    # RETURNING, not rowcount: drivers report rowcount -1 for some INSERTs
    inserted = conn.execute(
        insert_ignoring(conn, SUPPRESSIONS, ["key"])
        .values(key=key, reason=reason, created_at=at)
        .returning(SUPPRESSIONS.c.id)
    )
    new = inserted.first() is not None
    if new:
        _log(conn, key, ADDED, reason=reason, at=at, source=source)
    return new


def remove(conn: sa.Connection, key: str, *, reason: str, at: datetime, source: str) -> bool:
    """Delete a suppression, logging the change with ``reason``; False if it was not listed."""
    deleted = conn.execute(
        sa.delete(SUPPRESSIONS).where(SUPPRESSIONS.c.key == key).returning(SUPPRESSIONS.c.id)
    )
    gone = deleted.first() is not None
    if gone:
        _log(conn, key, REMOVED, reason=reason, at=at, source=source)
    return gone


def add_many(
    conn: sa.Connection, keys: Sequence[str], *, reason: str, at: datetime, source: str = "cli"
) -> int:
    """:func:`add` for each key (once); how many were new."""
    return sum(add(conn, k, reason=reason, at=at, source=source) for k in dict.fromkeys(keys))


def swap_for_hash(conn: sa.Connection, key: str, hashed: str, *, at: datetime) -> int:
    """``forget``: the plaintext suppression of ``key`` is replaced by ``hashed``, and the change
    log's past entries for ``key`` are rewritten to ``hashed`` (the log keeps no erased address).
    Returns the plaintext entries removed."""
    removed = conn.execute(
        sa.delete(SUPPRESSIONS).where(SUPPRESSIONS.c.key == key).returning(SUPPRESSIONS.c.id)
    ).all()
    log = SUPPRESSION_CHANGES
    conn.execute(sa.update(log).where(log.c.key == key).values(key=hashed))
    add(conn, hashed, reason="forgotten", at=at, source="forget")
    return len(removed)


def _log(
    conn: sa.Connection, key: str, action: str, *, reason: str, at: datetime, source: str
) -> None:
    conn.execute(
        sa.insert(SUPPRESSION_CHANGES).values(
            key=key, action=action, reason=reason, source=source, at=at
        )
    )


def any_of(conn: sa.Connection, keys: Sequence[str]) -> bool:
    """Whether any of ``keys`` is suppressed."""
    query = sa.select(SUPPRESSIONS.c.id).where(SUPPRESSIONS.c.key.in_(list(keys)))
    return conn.execute(query).first() is not None


def present(conn: sa.Connection, keys: Sequence[str]) -> set[str]:
    """Those of ``keys`` on the list."""
    query = sa.select(SUPPRESSIONS.c.key).where(SUPPRESSIONS.c.key.in_(list(keys)))
    return set(conn.execute(query).scalars())


def listed(
    conn: sa.Connection, *, reason: str | None = None, since: datetime | None = None
) -> list[Suppression]:
    """The list, oldest first; only entries added for ``reason``, or at or after ``since``."""
    query = select(Suppression).order_by(col(Suppression.created_at), col(Suppression.id))
    if reason is not None:
        query = query.where(col(Suppression.reason) == reason)
    if since is not None:
        query = query.where(col(Suppression.created_at) >= since)
    return models(conn, query)


def changes(conn: sa.Connection, *, key: str | None = None) -> list[SuppressionChange]:
    """The change log, oldest first; only the changes of ``key`` when given."""
    query = select(SuppressionChange).order_by(col(SuppressionChange.at), col(SuppressionChange.id))
    if key is not None:
        query = query.where(col(SuppressionChange.key) == key)
    return models(conn, query)


def erased_keys(conn: sa.Connection) -> set[str]:
    """Every hashed suppression key that ``forget`` left (``sha256:…``)."""
    query = sa.select(SUPPRESSIONS.c.key).where(SUPPRESSIONS.c.key.startswith(ERASED_PREFIX))
    return set(conn.execute(query).scalars())


class SuppressionBook:
    """Managing the list (``Store.suppression_book``), one transaction per call."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def remove(self, keys: Sequence[str], *, reason: str, at: datetime, source: str) -> list[str]:
        """:func:`remove` each key (once), all or none; the keys that were on the list."""
        with self.engine.begin() as conn:
            unique = dict.fromkeys(keys)
            return [k for k in unique if remove(conn, k, reason=reason, at=at, source=source)]

    def listed(self, *, reason: str | None, since: datetime | None) -> list[Suppression]:
        """See :func:`listed`."""
        with self.engine.connect() as conn:
            return listed(conn, reason=reason, since=since)

    def changes(self, key: str | None = None) -> list[SuppressionChange]:
        """See :func:`changes`."""
        with self.engine.connect() as conn:
            return changes(conn, key=key)
