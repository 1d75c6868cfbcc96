"""Building the email a recipient gets: headers, threading, unsubscribe, text and HTML.

Pure: everything (the date, the Message-ID) comes in as an argument.

Header safety: every value that reaches a header is made one line first (line breaks and tabs
become a space, other C0 and C1 controls and DEL are dropped), so a CR or LF in a contact field
(or a rendered subject) can never start a new header. Then every header is folded: lines of at
most 78 characters where the words allow (RFC 5322's "should"), never past its 998-octet hard
limit, with RFC 2047 encoded words of at most 75 characters for text that is not plain ASCII
or has a word too long to fold (a 2,000-character name still makes a well-formed message).

Addresses go out in ASCII: a domain such as ``straße.de`` in its IDNA 2008 form
(``xn--strae-oqa.de``), the form email-validator gives, never Python's IDNA 2003 codec, which
maps ``ß`` to ``ss`` (another domain) and ``ς`` to ``σ``.
"""

from __future__ import annotations

import base64
import email
import email.policy
import html
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import quoprimime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]+")
#: C0 and C1 controls and DEL left once line breaks and tabs became spaces: dropped from headers.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
#: A link a one-click POST may go to: https, or http on loopback (the config's local test case).
_ONE_CLICK = re.compile(
    r"^(https://[^/\s]+|http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$))", re.IGNORECASE
)
_SPACES = re.compile(r" {2,}")
#: What an address on the wire never holds: whitespace and controls.
_UNSENDABLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
#: Characters that make a display name a quoted string (as email.utils.formataddr decides).
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')
#: RFC 5322 2.1.1: a line should be at most 78 characters (998 is the hard limit).
_LINE = 78
#: RFC 2047 2: an encoded word is at most 75 characters.
_WORD = 75
_B_OPEN, _B_CLOSE = "=?utf-8?b?", "?="
#: The longest plain word left as it is: it fits a continuation line on its own.
_PLAIN_WORD = _LINE - 1
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
    """A header-safe version of ``value``: line breaks and tabs become a space, other controls go,
    trimmed.
    """
    return _CONTROLS.sub("", _LINE_BREAKS.sub(" ", value)).strip()


def one_click(unsubscribe_url: str | None) -> bool:
    """Whether ``List-Unsubscribe-Post`` may go out: only with an ``https:`` link (RFC 8058 §3.1),
    or the plain ``http:`` loopback link the config allows for a local test deployment.
    """
    return unsubscribe_url is not None and bool(_ONE_CLICK.match(one_line(unsubscribe_url)))


def make_message_id(domain: str, *, token: str | None = None) -> str:
    """A unique ``<...@domain>`` on the sender's own domain."""
    return f"<{token or secrets.token_hex(12)}@{one_line(domain)}>"


def thread_subject(first_subject: str) -> str:
    """``Re: <exact subject message 1 went out with>`` (never ``Re: Re:``)."""
    return first_subject if first_subject.lower().startswith("re:") else f"Re: {first_subject}"


def build(draft: Draft) -> EmailMessage:
    """The message as an :class:`~email.message.EmailMessage` (parsed from :func:`to_bytes`)."""
    parsed = email.message_from_bytes(
        to_bytes(draft).replace(b"\r\n", b"\n"), policy=email.policy.default
    )
    assert isinstance(parsed, EmailMessage)
    return parsed


def to_bytes(draft: Draft) -> bytes:
    """The message as it goes on the wire: text/plain, plus text/html when the body has formatting.

    Written directly rather than through the ``email`` package's header registry, which
    costs more than the SMTP transaction itself; tests parse the result with that package.
    """
    headers = [
        ("From", _address_header("From", draft.from_name, draft.from_email)),
        ("To", _fold("To", _address(draft.to_name, draft.to_email, "To"))),
        ("Subject", _fold("Subject", _text(draft.subject, "Subject"))),
        ("Date", _date(draft.date.replace(microsecond=0), draft.date.utcoffset())),
        ("Message-ID", one_line(draft.message_id)),
    ]
    if draft.reply_to:
        headers.append(("Reply-To", _address_header("Reply-To", "", draft.reply_to)))
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
    if one_click(draft.unsubscribe_url):
        # RFC 8058 §3.1: the POST goes to an HTTPS URI; a mailto: alone offers no one-click
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    headers.append(("MIME-Version", "1.0"))
    text = _with_signature(draft.body, draft.signature)
    if has_formatting(text) or draft.open_pixel_url:
        boundary = f"=_seq_{secrets.token_hex(12)}"
        headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
        body = (
            f"--{boundary}\r\n{_part(plain_text(text), 'plain')}\r\n--{boundary}\r\n"
            f"{_part(to_html(text, pixel=draft.open_pixel_url), 'html')}\r\n--{boundary}--\r\n"
        )
    else:
        part_headers, _, body = _part(plain_text(text), "plain").partition("\r\n\r\n")
        headers.extend(tuple(line.split(": ", 1)) for line in part_headers.split("\r\n"))  # type: ignore[misc]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    # UTF-8 only in an address with a non-ASCII local part (RFC 6532), sent only with SMTPUTF8
    return (head + "\r\n" + body).encode("ascii" if head.isascii() else "utf-8")


@lru_cache(maxsize=256)
def _address_header(header: str, name: str, address: str) -> str:
    """A sender's address header, folded: the same for every message it sends, so made once."""
    return _fold(header, _address(name, address, header))


@lru_cache(maxsize=256)
def _date(when: datetime, offset: timedelta | None) -> str:
    """The Date header (to the second): formatted once a second rather than for every message.
    The offset is in the key because two zones' times of one moment are equal, and written apart."""
    return format_datetime(when)


def _address(name: str, address: str, header: str) -> list[str]:
    """The words of ``Display Name <addr>``: a quoted string when the name needs one, encoded
    words when it is not plain ASCII (or has a word too long to fold); the address as it goes on
    the wire (:func:`wire_address`)."""
    addr = wire_address(address)
    text = _header_text(name)
    if not text:
        return [addr]
    room = _LINE - len(header) - 3  # after "Name: " and an opening quote
    if not _plain(text, room):
        return [*_encoded_words(text, first=room), f"<{addr}>"]
    if _SPECIALS.search(text):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return [*text.split(" "), f"<{addr}>"]


def needs_smtputf8(address: str) -> bool:
    """Whether ``address`` has a non-ASCII local part (``jörg@example.com``): it can only be sent
    to a server that offers SMTPUTF8 (RFC 6531), and its message carries it in UTF-8 (RFC 6532)."""
    return not address.strip().rpartition("@")[0].isascii()


@lru_cache(maxsize=4096)
def wire_address(address: str) -> str:
    """``address`` as it goes on the wire: :func:`ascii_address`, or, for a non-ASCII local part,
    that local part in UTF-8 at the domain's IDNA 2008 form (sent only with SMTPUTF8).

    Raises ValueError as :func:`ascii_address` does for an address that cannot be written as it is.
    """
    if not needs_smtputf8(address):
        return ascii_address(address)
    text = address.strip()
    if _UNSENDABLE.search(text) or len(text.encode("utf-8")) > 254:
        raise ValueError(
            f"{text[:80]!r} has a space or control character or is too long; it cannot be sent"
        )
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise ValueError(f"'{address}' cannot be sent: {exc}") from None
    return f"{checked.local_part}@{checked.ascii_domain}"


@lru_cache(maxsize=4096)
def ascii_address(address: str) -> str:
    """``address`` as it goes on the wire (SMTP envelope and headers): ASCII, with an
    internationalised domain in its IDNA 2008 form, exactly email-validator's ``ascii_email``.

    Raises ValueError for a non-ASCII local part (it needs SMTPUTF8: see :func:`wire_address`),
    for a domain that has no IDNA 2008 form, and for an
    address with a space or control character or over 254 characters: one that cannot be
    written as it is is never altered into another address.
    """
    text = address.strip()
    if _UNSENDABLE.search(text) or len(text) > 254:
        raise ValueError(
            f"{text[:80]!r} has a space or control character or is too long; it cannot be sent"
        )
    local, _, domain = text.rpartition("@")
    if not local.isascii():
        raise ValueError(
            f"'{address}' has a non-ASCII local part, which needs SMTPUTF8; it cannot be sent"
        )
    if domain.isascii():
        return text
    try:
        ascii_email = validate_email(
            text, check_deliverability=False, allow_smtputf8=False
        ).ascii_email
    except EmailNotValidError as exc:
        raise ValueError(f"'{address}' cannot be written in ASCII: {exc}") from None
    assert ascii_email is not None, (
        "allow_smtputf8=False: an address that needs SMTPUTF8 is refused above"
    )
    return ascii_email


def _text(value: str, name: str) -> list[str]:
    """The words of an unstructured header value: as they are when plain ASCII, else
    encoded words.
    """
    text = _header_text(value)
    room = _LINE - len(name) - 2  # what the line that starts with the header's name has left
    if _plain(text, room):
        return text.split(" ") if text else []
    return _encoded_words(text, first=room)


def _header_text(value: str) -> str:
    """``value`` on one line, without controls, runs of spaces as one, lone surrogates replaced."""
    text = _SPACES.sub(" ", one_line(value))
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _plain(text: str, room: int) -> bool:
    """Whether ``text`` can go in a header as it is: ASCII, foldable at its spaces, its first word
    fits the ``room`` left after the header's name, and nothing a reader would take for an
    encoded word."""
    words = text.split(" ")
    return (
        text.isascii()
        and "=?" not in text
        and len(words[0]) <= room
        and all(len(word) <= _PLAIN_WORD for word in words)
    )


def _encoded_words(text: str, *, first: int = _WORD) -> list[str]:
    """``text`` as RFC 2047 base64 encoded words of whole characters, each at most 75 characters
    (the first at most ``first``, to keep the header's first line within 78)."""
    words: list[str] = []
    budget = _bytes_for(min(first, _WORD))
    chunk = b""
    for char in text:
        encoded = char.encode("utf-8")
        if chunk and len(chunk) + len(encoded) > budget:
            words.append(_B_OPEN + base64.b64encode(chunk).decode("ascii") + _B_CLOSE)
            chunk, budget = b"", _bytes_for(_WORD)
        chunk += encoded
    if chunk:
        words.append(_B_OPEN + base64.b64encode(chunk).decode("ascii") + _B_CLOSE)
    return words


def _bytes_for(width: int) -> int:
    """How many bytes one encoded word of at most ``width`` characters carries (at least one
    character).
    """
    return max((width - len(_B_OPEN) - len(_B_CLOSE)) // 4 * 3, 4)


def _fold(name: str, words: list[str]) -> str:
    """A header value from its words, joined by spaces and folded before a word that would take
    the line past 78 characters. No word is longer than a line can hold (plain words ≤ 77,
    encoded words ≤ 75, an address ≤ 256), so no line ever nears 998."""
    head = f"{name}:"
    lines = [head]
    for word in words:
        if len(lines[-1]) + 1 + len(word) > _LINE and lines[-1] != head:
            lines.append("")
        lines[-1] += " " + word
    return "\r\n".join(lines)[len(head) + 1 :]


def _part(text: str, subtype: str) -> str:
    """One text part with its headers: 7bit when it can be, else quoted-printable UTF-8."""
    lines = text.replace("\r\n", "\n").split("\n")
    if text.isascii() and all(len(line) <= 900 for line in lines):
        return (
            f'Content-Type: text/{subtype}; charset="us-ascii"\r\nContent-Transfer-Encoding: '
            "7bit\r\n\r\n" + "\r\n".join(lines)
        )
    encoded = quoprimime.body_encode("\n".join(lines).encode("utf-8").decode("latin-1"), eol="\r\n")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: '
        "quoted-printable\r\n\r\n" + encoded
    )


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
        return tracked(kept) + url[len(kept) :]

    return _URL.sub(swap, text)


def to_html(text: str, *, pixel: str | None = None) -> str:
    """The text/html part: paragraphs, line breaks, bold and links; everything else escaped."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block, quote=False)
        # the block is escaped already (& < >); a quote is all that is left to guard in the
        # attribute
        escaped = _LINK.sub(
            lambda m: f'<a href="{m.group(2).replace(chr(34), "&quot;")}">{m.group(1)}</a>', escaped
        )
        escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
        paragraphs.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    if pixel:
        paragraphs.append(
            f'<img src="{html.escape(pixel)}" width="1" height="1" '
            'alt="" style="display:block;border:0">'
        )
    return "<!doctype html>\n<html><body>\n" + "\n".join(paragraphs) + "\n</body></html>\n"
