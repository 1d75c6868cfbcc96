"""The one extension point for delivery: how a host developer adds a channel.

A channel receives a :class:`Delivery` that is already rendered and decided (variant chosen,
stop rules re-checked, ``sending`` committed) and answers with a :class:`Result`. It never
touches the database and never decides whether to send: that is dispatch's job.

To add a channel (say Slack), write a class with these two coroutines and pass an instance
to :class:`sequencer.Engine` in ``channels={"slack": SlackChannel()}`` (or, for the CLI and the
worker, name the class in ``sequencer.toml``: ``[channels] slack = "myapp.slack:SlackChannel"``).
A sequence step may then say ``channel: slack``; it carries a ``message`` template, which
arrives rendered as :attr:`Delivery.text`::

    class SlackChannel:
        async def deliver(self, delivery: Delivery) -> Result:
            ok = await post_to_slack(delivery.text)
            return Result(outcome=Outcome.SENT if ok else Outcome.RETRY, detail="...")

        async def close(self) -> None:
            ...

A channel that opens connections may also have ``async def warm(self, sender) -> Result | None``:
dispatch calls it before committing the send, so connecting and logging in happen while a
stop can still prevent the send (None means ready; a Result says why the sender cannot send).

``deliver`` must not raise for a delivery problem: it returns ``RETRY`` for a fault that may
pass, ``BOUNCE`` when the recipient is permanently refused, ``REFUSED`` when a server refused the
message for another reason (with the :class:`~sequencer.refusals.Refusal` class: the sender's
domain or policy, the content, a full mailbox, a refusal that says nothing), ``PAUSE_SENDER`` when
the sender may not send for a while (a provider quota; a refused login, which a person must fix),
``CONFIG_FAULT`` when the configuration lacks something the step needs (a secret's variable):
the step is held and no contact pays for it, ``FAILED`` when this one delivery cannot be made (an
unusable address), and ``UNCERTAIN`` when it may have gone out but no answer came (a timeout
after the message was sent).
"""

from __future__ import annotations

import email
import email.policy
import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from sequencer.config import Sender
from sequencer.refusals import Refusal


class Outcome(enum.StrEnum):
    #: Handed on: the SMTP server accepted it, the task exists, the webhook answered 2xx.
    SENT = "sent"
    #: A fault that may pass (4xx reply, dropped connection, timeout): try again later.
    RETRY = "retry"
    #: The recipient is refused for good (5xx): stop the enrollment and suppress the address.
    BOUNCE = "bounce"
    #: The sender may not send for a while (provider quota, refused login): not the recipient's
    #: fault.
    PAUSE_SENDER = "pause_sender"
    #: Refused for a reason that is not the recipient's address (``Result.refusal`` says which):
    #: nobody is suppressed; the send waits, and the sender or the variant may be held.
    REFUSED = "refused"
    #: The configuration lacks what the step needs (a secret's variable): the step is held until
    #: a person fixes it and lifts the hold; the send waits, no contact fails.
    CONFIG_FAULT = "config_fault"
    #: This delivery cannot be made and will not be retried (an unusable address).
    FAILED = "failed"
    #: It may or may not have been delivered (the connection dropped or timed out after the message
    #: was handed over): never retried automatically, a person decides (``sequencer doctor``).
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One rendered step for one recipient."""

    send_id: int
    #: The channel name of the step (email, linkedin, call, webhook, or a host's own).
    channel: str
    sender: Sender
    #: The recipient's address.
    recipient: str
    due_at: datetime
    #: Email: the complete message, as it goes on the wire.
    raw: bytes | None = None
    #: Tasks and a host's own channels: the rendered message (or call notes).
    text: str | None = None
    #: Webhook: the JSON body and where to POST it.
    payload: Mapping[str, Any] = field(default_factory=dict)
    url: str | None = None

    @functools.cached_property
    def email(self) -> EmailMessage | None:
        """Email: the message parsed from :attr:`raw`, for channels that want headers and parts."""
        if self.raw is None:
            return None
        parsed = email.message_from_bytes(
            self.raw.replace(b"\r\n", b"\n"), policy=email.policy.default
        )
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass(frozen=True, kw_only=True)
class Result:
    outcome: Outcome
    #: The server's words, or why it failed.
    detail: str = ""
    #: The SMTP reply code (or HTTP status) when there was one.
    code: int | None = None
    #: With PAUSE_SENDER: how long to pause (default: until the sender's next day). With RETRY:
    #: the back-off's first wait, instead of ``[worker] retry_base`` (a recipient's mailbox
    #: that is full or busy for now is tried again hours apart, not minutes).
    pause: timedelta | None = None
    #: With REFUSED (and BOUNCE): whose fault the refusal is.
    refusal: Refusal | None = None


class ChannelAdapter(Protocol):
    """Delivers one kind of step."""

    async def deliver(self, delivery: Delivery) -> Result:
        """Deliver one step; report the outcome instead of raising."""
        ...

    async def close(self) -> None:
        """Release connections; called when the worker stops."""
        ...
