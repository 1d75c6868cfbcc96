"""LinkedIn and call steps become tasks for a person, with the message rendered."""

from __future__ import annotations

from collections.abc import Callable

from sequencer.channels.base import Delivery, Outcome, Result


class TaskChannel:
    """Creates a task through ``create`` (dispatch gives it the store's writer)."""

    def __init__(self, create: Callable[[Delivery], int]) -> None:
        self._create = create

    async def deliver(self, delivery: Delivery) -> Result:
        task_id = self._create(delivery)
        return Result(outcome=Outcome.SENT, detail=f"task {task_id}")

    async def close(self) -> None:
        return None
