"""Enrollment rules and the per-recipient plan: pure functions, time passed in."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sequencer import rendering, timing
from sequencer.caps import SenderBook
from sequencer.model import STANDARD_FIELDS, Sequence, Step


class EnrollmentStatus(enum.StrEnum):
    #: Steps are still to come.
    ACTIVE = "active"
    #: Every step went out without a stop event.
    COMPLETED = "completed"
    #: A reply, goal, bounce, unsubscribe or a person ended it.
    STOPPED = "stopped"


def first_send_fit(sequence: Sequence, zone: ZoneInfo) -> Callable[[datetime], datetime]:
    """The recipient's window as a function: any instant → the first allowed instant at or after it."""

    def fit(moment: datetime) -> datetime:
        return timing.first_send_at(moment, zone=zone, window=sequence.window,
                                    business_days=sequence.business_days, holidays=sequence.holidays)

    return fit


def place_first_send(sequence: Sequence, *, zone: ZoneInfo, now: datetime, book: SenderBook) -> datetime:
    """When message 1 goes out: inside the recipient's window and the sender's cap and spacing."""
    fit = first_send_fit(sequence, zone)
    return book.place(fit(now), fit)


def next_step_due(sequence: Sequence, step_index: int, *, anchor: datetime, zone: ZoneInfo) -> datetime:
    """When step ``step_index`` (> 0) is due, timed from message 1's actual send ``anchor``."""
    step = sequence.steps[step_index]
    return timing.step_due(day=step.day, anchor=anchor, zone=zone, window=sequence.window,
                           business_days=sequence.business_days, holidays=sequence.holidays)


@dataclass(frozen=True, kw_only=True)
class Rendered:
    """One variant rendered for one contact, or the reason it cannot be."""

    key: str
    text: str | None
    error: str | None = None


def template_context(contact: Mapping[str, Any], custom: Mapping[str, Any],
                     sender: Mapping[str, str] | None) -> dict[str, Any]:
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
