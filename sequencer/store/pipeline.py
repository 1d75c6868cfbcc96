"""A group's writes on PostgreSQL, pipelined: the statements of :mod:`groups` sent through the
driver's pipeline, so a whole group (BEGIN, its results, its ``sending`` marks, COMMIT) is one
round trip to the server, and each statement skips SQLAlchemy's per-execution work. A group that
fits in one statement goes through :mod:`single` instead, cheaper on the client; this is for
the others (a sender day to make first, two slots in one day, a chained enrollment).

The statements are the ones :mod:`groups` builds with SQLAlchemy Core, compiled once to the
driver's SQL. Each mark is one statement that re-checks the send and takes its slot
(:func:`groups.begin_slot`), so no mark's outcome decides another statement of the pipeline; what
a refused mark needs afterwards (why it was refused, a sender day made again) is asked after the
commit, through :mod:`groups`. Event listeners of the engine
(``before_cursor_execute``) see every statement sent here, as they see SQLAlchemy's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

from sequencer.store import groups
from sequencer.store.groups import Beginning, SentRecord
from sequencer.store.sender_days import BeginStatus, Begun
from sequencer.store.sends import NewSend
from sequencer.store.tables import SENDS

_DIALECT = PGDialect_psycopg()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class Raw:
    """A statement as the driver takes it: its SQL, and the values SQLAlchemy bound in it."""

    sql: str
    constants: dict[str, Any]


def driver_sql(statement: Any) -> Raw:
    compiled = statement.compile(dialect=_DIALECT)
    # the statement's own parameters are named "_…"; the others are its literal values
    constants = {k: v for k, v in compiled.params.items() if not k.startswith("_")}
    return Raw(str(compiled), constants)


_RECORD = driver_sql(groups.RECORD_ALL)
_LOCK_DAYS = driver_sql(groups.LOCK_DAYS)


def check_aware(beginnings: Sequence[Beginning]) -> None:
    """Refuse a mark's naive time: sent as it is, the column type's check is not run on it."""
    for item in beginnings:
        if item.now.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")


@lru_cache(maxsize=16)
def _mark(keys: int, slot: bool) -> Raw:
    """The ``sending`` mark with ``keys`` suppression keys: with its slot (it answers whether the
    send was eligible and whether it was marked), or alone (it returns the send's id if marked)."""
    if slot:
        return driver_sql(groups.begin_slot(keys))
    return driver_sql(groups.begin_alone(keys).returning(SENDS.c.id))


@lru_cache(maxsize=4)
def _supported(driver: str) -> bool:
    if driver != "psycopg":
        return False
    import psycopg  # only here: PostgreSQL and its driver are optional

    return bool(psycopg.Pipeline.is_supported())


def usable(engine: sa.Engine) -> bool:
    """Whether ``engine`` can write groups here: PostgreSQL through psycopg 3, with a libpq that
    has pipelines (else :func:`groups.write` does, statement by statement)."""
    return engine.dialect.name == "postgresql" and _supported(engine.dialect.driver)


def write(
    conn: sa.Connection,
    records: Sequence[SentRecord],
    beginnings: Sequence[Beginning],
    known_days: set[tuple[str, str]],
) -> list[Any]:
    """:func:`groups.write` on PostgreSQL, up to its commit: first the sender days a mark needs
    made and the chained enrollments completed (both rare, statement by statement); then the
    results, the marks' sender days locked (in one order for every worker, and before any mark
    reads the suppressions and holds), the marks (sorted by sender) and the COMMIT in one
    pipeline. Returns each mark's row, in the order given, for
    :func:`outcomes`, which must run after the caller's transaction has ended."""
    if not records and not beginnings:
        return []
    check_aware(beginnings)
    order = groups.by_sender(beginnings)
    # before the marks: a new day's row starts from the sends already begun
    groups.make_days(conn, beginnings, known_days)
    groups.chain(conn, records)  # chained enrollments (rare): statement by statement
    days = groups.days_to_lock(beginnings)
    driver: Any = conn.connection.driver_connection
    cursors = []
    with driver.pipeline():
        _send(conn, driver.cursor(), _GENERIC, {})
        if records:
            _send(conn, driver.cursor(), _RECORD, record_values(records))
        if days:  # before the marks, each of which then reads what was committed meanwhile
            values = groups.lock_days_values(days)
            _send(conn, driver.cursor(), _LOCK_DAYS, {k: _array(v) for k, v in values.items()})
        for index in order:
            item = beginnings[index]
            mark = _mark(len(item.suppression_keys), item.quota is not None)
            cursor = driver.cursor()
            _send(conn, cursor, mark, groups.mark_params(item))
            cursors.append((index, cursor))
        _send(conn, driver.cursor(), _COMMIT, {})
    rows: dict[int, Any] = {}
    for index, cursor in cursors:  # already received: no round trip, nothing left to fail
        rows[index] = cursor.fetchone()
        cursor.close()
    return [rows[i] for i in range(len(beginnings))]


def taken(item: Beginning, row: Any) -> bool:
    """Whether a mark's row says it was taken: alone, a mark returns its send's id when taken;
    with its slot, (eligible, marked)."""
    return row is not None and (item.quota is None or bool(row[1]))


#: How long a send waits when why its mark was refused could not be read after the commit.
UNREAD = timedelta(seconds=30)


def outcomes(
    engine: sa.Engine, beginnings: Sequence[Beginning], rows: Sequence[Any]
) -> list[Begun]:
    """The marks' outcomes from their rows, once the group is committed. Why a mark was refused is
    read (or, for a sender day's row made again, the mark retried) in a transaction of its own per
    mark; none of it can fail the group, whose results and marks are in: a mark whose outcome
    cannot be read is taken as not taken, so its send goes back for :data:`UNREAD` (not sent, not
    cancelled), and the group is never written twice."""
    found = []
    for item, row in zip(beginnings, rows, strict=True):
        if taken(item, row):
            found.append(Begun(BeginStatus.STARTED))
            continue
        try:
            with engine.begin() as conn:
                found.append(_refused(conn, item, row))
        except Exception:
            found.append(Begun(BeginStatus.TOO_SOON, retry_at=item.now + UNREAD))
    return found


#: The group's COMMIT, the last statement of its pipeline (the caller's commit then has nothing
#: left to commit, and the driver sends nothing for it). Nothing may run in the caller's
#: transaction after it: a failure there would read as the whole group failed, and the writer
#: would write its items again.
_COMMIT = Raw("COMMIT", {})


#: The group's first statement: its prepared statements run on their generic plans. PostgreSQL
#: otherwise plans the results' statement anew on every run (a custom plan for each set of array
#: values: about 220 µs of planning against 120 µs of execution, measured with
#: ``pg_stat_statements.track_planning`` in ``bench/claim.py``), since it cannot tell that the
#: generic plan (every array joined by its key's index) is as good for any group. For this
#: transaction only: reads elsewhere keep PostgreSQL's own choice.
_GENERIC = Raw("SET LOCAL plan_cache_mode = force_generic_plan", {})


def _send(conn: sa.Connection, cursor: Any, raw: Raw, params: dict[str, Any]) -> None:
    """Queue ``raw`` in the pipeline; the driver prepares it once it has run a few times (COMMIT
    and SET aside, which cannot be prepared)."""
    values = raw.constants | params
    conn.dispatch.before_cursor_execute(conn, cursor, raw.sql, values, None, False)
    cursor.execute(raw.sql, values, prepare=False if raw in (_COMMIT, _GENERIC) else None)


def _refused(conn: sa.Connection, item: Beginning, row: Any) -> Begun:
    """Why a mark was not taken (its row says it was not), asked of the database."""
    if item.quota is None or not row[0]:  # no longer eligible: held, or gone
        return groups.not_begun(conn, item.send)
    refused = groups.refusal(conn, item.quota, item.now)
    if refused is not None:
        return refused
    # the day's row is gone (erased by a test or a tool): make it, and mark once more
    groups.remake_day(conn, item.quota)
    return groups.begin_with_slot(conn, item, item.quota, groups.mark_values(item))


def record_values(records: Sequence[SentRecord]) -> dict[str, Any]:
    """The arrays of :data:`groups.RECORD_ALL`, as array literals: the sends that went out, the
    enrollments to anchor or complete (a chained one is completed by :func:`groups.chain`), the
    steps to queue."""
    ends = [r for r in records if r.send.step_index == 0 or r.next_send is None]
    queued = [(r, r.next_send) for r in records if isinstance(r.next_send, NewSend)]
    columns: dict[str, list[Any]] = {
        "_done_id": [r.send.id for r in records],
        "_done_at": [r.sent_at for r in records],
        "_ends_id": [r.send.enrollment_id for r in ends],
        "_ends_at": [r.sent_at for r in ends],
        "_ends_first": [r.send.step_index == 0 for r in ends],
        "_ends_last": [r.next_send is None for r in ends],
        "_queued_enrollment_id": [r.send.enrollment_id for r, _ in queued],
        "_queued_contact_id": [r.send.contact_id for r, _ in queued],
        "_queued_sequence": [r.send.sequence for r, _ in queued],
        "_queued_sender": [r.send.sender for r, _ in queued],
        "_queued_step_key": [step.step_key for _, step in queued],
        "_queued_step_index": [step.step_index for _, step in queued],
        "_queued_channel": [step.channel for _, step in queued],
        "_queued_due_at": [step.due_at for _, step in queued],
        "_queued_created_at": [r.sent_at for r, _ in queued],
    }
    return {name: _array(values) for name, values in columns.items()}


def _array(values: list[Any]) -> str:
    """``values`` as a PostgreSQL array literal (the statement casts it to its type): one text
    parameter, where the driver would inspect a list's every element to adapt it."""
    return "{" + ",".join(_element(v) for v in values) + "}"


def _element(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:  # what the column type refuses on every other path
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        return f'"{value.isoformat()}"'
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
