"""The facade a host program uses: ``from sequencer import Engine``. Everything the CLI does
is a method here; each wires the store, configuration, clock and sequences into a service
(:mod:`sequencer.services`), which does the work. See ``docs/architecture.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sequencer import results, tokens
from sequencer.channels.base import ChannelAdapter
from sequencer.clock import Clock, SystemClock
from sequencer.config import Config, ImapSettings, load_config
from sequencer.dispatch import Dispatcher, TickReport
from sequencer.errors import Problem
from sequencer.hooks import HookMethods
from sequencer.inbound.imap import ImapMailbox, Mailbox
from sequencer.inbox import InboxPoller, PollReport
from sequencer.logs import get_logger
from sequencer.looks import Family
from sequencer.model import Sequence, StopReason
from sequencer.services import (
    catalog,
    contacts,
    enrolling,
    erasure,
    public,
    recovery,
    reports,
    sending,
    stopping,
    tasks,
    variants,
)
from sequencer.services.bulk import BigActions
from sequencer.services.contacts import ImportReport as ImportReport
from sequencer.services.deps import Deps
from sequencer.services.enrolling import EnrollReport as EnrollReport
from sequencer.services.enrolling import Preview as Preview
from sequencer.services.erasure import ForgetReport as ForgetReport
from sequencer.services.stopping import HookRejected as HookRejected
from sequencer.services.stopping import Unsubscribe
from sequencer.services.suppressions import SuppressionList
from sequencer.store import Store


class Engine(HookMethods):
    """One sequencer: configuration, sequences, a store, a clock and the host's event hooks."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        database_url: str | None = None,
        clock: Clock | None = None,
        sequence_paths: Iterable[Path | str] | None = None,
        channels: Mapping[str, ChannelAdapter] | None = None,
        log: Any = None,
        worker_id: str | None = None,
        batch: int | None = None,
        mailbox: Callable[[ImapSettings], Mailbox] | None = None,
    ) -> None:
        """Wire ``config`` (default: ``sequencer.toml``), a store, a clock and channels."""
        self.config = config or load_config(database_url=database_url)
        self.store = Store(database_url or self.config.database_url)
        self.clock: Clock = clock or SystemClock()
        self.log = log or get_logger()
        self._paths = tuple(Path(p) for p in (sequence_paths or self.config.sequences))
        self._sequences: dict[str, Sequence] | None = None
        self._extra_channels = dict(channels or {})
        self._worker_id = worker_id or sending.worker_identity()
        self._batch = batch or self.config.batch
        self._dispatcher: Dispatcher | None = None
        self._inbox: InboxPoller | None = None
        self._mailbox = mailbox or ImapMailbox

    @property
    def _deps(self) -> Deps:
        # built per call: a host (or a test) may swap the clock or the config after construction
        return Deps(
            store=self.store,
            config=self.config,
            clock=self.clock,
            log=self.log,
            sequences=lambda: self.sequences,
            hooks=self.hooks,
        )

    @property
    def worker_id(self) -> str:
        """This engine's identity in claims and job runs (host:pid:random)."""
        return self._worker_id

    @classmethod
    def from_config(
        cls,
        path: Path | str | None = None,
        *,
        database_url: str | None = None,
        clock: Clock | None = None,
        channels: Mapping[str, ChannelAdapter] | None = None,
    ) -> Engine:
        """An engine from a ``sequencer.toml`` file (the default search when ``path`` is None)."""
        config = load_config(path, database_url=database_url)
        return cls(config, database_url=database_url, clock=clock, channels=channels)

    def close(self) -> None:
        """Close the database (sync callers; async hosts use :meth:`aclose` or ``async with``)."""
        self.store.close()

    def __enter__(self) -> Engine:
        """``with Engine(...) as engine:`` closes the database on the way out."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the database (see :meth:`close`)."""
        self.close()

    async def __aenter__(self) -> Engine:
        """``async with Engine(...) as engine:`` closes channels and database on the way out."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close channel connections and the database (see :meth:`aclose`)."""
        await self.aclose()

    def validate(self, paths: Iterable[Path | str] | None = None) -> list[Problem]:
        """Every problem in the given (or configured) sequence files."""
        return catalog.validate(self.config, paths or self._paths, channels=self._extra_channels)

    @property
    def sequences(self) -> dict[str, Sequence]:
        """The loaded sequences; raises :class:`~sequencer.errors.SequenceInvalid` on any error."""
        if self._sequences is None:
            self._sequences = catalog.load(self.config, self._paths, channels=self._extra_channels)
        return self._sequences

    def sequence(self, name: str) -> Sequence:
        """The loaded sequence called ``name``; :class:`SequenceNotFound` otherwise."""
        return catalog.find(self.sequences, name)

    @property
    def dispatcher(self) -> Dispatcher:
        """The dispatcher, built on first use: claims what is due and sends it."""
        if self._dispatcher is None:
            self._dispatcher = sending.dispatcher(
                self._deps,
                worker_id=self._worker_id,
                batch=self._batch,
                links=lambda: self.links,
                channels=self._extra_channels,
            )
        return self._dispatcher

    async def tick(self) -> TickReport:
        """Run one dispatch tick: claim what is due and send it (from your event loop)."""
        return await sending.tick(self.dispatcher)

    async def drain(self, *, max_ticks: int = 10_000) -> TickReport:
        """Tick until nothing due is left at the current time (claims come in batches)."""
        return await sending.drain(self.tick, max_ticks=max_ticks)

    async def run_until(
        self, until: datetime, *, on_step: Callable[[datetime], None] | None = None
    ) -> TickReport:
        """Fast-forward a :class:`~sequencer.clock.SimulatedClock` to ``until``, tick by tick."""
        return await sending.run_until(
            self._deps, until, tick=self.tick, advance_chains=self.advance_chains, on_step=on_step
        )

    async def aclose(self) -> None:
        """Wait for async hooks still running, close channel connections (SMTP) and the database."""
        await sending.close(self._dispatcher, self.hooks)
        self.close()

    def tick_sync(self) -> TickReport:
        """One tick for synchronous callers; connections are closed afterwards."""
        return asyncio.run(sending.tick_once(lambda: self.dispatcher))

    def import_contacts(
        self,
        path: Path | str,
        *,
        progress: contacts.Progress | None = None,
        skip_bad: bool = False,
        mapping: contacts.ColumnMap | None = None,
        verify: bool | None = None,
    ) -> ImportReport:
        """Import a CSV (see :func:`~sequencer.services.contacts.import_contacts`)."""
        return contacts.import_contacts(
            self._deps, path, progress=progress, skip_bad=skip_bad, mapping=mapping, verify=verify
        )

    def contact(self, email: str) -> results.Contact:
        """The contact with this address; :class:`ContactNotFound` otherwise."""
        return public.contact(contacts.find_contact(self.store, email))

    def suppress(self, *entries: str, reason: str = "manual") -> tuple[int, int]:
        """Never mail these addresses (or whole ``@domain``) again: (added, already listed)."""
        return contacts.suppress(self._deps, *entries, reason=reason)

    def suppress_file(self, path: Path | str, *, reason: str = "import") -> tuple[int, int]:
        """Suppress every address or domain in a file: (added, already listed)."""
        return contacts.suppress_file(self._deps, path, reason=reason)

    def suppressions(self) -> list[results.Suppression]:
        """The suppression list."""
        return [public.suppression(row) for row in self.store.suppressions()]

    @property
    def suppression_list(self) -> SuppressionList:
        """Remove, filter and undo suppressions; every change is logged with its reason."""
        return SuppressionList(self._deps)

    def enroll(
        self,
        sequence: str,
        *,
        sender: str | Iterable[str] | None = None,
        emails: Iterable[str] | None = None,
        where: dict[str, str] | None = None,
        again: bool = False,
    ) -> EnrollReport:
        """Enroll contacts in a sequence (see :func:`~sequencer.services.enrolling.enroll`)."""
        return enrolling.enroll(
            self._deps, sequence, sender=sender, emails=emails, where=where, again=again
        )

    @property
    def bulk(self) -> BigActions:
        """Enroll or stop many at once, with a look at the schedule or count before writing."""
        return BigActions(self._deps)

    zone_for = staticmethod(enrolling.zone_for)

    def preview(self, sequence: str, email: str, *, sender: str | None = None) -> Preview:
        """A recipient's timeline and every variant rendered for them."""
        return enrolling.preview(self._deps, sequence, email, sender=sender)

    def advance_chains(self, *, limit: int = 500) -> enrolling.ChainReport:
        """Start the chained enrollments whose time has come (what the chaining job runs)."""
        return enrolling.advance_chains(self._deps, limit=limit)

    def uncertain(self) -> list[recovery.UncertainSend]:
        """Sends that may or may not have gone out; never sent again without a person."""
        return recovery.uncertain(self._deps)

    def doctor(self) -> recovery.Health:
        """Uncertain sends, sends stuck past their lease, and failures of the last 7 days."""
        return recovery.doctor(self._deps)

    def resend_uncertain(self, ids: Iterable[int] | None = None) -> recovery.ResendReport:
        """Queue uncertain sends (all, or ``ids``) to go out again as the same message."""
        return recovery.resend_uncertain(self._deps, ids)

    def mark_sent(self, ids: Iterable[int]) -> list[int]:
        """Record uncertain sends a person confirmed went out as sent; nothing is sent."""
        return recovery.mark_sent(self._deps, ids)

    @property
    def inbox(self) -> InboxPoller:
        """The inbox poller, built on first use: reads replies and bounces from the mailboxes."""
        if self._inbox is None:
            self._inbox = sending.inbox(self._deps, self._mailbox)
        return self._inbox

    async def poll_inbox(self, senders: Iterable[str] | None = None) -> PollReport:
        """Read the senders' mailboxes once: replies stop, bounces stop and suppress."""
        return await sending.poll(self.inbox, senders)

    def poll_inbox_sync(self, senders: Iterable[str] | None = None) -> PollReport:
        """:meth:`poll_inbox` for synchronous callers."""
        return asyncio.run(self.poll_inbox(senders))

    def stop(
        self, email: str, *, reason: StopReason | str = StopReason.MANUAL, detail: str | None = None
    ) -> results.Enrollment | None:
        """Record a reply, bounce, unsubscribe or manual stop; :class:`InvalidReason` otherwise."""
        return stopping.stop(self._deps, email, reason=reason, detail=detail)

    def goal(self, email: str, name: str) -> results.Enrollment | None:
        """Record a goal (``meeting_booked``...); it stops the enrollment if the sequence says."""
        return stopping.goal(self._deps, email, name)

    def hook(self, kind: str, body: bytes, *, timestamp: str, signature: str) -> dict[str, Any]:
        """A signed ``/hooks/goal`` or ``/hooks/reply`` call; :class:`HookRejected` if refused."""
        return stopping.hook(self._deps, kind, body, timestamp=timestamp, signature=signature)

    @property
    def links(self) -> tokens.Links | None:
        """Signed public links, once ``[http] public_url`` is configured."""
        return stopping.links(self._deps)

    def trackable_urls(self) -> frozenset[str]:
        """The URLs written in the sequence files: the only ones click tracking signs."""
        return stopping.trackable_urls(self._deps)

    def unsubscribe_page(self, token: str) -> Unsubscribe | None:
        """What an unsubscribe link is about; None for a link that is not ours."""
        return stopping.unsubscribe_page(self._deps, token)

    def unsubscribe(self, token: str) -> Unsubscribe | None:
        """The one-click unsubscribe (RFC 8058): suppress and stop; None for a forged token."""
        return stopping.unsubscribe(self._deps, token)

    def record_open(self, token: str) -> bool:
        """An open-pixel fetch, recorded at most once per send per hour."""
        return stopping.record_open(self._deps, token)

    def click(self, token: str, url: str) -> str | None:
        """Record a click and return where it goes; None unless signed for that send."""
        return stopping.click(self._deps, token, url)

    def score(self, *, dry_run: bool = False) -> list[Family]:
        """One look of the scoring job over every variant family."""
        return variants.score(self._deps, dry_run=dry_run)

    def variants(self) -> list[variants.VariantRow]:
        """Every variant of every family: live or retired, since when, why, and its latest look."""
        return variants.rows(self._deps)

    def revive(self, sequence: str, step: str, factor: str, key: str) -> None:
        """Put a retired variant back into rotation by hand."""
        variants.revive(self._deps, sequence, step, factor, key)

    def tasks(self, *, today: bool = True) -> list[tuple[results.Task, results.Contact]]:
        """Open LinkedIn and call tasks (due by the end of today, UTC, by default)."""
        return tasks.open_tasks(self._deps, today=today)

    def close_task(self, task_id: int, *, done: bool) -> results.Task:
        """Mark a task done (or skipped)."""
        return tasks.close_task(self._deps, task_id, done=done)

    def forget(
        self, email: str, *, unknown_ok: bool = False, rewrite: bool = False
    ) -> ForgetReport:
        """Erase a person (GDPR); see :func:`~sequencer.services.erasure.forget`."""
        return erasure.forget(self._deps, email, unknown_ok=unknown_ok, rewrite=rewrite)

    def step_report(self) -> list[reports.StepRow]:
        """Per sequence and step: sent, replied, stopped, pending and the rest."""
        return reports.step_report(self._deps)

    def report(self) -> reports.Report:
        """What `sequencer report` shows (see :mod:`sequencer.reporting`)."""
        return reports.report(self._deps)
