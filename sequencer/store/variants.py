"""Variants: each subject and body variant's status (live, retired by scoring, revived by a
person), the numbers scoring reads, and the decision rows of each scoring look."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from sequencer.status import SendStatus, VariantStatus
from sequencer.store.core import models, row_values
from sequencer.store.tables import DECISIONS, EVENTS, SENDS, VARIANTS, Decision, VariantState


def retired_keys(conn: sa.Connection, sequence: str, step_key: str, factor: str) -> set[str]:
    query = sa.select(VARIANTS.c.key).where(
        VARIANTS.c.sequence == sequence,
        VARIANTS.c.step_key == step_key,
        VARIANTS.c.factor == factor,
        VARIANTS.c.status == VariantStatus.RETIRED,
    )
    return set(conn.execute(query).scalars())


def states(conn: sa.Connection) -> list[VariantState]:
    order = (VariantState.sequence, VariantState.step_key, VariantState.factor, VariantState.key)
    return models(conn, select(VariantState).order_by(*(col(c) for c in order)))


def set_status(
    conn: sa.Connection,
    sequence: str,
    step_key: str,
    factor: str,
    key: str,
    status: str,
    reason: str,
    at: datetime,
) -> None:
    """Record a variant's status; ``since`` moves only when the status changes."""
    this = (
        VARIANTS.c.sequence == sequence,
        VARIANTS.c.step_key == step_key,
        VARIANTS.c.factor == factor,
        VARIANTS.c.key == key,
    )
    known = conn.execute(sa.select(VARIANTS.c.status).where(*this)).first()
    if known is None:
        conn.execute(
            sa.insert(VARIANTS).values(
                sequence=sequence,
                step_key=step_key,
                factor=factor,
                key=key,
                status=status,
                since=at,
                reason=reason,
            )
        )
        return
    changed = {"since": at} if known.status != status else {}
    conn.execute(sa.update(VARIANTS).where(*this).values(status=status, reason=reason, **changed))


def stats(
    conn: sa.Connection, sequence: str, step_key: str, factor: str, until: datetime, metric: str
) -> dict[str, tuple[int, int]]:
    """Per variant key: (sends out by ``until``, of them those with a ``metric`` event)."""
    key = SENDS.c.subject_key if factor == "subject" else SENDS.c.body_key
    counted = (
        SENDS.c.sequence == sequence,
        SENDS.c.step_key == step_key,
        SENDS.c.status == SendStatus.SENT,
        SENDS.c.sent_at <= until,
        key.is_not(None),
    )
    # two plain GROUP BYs: the sends, then the sends with an event (joined from the events side,
    # which is small); one outer join with count(DISTINCT) was ~10x slower over 1M sends
    totals = conn.execute(sa.select(key, sa.func.count()).where(*counted).group_by(key)).all()
    with_event = sa.select(EVENTS.c.send_id).where(EVENTS.c.kind == metric).distinct().subquery()
    joined = SENDS.join(with_event, with_event.c.send_id == SENDS.c.id)
    hits = dict(
        tuple(row)
        for row in conn.execute(
            sa.select(key, sa.func.count()).select_from(joined).where(*counted).group_by(key)
        )
    )
    return {k: (n, hits.get(k, 0)) for k, n in totals}


def add_decisions(conn: sa.Connection, rows: Sequence[Decision]) -> None:
    if rows:
        conn.execute(sa.insert(DECISIONS), [row_values(DECISIONS, row) for row in rows])


def latest_decisions(conn: sa.Connection) -> dict[tuple[str, str, str, str], Decision]:
    """The most recent decision row of every variant."""
    found: dict[tuple[str, str, str, str], Decision] = {}
    query = select(Decision).order_by(col(Decision.look_at), col(Decision.id))
    for row in models(conn, query):
        found[(row.sequence, row.step_key, row.factor, row.key)] = row
    return found
