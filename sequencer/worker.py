"""The worker: APScheduler fires dispatch ticks; the sends table stays the queue.

Stopping happens in two phases. :meth:`Worker.stop` only sets an event (it is what SIGTERM
and SIGINT call); shutdown then lets the message in flight finish, returns the rest of the
claimed batch to the queue, and waits at most ``grace`` seconds before giving up on the tick.
Embedded in a host program, pass ``handle_signals=False`` and call ``stop()`` yourself.

On SQLite only one worker may run (SQLite cannot claim rows with ``FOR UPDATE``): a second
one refuses to start with :class:`~sequencer.errors.SecondWorker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from sequencer.app import Engine
from sequencer.errors import SecondWorker
from sequencer.logs import shown
from sequencer.services.sending import look_slot

#: Seconds between runs of the chaining job (whole minutes).
CHAIN_SECONDS = 300
#: What the worker last announced while it was sending: nothing yet.
_BUSY = object()


class Worker:
    """Runs an :class:`~sequencer.Engine`'s dispatch tick every ``tick_seconds``."""

    def __init__(
        self,
        engine: Engine,
        *,
        tick_seconds: float | None = None,
        handle_signals: bool = True,
        grace: float = 8.0,
    ) -> None:
        self.engine = engine
        self.tick_seconds = tick_seconds or engine.config.tick_seconds
        self.handle_signals = handle_signals
        self.grace = grace
        self._stop = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._running = 0
        self.ticks = 0
        #: The next due time the last ``worker.idle`` line named (a sentinel while busy).
        self._announced: object = _BUSY

    def stop(self) -> None:
        """Ask the worker to stop (safe to call from a signal handler)."""
        self._stop.set()

    async def run(self) -> None:
        log = self.engine.log
        with _single_worker_lock(self.engine.store.url), self._signals():
            scheduler = AsyncIOScheduler(timezone="UTC")
            scheduler.add_job(
                self._tick,
                "interval",
                seconds=self.tick_seconds,
                id="dispatch",
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
                next_run_time=self.engine.clock.now(),
            )
            config = self.engine.config
            hour, minute = (int(x) for x in config.score_time.split(":"))
            scheduler.add_job(
                self._score,
                CronTrigger(
                    day_of_week=config.score_days,
                    hour=hour,
                    minute=minute,
                    timezone=config.score_timezone,
                ),
                id="score",
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
            )
            scheduler.add_job(
                self._chain,
                "interval",
                seconds=CHAIN_SECONDS,
                id="chain",
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
                next_run_time=self.engine.clock.now(),
            )
            if any(sender.imap is not None for sender in config.senders.values()):
                scheduler.add_job(
                    self._poll,
                    "interval",
                    seconds=config.poll_seconds,
                    id="inbox",
                    misfire_grace_time=None,
                    coalesce=True,
                    max_instances=1,
                    next_run_time=self.engine.clock.now(),
                )
            scheduler.start()
            log.info(
                "worker.started",
                pid=os.getpid(),
                tick_seconds=self.tick_seconds,
                database=safe_url(self.engine.store.url),
            )
            await self._stop.wait()
            log.info("worker.stopping", in_flight=not self._idle.is_set())
            self.engine.dispatcher.request_stop()
            # No new tick may start, but the one in flight must finish: APScheduler's shutdown
            # cancels running coroutine jobs, so it comes only after the tick is done.
            scheduler.pause()
            try:
                await asyncio.wait_for(self._idle.wait(), timeout=self.grace)
            except TimeoutError:
                log.warning("worker.grace_exceeded", grace=self.grace)
            scheduler.shutdown(wait=False)
            await self.engine.dispatcher.close()
            log.info("worker.stopped", ticks=self.ticks)

    @contextlib.contextmanager
    def _busy(self) -> Iterator[None]:
        """Shutdown waits (up to the grace period) while any job is inside this block."""
        self._running += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._running -= 1
            if not self._running:
                self._idle.set()

    async def _tick(self) -> None:
        if self._stop.is_set():
            return
        with self._busy():
            try:
                report = await self.engine.tick()
                self.ticks += 1
                if report.claimed:
                    self.engine.log.info("tick.done", **vars(report))
                if report.claimed == report.deferred:  # nothing went out: idle until the next due
                    self._announce_next()
                else:
                    self._announced = _BUSY
            except Exception as exc:  # a tick must never kill the worker; the next one tries again
                self.engine.log.exception("tick.failed", error=str(exc))

    def _announce_next(self) -> None:
        """Say, once per change, when the next send is due and to whom (``worker.idle``)."""
        store = self.engine.store
        due = store.next_due()  # cheap: the queue is read only when this changes
        if self._announced == due:
            return
        self._announced = due
        lines = store.listing.queue(limit=1) if due is not None else []
        first = min(lines, key=lambda line: line.due_at, default=None)
        if first is None:
            self.engine.log.info("worker.idle", next_due=None, summary="nothing is queued")
            return
        when = f"{first.due_at:%Y-%m-%d %H:%M:%S} UTC"
        self.engine.log.info(
            "worker.idle",
            next_due=first.due_at.isoformat(),
            address=first.email,
            sender=first.sender,
            step=first.step_key,
            summary=f"next send due at {when} for {shown(first.email)} "
            f"(sender {first.sender}, step {first.step_key})",
        )

    async def _poll(self) -> None:
        """Read the senders' mailboxes: replies and bounces stop sequences before the next tick
        sends.
        """
        if self._stop.is_set():
            return
        with self._busy():
            try:
                report = await self.engine.poll_inbox()
                if report.handled:
                    kinds = {h.kind for h in report.handled}
                    self.engine.log.info(
                        "inbox.polled",
                        messages=len(report.handled),
                        **{kind: report.count(kind) for kind in sorted(kinds)},
                    )
            except Exception as exc:  # an unreadable mailbox must not stop sending
                self.engine.log.exception("inbox.failed", error=str(exc))

    async def _chain(self) -> None:
        """Start the chained enrollments whose ``after_days`` have passed (once per slot across
        workers).
        """
        if self._stop.is_set():
            return
        now = self.engine.clock.now()
        slot = now.replace(
            second=0, microsecond=0, minute=now.minute - now.minute % (CHAIN_SECONDS // 60)
        ).isoformat()
        if not self.engine.store.claim_job("chain", slot, worker=self.engine.worker_id, at=now):
            return
        with self._busy():
            try:
                report = self.engine.advance_chains()
                if report.started or report.skipped:
                    self.engine.log.info(
                        "chain.done", started=report.started, skipped=len(report.skipped)
                    )
            except Exception as exc:  # the next run tries again; sending goes on
                self.engine.log.exception("chain.failed", error=str(exc))

    async def _score(self) -> None:
        """The twice-weekly look: score every variant family and retire the weak ones."""
        if self._stop.is_set():
            return
        slot = look_slot(self.engine.config, self.engine.clock.now())
        # every worker fires the cron; the first to record this slot runs the look, the others skip
        # it
        if not self.engine.store.claim_job(
            "score", slot, worker=self.engine.worker_id, at=self.engine.clock.now()
        ):
            self.engine.log.info("score.skipped", slot=slot, why="another worker runs this look")
            return
        try:
            families = self.engine.score()
            self.engine.log.info(
                "score.done", families=len(families), retired=sum(len(f.retired) for f in families)
            )
        except Exception as exc:  # the next look tries again; sending goes on
            self.engine.log.exception("score.failed", error=str(exc))

    @contextlib.contextmanager
    def _signals(self) -> Iterator[None]:
        if not self.handle_signals:
            yield
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        try:
            yield
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)


@contextlib.contextmanager
def _single_worker_lock(url: str) -> Iterator[None]:
    """On SQLite, hold an exclusive lock file beside the database for the worker's life."""
    if not url.startswith("sqlite") or url.endswith(":memory:"):
        yield
        return
    path = Path(url.split("///", 1)[-1] + ".worker.lock")
    handle: IO[str] = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise SecondWorker(
            f"another worker (pid {holder}) is already running on {path.with_suffix('')}; "
            "SQLite allows one worker at a time: use PostgreSQL to run several"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def safe_url(url: str) -> str:
    """The database URL without a password, for logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
    return url


single_worker_lock = _single_worker_lock


def run_worker(engine: Engine, **options: Any) -> None:
    """Run a worker until SIGTERM or SIGINT; for the CLI."""
    asyncio.run(Worker(engine, **options).run())
