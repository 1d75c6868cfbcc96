"""Refusal classes: what a mail server's refusal says about whose fault it is. Pure.

A refusal is read from the SMTP reply code, the RFC 3463 enhanced status (``5.1.1``) and the
server's words, whether it came back on the SMTP connection or in a delivery status notification
read from the inbox (RFC 3464 ``Status:``). The class decides who pays for it: the recipient
(the address is suppressed), nobody yet (a full mailbox is tried again), or our side (the
sender's domain, its authentication, its policy or the message's content: nobody is suppressed
and the sender or the variant is held until a person fixes it). The table is in
``docs/deliverability.md``.
"""

from __future__ import annotations

import enum
import re
from datetime import timedelta

#: An enhanced status code (RFC 3463): class.subject.detail; not a piece of an IP address or a
#: version number ("Client host [5.1.1.7] blocked" names no recipient's status).
STATUS = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")

#: A full mailbox is suppressed (as a bounce) only after this many refusals...
MAILBOX_FULL_REFUSALS = 3
#: ... spanning at least this long, from the first to the latest.
MAILBOX_FULL_SPAN = timedelta(hours=48)
#: When a send refused for a full mailbox is tried again.
MAILBOX_FULL_RETRY = timedelta(days=1)
#: Refusals without an enhanced status, in a row from one sender, that hold the sender.
UNCLASSIFIED_LIMIT = 3


class Refusal(enum.StrEnum):
    """Whose fault a permanent (5xx) refusal is, and so what it does."""

    #: The address does not exist or is disabled (5.1.1, 5.1.10, 5.1.2, 5.2.1...): a bounce, the
    #: address is suppressed.
    RECIPIENT = "recipient"
    #: The recipient's mailbox is full (5.2.2): retried later; a bounce only after repeats.
    MAILBOX_FULL = "mailbox_full"
    #: The sender's domain, authentication or policy (5.7.x, 5.5.x, 5.3.4, relay denied): nobody
    #: is suppressed, the send waits and the sender is held.
    SENDER = "sender"
    #: The message's content was judged spam (5.7.1 with such words): the variant is held.
    CONTENT = "content"
    #: A 5xx without an enhanced status: nobody is suppressed; several in a row hold the sender.
    UNCLASSIFIED = "unclassified"
    #: The recipient's domain refuses our mail by its own policy (Gmail: "The user or domain that
    #: you are sending to (or from) has a policy that prohibited the mail that you sent"): this
    #: send fails and its enrollment ends, nobody is suppressed, the sender is not held (it would
    #: meet the same send first once resumed); several in a row hold the sender, as unexplained
    #: refusals do.
    RECIPIENT_POLICY = "recipient_policy"


#: Enhanced statuses (subject.detail) that name the recipient's address as the fault.
_RECIPIENT = frozenset({"1.1", "1.10", "1.2", "1.3", "1.6", "2.1"})
#: ... and those that name the sender's side (5.1.7/5.1.8: the sender's address; 5.3.4: message
#: too big; 5.2.3: too big for the recipient's system).
_SENDER = frozenset({"1.7", "1.8", "3.4", "2.3"})
#: Words of a refusal that point at the sending host or domain, not the message.
_SENDER_WORDS = (
    "relay",
    "authenticat",
    "dmarc",
    "spf",
    "dkim",
    "spamhaus",
    "blocklist",
    "blacklist",
    "block list",
    "dnsbl",
    "client host",
    "reputation",
    "not permitted to send",
)
#: Words of a 5.7.x refusal that name the recipient's side's policy, not our sender.
_RECIPIENT_POLICY = re.compile(
    r"(?:user|domain|organi[sz]ation)\s+(?:that\s+)?you\s+are\s+sending\s+to|recipient(?:['’]s)?\s+"
    r"(?:domain|organi[sz]ation|server)\s+(?:has\s+a\s+policy|policy|does\s+not\s+accept)"
)
#: Words of a refusal that point at the message's content.
_CONTENT_WORDS = re.compile(
    r"\b(spam|spammy|content|phish\w*|malware|virus|suspicious|url|link)\b", re.IGNORECASE
)


#: A 552 without a status that says the message is too big ("Message size exceeds fixed maximum
#: message size") ...
_TOO_BIG = re.compile(
    r"message\s+(?:\S+\s+)?(?:size|too\s+(?:large|big)|exceeds)|(?:too\s+(?:large|big)|size)\s+"
    r"(?:\S+\s+){0,3}?(?:message|e-?mail)\b"
)
#: ... or that the recipient's mailbox is full ("552 Mailbox full", "552 Mailbox size limit
#: exceeded", "over quota"): RFC 5321's own meaning of 552, storage exceeded.
_FULL = re.compile(r"mailbox|\bfull\b|quota|storage|insufficient\s+space|out\s+of\s+space")


def enhanced_status(text: str) -> tuple[int, int, int] | None:
    """The first RFC 3463 status in ``text`` (``(5, 7, 26)`` for ``5.7.26``), or None."""
    found = STATUS.search(text)
    if found is None:
        return None
    return int(found.group(1)), int(found.group(2)), int(found.group(3))


def classify(code: int | None, text: str, status: str | None = None) -> Refusal:
    """The class of a permanent refusal: reply ``code`` (None for a DSN), the server's ``text``
    and the enhanced ``status`` (read from ``text`` when not given).

    The enhanced status decides when there is one; the words only tell a content refusal from a
    sender one within 5.7.x, and recognise "relay access denied" without a status.
    """
    found = enhanced_status(status or "") or enhanced_status(text)
    lowered = text.lower()
    if found is None or found[0] != 5:
        if "relay" in lowered and "denied" in lowered:
            return Refusal.SENDER
        if code == 552 and found is None:  # RFC 5321: storage exceeded, said in words only
            if _TOO_BIG.search(lowered):
                return Refusal.SENDER  # as 5.3.4: the message, whoever it goes to
            if _FULL.search(lowered):
                return Refusal.MAILBOX_FULL
        return Refusal.UNCLASSIFIED
    _, subject, detail = found
    key = f"{subject}.{detail}"
    if key in _RECIPIENT:
        return Refusal.RECIPIENT
    if key == "2.2":
        return Refusal.MAILBOX_FULL
    if subject in (5, 7) or key in _SENDER:
        if subject == 7 and _RECIPIENT_POLICY.search(lowered):
            return Refusal.RECIPIENT_POLICY
        if subject == 7 and _is_content(lowered):
            return Refusal.CONTENT
        return Refusal.SENDER
    if "relay" in lowered and "denied" in lowered:
        return Refusal.SENDER
    return Refusal.UNCLASSIFIED


def _is_content(lowered: str) -> bool:
    """A 5.7.x refusal about the message (spam, a link, a virus), not the sending host."""
    if any(word in lowered for word in _SENDER_WORDS):
        return False
    return _CONTENT_WORDS.search(lowered) is not None


def suppresses(refusal: Refusal) -> bool:
    """Whether this class, on its own, suppresses the address (only a recipient's refusal does;
    a full mailbox does after repeats, see :func:`mailbox_full_gives_up`)."""
    return refusal is Refusal.RECIPIENT


def mailbox_full_gives_up(refusals: int, span: timedelta) -> bool:
    """Whether a full mailbox refused often enough, over long enough, to count as a bounce."""
    return refusals >= MAILBOX_FULL_REFUSALS and span >= MAILBOX_FULL_SPAN


def what_to_fix(refusal: Refusal, text: str) -> str:
    """Plain words for ``doctor``: what a person should check after this refusal."""
    lowered = text.lower()
    if refusal is Refusal.CONTENT:
        return (
            "the receiving server judged this variant's content as spam: rewrite it (links, "
            "wording), then lift the hold with `sequencer resume --variant`"
        )
    if refusal is Refusal.RECIPIENT_POLICY:
        return (
            "the recipients' own servers refused the mail by their policy; when several domains "
            "do, check the sender's authentication and standing (`sequencer senders check "
            "--dns`), then `sequencer senders resume`"
        )
    if refusal is Refusal.UNCLASSIFIED:
        return (
            "the server refused several messages without saying why: read its words, check the "
            "sender's account and domain, then `sequencer senders resume`"
        )
    if lowered.startswith(("534", "535", "538", "530")) or "login refused" in lowered:
        hint = (
            "the server refused the sender's login or wants TLS first: check the password or "
            "the app password (Google asks for one with 534 5.7.9), that SMTP AUTH is on for the "
            "mailbox (Microsoft 365: 5.7.139, 5.7.3) and the security setting "
            "(`sequencer senders check`)"
        )
        return f"{hint}, then `sequencer senders resume`"
    if "dmarc" in lowered or "unauthenticated" in lowered or "5.7.26" in lowered:
        hint = "publish SPF and DKIM for the sender's domain, aligned with its DMARC policy"
    elif "relay" in lowered:
        hint = "the SMTP server does not relay for this sender: check the login and the host"
    elif enhanced_status(text) == (5, 3, 4):
        hint = "the message is too big for the server: shorten it or drop attachments"
    else:
        hint = "check the sender's domain authentication (SPF, DKIM, DMARC) and account standing"
    return f"{hint} (`sequencer senders check --dns`), then `sequencer senders resume`"
