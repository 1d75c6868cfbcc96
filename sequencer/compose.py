"""Composing one claimed send into what its channel delivers: variants chosen, templates
rendered, the email built with its thread headers and signed links.

:class:`Composer` is step 3 of a dispatch (:mod:`sequencer.dispatch`): it reads the variant
counts and the thread from the store, and raises :class:`CannotRender` for a send that can never
be made (the dispatcher fails it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sequencer import messages, rendering, tokens, variants
from sequencer.channels.base import Delivery
from sequencer.config import Sender
from sequencer.model import STANDARD_FIELDS, Channel, Sequence, Step, Variant
from sequencer.status import SendStatus
from sequencer.store import Contact, Enrollment, Send, Store


@dataclass
class VariantCache:
    """Per-tick caches of variant assignment, updated as sends go out."""

    #: (sequence, step, sender) -> (subject key counts, body key counts)
    counts: dict[tuple[str, str, str], tuple[dict[str, int], dict[str, int]]] = field(
        default_factory=dict
    )
    #: (sequence, step, factor) -> retired keys, read once a tick.
    retired: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    #: (sequence, step, factor) -> keys held (a content refusal), read once a tick.
    held: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)


class Composer:
    """Renders sends for one dispatcher: its store and its signed links."""

    def __init__(self, store: Store, links: tokens.Links | None) -> None:
        self.store, self.links = store, links

    def prepare(
        self,
        send: Send,
        step: Step,
        sequence: Sequence,
        contact: Contact,
        enrollment: Enrollment,
        sender: Sender,
        cache: VariantCache,
        context: dict[str, Any],
        now: datetime,
    ) -> tuple[Delivery, dict[str, Any]]:
        assert send.id is not None
        base: dict[str, Any] = {
            "send_id": send.id,
            "channel": step.channel.value,
            "sender": sender,
            "recipient": contact.email,
            "due_at": send.due_at,
        }
        none = {
            "message_id": None,
            "subject": None,
            "subject_key": None,
            "body_key": None,
            "in_reply_to": None,
            "references": None,
        }
        if step.channel is Channel.EMAIL:
            return self._email(send, step, contact, enrollment, sender, cache, context, now, base)
        if step.channel is Channel.WEBHOOK:
            payload = {
                "event": "sequence.step",
                "sequence": sequence.name,
                "step": step.key,
                "send_id": send.id,
                "enrollment_id": enrollment.id,
                "sender": sender.name,
                "at": now.isoformat(),
                "contact": {**contact.fields, **_standard(contact)},
            }
            return Delivery(**base, payload=payload, url=step.url), none
        assert step.message is not None
        text = _render(step.message.source, context, f"{step.key}.message")
        return Delivery(**base, text=text), none

    def _email(
        self,
        send: Send,
        step: Step,
        contact: Contact,
        enrollment: Enrollment,
        sender: Sender,
        cache: VariantCache,
        context: dict[str, Any],
        now: datetime,
        base: dict[str, Any],
    ) -> tuple[Delivery, dict[str, Any]]:
        key = (send.sequence, send.step_key, sender.name)
        if key not in cache.counts:
            cache.counts[key] = self.store.variant_counts(
                sequence=send.sequence, step_key=send.step_key, sender=sender.name
            )
        subject_counts, body_counts = cache.counts[key]
        salt = f"{enrollment.id}"
        # A re-send of an uncertain message (`sequencer resend --uncertain`) carries its Message-ID:
        # it goes out as the same message (same ID, subject and variants), so a receiving server or
        # client that already has it can drop the copy.
        again = (
            send
            if send.message_id and send.subject and send.body_key in {v.key for v in step.bodies}
            else None
        )
        body_key = (
            again.body_key
            if again and again.body_key
            else variants.choose(
                [v.key for v in step.bodies],
                body_counts,
                salt=salt,
                retired=self._retired(send, "body", cache),
            )
        )
        body = _render(_variant(step.bodies, body_key), context, f"{step.key}.bodies[{body_key}]")
        in_reply_to: str | None = None
        references: tuple[str, ...] = ()
        if again is not None and again.subject is not None:
            subject, subject_key = again.subject, again.subject_key
            in_reply_to, references = again.in_reply_to, tuple((again.references or "").split())
        elif step.thread:
            thread = [
                s
                for s in self.store.thread(enrollment.id or 0)
                if s.status in (SendStatus.SENT, SendStatus.SENDING, SendStatus.UNCERTAIN)
            ]
            if not thread or thread[0].subject is None or thread[0].message_id is None:
                raise CannotRender(
                    "message 1 of this thread was never sent, so there is no thread to continue"
                )
            subject = messages.thread_subject(thread[0].subject)
            subject_key = thread[0].subject_key
            in_reply_to = thread[0].message_id
            references = tuple(s.message_id for s in thread if s.message_id)
        else:
            subject_key = variants.choose(
                [v.key for v in step.subjects],
                subject_counts,
                salt=salt,
                retired=self._retired(send, "subject", cache),
            )
            subject = messages.one_line(
                _render(
                    _variant(step.subjects, subject_key),
                    context,
                    f"{step.key}.subjects[{subject_key}]",
                )
            )
        message_id = (
            again.message_id
            if again and again.message_id
            else messages.make_message_id(sender.domain)
        )
        links, send_id = self.links, send.id or 0
        if links is not None and links.track_clicks:
            body = messages.track_links(body, lambda url: links.click(send_id, url))
        draft = messages.Draft(
            from_name=sender.display_name,
            from_email=sender.email,
            to_name=contact.full_name,
            to_email=contact.email,
            subject=subject,
            body=body,
            signature=sender.signature,
            date=now.astimezone(sender.timezone),
            message_id=message_id,
            reply_to=sender.reply_to,
            in_reply_to=in_reply_to,
            references=references,
            unsubscribe_mailto=sender.reply_to or sender.email,
            unsubscribe_url=links.unsubscribe(send_id) if links else None,
            open_pixel_url=links.open_pixel(send_id) if links and links.track_opens else None,
        )
        choice = {
            "message_id": message_id,
            "subject": subject,
            "subject_key": subject_key,
            "body_key": body_key,
            "in_reply_to": in_reply_to,
            "references": " ".join(references) or None,
        }
        try:
            raw = messages.to_bytes(draft)
        except ValueError as exc:  # an address that cannot go on the wire
            raise CannotRender(str(exc)) from None
        return Delivery(**base, raw=raw), choice

    def _retired(self, send: Send, factor: str, cache: VariantCache) -> set[str]:
        """Retired and held keys of a factor: never assigned (threads under way keep theirs)."""
        key = (send.sequence, send.step_key, factor)
        if key not in cache.retired:
            cache.retired[key] = self.store.retired_keys(*key)
        return cache.retired[key] | cache.held.get(key, set())


class CannotRender(Exception):
    """The send cannot be made into a message: a template error, a missing thread, an
    address that cannot go on the wire."""


def _render(source: str, context: Mapping[str, Any], where: str) -> str:
    try:
        return rendering.render(source, context)
    except rendering.RenderError as exc:
        raise CannotRender(f"{where}: {exc}") from None


def _variant(options: tuple[Variant, ...], key: str) -> str:
    return next(v.template.source for v in options if v.key == key)


def _standard(contact: Contact) -> dict[str, Any]:
    return {k: v for k, v in contact.model_dump().items() if k in STANDARD_FIELDS}
