"""Enrollment rules and the per-recipient plan: pure functions, time passed in."""

from __future__ import annotations

import enum
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sequencer import rendering, timing
from sequencer.caps import SenderBook
from sequencer.model import STANDARD_FIELDS, Channel, Sequence, Step, StopScope, Then


class EnrollmentStatus(enum.StrEnum):
    #: Steps are still to come.
    ACTIVE = "active"
    #: Every step went out without a stop event.
    COMPLETED = "completed"
    #: A reply, goal, bounce, unsubscribe or a person ended it.
    STOPPED = "stopped"
    #: Chained from a completed enrollment (``then:``): waits for its start (``after_days``).
    DEFERRED = "deferred"
    #: A deferred enrollment that did not start: its ``only_if`` did not hold, or the contact could
    #: not be mailed.
    SKIPPED = "skipped"


def first_send_fit(sequence: Sequence, zone: ZoneInfo) -> Callable[[datetime], datetime]:
    """The recipient's window as a function: any instant → the first allowed instant at or after
    it.
    """

    def fit(moment: datetime) -> datetime:
        return timing.first_send_at(
            moment,
            zone=zone,
            window=sequence.window,
            business_days=sequence.business_days,
            holidays=sequence.holidays,
        )

    return fit


def place_first_send(
    sequence: Sequence, *, zone: ZoneInfo, now: datetime, book: SenderBook
) -> datetime:
    """When message 1 goes out: the earliest instant from ``now`` inside the recipient's window that
    the sender's book has free (cap and spacing, earlier gaps filled); recorded in the book."""
    fit = first_send_fit(sequence, zone)
    return book.place(fit(now), fit, key=window_key(sequence, zone))


def window_key(sequence: Sequence, zone: ZoneInfo) -> tuple[int, str]:
    """Names a recipient's window in a sender's book (:meth:`~sequencer.caps.SenderBook.find`): one
    sequence (the object: its window, days and holidays) in one zone."""
    return id(sequence), zone.key


def place_step(
    sequence: Sequence, step_index: int, *, due: datetime, zone: ZoneInfo, book: SenderBook | None
) -> datetime:
    """When a step due at ``due`` is sent: an email takes the sender's first free slot at or after
    it inside the recipient's window (recorded in ``book``); a task goes at the first window moment;
    a webhook at ``due``. The one placement for follow-ups, deferrals and re-placements."""
    channel = sequence.steps[step_index].channel
    if channel is Channel.WEBHOOK:
        return due
    fit = first_send_fit(sequence, zone)
    if channel is not Channel.EMAIL or book is None:
        return fit(due)
    return book.place(fit(due), fit, key=window_key(sequence, zone))


def place_rotating(
    sequence: Sequence, *, zone: ZoneInfo, now: datetime, books: Mapping[str, SenderBook]
) -> tuple[str, datetime]:
    """Message 1 of a new contact placed with one of several senders; returns (sender, when).

    The candidates are the senders who can send it on the earliest (recipient-local) day any of
    them can; among those the least used that day (sends / that day's cap, warm-up included)
    wins, then the earliest, then the name. Each placement is recorded in its book, so a batch
    splits in proportion to free capacity: caps of 30, 20 and 10 a day take 60, 40 and 20 of 120
    new contacts. Deterministic.
    """
    if not books:
        raise ValueError("no sender to rotate over")
    fit = first_send_fit(sequence, zone)
    start = fit(now)

    key = window_key(sequence, zone)
    found = {name: book.find(start, fit, key=key) for name, book in books.items()}

    def rank(name: str) -> tuple[Any, ...]:
        book, at = books[name], found[name]
        day = book.local_date(at)
        return at.astimezone(zone).date(), book.sent_on(day) / book.cap_on(day), at, name

    best = min(books, key=rank)
    books[best].record(found[best])
    return best, found[best]


def next_step_due(
    sequence: Sequence,
    step_index: int,
    *,
    anchor: datetime,
    zone: ZoneInfo,
    after: tuple[int, datetime] | None = None,
) -> datetime:
    """When step ``step_index`` (> 0) is due, timed from message 1's actual send ``anchor``.

    ``after``: the step before it that went out, and when. Only when that send went out on this
    step's own day or later (its sender at its cap for days) is this step due the two steps'
    spacing after it, rather than at once, minutes after the message before it; a send a
    weekend or a window delayed less leaves this step on its own day, so delays do not add up
    from step to step.
    """
    step = sequence.steps[step_index]
    settle = partial(
        timing.step_due,
        zone=zone,
        window=sequence.window,
        business_days=sequence.business_days,
        holidays=sequence.holidays,
    )
    due = settle(day=step.day, anchor=anchor)
    if after is not None:
        previous, sent_at = after
        if timing.to_local(sent_at, zone).date() >= timing.to_local(due, zone).date():
            gap = max(0, step.day - sequence.steps[previous].day)
            due = max(due, settle(day=gap, anchor=sent_at))
    return due


@dataclass(frozen=True, kw_only=True)
class Rendered:
    """One variant rendered for one contact, or the reason it cannot be."""

    key: str
    text: str | None
    error: str | None = None


def template_context(
    contact: Mapping[str, Any], custom: Mapping[str, Any], sender: Mapping[str, str] | None
) -> dict[str, Any]:
    """The variables a template sees. An empty field is left out, so a template without a
    fallback fails loudly instead of printing "Hi ,"."""
    context: dict[str, Any] = {k: v for k, v in contact.items() if k in STANDARD_FIELDS and v}
    context.update({k: v for k, v in custom.items() if v and k not in STANDARD_FIELDS})
    if sender is not None:
        context["sender"] = {k: v for k, v in sender.items() if v}
    return context


def render_variant(key: str, source: str, context: Mapping[str, Any]) -> Rendered:
    try:
        return Rendered(key=key, text=rendering.render(source, context))
    except rendering.RenderError as exc:
        return Rendered(key=key, text=None, error=exc.args[0])


def render_step(step: Step, context: Mapping[str, Any]) -> dict[str, list[Rendered]]:
    """Every variant of a step rendered for one contact, by factor (subjects, bodies, message)."""
    out: dict[str, list[Rendered]] = {}
    if step.subjects:
        out["subjects"] = [render_variant(v.key, v.template.source, context) for v in step.subjects]
    if step.bodies:
        out["bodies"] = [render_variant(v.key, v.template.source, context) for v in step.bodies]
    if step.message is not None:
        out["message"] = [render_variant("message", step.message.source, context)]
    return out


# -- chaining ------------------------------------------------------------------------------------


def chain_delay(then: Then, *, seed: str) -> timedelta:
    """The wait before the next sequence starts: a whole number of days in ``after_days``, drawn
    per contact (``seed``: the finished enrollment) so a cohort does not restart all on one day."""
    low, high = then.after_days
    return timedelta(days=random.Random(f"then:{seed}").randint(low, high))


def unmet_conditions(then: Then, *, events: set[str], fields: Mapping[str, Any]) -> list[str]:
    """The ``only_if`` conditions that do not hold, given the kinds of event recorded for the
    contact since the finished enrollment began (reply, open, click...) and the contact's fields."""
    unmet = []
    for condition in then.only_if:
        if condition == "not_replied":
            ok = "reply" not in events
        elif condition == "opened":
            ok = "open" in events
        elif condition == "clicked":
            ok = "click" in events
        else:  # field:NAME=VALUE, compared without case or surrounding spaces
            name, _, wanted = condition[len("field:") :].partition("=")
            ok = str(fields.get(name) or "").strip().casefold() == wanted.strip().casefold()
        if not ok:
            unmet.append(condition)
    return unmet


def company_scope(sequence: Sequence | None, domain: str | None) -> str | None:
    """The company domain a reply or goal stops, when the sequence says ``stop_scope: company``."""
    if sequence is None or sequence.stop_scope is not StopScope.COMPANY:
        return None
    return domain


def frequency_opens(
    times: list[datetime], *, max_messages: int, span: timedelta, now: datetime
) -> datetime | None:
    """When one more message may go to a contact sent messages at ``times``, if not now: no more
    than
    ``max_messages`` in any ``span``."""
    recent = sorted(t for t in times if t > now - span)
    if len(recent) < max_messages:
        return None
    return recent[-max_messages] + span
