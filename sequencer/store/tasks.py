"""Tasks: LinkedIn messages and calls for a person to do, opened by dispatch, closed by a person,
and cancelled when the contact's sequence stops."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from sequencer.status import TaskStatus
from sequencer.store.core import first_model, insert_model, models
from sequencer.store.tables import TASKS, Task


def add(conn: sa.Connection, task: Task) -> int:
    """Insert ``task`` (its ``id`` is set); returns the id."""
    return insert_model(conn, TASKS, task)


def listed(conn: sa.Connection, *, status: str, due_before: datetime | None) -> list[Task]:
    query = select(Task).where(Task.status == status).order_by(col(Task.due_at), col(Task.id))
    if due_before is not None:
        query = query.where(col(Task.due_at) < due_before)
    return models(conn, query)


def close(conn: sa.Connection, task_id: int, *, status: str, at: datetime) -> Task | None:
    """Close an open task with ``status``; the task as it is then (None if there is none)."""
    task = first_model(conn, select(Task).where(col(Task.id) == task_id))
    if task is None:
        return None
    if task.status == TaskStatus.OPEN:
        conn.execute(
            sa.update(TASKS).where(TASKS.c.id == task_id).values(status=status, closed_at=at)
        )
        task.status, task.closed_at = status, at
    return task


def cancel_open(
    conn: sa.Connection,
    *,
    at: datetime,
    contact_id: int | None = None,
    enrollment_id: int | None = None,
) -> None:
    """Cancel the open tasks of a contact (or of one enrollment)."""
    owner = (
        TASKS.c.contact_id == contact_id
        if enrollment_id is None
        else (TASKS.c.enrollment_id == enrollment_id)
    )
    conn.execute(
        sa.update(TASKS)
        .where(owner, TASKS.c.status == TaskStatus.OPEN)
        .values(status=TaskStatus.CANCELLED, closed_at=at)
    )
