"""Sending: the dispatcher with a channel for each kind of step, one tick for synchronous
callers, ticking until nothing due is left, and fast-forwarding a simulated clock from one due
send (or chained start, or look of the scoring job) to the next.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sequencer import tokens
from sequencer.channels import configured
from sequencer.channels.base import ChannelAdapter
from sequencer.channels.smtp import SmtpChannel
from sequencer.channels.tasks import TaskChannel
from sequencer.channels.webhook import WebhookChannel
from sequencer.clock import SimulatedClock
from sequencer.config import Config, ImapSettings
from sequencer.dispatch import Dispatcher, TickReport
from sequencer.hooks import Hooks
from sequencer.inbound.imap import Mailbox
from sequencer.inbox import InboxPoller, PollReport
from sequencer.planner.inputs import LookSchedule
from sequencer.services import variants
from sequencer.services.deps import Deps

#: One dispatch tick (or one drain): what it did.
Tick = Callable[[], Awaitable[TickReport]]


def dispatcher(
    deps: Deps,
    *,
    worker_id: str,
    batch: int,
    links: Callable[[], tokens.Links | None],
    channels: Mapping[str, ChannelAdapter],
) -> Dispatcher:
    """A dispatcher sending email by SMTP, LinkedIn and call steps as tasks for a person, and
    webhook steps signed; the configuration's ``[channels]``, then ``channels`` (a host's own),
    add channels or replace any of these by name. ``links`` is asked after the sequences are
    loaded.
    """
    built = Dispatcher(
        store=deps.store,
        config=deps.config,
        sequences=deps.sequences(),
        channels={},
        clock=deps.clock,
        log=deps.log,
        worker_id=worker_id,
        batch=batch,
        links=links(),
        hooks=deps.hooks,
    )
    tasks = TaskChannel(built.create_task)
    built.channels = {
        "email": SmtpChannel(),
        "linkedin": tasks,
        "call": tasks,
        "webhook": WebhookChannel(deps.config.webhook_secret, sleep=_sleep_on(deps.clock)),
        **configured(deps.config),
        **channels,
    }
    return built


def _sleep_on(clock: object) -> Callable[[float], Awaitable[None]]:
    """How a channel waits between attempts: on a simulated clock, simulated time passes and
    no real time (a run of months would otherwise sleep for real at every failed attempt)."""
    if not isinstance(clock, SimulatedClock):
        return asyncio.sleep

    async def advance(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    return advance


def look_slot(config: Config, moment: datetime) -> str:
    """The scoring job's slot that ``moment`` falls in (its local date and ``[scoring] time``):
    every worker, and :func:`run_until`, records a look under it, so each slot runs once."""
    local = moment.astimezone(ZoneInfo(config.score_timezone))
    return f"{local.date().isoformat()}T{config.score_time}"


def run_look(deps: Deps, *, worker: str) -> bool:
    """One look of the scoring job at the clock's time; False if its slot already ran."""
    now = deps.clock.now()
    if not deps.store.claim_job("score", look_slot(deps.config, now), worker=worker, at=now):
        return False
    families = variants.score(deps, dry_run=False)
    deps.log.info(
        "score.done", families=len(families), retired=sum(len(f.retired) for f in families)
    )
    return True


def worker_identity() -> str:
    """A worker id unique per process (host:pid:random): leases and ownership tell workers
    apart by it."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def inbox(deps: Deps, mailbox: Callable[[ImapSettings], Mailbox]) -> InboxPoller:
    """The inbox poller over the senders' mailboxes (opened with ``mailbox``)."""
    return InboxPoller(
        deps.store,
        deps.config,
        deps.sequences,
        deps.clock,
        mailbox=mailbox,
        log=deps.log,
        hooks=deps.hooks,
    )


async def tick(dispatcher: Dispatcher) -> TickReport:
    """One dispatch tick; the async hooks it started are done when it returns."""
    report = await dispatcher.tick()
    await dispatcher.hooks.settle()
    return report


async def poll(poller: InboxPoller, senders: Iterable[str] | None) -> PollReport:
    """One read of the senders' mailboxes; the async hooks it started are done when it returns."""
    report = await poller.poll(senders)
    await poller.hooks.settle()
    return report


async def close(dispatcher: Dispatcher | None, hooks: Hooks) -> None:
    """Wait for the async hooks still running, then close the dispatcher's channels."""
    await hooks.settle()
    if dispatcher is not None:
        await dispatcher.close()


async def tick_once(dispatcher: Callable[[], Dispatcher]) -> TickReport:
    """One tick of the dispatcher (built inside the running loop); its connections are closed
    afterwards.
    """
    built = dispatcher()
    try:
        return await tick(built)
    finally:
        await built.close()


async def drain(tick: Tick, *, max_ticks: int) -> TickReport:
    """Tick until nothing due is left at the current time (claims come in batches)."""
    total = TickReport()
    for _ in range(max_ticks):
        report = await tick()
        total.merge(report)
        if report.claimed == 0 or report.claimed == report.deferred:
            break
    return total


async def run_until(
    deps: Deps,
    until: datetime,
    *,
    tick: Tick,
    advance_chains: Callable[[], object],
    on_step: Callable[[datetime], None] | None,
    max_ticks: int = 10_000,
) -> TickReport:
    """Fast-forward a :class:`~sequencer.clock.SimulatedClock` to ``until``, jumping from one
    due send (or chained start, or look of the scoring job) to the next. At each moment the
    look whose time has come runs (as the worker's cron runs it: ``[scoring] days`` and
    ``time``), chains whose start has come begin, and ticks run while sends are due and going
    out (at most ``max_ticks`` at one moment). ``on_step(now)`` runs before a moment's first
    tick.
    """
    clock = deps.clock
    if not isinstance(clock, SimulatedClock):
        raise TypeError("run_until needs the engine to run on a SimulatedClock")
    config = deps.config
    looks = LookSchedule.parse(config.score_days, config.score_time, config.score_timezone)
    look = _next_look(looks, clock.now())
    chains = deps.store.next_chain_start()
    # only a sequence with `then:` creates chained enrollments while sends go out
    chaining = any(sequence.then is not None for sequence in deps.sequences().values())
    total = TickReport()
    ticks = 0  # at this moment
    while True:
        now = clock.now()
        if not ticks:
            if on_step is not None:
                on_step(now)
            if look is not None and look <= now:
                run_look(deps, worker="run_until")
                look = _next_look(looks, now)
            if chains is not None and chains <= now:
                advance_chains()
        report = await tick()
        total.merge(report)
        ticks += 1
        if chaining or chains is not None:
            due, chains = deps.store.next_moments()
        else:
            due = deps.store.next_due()
        # the batch was full, or a next step is due at once: tick again before time moves on
        moving = report.claimed > report.deferred
        if due is not None and due <= now and moving and ticks < max_ticks:
            continue
        ticks = 0
        upcoming = min((t for t in (due, chains, look) if t is not None), default=None)
        if upcoming is None or upcoming > until:
            clock.set(until)
            return total
        clock.set(max(upcoming, now + timedelta(seconds=1)))


def _next_look(looks: LookSchedule, after: datetime) -> datetime | None:
    """The scoring job's first look after ``after`` (None when it has no days)."""
    return next(iter(looks.times(after, after + timedelta(days=8))), None)
