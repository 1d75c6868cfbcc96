"""Event hooks: what a host program hears once the engine has committed an event.

A host registers callables on the :class:`~sequencer.Engine`: ``engine.on_sent(fn)``, or
``@engine.on_reply`` as a decorator. Each receives one frozen event value of this module
(:class:`Sent`, :class:`Replied`, :class:`Stopped`, :class:`Bounced`, :class:`GoalReached`),
after the change is committed to the database, in the process where it happened: the worker's
dispatch tick, the inbox poll, or the host's own ``stop()``/``goal()`` call.

A hook may be a plain function or a coroutine function. A plain one runs at once, on the event
loop during a tick, so it should be quick. An async one runs as a task of the running loop and
is awaited before the tick or poll returns (and by ``aclose()``); with no running loop (a
synchronous ``engine.stop()``) it runs to its end before the call returns. A hook that raises is
logged as ``hook.failed`` and changes nothing: the send, the stop or the reply stays recorded.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import structlog

from sequencer.model import StopReason


@dataclass(frozen=True, kw_only=True)
class Sent:
    """A step was handed to its channel and recorded as sent."""

    #: The recipient's address.
    address: str
    sequence: str
    #: The step's key in the sequence.
    step: str
    #: The step's channel: a built-in (``email``...) or one the host registered (``slack``).
    channel: str
    #: The sender's name in the configuration.
    sender: str
    #: The email's Message-ID (None for other channels).
    message_id: str | None
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Replied:
    """A reply was recorded: read from the inbox, or told by the host (``stop(reason=reply)``,
    the signed ``/hooks/reply``)."""

    address: str
    #: The sequence it answers, when one is known.
    sequence: str | None
    at: datetime
    #: The reply's subject, when it came from the inbox.
    subject: str | None = None


@dataclass(frozen=True, kw_only=True)
class Stopped:
    """An enrollment stopped: a reply, goal, bounce, unsubscribe, manual stop or failure."""

    address: str
    #: The sequence that stopped.
    sequence: str
    reason: StopReason
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Bounced:
    """A message to the address was refused for good (an SMTP 5xx, or a delivery report)."""

    address: str
    #: The SMTP reply code (``550``) or the report's status (``5.1.1``), when there was one.
    code: str | None
    detail: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class GoalReached:
    """A goal (``meeting_booked``...) was recorded for the address."""

    address: str
    goal: str
    at: datetime


#: Any event a hook can receive.
Event = Sent | Replied | Stopped | Bounced | GoalReached
E = TypeVar("E", Sent, Replied, Stopped, Bounced, GoalReached)
#: A hook of each event: a function, or a coroutine function, of the event.
OnSent = TypeVar("OnSent", bound=Callable[[Sent], object])
OnReply = TypeVar("OnReply", bound=Callable[[Replied], object])
OnStop = TypeVar("OnStop", bound=Callable[[Stopped], object])
OnBounce = TypeVar("OnBounce", bound=Callable[[Bounced], object])
OnGoal = TypeVar("OnGoal", bound=Callable[[GoalReached], object])


class Hooks:
    """The hooks registered for each kind of event, and their calling."""

    def __init__(self, log: Any = None) -> None:
        self.log = log or structlog.get_logger("sequencer.hooks")
        self._hooks: dict[type[Any], list[Callable[[Any], object]]] = {}
        self._pending: set[asyncio.Task[None]] = set()

    def add(self, kind: type[E], hook: Callable[[E], object]) -> None:
        """Call ``hook`` with every committed event of type ``kind``."""
        self._hooks.setdefault(kind, []).append(hook)

    def emit(self, event: Event) -> None:
        """Call the hooks of ``event``'s type; one that raises is logged and skipped."""
        for hook in self._hooks.get(type(event), ()):
            try:
                result = hook(event)
            except Exception:  # a host's bug must never undo or stop what was committed
                self._failed(hook, event)
                continue
            if inspect.isawaitable(result):
                self._start(self._guarded(hook, event, result))

    async def settle(self) -> None:
        """Wait for the async hooks started so far (a tick, a poll and ``aclose`` end here)."""
        while self._pending:
            await asyncio.gather(*self._pending)

    def _start(self, call: Coroutine[Any, Any, None]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a synchronous caller: run it to its end now
            asyncio.run(call)
            return
        task = loop.create_task(call)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _guarded(
        self, hook: Callable[[Any], object], event: Event, call: Awaitable[object]
    ) -> None:
        try:
            await call
        except Exception:
            self._failed(hook, event)

    def _failed(self, hook: Callable[[Any], object], event: Event) -> None:
        name = getattr(hook, "__qualname__", repr(hook))
        self.log.exception("hook.failed", hook=name, kind=type(event).__name__)


class HookMethods:
    """Registering hooks: the ``on_*`` methods :class:`~sequencer.Engine` inherits. Each takes a
    function or coroutine function of the event and returns it, so it is a decorator too::

        @engine.on_reply
        async def tell_the_crm(event: Replied) -> None: ...
    """

    @functools.cached_property
    def hooks(self) -> Hooks:
        """The hooks registered so far; what happens is emitted through it."""
        return Hooks(getattr(self, "log", None))

    def on_sent(self, hook: OnSent) -> OnSent:
        """Call ``hook`` with a :class:`Sent` after each step is recorded as sent."""
        self.hooks.add(Sent, hook)
        return hook

    def on_reply(self, hook: OnReply) -> OnReply:
        """Call ``hook`` with a :class:`Replied` after each reply is recorded."""
        self.hooks.add(Replied, hook)
        return hook

    def on_stop(self, hook: OnStop) -> OnStop:
        """Call ``hook`` with a :class:`Stopped` after each enrollment stops."""
        self.hooks.add(Stopped, hook)
        return hook

    def on_bounce(self, hook: OnBounce) -> OnBounce:
        """Call ``hook`` with a :class:`Bounced` after each permanent bounce is recorded."""
        self.hooks.add(Bounced, hook)
        return hook

    def on_goal(self, hook: OnGoal) -> OnGoal:
        """Call ``hook`` with a :class:`GoalReached` after each goal is recorded."""
        self.hooks.add(GoalReached, hook)
        return hook
