"""Sender days: each sender's count and last send on one of its local days (``sender_days``), the
daily cap and the min gap every worker shares, and a quota reply's pause of the sender."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from sequencer.status import SendStatus
from sequencer.store.core import aware, insert_ignoring
from sequencer.store.tables import SENDER_DAYS, SENDS

#: Statuses of a send that was begun: it counts against its sender's day.
BEGUN = (SendStatus.SENDING, SendStatus.SENT, SendStatus.UNCERTAIN, SendStatus.BOUNCED)


class BeginStatus(enum.Enum):
    STARTED = "started"
    #: stopped, suppressed, or taken over by another worker: do not send
    GONE = "gone"
    #: the sender's daily cap is reached
    FULL = "full"
    #: the sender's previous send was less than its min gap ago
    TOO_SOON = "too_soon"
    #: its sender, sequence or step is held (``store/holds.py``) until a person lifts it
    HELD = "held"


@dataclass(frozen=True)
class Begun:
    status: BeginStatus
    #: FULL / TOO_SOON: the earliest moment a new attempt can succeed.
    retry_at: datetime | None = None

    def __bool__(self) -> bool:
        return self.status is BeginStatus.STARTED


@dataclass(frozen=True, kw_only=True)
class Quota:
    """A sender's limits for the local day a send would go out on."""

    sender: str
    #: the sender's local date (ISO) and its bounds in UTC
    day: str
    since: datetime
    until: datetime
    cap: int
    gap: timedelta


def ensure_day(conn: sa.Connection, quota: Quota) -> None:
    """The sender's row for the day, created on first use from what the sends table says, with
    the cap in force that day (what the report draws for it, whatever the config says later)."""
    days = SENDER_DAYS
    mine = sa.and_(days.c.sender == quota.sender, days.c.day == quota.day)
    if conn.execute(sa.select(days.c.sent).where(mine)).first() is None:
        # first send of the day: start from what the sends table says (older versions, other tools)
        count, last = sender_load(conn, quota.sender, since=quota.since, until=quota.until)
        conn.execute(
            insert_ignoring(conn, days, ["sender", "day"]).values(
                sender=quota.sender, day=quota.day, sent=count, last_at=last, cap=quota.cap
            )
        )


def pause(conn: sa.Connection, quota: Quota, *, until: datetime) -> None:
    """Hold the sender until ``until`` for every worker (a quota reply from its server)."""
    ensure_day(conn, quota)
    conn.execute(
        sa.update(SENDER_DAYS)
        .where(SENDER_DAYS.c.sender == quota.sender, SENDER_DAYS.c.day == quota.day)
        .values(paused_until=until)
    )


def sender_load(
    conn: sa.Connection, sender: str, *, since: datetime, until: datetime
) -> tuple[int, datetime | None]:
    """The sender's emails begun in [since, until), and when its latest one was begun."""
    busy = sa.and_(
        SENDS.c.sender == sender,
        SENDS.c.channel == "email",
        SENDS.c.status.in_(BEGUN),
    )
    count = conn.execute(
        sa.select(sa.func.count()).where(busy, SENDS.c.sent_at >= since, SENDS.c.sent_at < until)
    ).scalar()
    # newest first along the (sender, sent_at) index: stops at the first match instead of reading
    # every row of the sender (max() with extra filters cannot use the index)
    last = conn.execute(
        sa.select(SENDS.c.sent_at)
        .where(busy, SENDS.c.sent_at.is_not(None))
        .order_by(SENDS.c.sent_at.desc())
        .limit(1)
    ).scalar()
    return count or 0, aware(last)


def first_sending_day(conn: sa.Connection, sender: str) -> date | None:
    """The sender's first local day with an email counted in ``sender_days`` (None before any)."""
    first = conn.execute(
        sa.select(sa.func.min(SENDER_DAYS.c.day)).where(
            SENDER_DAYS.c.sender == sender, SENDER_DAYS.c.sent > 0
        )
    ).scalar()
    return None if first is None else date.fromisoformat(first)
