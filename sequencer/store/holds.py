"""Holds: the durable pauses a person lifts (a sender, a sequence, a step or a variant that sends
nothing while its hold stands), the clause that keeps a held target's sends out of a claim, and
what the guards read to decide (a sender's or a sequence's latest outcomes, a send's refusals).

A quota reply's pause until the next day is not a hold: it lives in ``sender_days``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from sequencer.status import SendStatus
from sequencer.store.core import aware, built, insert_model, models
from sequencer.store.tables import EVENTS, HOLDS, SENDS, Hold

#: The columns that name a hold's target, with the scope.
TARGET = ("sender", "sequence", "step_key", "variant")
#: Sends that went out or were refused: what the bounce guard looks at.
_OUT = (SendStatus.SENT, SendStatus.BOUNCED, SendStatus.FAILED, SendStatus.UNCERTAIN)


def _standing_target(scope: str, target: dict[str, str | None]) -> Any:
    h = HOLDS.c
    same = [
        h[name] == value if value is not None else h[name].is_(None)
        for name, value in target.items()
    ]
    return sa.and_(h.scope == scope, h.lifted_at.is_(None), *same)


def place(
    conn: sa.Connection,
    scope: str,
    target: dict[str, str | None],
    reason: str,
    detail: str,
    at: datetime,
) -> Hold | None:
    """Hold ``target`` (its sender, sequence, step_key, variant) unless a hold on it stands; the
    new hold, or None when one stood already (its first reason is kept)."""
    full = {name: target.get(name) for name in TARGET}
    stands = conn.execute(sa.select(HOLDS.c.id).where(_standing_target(scope, full))).first()
    if stands is not None:
        return None
    hold = Hold(
        scope=scope,
        reason=reason,
        detail=detail,
        since=at,
        sender=full["sender"],
        sequence=full["sequence"],
        step_key=full["step_key"],
        variant=full["variant"],
    )
    insert_model(conn, HOLDS, hold)
    return hold


def standing(conn: sa.Connection) -> list[Hold]:
    """Every hold not lifted, oldest first."""
    return built(Hold, conn.execute(_STANDING))


#: Read at every dispatch tick: built once.
_STANDING = sa.select(HOLDS).where(HOLDS.c.lifted_at.is_(None)).order_by(HOLDS.c.since, HOLDS.c.id)


def lift(
    conn: sa.Connection, scope: str, target: dict[str, str | None], by: str, at: datetime
) -> list[Hold]:
    """Lift the standing holds on ``target`` (the columns given must match; those not given may
    be anything: ``{"sequence": "s"}`` with scope step lifts every held step of ``s``); the
    holds lifted."""
    h = HOLDS.c
    where = sa.and_(
        h.scope == scope,
        h.lifted_at.is_(None),
        *(h[name] == value for name, value in target.items() if value is not None),
    )
    lifted = models(conn, select(Hold).where(where))
    if lifted:
        conn.execute(sa.update(HOLDS).where(where).values(lifted_at=at, lifted_by=by))
    return lifted


def holding(sends: sa.Table = SENDS) -> Any:
    """A clause true for a send row whose sender, sequence or step has a standing hold."""
    h = HOLDS.c
    target = sa.or_(
        sa.and_(h.scope == "sender", h.sender == sends.c.sender),
        sa.and_(h.scope == "sequence", h.sequence == sends.c.sequence),
        sa.and_(h.scope == "step", h.sequence == sends.c.sequence, h.step_key == sends.c.step_key),
    )
    return sa.exists().where(h.lifted_at.is_(None), target)


def latest_statuses(
    conn: sa.Connection, *, limit: int, sender: str | None = None, sequence: str | None = None
) -> list[str]:
    """The statuses of the latest emails of ``sender`` (or of ``sequence``) that went out or were
    refused since its latest hold was lifted, newest first."""
    query = sa.select(SENDS.c.status).where(
        SENDS.c.channel == "email", SENDS.c.status.in_(_OUT), SENDS.c.sent_at.is_not(None)
    )
    lifted = sa.select(sa.func.max(HOLDS.c.lifted_at))
    if sender is not None:
        query = query.where(SENDS.c.sender == sender)
        lifted = lifted.where(HOLDS.c.scope == "sender", HOLDS.c.sender == sender)
    if sequence is not None:
        query = query.where(SENDS.c.sequence == sequence)
        lifted = lifted.where(HOLDS.c.scope == "sequence", HOLDS.c.sequence == sequence)
    since = aware(conn.execute(lifted).scalar())
    if since is not None:
        query = query.where(SENDS.c.sent_at > since)
    query = query.order_by(SENDS.c.sent_at.desc(), SENDS.c.id.desc()).limit(limit)
    return [str(s) for s in conn.execute(query).scalars()]


def event_times(conn: sa.Connection, send_id: int, kind: str) -> list[datetime]:
    """When each ``kind`` event of one send was recorded, oldest first."""
    query = (
        sa.select(EVENTS.c.at)
        .where(EVENTS.c.send_id == send_id, EVENTS.c.kind == kind)
        .order_by(EVENTS.c.at)
    )
    return [t for t in (aware(at) for at in conn.execute(query).scalars()) if t is not None]


def refusals_in_a_row(conn: sa.Connection, sender: str, kinds: Sequence[str]) -> int:
    """How many of ``sender``'s sends had a ``kinds`` event since its latest email went out."""
    last_sent = (
        sa.select(sa.func.max(SENDS.c.sent_at))
        .where(SENDS.c.sender == sender, SENDS.c.status == SendStatus.SENT)
        .scalar_subquery()
    )
    query = (
        sa.select(sa.func.count(sa.distinct(EVENTS.c.send_id)))
        .select_from(EVENTS.join(SENDS, SENDS.c.id == EVENTS.c.send_id))
        .where(
            SENDS.c.sender == sender,
            EVENTS.c.kind.in_(list(kinds)),
            sa.or_(last_sent.is_(None), EVENTS.c.at > last_sent),
        )
    )
    return int(conn.execute(query).scalar() or 0)


class HoldBook:
    """The store's holds, one transaction per call (``Store.holds``)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def place(
        self, scope: str, *, reason: str, detail: str, at: datetime, **target: str | None
    ) -> Hold | None:
        """Hold a sender, sequence, step or variant (see :func:`place`); None if held already."""
        with self.engine.begin() as conn:
            return place(conn, scope, target, reason, detail, at)

    def standing(self) -> list[Hold]:
        """Every standing hold, oldest first."""
        with self.engine.connect() as conn:
            return standing(conn)

    def lift(self, scope: str, *, by: str, at: datetime, **target: str | None) -> list[Hold]:
        """Lift the standing holds on a target (see :func:`lift`); those lifted."""
        with self.engine.begin() as conn:
            return lift(conn, scope, target, by, at)

    def guard_statuses(
        self, *, limit: int, sender: str | None = None, sequence: str | None = None
    ) -> list[str]:
        """Statuses of the latest emails of a sender or a sequence (:func:`latest_statuses`)."""
        with self.engine.connect() as conn:
            return latest_statuses(conn, limit=limit, sender=sender, sequence=sequence)

    def event_times(self, send_id: int, kind: str) -> list[datetime]:
        """When each ``kind`` event of one send was recorded, oldest first."""
        with self.engine.connect() as conn:
            return event_times(conn, send_id, kind)

    def refusals_in_a_row(self, sender: str, kinds: Sequence[str]) -> int:
        """How many of ``sender``'s sends had a ``kinds`` event since its latest email went out."""
        with self.engine.connect() as conn:
            return refusals_in_a_row(conn, sender, kinds)
