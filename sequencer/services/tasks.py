"""LinkedIn and call steps, done by a person: the open tasks with their contact, and closing
one as done or skipped.
"""

from __future__ import annotations

from datetime import timedelta

from sequencer import results
from sequencer.errors import TaskNotFound
from sequencer.services import public
from sequencer.services.deps import Deps
from sequencer.status import TaskStatus


def open_tasks(deps: Deps, *, today: bool) -> list[tuple[results.Task, results.Contact]]:
    """Open LinkedIn and call tasks (due by the end of today, UTC, by default), with their
    contact.
    """
    until = None
    if today:
        now = deps.clock.now()
        until = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    found = deps.store.tasks(status=TaskStatus.OPEN, due_before=until)
    contacts = deps.store.contacts_by_id({t.contact_id for t in found})
    return [(public.task(t), public.contact(contacts[t.contact_id])) for t in found]


def close_task(deps: Deps, task_id: int, *, done: bool) -> results.Task:
    """Mark a task done (or skipped); :class:`TaskNotFound` for an unknown id."""
    status = TaskStatus.DONE if done else TaskStatus.SKIPPED
    task = deps.store.close_task(task_id, status=status, at=deps.clock.now())
    if task is None:
        raise TaskNotFound(f"no task with id {task_id}")
    return public.task(task)
