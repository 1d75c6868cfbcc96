"""What the inbound classifier answers: the :class:`Kind` of a message and the :class:`Inbound`
record that carries it, with everything the caller needs to act on it (addresses, the DSN
status, the return date of an out-of-office reply, the new text of a reply).
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

__all__ = ["Inbound", "Kind"]


class Kind(enum.StrEnum):
    #: A human answer (the caller decides whether it matches one of our sends).
    REPLY = "reply"
    #: An out-of-office, vacation or autoresponder message.
    AUTO_REPLY = "auto_reply"
    #: A delivery failure report (hard or soft).
    BOUNCE = "bounce"
    #: A human asking to be removed.
    UNSUBSCRIBE = "unsubscribe"
    #: Cannot be parsed, or nothing usable.
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
