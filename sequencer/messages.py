"""Building the email a recipient gets: headers, threading, unsubscribe, text and HTML.

Pure: everything (the date, the Message-ID) comes in as an argument.

Header safety: every value that reaches a header is folded to one line first, so a CR or LF
in a contact field (or a rendered subject) can never start a new header.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import quoprimime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")
_TRAILING = ".,;:!?"


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
    #: Open-tracking pixel (opt-in): adds an HTML part with a 1×1 image.
    open_pixel_url: str | None = None


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
    """The message as an :class:`~email.message.EmailMessage` (parsed from :func:`to_bytes`)."""
    parsed = email.message_from_bytes(to_bytes(draft).replace(b"\r\n", b"\n"), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def to_bytes(draft: Draft) -> bytes:
    """The message as it goes on the wire: text/plain, plus text/html when the body has formatting.

    Written directly rather than through the ``email`` package's header registry, which
    costs more than the SMTP transaction itself; tests parse the result with that package.
    """
    headers = [
        ("From", _address(draft.from_name, draft.from_email)),
        ("To", _address(draft.to_name, draft.to_email)),
        ("Subject", _text(one_line(draft.subject), "Subject")),
        ("Date", format_datetime(draft.date)),
        ("Message-ID", one_line(draft.message_id)),
    ]
    if draft.reply_to:
        headers.append(("Reply-To", _address("", draft.reply_to)))
    if draft.in_reply_to:
        headers.append(("In-Reply-To", one_line(draft.in_reply_to)))
    if draft.references:
        headers.append(("References", "\r\n ".join(one_line(r) for r in draft.references)))
    targets = []
    if draft.unsubscribe_url:
        targets.append(f"<{one_line(draft.unsubscribe_url)}>")
    if draft.unsubscribe_mailto:
        targets.append(f"<mailto:{ascii_address(draft.unsubscribe_mailto)}?subject=unsubscribe>")
    if targets:
        headers.append(("List-Unsubscribe", ",\r\n ".join(targets)))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    headers.append(("MIME-Version", "1.0"))
    text = _with_signature(draft.body, draft.signature)
    if has_formatting(text) or draft.open_pixel_url:
        boundary = f"=_seq_{secrets.token_hex(12)}"
        headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
        body = (f"--{boundary}\r\n{_part(plain_text(text), 'plain')}\r\n--{boundary}\r\n"
                f"{_part(to_html(text, pixel=draft.open_pixel_url), 'html')}\r\n--{boundary}--\r\n")
    else:
        part_headers, _, body = _part(plain_text(text), "plain").partition("\r\n\r\n")
        headers.extend(tuple(line.split(": ", 1)) for line in part_headers.split("\r\n"))  # type: ignore[misc]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n" + body).encode("ascii")


def _address(name: str, address: str) -> str:
    """``"Display Name" <addr>`` with RFC 2047 for a non-ASCII name; the address must be ASCII."""
    return formataddr((one_line(name), ascii_address(address)), charset="utf-8")


def ascii_address(address: str) -> str:
    local, _, domain = one_line(address).rpartition("@")
    if not local.isascii():
        raise ValueError(f"'{address}' has a non-ASCII local part, which needs SMTPUTF8; it cannot be sent")
    return f"{local}@{domain if domain.isascii() else domain.encode('idna').decode('ascii')}"


def _text(value: str, name: str) -> str:
    """An unstructured header value: as it is when plain ASCII, else RFC 2047 encoded-words."""
    if value.isascii() and len(value) < 900:
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _part(text: str, subtype: str) -> str:
    """One text part with its headers: 7bit when it can be, else quoted-printable UTF-8."""
    lines = text.replace("\r\n", "\n").split("\n")
    if text.isascii() and all(len(line) <= 900 for line in lines):
        return (f'Content-Type: text/{subtype}; charset="us-ascii"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n'
                + "\r\n".join(lines))
    encoded = quoprimime.body_encode("\n".join(lines).encode("utf-8").decode("latin-1"), eol="\r\n")
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
            + encoded)


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


def track_links(text: str, tracked: Callable[[str], str]) -> str:
    """Every http(s) URL in ``text`` replaced by ``tracked(url)`` (click tracking; opt-in)."""

    def swap(match: re.Match[str]) -> str:
        url = match.group(0)
        kept = url.rstrip(_TRAILING)
        return tracked(kept) + url[len(kept):]

    return _URL.sub(swap, text)


def to_html(text: str, *, pixel: str | None = None) -> str:
    """The text/html part: paragraphs, line breaks, bold and links; everything else escaped."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block, quote=False)
        # the block is escaped already (& < >); a quote is all that is left to guard in the attribute
        escaped = _LINK.sub(lambda m: f'<a href="{m.group(2).replace(chr(34), "&quot;")}">{m.group(1)}</a>', escaped)
        escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
        paragraphs.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    if pixel:
        paragraphs.append(f'<img src="{html.escape(pixel)}" width="1" height="1" alt="" style="display:block;border:0">')
    return "<!doctype html>\n<html><body>\n" + "\n".join(paragraphs) + "\n</body></html>\n"
