"""Sending: the dispatcher with a channel for each kind of step, one tick for synchronous
callers, ticking until nothing due is left, and fast-forwarding a simulated clock from one due
send (or chained start) to the next.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sequencer import tokens
from sequencer.channels.base import ChannelAdapter
from sequencer.channels.smtp import SmtpChannel
from sequencer.channels.tasks import TaskChannel
from sequencer.channels.webhook import WebhookChannel
from sequencer.clock import SimulatedClock
from sequencer.config import ImapSettings
from sequencer.dispatch import Dispatcher, TickReport
from sequencer.inbound.imap import Mailbox
from sequencer.inbox import InboxPoller
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
    webhook steps signed; ``channels`` (a host's own) replace any of these by name. ``links``
    is asked after the sequences are loaded.
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
    )
    tasks = TaskChannel(built.create_task)
    built.channels = {
        "email": SmtpChannel(),
        "linkedin": tasks,
        "call": tasks,
        "webhook": WebhookChannel(deps.config.webhook_secret),
        **channels,
    }
    return built


def worker_identity() -> str:
    """A worker id unique per process (host:pid:random): leases and ownership tell workers
    apart by it."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def inbox(deps: Deps, mailbox: Callable[[ImapSettings], Mailbox]) -> InboxPoller:
    """The inbox poller over the senders' mailboxes (opened with ``mailbox``)."""
    return InboxPoller(
        deps.store, deps.config, deps.sequences, deps.clock, mailbox=mailbox, log=deps.log
    )


async def tick_once(dispatcher: Callable[[], Dispatcher]) -> TickReport:
    """One tick of the dispatcher (built inside the running loop); its connections are closed
    afterwards.
    """
    built = dispatcher()
    try:
        return await built.tick()
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
    drain: Tick,
    advance_chains: Callable[[], object],
    on_step: Callable[[datetime], None] | None,
) -> TickReport:
    """Fast-forward a :class:`~sequencer.clock.SimulatedClock` to ``until``, jumping from one
    due send (or chained start) to the next, starting chains and draining at each;
    ``on_step(now)`` runs before every drain.
    """
    clock = deps.clock
    if not isinstance(clock, SimulatedClock):
        raise TypeError("run_until needs the engine to run on a SimulatedClock")
    total = TickReport()
    while True:
        if on_step is not None:
            on_step(clock.now())
        advance_chains()
        total.merge(await drain())
        times = (deps.store.next_due(), deps.store.next_chain_start())
        upcoming = min((t for t in times if t is not None), default=None)
        if upcoming is None or upcoming > until:
            clock.set(until)
            return total
        clock.set(max(upcoming, clock.now() + timedelta(seconds=1)))
