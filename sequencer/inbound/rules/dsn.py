"""Bounce rules: delivery status notifications (RFC 3464 ``message/delivery-status`` parts) and
the prose failure notices some servers send instead, recognised by their sender
(``mailer-daemon@``, ``postmaster@``) or subject ("Undeliverable:", "Mail delivery failed",
...). 5.x.x is a hard failure, 4.x.x soft, and so is a full mailbox (5.2.2). A bounce often
also carries ``Auto-Submitted``; it is still a bounce, so these rules run first. ``dsn`` says
whether the answer was read from a delivery-status part; ``policy`` whether the refusal is about
the sender, by its refusal class (:mod:`sequencer.refusals`: 5.7.x, 5.5.x, 5.3.4, relay denied)
or its words ("blocked", "spam", DMARC, SPF, reputation, ...): it suppresses nobody. The ids
of the returned message, wherever the bounce carries a copy of it, join the answer's
references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from sequencer.inbound.message import (
    MAX_TEXT,
    Parsed,
    addresses,
    content_type,
    decode_bytes,
    dedup,
    header,
    ids,
    one_line,
    part_text,
    parts,
)
from sequencer.inbound.verdict import Inbound, Kind
from sequencer.refusals import Refusal, classify

__all__ = ["delivery_report", "failure_notice"]

_ENHANCED_RE = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
_BASIC_RE = re.compile(r"(?<![\w.:/])([45][0-5]\d)(?=[\s:-]|$)")
_FAILURE_CONTEXT_RE = re.compile(
    r"user unknown|unknown user|mailbox|does not exist|doesn't "
    r"exist|no such|rejected|unavailable|not found|delivery error|"
    r"quota|full|refused|denied|invalid|blocked|said|smtp|error|failed|unrouteable|"
    r"disabled|deferred|try "
    r"again|temporar",
    re.IGNORECASE,
)
_PERMANENT_RE = re.compile(
    r"user unknown|unknown user|no such user|recipient address "
    r"rejected|address rejected|does not exist|doesn't exist|"
    r"mailbox unavailable|mailbox not found|recipient not "
    r"found|invalid recipient|no mailbox here|account (?:is )?disabled|"
    r"doesn't have an? [\w.-]+ account|permanent error|permanent failure|permanently",
    re.IGNORECASE,
)
_DELAY_RE = re.compile(
    r"will (?:be )?retr(?:y|ied)|still (?:trying|being retried)|temporary "
    r"(?:problem|failure|error)|temporarily|"
    r"has not yet been delivered|not been delivered yet|has been delayed|delivery (?:is )?delayed",
    re.IGNORECASE,
)
_BOUNCE_SENDER_RE = re.compile(r"^(?:mailer-daemon|postmaster)@", re.IGNORECASE)
_BOUNCE_SUBJECT_RE = re.compile(
    r"^\s*(?:undelivered mail returned to sender|undeliverable\b|undelivered\b|mail "
    r"delivery failed|"
    r"delivery status notification\s*\((?:failure|delay)\)|failure "
    r"notice|returned mail\b|delivery has failed|"
    r"mail system error - returned mail|delivery failure|non[- "
    r"]?delivery|delayed mail|delivery delayed|"
    r"warning: (?:message\b.{0,200}\bdelayed|could not send message)|message delayed)",
    re.IGNORECASE,
)
# A refusal for who sent it rather than for whom it was sent to.
_POLICY_RE = re.compile(
    r"\b(?:blocked|black\s*-?\s*listed|block\s*-?\s*listed|blacklist|blocklist|spam|policy|"
    r"policies|dmarc|spf|dkim|reputation)",
    re.IGNORECASE,
)
#: A departed person's notice under a failure subject ("Undeliverable to recipient: ..." over "Jake
#: Miller is no longer with Harbor Freight Lines. This mailbox is not monitored"): the mailbox
#: took the message, so with no status read it is an auto-reply, not a failure.
_KEPT_MAILBOX_RE = re.compile(
    r"\bno\s+longer\s+(?:with|at|works?\s+(?:for|at|with))\b|\b(?:mailbox|inbox|address|account)"
    r"\s+is\s+(?:not|no\s+longer)\s+(?:monitored|read|checked)\b",
    re.IGNORECASE,
)
_DELAY_SUBJECT_RE = re.compile(r"\bdelay(?:ed)?\b", re.IGNORECASE)
_SUCCESS_SUBJECT_RE = re.compile(
    r"\((?:success|relayed|delivered)\)|^\s*(?:delivered|relayed)\s*:", re.IGNORECASE
)
_ORIGINAL_COPY_RE = re.compile(
    r"^.*(?:this is a copy of the message|below this line "
    r"is a copy of the message|original message follows|"
    r"-{3,}\s*original message\s*-{3,}|original message headers|"
    r"message headers follow|header of the original message|included is a copy).*$",
    re.IGNORECASE | re.MULTILINE,
)
_ORIGINAL_HEADER_RE = re.compile(
    r"^(?:message-id|in-reply-to|references)[ \t]*:(.*(?:\n[ \t]+.*)*)",
    re.IGNORECASE | re.MULTILINE,
)
_DSN_TYPES = ("message/delivery-status", "message/global-delivery-status")
_ORIGINAL_MESSAGE_TYPES = ("message/rfc822", "message/global")
_ORIGINAL_HEADERS_TYPES = ("text/rfc822-headers", "message/global-headers")


@dataclass(frozen=True)
class _Recipient:
    address: str | None
    action: str
    status: str | None
    diagnostic: str | None


def _enhanced(text: str, classes: str = "45") -> str | None:
    for match in _ENHANCED_RE.finditer(text):
        if match.group(1) in classes:
            return ".".join(match.groups())
    return None


def _is_policy(status: str | None, diagnostic: str | None) -> bool:
    if status is not None and classify(None, diagnostic or "", status) in (
        Refusal.SENDER,
        Refusal.CONTENT,
        Refusal.RECIPIENT_POLICY,  # 5.7.x never names a bad address (RFC 3463 §3.8)
    ):
        return True
    return diagnostic is not None and _POLICY_RE.search(diagnostic) is not None


def _hard(status: str | None) -> bool:
    """A permanent failure: 5.x.x, but a full mailbox (5.2.2), which may empty, is soft."""
    if status is None or not status.startswith("5"):
        return False
    return classify(None, "", status) is not Refusal.MAILBOX_FULL


def _status_from_diagnostic(diagnostic: str) -> str | None:
    enhanced = _enhanced(diagnostic)
    if enhanced is not None:
        return enhanced
    basic = _BASIC_RE.search(diagnostic)
    if basic is not None:
        return f"{basic.group(1)[0]}.0.0"
    return None


def delivery_report(msg: Parsed) -> Inbound | None:
    """:attr:`Kind.BOUNCE` from a delivery-status part, for its first failed (else delayed)
    recipient; :attr:`Kind.OTHER` for a report without failures; None without such a part.
    """
    report = _dsn_recipients(msg.mime)
    # Read before knowing whether the message is a bounce at all, as the classifier always has:
    # a message whose returned copy cannot be decoded is unparseable, whichever rule takes it.
    references = _references(msg)
    if not report:
        return None
    failed = [rcpt for rcpt in report if rcpt.action == "failed"]
    delayed = [rcpt for rcpt in report if rcpt.action == "delayed"]
    chosen = failed or delayed
    if not chosen:
        return msg.build(Kind.OTHER, "delivery report without failures", references=references)
    first = chosen[0]
    status = first.status  # None only when the block says nothing at all: report it, not as hard
    recipients = dedup(
        rcpt.address for rcpt in chosen if rcpt.address
    ) or _failed_recipients_header(msg.mime)
    return msg.build(
        Kind.BOUNCE,
        f"DSN status {status}" if status else "DSN without status",
        references=references,
        recipients=recipients,
        status=status,
        hard=_hard(status),
        diagnostic=first.diagnostic,
        text=_explanation(msg.body)[:MAX_TEXT],
        dsn=True,
        policy=_is_policy(status, first.diagnostic),
    )


def failure_notice(msg: Parsed) -> Inbound | None:
    """:attr:`Kind.BOUNCE` from a failure notice in prose, recognised by its sender or subject;
    :attr:`Kind.OTHER` for a delivery success notification; None for any other message, and for
    one that only its subject calls a failure, with no status in its text and a departed
    person's notice instead (:data:`_KEPT_MAILBOX_RE`).
    """
    by_sender = (
        msg.from_address is not None and _BOUNCE_SENDER_RE.match(msg.from_address) is not None
    )
    by_subject = _BOUNCE_SUBJECT_RE.match(msg.subject) is not None
    if not (by_sender or by_subject):
        return None
    references = _references(msg)
    if _SUCCESS_SUBJECT_RE.search(msg.subject):
        return msg.build(Kind.OTHER, "delivery success notification", references=references)
    explanation = _explanation(msg.body)
    status, hard, diagnostic, basis = _status_from_text(
        explanation, delay=_DELAY_SUBJECT_RE.search(msg.subject) is not None
    )
    if status is None and not by_sender and _KEPT_MAILBOX_RE.search(explanation):
        return None  # no failure, only a departed person's notice: the auto-reply rules read it
    recipients = _failed_recipients_header(msg.mime) or _recipients_in_text(msg.mime, explanation)
    detected = "sender" if by_sender else "subject"
    return msg.build(
        Kind.BOUNCE,
        f"non-DSN bounce ({detected}), {basis}",
        references=references,
        recipients=recipients,
        status=status,
        hard=hard and _hard(status),
        diagnostic=diagnostic,
        text=explanation[:MAX_TEXT],
        policy=_is_policy(status, diagnostic),
    )


def _references(msg: Parsed) -> tuple[str, ...]:
    """The message's own references and the ids of the message it returns."""
    return dedup([*msg.references, *_original_ids(msg.mime, msg.body)])


def _unescape(text: str) -> str:
    """Undo the surrogate escapes the email package uses for raw 8-bit bytes it could not decode."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return text.encode("utf-8", "surrogateescape").decode("latin-1", errors="replace")


def _dsn_text(part: Message) -> str:
    """The delivery-status part as text, whichever way the parser stored it."""
    try:
        payload = part.get_payload()
    except Exception:
        return ""
    if isinstance(payload, str):
        return part_text(part)
    blocks: list[str] = []
    if isinstance(payload, list):
        for block in payload:
            if not isinstance(block, Message):
                continue
            lines = [_unescape(f"{name}: {value}") for name, value in block.raw_items()]
            inner = block.get_payload(
                decode=True
            )  # bytes: get_payload() would turn 8-bit text into U+FFFD
            if isinstance(inner, bytes) and inner.strip():
                lines.append(
                    ""
                )  # the parser took the first block as headers and the rest as a body
                lines.append(decode_bytes(inner, None))
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    name: str | None = None
    for line in block.split("\n"):
        if line[:1] in (" ", "\t") and name is not None:
            fields[name] += " " + line.strip()
            continue
        key, colon, value = line.partition(":")
        if colon and key.strip() and " " not in key.strip():
            name = key.strip().lower()
            fields.setdefault(name, "")
            fields[name] = (fields[name] + " " + value.strip()).strip()
        else:
            name = None
    return fields


def _dsn_recipients(msg: Message) -> list[_Recipient]:
    texts = [_dsn_text(part) for part in parts(msg) if content_type(part) in _DSN_TYPES]
    recipients: list[_Recipient] = []
    for text in texts:
        for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
            fields = _fields(block)
            if not any(
                key in fields
                for key in ("final-recipient", "original-recipient", "action", "status")
            ):
                continue  # the per-message block (Reporting-MTA, Arrival-Date, ...)
            recipients.append(_recipient(fields))
    return recipients


def _recipient(fields: dict[str, str]) -> _Recipient:
    address = None
    for key in ("final-recipient", "original-recipient"):
        found = addresses(fields.get(key, "").rpartition(";")[2])
        if found:
            address = found[0]
            break
    diagnostic_field = fields.get("diagnostic-code", "")
    diagnostic = (
        one_line(
            diagnostic_field.partition(";")[2] if ";" in diagnostic_field else diagnostic_field
        )
        or None
    )
    status = _enhanced(fields.get("status", ""), classes="245")
    if status is None and diagnostic is not None:
        status = _status_from_diagnostic(diagnostic)
    action = fields.get("action", "").strip().lower().split(" ")[0]
    if status is None:
        status = {"failed": "5.0.0", "delayed": "4.0.0"}.get(action)
    if not action and status is not None:
        action = {"5": "failed", "4": "delayed"}.get(status[0], "")
    if not action and status is None:
        # a recipient block that says nothing: a report exists because something failed
        action = "failed"
    return _Recipient(address=address, action=action, status=status, diagnostic=diagnostic)


def _explanation(body: str) -> str:
    """The bounce's own text, before any inline copy of the original message."""
    match = _ORIGINAL_COPY_RE.search(body)
    text = body[: match.start()] if match is not None else body
    return text.strip()


def _line_of(text: str, position: int) -> str:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start : end if end >= 0 else len(text)]


def _status_from_text(text: str, *, delay: bool) -> tuple[str | None, bool, str | None, str]:
    """(status, hard, diagnostic line, basis) read from a non-DSN bounce's explanation."""
    delay = delay or (_DELAY_RE.search(text) is not None and _enhanced(text, classes="5") is None)
    classes = "4" if delay else "45"
    for match in _ENHANCED_RE.finditer(text):
        if match.group(1) in classes:
            status = ".".join(match.groups())
            return (
                status,
                status.startswith("5"),
                one_line(_line_of(text, match.start())),
                f"status {status}",
            )
    for match in _BASIC_RE.finditer(text):
        line = _line_of(text, match.start())
        if match.group(1)[0] in classes and _FAILURE_CONTEXT_RE.search(line):
            status = f"{match.group(1)[0]}.0.0"
            return status, status.startswith("5"), one_line(line), f"SMTP {match.group(1)}"
    if delay:
        return "4.0.0", False, None, "delayed"
    permanent = _PERMANENT_RE.search(text)
    if permanent is not None:
        return (
            "5.0.0",
            True,
            one_line(_line_of(text, permanent.start())),
            f"says '{permanent.group(0).lower()}'",
        )
    return None, False, None, "no status code"


def _failed_recipients_header(msg: Message) -> tuple[str, ...]:
    return dedup(addresses(header(msg, "X-Failed-Recipients")))


def _recipients_in_text(msg: Message, text: str) -> tuple[str, ...]:
    own = {
        address
        for name in ("From", "To", "Return-Path", "Sender")
        for address in addresses(header(msg, name))
    }
    return dedup(
        address
        for address in addresses(text)
        if address not in own and not _BOUNCE_SENDER_RE.match(address)
    )


def _original_ids(msg: Message, body: str) -> list[str]:
    """Message-ID, In-Reply-To and References of the returned message, wherever the bounce carries
    it.
    """
    found: list[str] = []
    for part in parts(msg):
        if part is msg:
            continue
        ctype = content_type(part)
        if ctype in _ORIGINAL_MESSAGE_TYPES:
            try:
                payload = part.get_payload()
            except Exception:
                continue
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                for name in ("Message-ID", "In-Reply-To", "References"):
                    found.extend(ids(header(inner, name)))
            elif isinstance(payload, str):
                found.extend(_ids_in_header_text(payload))
        elif ctype in _ORIGINAL_HEADERS_TYPES:
            found.extend(_ids_in_header_text(part_text(part)))
    found.extend(_ids_in_header_text(body))
    return found


def _ids_in_header_text(text: str) -> list[str]:
    found: list[str] = []
    for match in _ORIGINAL_HEADER_RE.finditer(text.replace("\r\n", "\n")):
        found.extend(ids(match.group(1)))
    return found
