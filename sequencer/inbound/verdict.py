"""What the inbound classifier answers: the :class:`Kind` of a message and the :class:`Inbound`
record that carries it, with everything the caller needs to act on it (addresses, the DSN
status, the return date of an out-of-office reply, the new text of a reply).
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

__all__ = ["Inbound", "Intent", "Kind"]


class Kind(enum.StrEnum):
    #: A human answer (the caller decides whether it matches one of our sends).
    REPLY = "reply"
    #: An out-of-office, vacation or autoresponder message.
    AUTO_REPLY = "auto_reply"
    #: A delivery failure report (hard or soft).
    BOUNCE = "bounce"
    #: A human asking to be removed.
    UNSUBSCRIBE = "unsubscribe"
    #: A feedback-loop report (ARF, RFC 5965): a recipient marked our message as spam.
    COMPLAINT = "complaint"
    #: Cannot be parsed, or nothing usable.
    OTHER = "other"


class Intent(enum.StrEnum):
    """What a reply means for the campaign (:mod:`sequencer.inbound.intent`)."""

    #: Interested: wants a call, a meeting, a price or more information.
    POSITIVE = "positive"
    #: Declines, now or for the foreseeable future ("not right now, try in Q3").
    NOT_INTERESTED = "not_interested"
    #: Points to someone else (the referred address in :attr:`Inbound.referred` when given).
    REFERRAL = "referral"
    #: Asks to be removed.
    UNSUBSCRIBE = "unsubscribe"
    #: An out-of-office or other automatic answer.
    AUTO_REPLY = "auto_reply"
    #: Anything else: a question about us, a thank-you, nothing readable.
    OTHER = "other"


@dataclass(frozen=True, kw_only=True)
class Inbound:
    """What one inbound message is, and what the caller needs to act on it."""

    kind: Kind
    reason: str
    message_id: str | None = None
    from_address: str | None = None
    subject: str = ""
    references: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    status: str | None = None
    hard: bool = False
    diagnostic: str | None = None
    return_date: datetime.date | None = None
    text: str = ""
    # BOUNCE only: read from a message/delivery-status part (RFC 3464), not from a provider's prose.
    dsn: bool = False
    # BOUNCE only: refused for policy (5.7.x; blocked, spam, DMARC, SPF, reputation, ...): a
    # problem on the sending side, not a bad address.
    policy: bool = False
    # REPLY, AUTO_REPLY and UNSUBSCRIBE: what the answer means, and why it was read so.
    intent: Intent | None = None
    intent_reason: str = ""
    # REFERRAL only: the address the reply points to, when it gives one.
    referred: str | None = None
