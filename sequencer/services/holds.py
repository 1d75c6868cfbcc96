"""Holds, the durable pauses a person lifts: placing them (a refusal of the sender's domain or of
a variant's content, the bounce guard, a configuration fault at send time), saying what each
means and how to lift it (``doctor``, the report, the worker log), and lifting them
(``senders resume``, ``resume``).

A held sender, sequence or step keeps its sends queued (the claim skips them); a held variant is
no longer chosen. Nothing held is failed and nobody is suppressed for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sequencer import guard, refusals, results
from sequencer.booking import step_of
from sequencer.channels.base import Outcome, Result
from sequencer.config import Sender
from sequencer.errors import SequencerError
from sequencer.model import Channel, Sequence, Step
from sequencer.reporting.data import HoldLine
from sequencer.store import Hold, Send, Store

#: Every scope a hold can have, narrowest last.
SCOPES = ("sender", "sequence", "step", "variant")
#: Reason words.
POLICY_REFUSAL = "policy_refusal"
CONTENT_REFUSAL = "content_refusal"
UNEXPLAINED_REFUSALS = "unexplained_refusals"
CONFIG_FAULT = "config_fault"
#: The event kind a refusal of each class is recorded under, on its send.
REFUSED_EVENT = "refused.{}"


class BadTarget(SequencerError):
    """What to resume is not named as it should be."""


def describe(hold: Hold | results.Hold) -> str:
    """The held target in words: ``sender jane``, ``step cold:intro``..."""
    match hold.scope:
        case "sender":
            return f"sender {hold.sender}"
        case "sequence":
            return f"sequence {hold.sequence}"
        case "step":
            return f"step {hold.sequence}:{hold.step_key}"
        case _:
            return f"variant {hold.sequence}:{hold.step_key}:{hold.variant}"


def resume_command(hold: Hold | results.Hold) -> str:
    """The command that lifts ``hold``."""
    match hold.scope:
        case "sender":
            return f"sequencer senders resume {hold.sender}"
        case "sequence":
            return f"sequencer resume --sequence {hold.sequence}"
        case "step":
            return f"sequencer resume --step {hold.sequence}:{hold.step_key}"
        case _:
            return f"sequencer resume --variant {hold.sequence}:{hold.step_key}:{hold.variant}"


def lines(standing: Iterable[Hold]) -> tuple[HoldLine, ...]:
    """The report's lines for the standing holds."""
    return tuple(
        HoldLine(
            held=describe(h),
            reason=h.reason,
            since=h.since,
            detail=h.detail,
            lift=resume_command(h),
        )
        for h in standing
    )


def held_variants(holds: Iterable[Hold]) -> dict[tuple[str, str, str], set[str]]:
    """(sequence, step, factor) -> the held keys of that factor."""
    out: dict[tuple[str, str, str], set[str]] = {}
    for hold in holds:
        if hold.scope == "variant" and hold.variant and ":" in hold.variant:
            factor, _, key = hold.variant.partition(":")
            out.setdefault((hold.sequence or "", hold.step_key or "", factor), set()).add(key)
    return out


def _placed(log: Any, hold: Hold | None) -> Hold | None:
    if hold is not None:
        log.warning(
            "hold.placed",
            held=describe(hold),
            reason=hold.reason,
            detail=hold.detail,
            lift=resume_command(hold),
        )
    return hold


def check_guard(
    store: Store, log: Any, *, sender: Sender, sequence: str, at: datetime
) -> Hold | None:
    """After a bounce or a failure: hold the sender when its latest sends pass its bounce guard,
    else the sequence when the sequence's do (across its senders, by the default thresholds), so
    a bad list stops early.

    Only sends since the target's last lifted hold count: a resumed sender starts a new window.
    """
    found = guard.verdict(
        store.holds.guard_statuses(limit=sender.bounce_guard.window, sender=sender.name),
        sender.bounce_guard,
    )
    if found is not None:
        hold = store.holds.place(
            "sender", reason=found.reason, detail=found.detail, at=at, sender=sender.name
        )
        return _placed(log, hold)
    if any(h.scope == "sender" and h.sender == sender.name for h in store.holds.standing()):
        return None
    thresholds = guard.DEFAULT
    found = guard.verdict(
        store.holds.guard_statuses(limit=thresholds.window, sequence=sequence), thresholds
    )
    if found is None:
        return None
    hold = store.holds.place(
        "sequence", reason=found.reason, detail=found.detail, at=at, sequence=sequence
    )
    return _placed(log, hold)


def after_refusal(
    store: Store, log: Any, send: Send, sequence: Sequence, result: Result, at: datetime
) -> Outcome | None:
    """What a REFUSED or CONFIG_FAULT result comes to, once its holds are placed: None when the
    send waits (for a person, or a day for a full mailbox), RETRY for a refusal that says nothing
    (retried as a transient fault), BOUNCE for a full mailbox refused often enough over days."""
    step = step_of(sequence, send)
    assert step is not None
    if result.outcome is Outcome.CONFIG_FAULT:
        email = step.channel is Channel.EMAIL
        hold_for_config_fault(store, log, send=send, email=email, detail=result.detail, at=at)
        return None
    hold_for_refusal(store, log, send=send, step=step, result=result, at=at)
    if result.refusal in (None, refusals.Refusal.UNCLASSIFIED):
        return Outcome.RETRY
    if result.refusal is refusals.Refusal.RECIPIENT_POLICY:
        # this contact only: the others go on; the bounce guard (check_guard, after the failure)
        # holds a sender whose sends keep failing, counting from its last resume
        return Outcome.FAILED
    if result.refusal is refusals.Refusal.MAILBOX_FULL:
        assert send.id is not None
        times = store.holds.event_times(send.id, REFUSED_EVENT.format(result.refusal.value))
        if refusals.mailbox_full_gives_up(len(times), times[-1] - times[0]):
            return Outcome.BOUNCE
    return None


def hold_for_refusal(
    store: Store, log: Any, *, send: Send, step: Step, result: Result, at: datetime
) -> Hold | None:
    """A refusal of the sender's domain or policy holds the sender; one of the content holds the
    body variant sent (and the step, once all its bodies are held); a third unexplained refusal
    in a row holds the sender. The refusal is recorded as an event on the send."""
    assert send.id is not None
    refusal = result.refusal or refusals.Refusal.UNCLASSIFIED
    words = f"{result.code or ''} {result.detail}".strip()
    kind = REFUSED_EVENT.format(refusal.value)
    store.add_event(
        kind=kind, at=at, contact_id=send.contact_id, send_id=send.id, detail=words[:500]
    )
    return hold_refused(store, log, send=send, step=step, refusal=refusal, words=words, at=at)


def hold_refused(
    store: Store,
    log: Any,
    *,
    send: Send,
    step: Step | None,
    refusal: refusals.Refusal,
    words: str,
    at: datetime,
) -> Hold | None:
    """The holds of :func:`hold_for_refusal`, for a refusal already recorded on ``send``: also
    what a delivery status notification read from the inbox places (``words``: its status and
    diagnostic). A content refusal needs the ``step`` to hold the step once all its bodies are
    held."""
    assert send.id is not None
    detail = f"{words} | what to do: {refusals.what_to_fix(refusal, words)}"
    if refusal is refusals.Refusal.SENDER:
        hold = store.holds.place(
            "sender", reason=POLICY_REFUSAL, detail=detail, at=at, sender=send.sender
        )
        return _placed(log, hold)
    if refusal is refusals.Refusal.CONTENT:
        return _hold_content(store, log, send=send, step=step, detail=detail, at=at)
    if refusal is refusals.Refusal.UNCLASSIFIED:
        kind = REFUSED_EVENT.format(refusal.value)
        in_a_row = store.holds.refusals_in_a_row(send.sender, [kind])
        if in_a_row >= refusals.UNCLASSIFIED_LIMIT:
            hold = store.holds.place(
                "sender",
                reason=UNEXPLAINED_REFUSALS,
                detail=f"{in_a_row} refusals in a row without an enhanced status, the latest: "
                f"{detail}",
                at=at,
                sender=send.sender,
            )
            return _placed(log, hold)
    return None


def _hold_content(
    store: Store, log: Any, *, send: Send, step: Step | None, detail: str, at: datetime
) -> Hold | None:
    assert send.id is not None
    sent = store.send(send.id)  # the body chosen when it began
    if sent is not None and sent.body_key:
        body = sent.body_key
    elif step is not None:
        body = step.bodies[0].key
    else:
        return None  # a send of a sequence no longer configured, with no body recorded
    target = {"sequence": send.sequence, "step_key": send.step_key}
    hold = _placed(
        log,
        store.holds.place(
            "variant",
            reason=CONTENT_REFUSAL,
            detail=detail,
            at=at,
            variant=f"body:{body}",
            **target,
        ),
    )
    held = held_variants(store.holds.standing()).get((send.sequence, send.step_key, "body"), set())
    if step is not None and {v.key for v in step.bodies} <= held:
        every = f"every body of the step is held; the latest refusal: {detail}"
        return (
            _placed(
                log,
                store.holds.place("step", reason=CONTENT_REFUSAL, detail=every, at=at, **target),
            )
            or hold
        )
    return hold


def hold_for_config_fault(
    store: Store, log: Any, *, send: Send, email: bool, detail: str, at: datetime
) -> Hold | None:
    """A configuration fault at send time (a secret's variable not set): an email's sender, or
    any other step, is held until a person fixes the configuration; no contact fails."""
    fix = f"{detail} | what to do: set it where the worker runs, then lift the hold"
    if email:
        hold = store.holds.place(
            "sender", reason=CONFIG_FAULT, detail=fix, at=at, sender=send.sender
        )
    else:
        hold = store.holds.place(
            "step",
            reason=CONFIG_FAULT,
            detail=fix,
            at=at,
            sequence=send.sequence,
            step_key=send.step_key,
        )
    return _placed(log, hold)


def parse_target(scope: str, text: str) -> dict[str, str | None]:
    """``--sequence S``, ``--step S:STEP``, ``--variant S:STEP:body:KEY`` as hold columns."""
    parts = text.split(":")
    wanted = {"sender": 1, "sequence": 1, "step": 2, "variant": 4}[scope]
    if len(parts) != wanted or not all(parts):
        forms = {
            "sender": "NAME",
            "sequence": "SEQUENCE",
            "step": "SEQUENCE:STEP",
            "variant": "SEQUENCE:STEP:subject:KEY or SEQUENCE:STEP:body:KEY",
        }
        raise BadTarget(f"--{scope} {text!r}: write it as {forms[scope]}")
    if scope == "variant" and parts[2] not in ("subject", "body"):
        raise BadTarget(f"--variant {text!r}: the third part is subject or body")
    names = {"sender": ("sender",), "sequence": ("sequence",), "step": ("sequence", "step_key")}
    if scope == "variant":
        return {"sequence": parts[0], "step_key": parts[1], "variant": f"{parts[2]}:{parts[3]}"}
    return dict(zip(names[scope], parts, strict=True))


def resume(store: Store, scope: str, target: str, *, by: str, at: datetime) -> list[Hold]:
    """Lift the standing holds on a sender, sequence, step (``SEQUENCE:STEP``; a sequence's
    every held step with ``SEQUENCE``) or variant (``SEQUENCE:STEP:body:KEY``), recorded with
    who lifted them (``by``); the holds lifted. The bounce guard then starts a new window."""
    if scope not in SCOPES:
        raise BadTarget(f"cannot resume a {scope!r}: use one of {', '.join(SCOPES)}")
    if scope == "step" and ":" not in target.rstrip(":"):
        columns: dict[str, str | None] = {"sequence": target.rstrip(":")}
    else:
        columns = parse_target(scope, target)
    return store.holds.lift(scope, by=by, at=at, **columns)
