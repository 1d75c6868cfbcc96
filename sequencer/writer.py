"""The group-commit writer: one per dispatcher, it batches the send path's durable writes of all
its lanes into shared transactions.

A lane hands over the ``sending`` mark of its next send and waits for it: the mark (with its
stop re-check) is committed before the channel is called, as always. A lane hands over the result
of a send that went out without waiting: it goes into the next group, and is committed before the
tick ends. A group is written when every running lane is waiting on the writer, when it holds
:attr:`GroupWriter.limit` items, or :attr:`GroupWriter.wait` seconds after its first item,
whichever comes first; so a stop recorded meanwhile wins over a send at most that much later than
it would have alone. One group is written at a time; what arrives meanwhile goes into the next
group, written once this one is committed.

On PostgreSQL a group that fits in one statement is written on the loop, through the store's own
asynchronous connection (``Store.write_group_on_loop``): the lanes go on talking SMTP during its
round trip to the server, and its outcome comes back without two thread switches. Any other
group is written in a thread. SQLite is in the process and does not wait on a network: its
groups are written on the loop's own thread, as every other SQLite write of a tick is, since the
two thread hops cost more than the commit (about 8% of a message's CPU in
``bench/dispatch.py``); an in-memory SQLite database, which another thread would not even see,
needs it so. A SQLite group waits there at most :data:`PATIENCE` for
another process's write (an import, a CLI command) to end; then it goes to a thread, which
waits as long as any write does while the loop goes on. When a group's transaction fails, its
items are written again one by one, so one bad row fails alone. A crash loses no more than
before: only sends between their committed ``sending`` mark and their recorded result (at most
two per lane) become ``uncertain``.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from typing import Any

from sequencer.store import Beginning, Begun, SentRecord, Store
from sequencer.store.connection import brief, locked, shared_across_threads

#: The longest a group waits for more items, in seconds.
WAIT = 0.002
#: The most items one group holds.
LIMIT = 64
#: How long, in seconds, a SQLite group written on the loop's thread waits for another
#: process's write to end before it is handed to a thread.
PATIENCE = 0.2

_Records = list[tuple[SentRecord, Callable[[], None] | None]]
_Marks = list[tuple[Beginning, asyncio.Future[Begun]]]
#: What a group's transaction gives back: which records were committed, and each mark's outcome
#: (or the error that failed it alone).
_Written = tuple[list[bool], list[Begun | Exception]]


class GroupWriter:
    """Batches lanes' ``sending`` marks and sent results into one transaction per group."""

    def __init__(self, store: Store, log: Any, *, wait: float = WAIT, limit: int = LIMIT) -> None:
        self.store, self.log, self.wait, self.limit = store, log, wait, limit
        #: lanes running now: when all of them wait on the writer, the group is written at once
        self.lanes = 0
        self._marks: _Marks = []
        self._records: _Records = []
        self._timer: asyncio.TimerHandle | None = None
        #: the first pending item has waited :attr:`wait` (while a group was being written)
        self._overdue = False
        #: the group in its transaction now, in a thread of the loop's executor
        self._writing: asyncio.Future[_Written] | None = None
        #: a database server's groups are written in a thread; SQLite's on the loop's thread
        self._threaded = store.dialect != "sqlite"
        #: other threads (and processes) see this database: all but an in-memory SQLite one
        self._shared = shared_across_threads(store.engine)

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

    async def flush(self) -> None:
        """Write what is pending now, and wait until it is committed (the end of a tick)."""
        while self._writing is not None or self._marks or self._records:
            if self._writing is None:
                self._start()
            elif self._writing.done():
                # committed, but its callback (which clears it) has yet to run: awaiting a done
                # future would not yield to the loop, and this would spin forever
                await asyncio.sleep(0)
            else:
                # shielded: a cancelled tick still leaves the group's outcome to its lanes
                await asyncio.shield(self._writing)

    def _due(self) -> None:
        pending = len(self._marks) + len(self._records)
        if not pending:
            return
        if self._writing is None and (
            self._overdue or len(self._marks) >= max(self.lanes, 1) or pending >= self.limit
        ):
            self._start()  # what it leaves is seen to once it is written
        elif self._timer is None and not self._overdue:
            self._timer = asyncio.get_running_loop().call_later(self.wait, self._time_up)

    def _time_up(self) -> None:
        self._timer = None
        self._overdue = True
        self._due()

    def _start(self) -> None:
        """Take the next group and write it: in a thread of the loop's executor (a database
        server), or here (SQLite)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._overdue = False
        records, self._records = self._records[: self.limit], self._records[self.limit :]
        room = self.limit - len(records)
        marks, self._marks = self._marks[:room], self._marks[room:]
        items = [r for r, _ in records], [m for m, _ in marks]
        if not self._threaded:
            written = self._on_loop(*items)
            if written is not None:
                self._written(records, marks, written)
                return
        job = asyncio.ensure_future(self._on_server(*items))
        self._writing = job
        job.add_done_callback(lambda done: self._written(records, marks, _outcome(done, items)))

    def _on_loop(self, records: list[SentRecord], marks: list[Beginning]) -> _Written | None:
        """SQLite's group, here on the loop's thread, waiting at most :data:`PATIENCE` for
        another process's write to end; None if it did not, and the group then goes to a thread,
        which waits as long as any write does while the loop goes on (signals, the inbox).
        An in-memory database, which no other process can hold and no other thread can see,
        is written here whatever it takes."""
        try:
            return self._transact(records, marks, PATIENCE if self._shared else None)
        except _Locked:
            return None  # nothing of it was written: the thread writes it all again

    async def _on_server(self, records: list[SentRecord], marks: list[Beginning]) -> _Written:
        """A database server's group: in one statement on the loop, when it fits; else (or when
        that failed) in a thread of the loop's executor."""
        try:
            written = await self.store.write_group_on_loop(records, marks)
        except Exception as exc:
            self.log.warning(
                "writer.group_failed", items=len(records) + len(marks), error=brief(exc)
            )
            return await _in_thread(self._one_by_one, records, marks)
        if written is None:
            return await _in_thread(self._transact, records, marks)
        return [True] * len(records), list(written)

    def _transact(
        self, records: list[SentRecord], marks: list[Beginning], patience: float | None = None
    ) -> _Written:
        """The group in one transaction; after a failure, each item in a transaction of its own,
        so one bad row fails alone. With ``patience``, a SQLite group that another process's write
        held up that long raises :class:`_Locked` instead, having written nothing."""
        try:
            written = self.store.write_group(records, marks, patience=patience)
        except Exception as exc:
            if patience is not None and locked(exc):
                raise _Locked from exc
            self.log.warning(
                "writer.group_failed", items=len(records) + len(marks), error=brief(exc)
            )
        else:
            return [True] * len(records), list(written)
        return self._one_by_one(records, marks)

    def _one_by_one(self, records: list[SentRecord], marks: list[Beginning]) -> _Written:
        """After a group's failure: each item in a transaction of its own, so one bad row fails
        alone."""
        recorded: list[bool] = []
        for record in records:
            try:
                self.store.write_group([record], [])
            except Exception as exc:  # left in 'sending': found uncertain later, never resent
                self.log.error("send.unrecorded", send_id=record.send.id, error=brief(exc))
                recorded.append(False)
            else:
                recorded.append(True)
        outcomes: list[Begun | Exception] = []
        for mark in marks:
            try:
                outcomes.append(self.store.write_group([], [mark])[0])
            except Exception as exc:  # the lane's send fails alone (Dispatcher._guarded)
                outcomes.append(exc)
        return recorded, outcomes

    def _written(self, records: _Records, marks: _Marks, written: _Written) -> None:
        """A group is committed (or its items failed): tell its lanes, then write the next."""
        self._writing = None
        recorded, outcomes = written
        for (_, then), ok in zip(records, recorded, strict=True):
            if ok and then is not None:
                then()
        for (_, future), outcome in zip(marks, outcomes, strict=True):
            if future.done():  # a lane cancelled meanwhile (the worker stopping)
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        self._due()


async def _in_thread(work: Callable[..., _Written], *args: Any) -> _Written:
    """``work`` in a thread of the loop's executor, in a copy of this context: its commits still
    count as this dispatcher's own."""
    run = functools.partial(contextvars.copy_context().run, work, *args)
    return await asyncio.get_running_loop().run_in_executor(None, run)


class _Locked(Exception):
    """A group on the loop's thread found SQLite held by another process's write."""


def _outcome(
    done: asyncio.Future[_Written], items: tuple[list[SentRecord], list[Beginning]]
) -> _Written:
    """A finished job's outcome; should the job itself fail, or be cancelled (the loop ending
    under a group on the loop), every item failed with it, and the lanes are told so (a mark left
    uncommitted sends nothing; a result left unwritten is found uncertain later)."""
    try:
        return done.result()
    except BaseException as exc:
        records, marks = items
        failed = exc if isinstance(exc, Exception) else RuntimeError(f"group not written: {exc!r}")
        return [False] * len(records), [failed] * len(marks)
