"""Building the email a recipient gets: headers, threading, unsubscribe, text and HTML.

Pure: everything (the date, the Message-ID) comes in as an argument.

Header safety: every value that reaches a header is folded to one line first, so a CR or LF
in a contact field (or a rendered subject) can never start a new header.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")


@dataclass(frozen=True, kw_only=True)
class Draft:
    """What goes into one email, already rendered."""

    from_name: str
    from_email: str
    to_name: str
    to_email: str
    subject: str
    body: str
    signature: str = ""
    date: datetime
    message_id: str
    reply_to: str | None = None
    #: Message-ID this email answers (message 1's, for a follow-up in its thread).
    in_reply_to: str | None = None
    #: Message-IDs of the thread so far, oldest first.
    references: tuple[str, ...] = ()
    #: ``mailto:`` address for List-Unsubscribe.
    unsubscribe_mailto: str | None = None
    #: https one-click URL for List-Unsubscribe (RFC 8058), once the web endpoint is public.
    unsubscribe_url: str | None = None


def one_line(value: str) -> str:
    """A header-safe version of ``value``: no line breaks, trimmed."""
    return _LINE_BREAKS.sub(" ", value).strip()


def make_message_id(domain: str, *, token: str | None = None) -> str:
    """A unique ``<...@domain>`` on the sender's own domain."""
    return f"<{token or secrets.token_hex(12)}@{one_line(domain)}>"


def thread_subject(first_subject: str) -> str:
    """``Re: <exact subject message 1 went out with>`` (never ``Re: Re:``)."""
    return first_subject if first_subject.lower().startswith("re:") else f"Re: {first_subject}"


def build(draft: Draft) -> EmailMessage:
    """The MIME message: text/plain, plus text/html when the body has formatting."""
    msg = EmailMessage()
    msg["From"] = Address(display_name=one_line(draft.from_name), addr_spec=one_line(draft.from_email))
    msg["To"] = Address(display_name=one_line(draft.to_name), addr_spec=one_line(draft.to_email))
    msg["Subject"] = one_line(draft.subject)
    msg["Date"] = format_datetime(draft.date)
    msg["Message-ID"] = draft.message_id
    if draft.reply_to:
        msg["Reply-To"] = one_line(draft.reply_to)
    if draft.in_reply_to:
        msg["In-Reply-To"] = draft.in_reply_to
    if draft.references:
        msg["References"] = " ".join(draft.references)
    _unsubscribe_headers(msg, draft)
    text = _with_signature(draft.body, draft.signature)
    msg.set_content(plain_text(text))
    if has_formatting(text):
        msg.add_alternative(to_html(text), subtype="html")
    return msg


def _unsubscribe_headers(msg: EmailMessage, draft: Draft) -> None:
    targets = []
    if draft.unsubscribe_url:
        targets.append(f"<{one_line(draft.unsubscribe_url)}>")
    if draft.unsubscribe_mailto:
        targets.append(f"<mailto:{one_line(draft.unsubscribe_mailto)}?subject=unsubscribe>")
    if targets:
        msg["List-Unsubscribe"] = ", ".join(targets)
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def _with_signature(body: str, signature: str) -> str:
    body = body.rstrip()
    return f"{body}\n\n{signature.strip()}\n" if signature.strip() else f"{body}\n"


def has_formatting(text: str) -> bool:
    """Bodies are plain text; ``**bold**`` and ``[text](https://...)`` ask for an HTML part."""
    return bool(_BOLD.search(text) or _LINK.search(text))


def plain_text(text: str) -> str:
    """The text/plain part: markup removed, link targets kept in brackets."""
    text = _LINK.sub(lambda m: f"{m.group(1)} <{m.group(2)}>", text)
    return _BOLD.sub(lambda m: m.group(1), text)


def to_html(text: str) -> str:
    """The text/html part: paragraphs, line breaks, bold and links; everything else escaped."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block, quote=False)
        # the block is escaped already (& < >); a quote is all that is left to guard in the attribute
        escaped = _LINK.sub(lambda m: f'<a href="{m.group(2).replace(chr(34), "&quot;")}">{m.group(1)}</a>', escaped)
        escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
        paragraphs.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    return "<!doctype html>\n<html><body>\n" + "\n".join(paragraphs) + "\n</body></html>\n"
