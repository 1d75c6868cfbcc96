"""Variants: each subject and body variant's status (live, retired by scoring, revived by a
person), the numbers scoring reads, and the decision rows of each scoring look."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from sequencer.status import SendStatus, VariantStatus
from sequencer.store.core import models, row_values
from sequencer.store.tables import DECISIONS, EVENTS, SENDS, VARIANTS, Decision, VariantState


def retired_keys(conn: sa.Connection, sequence: str, step_key: str, factor: str) -> set[str]:
    values = {"_sequence": sequence, "_step_key": step_key, "_factor": factor}
    return set(conn.execute(_RETIRED, values).scalars())


# The statements of a scoring look, and of every tick that reads the retired variants, are built
# once and given their values at execution: building one costs more than SQLite takes to run it.
_RETIRED = sa.select(VARIANTS.c.key).where(
    VARIANTS.c.sequence == sa.bindparam("_sequence"),
    VARIANTS.c.step_key == sa.bindparam("_step_key"),
    VARIANTS.c.factor == sa.bindparam("_factor"),
    VARIANTS.c.status == VariantStatus.RETIRED,
)


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


#: The periods scoring compares variants within: the UTC day a send went out (or bounced) in, as
#: days since 1970, and the mailbox it went out from (rates differ from one to the next, and
#: each mailbox balances its own assignment, so a newcomer's share moves differently in each).
Period = tuple[int, str]


def stats(
    conn: sa.Connection,
    sequence: str,
    step_key: str,
    factor: str,
    until: datetime,
    metric: str,
    intents: Sequence[str] | None = None,
) -> dict[str, list[tuple[Period, int, int]]]:
    """Per variant key, per period ((UTC day as days since 1970, sender)): (period, sends out
    then by ``until``, of them those with a ``metric`` event; with ``intents``, a ``metric``
    event of one of those intents: a NULL intent is not among them)."""
    # two plain GROUP BYs: the sends, then the sends with an event (joined from the events side,
    # which is small); one outer join with count(DISTINCT) was ~10x slower over 1M sends
    totals, with_hit = _stats_statements(factor, intents is not None, conn.dialect.name)
    values = {"_sequence": sequence, "_step_key": step_key, "_until": until, "_metric": metric}
    if intents is not None:
        values["_intents"] = list(intents)
    hits = {(str(k), _period(d, m)): int(n) for k, d, m, n in conn.execute(with_hit, values)}
    found: dict[str, list[tuple[Period, int, int]]] = {}
    for key, day, sender, n in conn.execute(totals, values):
        period = _period(day, sender)
        found.setdefault(str(key), []).append((period, int(n), hits.get((str(key), period), 0)))
    return found


def _variant_key(factor: str) -> sa.ColumnElement[str | None]:
    return SENDS.c.subject_key if factor == "subject" else SENDS.c.body_key


def _day(dialect: str, at: Any) -> Any:
    """SQL for the UTC day of the datetime expression ``at``, read by :func:`_period`: on SQLite,
    where datetimes are naive UTC ISO text, its first ten characters; on PostgreSQL, the date
    of it in UTC (whatever the session's time zone). Either costs about half the arithmetic on
    Unix time (``bench/look.py``)."""
    if dialect == "sqlite":
        return sa.func.substr(at, 1, 10).label("day")
    return sa.cast(sa.func.timezone("UTC", at), sa.Date).label("day")


def _period(day: str | date, sender: str) -> Period:
    """A period from what a statement grouped by :func:`_day` and the sender gives: the day as
    days since 1970 (SQLite gives an ISO date, PostgreSQL a date)."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return day.toordinal() - _EPOCH, str(sender)


_EPOCH = date(1970, 1, 1).toordinal()


@lru_cache(maxsize=16)
def _stats_statements(factor: str, with_intents: bool, dialect: str) -> tuple[Any, Any]:
    """:func:`stats`'s two counts of ``factor``'s variants, by day."""
    p, key = sa.bindparam, _variant_key(factor)
    counted = (
        SENDS.c.sequence == p("_sequence"),
        SENDS.c.step_key == p("_step_key"),
        SENDS.c.status == SendStatus.SENT,
        SENDS.c.sent_at <= p("_until"),
        key.is_not(None),
    )
    hit = EVENTS.c.kind == p("_metric")
    if with_intents:
        hit = sa.and_(hit, EVENTS.c.intent.in_(p("_intents", expanding=True)))
    with_event = sa.select(EVENTS.c.send_id).where(hit).distinct().subquery()
    joined = SENDS.join(with_event, with_event.c.send_id == SENDS.c.id)
    day = _day(dialect, SENDS.c.sent_at)
    by = (key, day, SENDS.c.sender)
    return (
        sa.select(*by, sa.func.count()).where(*counted).group_by(*by),
        sa.select(*by, sa.func.count()).select_from(joined).where(*counted).group_by(*by),
    )


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
) -> dict[str, dict[str, list[tuple[Period, int, int]]]]:
    """Per guardrail (``GUARDRAILS``), per variant key: (period ((UTC day, sender)), sends that
    went out or bounced then by ``until``, of them those the guardrail counts), period by
    period."""
    all_sends, per_guardrail = _guardrail_statements(factor, conn.dialect.name)
    values = {"_sequence": sequence, "_step_key": step_key, "_until": until}
    totals = [(str(k), _period(d, m), int(n)) for k, d, m, n in conn.execute(all_sends, values)]
    found: dict[str, dict[str, list[tuple[Period, int, int]]]] = {}
    for name, statement in per_guardrail.items():
        hits = {(str(k), _period(d, m)): int(n) for k, d, m, n in conn.execute(statement, values)}
        periods = found[name] = {}
        for key, period, n in totals:
            periods.setdefault(key, []).append((period, n, hits.get((key, period), 0)))
    return found


@lru_cache(maxsize=8)
def _guardrail_statements(factor: str, dialect: str) -> tuple[Any, dict[str, Any]]:
    """:func:`guardrail_stats`'s counts of ``factor``'s variants by day: all, and per guardrail."""
    p, key = sa.bindparam, _variant_key(factor)
    out = sa.func.coalesce(SENDS.c.sent_at, SENDS.c.due_at)  # an SMTP bounce: no sent_at
    counted = (
        SENDS.c.sequence == p("_sequence"),
        SENDS.c.step_key == p("_step_key"),
        SENDS.c.status.in_((SendStatus.SENT, SendStatus.BOUNCED)),
        out <= p("_until", type_=SENDS.c.due_at.type),
        key.is_not(None),
    )
    by = (key, _day(dialect, out), SENDS.c.sender)
    count = sa.select(*by, sa.func.count()).where(*counted).group_by(*by)
    return count, {name: count.where(hit) for name, hit in GUARDRAILS.items()}


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


def add_decisions(conn: sa.Connection, rows: Sequence[Decision]) -> None:
    if rows:
        conn.execute(sa.insert(DECISIONS), [row_values(DECISIONS, row) for row in rows])


def latest_decisions(conn: sa.Connection) -> dict[tuple[str, str, str, str], Decision]:
    """The most recent decision row of every variant (the latest look, the last row of it)."""
    return {(r.sequence, r.step_key, r.factor, r.key): r for r in models(conn, _LATEST)}


def _latest() -> Any:
    """Only each variant's latest row is read: the table keeps every look's rows, one per variant
    per look, so reading them all grows with every look (twice a week, for ever)."""
    d = DECISIONS.c
    rank = (
        sa.func.row_number()
        .over(
            partition_by=(d.sequence, d.step_key, d.factor, d.key),
            order_by=(d.look_at.desc(), d.id.desc()),
        )
        .label("rank")
    )
    ranked = sa.select(d.id, rank).subquery()
    return select(Decision).where(
        col(Decision.id).in_(sa.select(ranked.c.id).where(ranked.c.rank == 1))
    )


_LATEST = _latest()
