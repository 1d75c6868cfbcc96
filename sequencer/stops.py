"""The stop policy: what one event does to a contact's enrollment, decided without I/O.

Every way a stop arrives goes through :func:`decide`: the CLI's ``stop`` and ``goal``, the
signed hooks, the unsubscribe link, the inbox poller and dispatch's bounce path. It answers
whether the active enrollment stops and why, which address is suppressed, and which company
domain stops with it. The store applies a :class:`StopPlan` in one transaction.

The rules:

- A **reply** stops unless the sequence says ``stop_on: {reply: false}``; a **goal** stops when
  the sequence lists it under ``stop_on.goals``. Either also stops every colleague at the same
  company domain when the sequence says ``stop_scope: company`` (free-mail domains never).
- A **bounce** stops and suppresses the address, unless the refusal was about who sent it
  (a policy rejection: blocklist, DMARC) or the report names none of our messages. A refusal
  whose class (:mod:`sequencer.refusals`) blames our side, the sender or the content, is no
  bounce at all, at send time or in a DSN: it holds the sender or the variant
  (``services/holds.py``) and never comes here.
- An **unsubscribe** stops and suppresses the address. A **manual** stop stops, nothing more.

The sequence whose rules count is the active enrollment's; with none active, the one the event
answers (a reply's message), else the contact's latest.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from sequencer.contacts import company_domain
from sequencer.errors import InvalidReason
from sequencer.model import Sequence, StopReason, StopScope

#: The reasons an event can carry into :func:`decide`.
EVENTS = (
    StopReason.REPLY,
    StopReason.GOAL,
    StopReason.BOUNCE,
    StopReason.UNSUBSCRIBE,
    StopReason.MANUAL,
)

#: The reasons a caller may stop with by hand (a goal is recorded by its name instead).
STOP_REASONS = tuple(r for r in EVENTS if r is not StopReason.GOAL)


def stop_reason(value: StopReason | str) -> StopReason:
    """``value`` as one of :data:`STOP_REASONS`; :class:`InvalidReason` naming the valid ones."""
    text = value.value if isinstance(value, StopReason) else str(value)
    if text in STOP_REASONS:
        return StopReason(text)
    valid = [r.value for r in STOP_REASONS]
    close = difflib.get_close_matches(text.strip().lower(), valid, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    if text == StopReason.GOAL:
        hint = " (record a goal by its name, with goal())"
    raise InvalidReason(
        f"reason {text!r} is not a stop reason{hint}: use one of {', '.join(valid)}"
    )


@dataclass(frozen=True)
class StopEvent:
    """Something that happened to one contact and may end their sequence."""

    reason: StopReason
    #: A goal's name (``meeting_booked``...).
    goal: str | None = None
    #: A bounce refused for who sent it (blocklist, DMARC), not for the address.
    policy: bool = False
    #: A bounce report that names one of our messages; one that names none suppresses nobody.
    names_our_message: bool = True
    #: The sequence the event answers (the message a reply or bounce is about), if known.
    sequence: str | None = None

    def __post_init__(self) -> None:
        if self.reason not in EVENTS:
            raise ValueError(f"{self.reason!r} is not an event that can stop a sequence")
        if (self.reason is StopReason.GOAL) != (self.goal is not None):
            raise ValueError("a goal event, and only a goal event, names its goal")


@dataclass(frozen=True)
class StopPlan:
    """What to record for one event: the store writes all of it in one transaction."""

    #: The event kind recorded (``reply``, ``goal``, ``bounce``, ``unsubscribe``, ``manual``).
    event: str
    #: Why the active enrollment stops; None when the event is only recorded.
    stop: StopReason | None
    #: The suppression key written (the contact's address key), or None.
    suppress: str | None = None
    #: The company domain whose other contacts stop too (``stop_scope: company``), or None.
    company: str | None = None

    @property
    def stops(self) -> bool:
        return self.stop is not None


def decide(
    event: StopEvent,
    *,
    email_key: str,
    active: str | None,
    latest: str | None,
    sequences: Mapping[str, Sequence],
    free_mail: frozenset[str] = frozenset(),
) -> StopPlan:
    """The plan for ``event`` of the contact whose address key is ``email_key``.

    ``active`` names the sequence of the contact's active enrollment, ``latest`` that of their
    most recent one (both None for a contact never enrolled).
    """
    reason = event.reason
    governing = sequences.get(active or event.sequence or latest or "")
    if reason is StopReason.BOUNCE:
        trusted = not event.policy and event.names_our_message
        return StopPlan(reason.value, reason, suppress=email_key if trusted else None)
    if reason is StopReason.UNSUBSCRIBE:
        return StopPlan(reason.value, reason, suppress=email_key)
    if reason is StopReason.MANUAL:
        return StopPlan(reason.value, reason)
    if not _stops_on(governing, event):
        return StopPlan(reason.value, None)
    company = None
    if governing is not None and governing.stop_scope is StopScope.COMPANY:
        company = company_domain(email_key, free_mail)
    return StopPlan(reason.value, reason, company=company)


def _stops_on(sequence: Sequence | None, event: StopEvent) -> bool:
    """Whether ``sequence``'s ``stop_on`` rules stop on a reply or on this goal."""
    if sequence is None:
        return True
    if event.reason is StopReason.REPLY:
        return sequence.stop_on.reply
    return event.goal in sequence.stop_on.goals
