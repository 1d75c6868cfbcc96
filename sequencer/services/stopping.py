"""Stopping, hooks and links: every way an event reaches :func:`sequencer.stops.decide`.

The CLI's ``stop`` and ``goal``, the signed ``/hooks/goal`` and ``/hooks/reply`` calls and the
one-click unsubscribe link come here; the inbox poller and dispatch's bounce path call
:func:`plan_stop`. The decision is :mod:`sequencer.stops`; the store writes a plan in one
transaction (event, stops, suppression, cancelled sends). Open pixels and click redirects, the
other signed links, live here too.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sequencer import results, tokens
from sequencer.contacts import FORGOTTEN
from sequencer.errors import ConfigError, SequencerError
from sequencer.hooks import Bounced, GoalReached, Hooks, Replied, Stopped
from sequencer.model import Sequence, StopReason
from sequencer.services import public
from sequencer.services.contacts import find_contact
from sequencer.services.deps import Deps
from sequencer.services.erasure import mask_address
from sequencer.status import EnrollmentStatus
from sequencer.stops import StopEvent, StopPlan, decide, stop_reason
from sequencer.store import Contact, Enrollment, Send, Store

#: Open-pixel fetches of one send closer together than this are recorded once.
OPEN_EVERY = timedelta(hours=1)


@dataclass(frozen=True, kw_only=True)
class Unsubscribe:
    """What an unsubscribe link shows: no more than a masked address."""

    address: str
    sender: str
    already: bool


class NothingToStop(SequencerError):
    """A second stop of a contact already stopped for that reason, with nothing active now."""


#: An enrollment a stop still changes: running, or waiting to start (a chained sequence).
_OPEN = (EnrollmentStatus.ACTIVE, EnrollmentStatus.DEFERRED)


class HookRejected(SequencerError):
    """An inbound hook call was refused."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def plan_stop(
    store: Store,
    contact: Contact,
    event: StopEvent,
    sequences: Callable[[], Mapping[str, Sequence]],
    free_mail: frozenset[str],
    *,
    known: Mapping[int, Enrollment] | None = None,
) -> StopPlan:
    """:func:`~sequencer.stops.decide` for ``contact``. Only a reply or a goal depends on the
    sequence's rules: for those the contact's enrollments are read and the sequences loaded; a
    bounce, an unsubscribe or a manual stop needs neither (an unsubscribe link works even while
    a sequence file is broken). ``known``: the active enrollments of contacts including this one,
    read already (the inbox reads a batch's at once)."""
    assert contact.id is not None
    active = latest = None
    loaded: Mapping[str, Sequence] = {}
    if event.reason in (StopReason.REPLY, StopReason.GOAL):
        if known is None:
            known = store.active_enrollments([contact.id])
        found = known.get(contact.id)
        active = found.sequence if found is not None else None
        if active is None:
            history = store.enrollments(contact.id)
            latest = history[-1].sequence if history else None
        loaded = sequences()
    return decide(
        event,
        email_key=contact.email_key,
        active=active,
        latest=latest,
        sequences=loaded,
        free_mail=free_mail,
    )


def write_stop(
    store: Store,
    contact_id: int,
    plan: StopPlan,
    *,
    at: datetime,
    detail: str | None,
    bounce_send: int | None = None,
) -> Enrollment | None:
    """Write a plan that stops, in one transaction: the event, the stop, the suppression, the
    company's stops, the cancelled sends (and ``bounce_send`` marked bounced)."""
    assert plan.stop is not None, "a plan that only records is an event, not a stop"
    return store.stop(
        contact_id,
        kind=plan.event,
        reason=plan.stop.value,
        at=at,
        detail=detail,
        suppress=plan.suppress,
        company=plan.company,
        bounce_send=bounce_send,
    )


def announce(
    hooks: Hooks,
    kind: str,
    *,
    address: str,
    at: datetime,
    reason: StopReason | None = None,
    stopped: str | None = None,
    sequence: str | None = None,
    goal: str | None = None,
    code: str | None = None,
    detail: str = "",
    subject: str | None = None,
) -> None:
    """Tell the host's hooks about one committed event of the stop policy: the reply, goal or
    bounce recorded (``kind``, the plan's event), then the stop, when it stopped the sequence
    ``stopped`` for ``reason``. Every entry point calls this after its transaction."""
    if kind == StopReason.REPLY:
        replied = Replied(address=address, sequence=stopped or sequence, at=at, subject=subject)
        hooks.emit(replied)
    elif kind == StopReason.GOAL and goal is not None:
        hooks.emit(GoalReached(address=address, goal=goal, at=at))
    elif kind == StopReason.BOUNCE:
        hooks.emit(Bounced(address=address, code=code, detail=detail, at=at))
    if stopped is not None and reason is not None:
        hooks.emit(Stopped(address=address, sequence=stopped, reason=reason, at=at))


# -- stop and goal --------------------------------------------------------------------------


def stop(
    deps: Deps,
    email: str,
    *,
    reason: StopReason | str = StopReason.MANUAL,
    detail: str | None = None,
) -> results.Enrollment | None:
    """Record a reply, bounce, unsubscribe or manual stop; the stop policy decides the rest.
    Any other reason raises :class:`~sequencer.errors.InvalidReason`, recording nothing.

    Returns the stopped enrollment, or None when nothing was active (or nothing stopped).
    Raises :class:`NothingToStop`, recording nothing, when the contact has nothing active or
    waiting and their latest enrollment was already stopped for this same reason: stopping
    them twice would count one reply (or bounce...) twice. The inbox, the hooks and the bounce
    path do not come here: a reply that arrives after a sequence ended is always recorded.
    """
    event = StopEvent(stop_reason(reason))
    contact = find_contact(deps.store, email)
    if _stopped_before(deps.store, contact, event.reason):
        raise NothingToStop(
            f"nothing to stop: {email} has no active sequence; nothing recorded "
            f"(their last sequence was already stopped: {event.reason.value})"
        )
    return public.enrollment(apply(deps, contact, event, detail=detail))


def _stopped_before(store: Store, contact: Contact, reason: StopReason) -> bool:
    """Whether ``contact`` has nothing open and their latest enrollment stopped for ``reason``."""
    assert contact.id is not None
    history = store.enrollments(contact.id)
    if not history or any(e.status in _OPEN for e in history):
        return False
    latest = history[-1]
    return latest.status == EnrollmentStatus.STOPPED and latest.stop_reason == reason.value


def goal(deps: Deps, email: str, name: str) -> results.Enrollment | None:
    """Record a goal (``meeting_booked``...); it stops the enrollment if its sequence lists
    it."""
    event = StopEvent(StopReason.GOAL, goal=name)
    return public.enrollment(apply(deps, find_contact(deps.store, email), event, detail=name))


def apply(
    deps: Deps,
    contact: Contact,
    event: StopEvent,
    *,
    detail: str | None = None,
) -> Enrollment | None:
    """Decide what ``event`` does to ``contact`` and write it in one transaction."""
    assert contact.id is not None
    plan = plan_stop(deps.store, contact, event, deps.sequences, deps.config.free_mail)
    now = deps.clock.now()
    tell = functools.partial(
        announce,
        deps.hooks,
        plan.event,
        address=contact.email,
        at=now,
        goal=event.goal,
        detail=detail or "",
    )
    if not plan.stops:
        active = deps.store.active_enrollments([contact.id]).get(contact.id)
        deps.store.add_event(
            kind=plan.event,
            at=now,
            contact_id=contact.id,
            enrollment_id=active.id if active else None,
            detail=detail,
        )
        tell(sequence=active.sequence if active else None)
        return None
    assert plan.stop is not None
    stopped = write_stop(deps.store, contact.id, plan, at=now, detail=detail)
    name = stopped.sequence if stopped is not None else None
    tell(reason=plan.stop, stopped=name)
    if stopped is not None:
        goal = {"goal": event.goal} if event.goal is not None else {}
        deps.log.info(
            "enrollment.stopped",
            contact_id=contact.id,
            enrollment_id=stopped.id,
            reason=plan.stop.value,
            **goal,
            company=plan.company,
        )
    return stopped


# -- links (unsubscribe, tracking) ----------------------------------------------------------


def links(deps: Deps) -> tokens.Links | None:
    """Signed public links, once ``[http] public_url`` is configured."""
    http = deps.config.http
    if http.public_url is None:
        return None
    return tokens.Links(
        http.public_url,
        http.secret(),
        track_opens=http.track_opens,
        track_clicks=http.track_clicks,
        trackable=trackable_urls(deps) if http.track_clicks else frozenset(),
    )


def trackable_urls(deps: Deps) -> frozenset[str]:
    """The URLs written in the loaded sequence files: the only ones click tracking signs or
    redirects to (a URL from a contact field is data, never a tracked link)."""
    from sequencer.messages import track_links

    found: set[str] = set()

    def keep(url: str) -> str:
        found.add(url)
        return url

    for sequence in deps.sequences().values():
        for step in sequence.steps:
            templates = [v.template for v in (*step.subjects, *step.bodies)]
            for template in [*templates, *([step.message] if step.message else [])]:
                track_links(template.source, keep)
    return frozenset(found)


def _token_send(
    deps: Deps, purpose: str, token: str, *, target: str = ""
) -> tuple[Send, Contact] | None:
    send_id = tokens.read(deps.config.http.secret(), purpose, token, target=target)
    send = deps.store.send(send_id) if send_id is not None else None
    contact = deps.store.contacts_by_id([send.contact_id]).get(send.contact_id) if send else None
    return (send, contact) if send is not None and contact is not None else None


def unsubscribe_page(deps: Deps, token: str) -> Unsubscribe | None:
    """What an unsubscribe link is about (for its confirmation page); None for a link that
    is not ours."""
    found = _token_send(deps, tokens.UNSUBSCRIBE, token)
    if found is None:
        return None
    send, contact = found
    if contact.email == FORGOTTEN:  # erased (`sequencer forget`): its hash is suppressed
        return _unsubscribe_view(deps, send, contact, already=True)
    already = deps.store.suppressed([contact.email_key])
    return _unsubscribe_view(deps, send, contact, already=already)


def unsubscribe(deps: Deps, token: str) -> Unsubscribe | None:
    """The one-click unsubscribe (RFC 8058): suppress the address everywhere and stop its
    sequence. None, and nothing changed, for a token that is not genuine. Repeating it is
    harmless."""
    found = _token_send(deps, tokens.UNSUBSCRIBE, token)
    if found is None:
        return None
    send, contact = found
    assert contact.id is not None
    if contact.email == FORGOTTEN:  # erased: nothing of theirs to suppress, no junk key
        return _unsubscribe_view(deps, send, contact, already=True)
    event = StopEvent(StopReason.UNSUBSCRIBE, sequence=send.sequence)
    plan = plan_stop(deps.store, contact, event, deps.sequences, deps.config.free_mail)
    assert plan.suppress is not None, "the stop policy suppresses on every unsubscribe"
    active, now = deps.store.active_enrollments([contact.id]).get(contact.id), deps.clock.now()
    changed = deps.store.unsubscribe(
        contact.id,
        plan.suppress,
        at=now,
        send_id=send.id,
        detail="one-click unsubscribe link",
    )
    if changed:
        deps.log.info("contact.unsubscribed", contact_id=contact.id, send_id=send.id, via="link")
        stopped = active.sequence if active is not None else None
        announce(
            deps.hooks, plan.event, address=contact.email, at=now, reason=plan.stop, stopped=stopped
        )
    return _unsubscribe_view(deps, send, contact, already=not changed)


def _unsubscribe_view(deps: Deps, send: Send, contact: Contact, *, already: bool) -> Unsubscribe:
    sender = deps.config.senders.get(send.sender)
    address = "this address" if contact.email == FORGOTTEN else mask_address(contact.email)
    return Unsubscribe(
        address=address, sender=sender.display_name if sender else send.sender, already=already
    )


def record_open(deps: Deps, token: str) -> bool:
    """An open-pixel fetch, recorded at most once per send per hour (mail clients and proxies
    fetch images again and again); False (nothing recorded) for a token that is not
    genuine."""
    found = _token_send(deps, tokens.OPEN, token)
    if found is None:
        return False
    send, _ = found
    now = deps.clock.now()
    deps.store.add_event_once(
        kind="open",
        at=now,
        since=now - OPEN_EVERY,
        contact_id=send.contact_id,
        enrollment_id=send.enrollment_id,
        send_id=send.id or 0,
    )
    return True


def click(deps: Deps, token: str, url: str) -> str | None:
    """Record a click and return where it goes; None unless that URL was signed for that
    send."""
    found = _token_send(deps, tokens.CLICK, token, target=url)
    if found is None or url not in trackable_urls(deps):  # only URLs the sequences contain
        return None
    send, _ = found
    deps.store.add_event(
        kind="click",
        at=deps.clock.now(),
        contact_id=send.contact_id,
        enrollment_id=send.enrollment_id,
        send_id=send.id,
        detail=url[:500],
    )
    return url


# -- inbound hooks --------------------------------------------------------------------------


def hook(deps: Deps, kind: str, body: bytes, *, timestamp: str, signature: str) -> dict[str, Any]:
    """A signed ``/hooks/goal`` or ``/hooks/reply`` call: verify, refuse replays, record,
    stop. Raises :class:`HookRejected` (with an HTTP status) for anything not accepted."""
    from sequencer.channels import webhook

    http = deps.config.http
    if kind not in ("goal", "reply"):
        raise HookRejected(404, f"no hook named '{kind}'")
    now = deps.clock.now()
    try:
        secret = http.hooks_secret()
    except ConfigError as exc:
        deps.log.error("hooks.not_configured", error=exc.message)
        raise HookRejected(503, "hooks are not configured on this server") from None
    window = http.replay_window.total_seconds()
    if not webhook.verify(
        secret, timestamp, body, signature, now=now.timestamp(), tolerance=window
    ):
        raise HookRejected(401, "bad signature or stale timestamp")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
        raise HookRejected(400, "the body is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("email"), str):
        raise HookRejected(400, "the body needs an 'email' string")
    contact = deps.store.contact(data["email"])
    if contact is None:
        raise HookRejected(404, "no contact with that address")
    name = data.get("goal")
    if kind == "goal" and (not isinstance(name, str) or not name.strip()):
        raise HookRejected(400, "a goal needs a 'goal' name, e.g. meeting_booked")
    # accepted once: a replay of this signed request within the window is refused from now on
    if not deps.store.accept_hook(signature, at=now, window=http.replay_window):
        raise HookRejected(409, "this request was accepted before (replay)")
    if kind == "goal":
        assert isinstance(name, str)
        stopped = apply(
            deps, contact, StopEvent(StopReason.GOAL, goal=name.strip()), detail=name.strip()
        )
    else:
        detail = data.get("detail")
        stopped = apply(
            deps,
            contact,
            StopEvent(StopReason.REPLY),
            detail=str(detail)[:500] if detail else "reply hook",
        )
    return {"recorded": kind, "stopped": stopped.sequence if stopped else None}
