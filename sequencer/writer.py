"""The group-commit writer: one per dispatcher, it batches the send path's durable writes of all
its lanes into shared transactions.

A lane hands over the ``sending`` mark of its next send and waits for it: the mark (with its
stop re-check) is committed before the channel is called, as always. A lane hands over the result
of a send that went out without waiting: it goes into the next group, and is committed before the
tick ends. A group is written when every running lane is waiting on the writer, when it holds
:attr:`GroupWriter.limit` items, or :attr:`GroupWriter.wait` seconds after its first item,
whichever comes first; so a stop recorded meanwhile wins over a send at most that much later than
it would have alone. When a group's transaction fails, its items are written again one by one,
so one bad row fails alone. A crash loses no more than before: only sends between their committed
``sending`` mark and their recorded result (at most two per lane) become ``uncertain``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sequencer.store import Beginning, Begun, SentRecord, Store

#: The longest a group waits for more items, in seconds.
WAIT = 0.002
#: The most items one group holds.
LIMIT = 64


class GroupWriter:
    """Batches lanes' ``sending`` marks and sent results into one transaction per group."""

    def __init__(self, store: Store, log: Any, *, wait: float = WAIT, limit: int = LIMIT) -> None:
        self.store, self.log, self.wait, self.limit = store, log, wait, limit
        #: lanes running now: when all of them wait on the writer, the group is written at once
        self.lanes = 0
        self._marks: list[tuple[Beginning, asyncio.Future[Begun]]] = []
        self._records: list[tuple[SentRecord, Callable[[], None] | None]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def begin(self, item: Beginning) -> Begun:
        """Commit ``item``'s ``sending`` mark (in the next group) and return its outcome."""
        future: asyncio.Future[Begun] = asyncio.get_running_loop().create_future()
        self._marks.append((item, future))
        self._due()
        return await future

    def record(self, item: SentRecord, then: Callable[[], None] | None = None) -> None:
        """Record ``item`` in the next group; ``then`` runs once it is committed."""
        self._records.append((item, then))
        self._due()

    def lane_done(self) -> None:
        """A lane has ended: the others may all be waiting now."""
        self.lanes -= 1
        self._due()

    def flush(self) -> None:
        """Write what is pending now (the end of a tick)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._marks or self._records:
            self._write()

    def _due(self) -> None:
        pending = len(self._marks) + len(self._records)
        if not pending:
            return
        if len(self._marks) >= max(self.lanes, 1) or pending >= self.limit:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.wait, self.flush)

    def _write(self) -> None:
        records, self._records = self._records[: self.limit], self._records[self.limit :]
        room = self.limit - len(records)
        marks, self._marks = self._marks[:room], self._marks[room:]
        try:
            outcomes = self.store.write_group([r for r, _ in records], [m for m, _ in marks])
        except Exception as exc:
            self.log.warning("writer.group_failed", items=len(records) + len(marks), error=str(exc))
            self._one_by_one(records, marks)
            return
        for _, then in records:
            if then is not None:
                then()
        for (_, future), outcome in zip(marks, outcomes, strict=True):
            if not future.done():  # a lane cancelled meanwhile (the worker stopping)
                future.set_result(outcome)

    def _one_by_one(
        self,
        records: list[tuple[SentRecord, Callable[[], None] | None]],
        marks: list[tuple[Beginning, asyncio.Future[Begun]]],
    ) -> None:
        """After a failed group: each item in a transaction of its own, so one bad row fails
        alone."""
        for record, then in records:
            try:
                self.store.write_group([record], [])
            except Exception as exc:  # left in 'sending': found uncertain later, never resent
                self.log.error("send.unrecorded", send_id=record.send.id, error=str(exc))
                continue
            if then is not None:
                then()
        for mark, future in marks:
            try:
                outcome = self.store.write_group([], [mark])[0]
            except Exception as exc:  # the lane's send fails alone (Dispatcher._guarded)
                if not future.done():
                    future.set_exception(exc)
                continue
            if not future.done():
                future.set_result(outcome)
