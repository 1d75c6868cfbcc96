"""The feedback-loop rule: an ARF report (RFC 5965), which a mailbox provider (Yahoo's CFL,
Microsoft's JMRP, a Validity-run loop...) sends when one of its users marks our message as spam.

It is a ``multipart/report; report-type=feedback-report`` whose ``message/feedback-report`` part
says ``Feedback-Type: abuse`` (or ``fraud``), followed by the original message
(``message/rfc822``) or its headers (``text/rfc822-headers``). The answer names the original's
Message-ID (to find our send) and the recipient who complained (``Original-Rcpt-To``, else the
original's ``To``). A feedback report of another type (``not-spam``, ``auth-failure``...) is
nobody complaining: :attr:`Kind.OTHER`.
"""

from __future__ import annotations

from email.message import Message
from email.parser import HeaderParser

from sequencer.inbound.message import (
    Parsed,
    addresses,
    content_type,
    dedup,
    header,
    ids,
    one_line,
    part_text,
    parts,
)
from sequencer.inbound.verdict import Inbound, Kind

__all__ = ["COMPLAINTS", "feedback_report"]

#: Feedback types that are a person complaining about the message (RFC 5965 §7.3).
COMPLAINTS = ("abuse", "fraud")
_ORIGINAL_TYPES = ("message/rfc822", "message/global", "text/rfc822-headers")


def feedback_report(msg: Parsed) -> Inbound | None:
    """:attr:`Kind.COMPLAINT` for an ARF abuse report; :attr:`Kind.OTHER` for another feedback
    type; None for anything that is not a feedback report."""
    top = msg.mime
    if content_type(top) != "multipart/report":
        return None
    if str(top.get_param("report-type", "") or "").lower() != "feedback-report":
        return None
    report = next((p for p in parts(top) if content_type(p) == "message/feedback-report"), None)
    if report is None:
        return None
    fields = _fields(report)
    kind = fields.get("feedback-type", "").lower()
    agent = fields.get("user-agent", "")
    if kind not in COMPLAINTS:
        return msg.build(Kind.OTHER, f"feedback report of type {kind or 'none'!r}: no complaint")
    original = _original(top)
    recipients = addresses(fields.get("original-rcpt-to", ""))
    if original is not None:
        recipients += addresses(header(original, "To"))
    references = ids(header(original, "Message-ID")) if original is not None else []
    return msg.build(
        Kind.COMPLAINT,
        one_line(f"feedback report: {kind} complaint" + (f" ({agent})" if agent else "")),
        references=dedup(references),
        recipients=dedup(recipients),
        diagnostic=one_line(kind),
    )


def _fields(part: Message) -> dict[str, str]:
    """The report's fields (lower-case names; the first of a repeated field), however the parser
    stored the part: as an embedded message's headers, or as text."""
    try:
        payload = part.get_payload()
    except Exception:
        return {}
    block = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(block, Message):
        items = [(str(k), str(v)) for k, v in block.raw_items()]
    else:
        parsed = HeaderParser().parsestr(part_text(part).lstrip())
        items = [(str(k), str(v)) for k, v in parsed.raw_items()]
    fields: dict[str, str] = {}
    for name, value in items:
        fields.setdefault(name.strip().lower(), " ".join(value.split()))
    return fields


def _original(top: Message) -> Message | None:
    """The returned message, or its headers, as a message whose headers can be read."""
    for part in parts(top):
        ctype = content_type(part)
        if part is top or ctype not in _ORIGINAL_TYPES:
            continue
        try:
            payload = part.get_payload()
        except Exception:
            continue
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0]
        return HeaderParser().parsestr(part_text(part).lstrip())
    return None
