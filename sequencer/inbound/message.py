"""One inbound message read for the classifier's rules: :func:`parse` turns raw bytes into a
:class:`Parsed` message (the MIME tree, the decoded headers every rule reads, the readable body
text and, on first use, its fresh text), and the helpers here decode what a rule needs more of:
headers and encoded words, addresses and message ids, MIME parts, charsets and HTML bodies.
Everything is guarded: a malformed header or part reads as empty, never as an exception.
"""

from __future__ import annotations

import datetime
import email
import email.header
import html
import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import Message
from functools import cached_property
from html.parser import HTMLParser
from typing import Any

from sequencer.inbound.fresh import fresh_text
from sequencer.inbound.policy import POLICY
from sequencer.inbound.verdict import Inbound, Kind

MAX_TEXT = 2000
MAX_DIAGNOSTIC = 300
_MAX_DEPTH = 30  # MIME nesting we follow; deeper parts are ignored


@dataclass(frozen=True, kw_only=True)
class Parsed:
    """A message as the rules see it: the MIME tree and the fields every kind shares."""

    mime: Message
    today: datetime.date
    message_id: str | None
    from_address: str | None
    subject: str
    references: tuple[str, ...]
    body: str  # the readable text: the first text/plain part, else the first text/html stripped

    @cached_property
    def fresh(self) -> str:
        """The newly written part of the body (see :func:`~sequencer.inbound.fresh.fresh_text`)."""
        return fresh_text(self.body)

    @property
    def text(self) -> str:
        """The fresh text as an answer carries it: cut to :data:`MAX_TEXT` characters."""
        return self.fresh[:MAX_TEXT]

    def build(
        self,
        kind: Kind,
        reason: str,
        *,
        references: tuple[str, ...] | None = None,
        recipients: tuple[str, ...] = (),
        status: str | None = None,
        hard: bool = False,
        diagnostic: str | None = None,
        return_date: datetime.date | None = None,
        text: str = "",
        dsn: bool = False,
        policy: bool = False,
    ) -> Inbound:
        """The answer for this message: its shared fields plus what the rule found."""
        return Inbound(
            kind=kind,
            reason=reason,
            message_id=self.message_id,
            from_address=self.from_address,
            subject=self.subject,
            references=self.references if references is None else references,
            recipients=recipients,
            status=status,
            hard=hard,
            diagnostic=diagnostic,
            return_date=return_date,
            text=text,
            dsn=dsn,
            policy=policy,
        )


def parse(raw: bytes, *, today: datetime.date) -> Parsed | str:
    """The message in ``raw``, or the reason it is not an email ("empty message", ...).

    May raise on input the email package cannot take; :func:`~sequencer.inbound.classify.classify`
    catches that.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        return "not bytes"
    data = bytes(raw)
    if not data.strip():
        return "empty message"
    msg = email.message_from_bytes(data, policy=POLICY)
    if not _has_headers(msg):
        return "no headers: not an email"
    subject = header(msg, "Subject")
    from_address = _from_address(msg)
    return Parsed(
        mime=msg,
        today=today,
        message_id=_message_id(msg),
        from_address=from_address,
        subject=subject,
        references=dedup([*ids(header(msg, "In-Reply-To")), *ids(header(msg, "References"))]),
        body=_body_text(msg),
    )


def as_date(value: datetime.date) -> datetime.date:
    """``value`` as a plain date."""
    # A datetime is a date too, but comparing one with a plain date raises TypeError.
    return value.date() if isinstance(value, datetime.datetime) else value


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------

_ID_RE = re.compile(r"<[^<>\s]+>")
_ANGLE_ADDRESS_RE = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+)\s*>")
# Addresses in free text: ASCII or internationalised (RFC 6531) local parts and domains.
#: A bare address: tried only where a run of the local part's characters begins, at most 64 of
#: them (RFC 5321's limit), so a long run with no "@" (a base64 line, 256 KB of digits) is read
#: in linear time, not tried again from each of its characters.
_EMAIL_RE = re.compile(
    r"(?<![\w.!#$%&*+/=?^{|}~-])[\w.!#$%&*+/=?^{|}~-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
)


def _has_headers(msg: Message) -> bool:
    try:
        return len(msg.keys()) > 0
    except Exception:
        return False


#: Each message's headers as read (name and raw value, in order), and the place of the first of
#: each name, lower-cased: ``Message.get`` and ``in`` lower-case every name at every ask, and the
#: rules ask a dozen times.
_HEADERS: weakref.WeakKeyDictionary[Message, tuple[list[tuple[str, Any]], dict[str, int]]] = (
    weakref.WeakKeyDictionary()
)


def _headers(msg: Message) -> tuple[list[tuple[str, Any]], dict[str, int]]:
    known = _HEADERS.get(msg)
    if known is None:
        raw = list(msg.raw_items())
        first: dict[str, int] = {}
        for place, (name, _) in enumerate(raw):
            first.setdefault(name.lower(), place)
        known = _HEADERS[msg] = (raw, first)
    return known


def has_header(msg: Message, name: str) -> bool:
    """Whether the header is present (even empty); False when the headers cannot be read."""
    try:
        return name.lower() in _headers(msg)[1]
    except Exception:
        return False


def header(msg: Message, name: str) -> str:
    """One header as a single line of decoded text; "" when absent or unreadable."""
    try:
        raw, first = _headers(msg)
        place = first.get(name.lower())
        # what msg.get(name) gives: the first such header, read through the message's policy
        value = None if place is None else msg.policy.header_fetch_parse(*raw[place])
        text = "" if value is None else str(value)
    except Exception:  # policy.default can raise on some malformed headers
        text = _raw_header(msg, name)
    return " ".join(text.split())


def _raw_header(msg: Message, name: str) -> str:
    try:
        for key, value in msg.raw_items():
            if key.lower() == name.lower():
                return _decode_words(str(value))
    except Exception:
        pass
    return ""


def _decode_words(value: str) -> str:
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except Exception:
        return value


def ids(value: str) -> list[str]:
    """The ``<...>`` message ids in a header value, in order."""
    return _ID_RE.findall(value)


def _message_id(msg: Message) -> str | None:
    value = header(msg, "Message-ID")
    found = ids(value)
    if found:
        return found[0]
    value = value.strip().strip("<>").strip()
    if value and " " not in value:
        return f"<{value}>"
    return None


def dedup(items: Iterable[str]) -> tuple[str, ...]:
    """The non-empty items, first occurrences only, in order."""
    return tuple(dict.fromkeys(item for item in items if item))


def addresses(text: str) -> list[str]:
    """Bare addresses in a piece of text, lower-cased, in order."""
    found: list[str] = []
    if "@" not in text:
        return found
    for match in _EMAIL_RE.finditer(text):
        address = match.group(0).strip(".").lower()
        if "@" in address and not address.startswith("@"):
            found.append(address)
    return found


def _address_in_header(value: str) -> str | None:
    angle = _ANGLE_ADDRESS_RE.search(value)
    if angle is not None:
        return angle.group(1).lower()
    found = addresses(value)
    return found[0] if found else None


def _from_address(msg: Message) -> str | None:
    return _address_in_header(header(msg, "From"))


def one_line(text: str, limit: int = MAX_DIAGNOSTIC) -> str:
    """``text`` on one line, whitespace collapsed, cut to ``limit`` characters."""
    return " ".join(text.split())[:limit]


# --------------------------------------------------------------------------------------------
# MIME structure and text extraction
# --------------------------------------------------------------------------------------------


#: Content types already read: the rules ask each part's several times, and policy.default
#: parses the header anew at every ask.
_CONTENT_TYPES: weakref.WeakKeyDictionary[Message, str] = weakref.WeakKeyDictionary()


def content_type(part: Message) -> str:
    """The part's content type, lower-cased; text/plain when it cannot be read."""
    known = _CONTENT_TYPES.get(part)
    if known is not None:
        return known
    try:
        found = part.get_content_type().lower()
    except Exception:
        found = "text/plain"
    _CONTENT_TYPES[part] = found
    return found


def _is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment"
    except Exception:
        return False


def parts(part: Message, depth: int = 0) -> Iterator[Message]:
    """Every part of the tree in order, without descending into message/* parts."""
    yield part
    if depth >= _MAX_DEPTH or content_type(part).startswith("message/"):
        return
    try:
        payload = part.get_payload() if part.is_multipart() else None
    except Exception:
        payload = None
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from parts(sub, depth + 1)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """``data`` as text in its charset; UTF-8, then Latin-1, when that is missing or unknown."""
    if charset and charset not in ("us-ascii", "ascii"):
        try:
            return data.decode(charset)
        except LookupError:
            pass  # an unknown charset name: guess below
        except UnicodeDecodeError:
            return data.decode(charset, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1", errors="replace")


def part_text(part: Message) -> str:
    """A leaf part's content as text: transfer encoding undone, charset decoded."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        try:
            payload = part.get_payload()
        except Exception:
            return ""
        return payload if isinstance(payload, str) else ""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(data, charset).replace("\r\n", "\n").replace("\r", "\n")


def _body_text(msg: Message) -> str:
    """The message's readable text: the first text/plain part, else the first text/html stripped."""
    plain: str | None = None
    markup: str | None = None
    for part in parts(msg):
        if part.is_multipart() or _is_attachment(part):
            continue
        ctype = content_type(part)
        if ctype == "text/plain" and plain is None:
            text = part_text(part)
            if text.strip():
                plain = text
        elif ctype == "text/html" and markup is None:
            markup = part_text(part)
    if plain is not None:
        return plain
    if markup is not None:
        return _html_to_text(markup)
    return ""


class _HTMLText(HTMLParser):
    """Visible text of an HTML body, without styles, scripts and quoted copies."""

    _SKIP = frozenset({"style", "script", "head", "title", "blockquote", "template"})
    _QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted")
    _BLOCK = frozenset(
        {
            "p",
            "div",
            "tr",
            "li",
            "ul",
            "ol",
            "table",
            "hr",
            "pre",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "dd",
            "dt",
            "section",
        }
    )
    _VOID = frozenset(
        {
            "br",
            "hr",
            "img",
            "meta",
            "link",
            "input",
            "area",
            "base",
            "col",
            "embed",
            "param",
            "source",
            "wbr",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping: list[
            str
        ] = []  # tags open since a skipped element began; [0] is that element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._skipping.clear()  # an unclosed <head> must not hide the whole body
            return
        if self._skipping:
            if tag not in self._VOID:
                self._skipping.append(tag)
            return
        classes = " ".join(value or "" for name, value in attrs if name == "class")
        if tag in self._SKIP or (
            tag == "div" and any(name in classes for name in self._QUOTE_CLASSES)
        ):
            self._skipping.append(tag)
            return
        if tag == "br" or tag in self._BLOCK:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag in self._skipping:
                while self._skipping and self._skipping.pop() != tag:
                    pass
            return
        if tag in self._BLOCK:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(re.sub(r"\s+", " ", data))


def _html_to_text(markup: str) -> str:
    try:
        parser = _HTMLText()
        parser.feed(markup)
        parser.close()
        text = "".join(parser.chunks)
    except Exception:  # a last resort: crude tag stripping
        text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    lines = [line.replace("\xa0", " ").strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
