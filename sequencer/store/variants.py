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
    conn: sa.Connection,
    sequence: str,
    step_key: str,
    factor: str,
    until: datetime,
    metric: str,
    intents: Sequence[str] | None = None,
) -> dict[str, tuple[int, int]]:
    """Per variant key: (sends out by ``until``, of them those with a ``metric`` event; with
    ``intents``, a ``metric`` event of one of those intents: a NULL intent is not among them)."""
    key = SENDS.c.subject_key if factor == "subject" else SENDS.c.body_key
    counted = (
        SENDS.c.sequence == sequence,
        SENDS.c.step_key == step_key,
        SENDS.c.status == SendStatus.SENT,
        SENDS.c.sent_at <= until,
        key.is_not(None),
    )
    hit = EVENTS.c.kind == metric
    if intents is not None:
        hit = sa.and_(hit, EVENTS.c.intent.in_(intents))
    return _counts(conn, key, counted, hit)


#: What each guardrail counts among a variant's sends: a send with such an event, or bounced.
GUARDRAILS: dict[str, sa.ColumnElement[bool]] = {
    "unsubscribe": SENDS.c.id.in_(
        sa.select(EVENTS.c.send_id).where(
            sa.or_(
                EVENTS.c.kind.in_(("unsubscribe", "complaint")), EVENTS.c.intent == "unsubscribe"
            )
        )
    ),
    "not_interested": SENDS.c.id.in_(
        sa.select(EVENTS.c.send_id).where(EVENTS.c.intent == "not_interested")
    ),
    "bounce": SENDS.c.status == SendStatus.BOUNCED,
}


def guardrail_stats(
    conn: sa.Connection, sequence: str, step_key: str, factor: str, until: datetime
) -> dict[str, dict[str, tuple[int, int]]]:
    """Per guardrail (``GUARDRAILS``), per variant key: (sends that went out or bounced by
    ``until``, of them those the guardrail counts)."""
    key = SENDS.c.subject_key if factor == "subject" else SENDS.c.body_key
    counted = (
        SENDS.c.sequence == sequence,
        SENDS.c.step_key == step_key,
        SENDS.c.status.in_((SendStatus.SENT, SendStatus.BOUNCED)),
        sa.func.coalesce(SENDS.c.sent_at, SENDS.c.due_at) <= until,  # an SMTP bounce: no sent_at
        key.is_not(None),
    )
    totals = _totals(conn, key, counted)
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for name, hit in GUARDRAILS.items():
        hits = _totals(conn, key, (*counted, hit))
        found[name] = {k: (n, hits.get(k, 0)) for k, n in totals.items()}
    return found


def combination_stats(
    conn: sa.Connection, sequence: str, step_key: str, until: datetime, intents: Sequence[str]
) -> dict[tuple[str, str], tuple[int, int]]:
    """Per (subject key, body key) of a step: (sends out by ``until``, of them those with a reply
    of one of ``intents``), counted as :func:`stats` counts one factor."""
    combination = (SENDS.c.subject_key, SENDS.c.body_key)
    counted = (
        SENDS.c.sequence == sequence,
        SENDS.c.step_key == step_key,
        SENDS.c.status == SendStatus.SENT,
        SENDS.c.sent_at <= until,
        SENDS.c.subject_key.is_not(None),
        SENDS.c.body_key.is_not(None),
    )
    replied = SENDS.c.id.in_(
        sa.select(EVENTS.c.send_id).where(EVENTS.c.kind == "reply", EVENTS.c.intent.in_(intents))
    )
    totals, hits = (
        {
            (str(a), str(b)): int(n)
            for a, b, n in conn.execute(
                sa.select(*combination, sa.func.count()).where(*where).group_by(*combination)
            )
        }
        for where in (counted, (*counted, replied))
    )
    return {pair: (n, hits.get(pair, 0)) for pair, n in totals.items()}


def _totals(
    conn: sa.Connection, key: sa.ColumnElement[str | None], where: Sequence[sa.ColumnElement[bool]]
) -> dict[str, int]:
    """Per variant key: the sends that meet ``where``."""
    rows = conn.execute(sa.select(key, sa.func.count()).where(*where).group_by(key))
    return {str(k): int(n) for k, n in rows}


def _counts(
    conn: sa.Connection,
    key: sa.ColumnElement[str | None],
    counted: Sequence[sa.ColumnElement[bool]],
    hit: sa.ColumnElement[bool],
) -> dict[str, tuple[int, int]]:
    """Per variant key: (sends that meet ``counted``, of them those with an event meeting
    ``hit``)."""
    # two plain GROUP BYs: the sends, then the sends with an event (joined from the events side,
    # which is small); one outer join with count(DISTINCT) was ~10x slower over 1M sends
    totals = _totals(conn, key, counted)
    with_event = sa.select(EVENTS.c.send_id).where(hit).distinct().subquery()
    joined = SENDS.join(with_event, with_event.c.send_id == SENDS.c.id)
    rows = conn.execute(
        sa.select(key, sa.func.count()).select_from(joined).where(*counted).group_by(key)
    )
    hits = {str(k): int(n) for k, n in rows}
    return {k: (n, hits.get(k, 0)) for k, n in totals.items()}


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
