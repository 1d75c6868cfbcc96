"""Classify one raw message from a sender's INBOX: bounce, auto-reply, unsubscribe request or reply.

Pure: no I/O, no database, no network and no clock (today's date comes in as an argument).
Standard library only. :func:`classify` never raises: input that cannot be parsed comes back
as :attr:`Kind.OTHER` with a reason.

Rules, checked in this order (the first that fits wins):

1. **BOUNCE**: an RFC 3464 delivery-status report (``message/delivery-status`` part), or a
   non-DSN failure notice recognised by its sender (``mailer-daemon@``, ``postmaster@``) or its
   subject ("Undeliverable:", "Mail delivery failed", ...). 5.x.x is a hard failure, 4.x.x soft.
   A bounce often also carries ``Auto-Submitted``; it is still a bounce.
   ``dsn`` says whether it was read from a delivery-status part; ``policy`` whether the refusal
   is about the sender (5.7.x, "blocked", "spam", DMARC, SPF, reputation, ...).
2. **AUTO_REPLY**: ``Auto-Submitted`` other than ``no`` (RFC 3834), ``X-Autoreply`` /
   ``X-Autorespond`` / ``X-Autoresponder``, ``Precedence: auto_reply / bulk / junk / list``,
   a ``List-Id`` or ``List-Unsubscribe`` header (mailing-list mail is not a person answering),
   an out-of-office subject (English, Finnish, a little German), a ticket-system
   acknowledgement subject ("[Ticket #123]", "We have received your message", "Kiitos
   viestistäsi", ...), a body that opens with "This is an automated response", or a short body
   that quotes nothing and says near its start "out of office", "automatic reply", "away
   until", "lomalla", "poissa", "automaattinen vastaus", ... (an out-of-office answer that
   keeps the ``Re:`` subject and has no RFC 3834 header). The return
   date is read when one is given. ``X-Auto-Response-Suppress`` alone is not enough.
3. **UNSUBSCRIBE**: a human asking to be removed, said in the first few lines of the *new* text
   (before any sign-off or signature), or as the whole subject ("unsubscribe", "Re: remove me",
   what a ``mailto:...?subject=unsubscribe`` link sends). The quoted copy of our own email (with
   its unsubscribe footer) never counts, nor does "remove me from this thread", "take me off
   this one", "no need to unsubscribe me" or "an opt-out period".
4. **REPLY**: anything else that parses and has a From address.
5. **OTHER**: nothing usable.
"""

from __future__ import annotations

import datetime
import email
import email.header
import email.policy
import enum
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser

__all__ = ["Inbound", "Kind", "classify", "fresh_text", "return_date"]

_MAX_TEXT = 2000
_MAX_DIAGNOSTIC = 300
_MAX_DEPTH = 30  # MIME nesting we follow; deeper parts are ignored


class Kind(enum.StrEnum):
    REPLY = "reply"  # a human answer (the caller decides whether it matches one of our sends)
    AUTO_REPLY = "auto_reply"  # out-of-office / vacation / autoresponder
    BOUNCE = "bounce"  # delivery failure report (hard or soft)
    UNSUBSCRIBE = "unsubscribe"  # a human asking to be removed
    OTHER = "other"  # cannot be parsed / nothing usable


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


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def classify(raw: bytes, *, today: datetime.date) -> Inbound:
    """Classify one raw RFC 5322 message. Never raises."""
    try:
        return _classify(raw, _as_date(today))
    except Exception as exc:  # malformed input must never escape as an exception
        return Inbound(kind=Kind.OTHER, reason=f"unparseable: {type(exc).__name__}")


def _classify(raw: bytes, today: datetime.date) -> Inbound:
    if not isinstance(raw, bytes | bytearray | memoryview):
        return Inbound(kind=Kind.OTHER, reason="not bytes")
    data = bytes(raw)
    if not data.strip():
        return Inbound(kind=Kind.OTHER, reason="empty message")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if not _has_headers(msg):
        return Inbound(kind=Kind.OTHER, reason="no headers: not an email")

    subject = _header(msg, "Subject")
    from_address = _from_address(msg)
    common = _Common(
        message_id=_message_id(msg),
        from_address=from_address,
        subject=subject,
        references=_dedup([*_ids(_header(msg, "In-Reply-To")), *_ids(_header(msg, "References"))]),
    )
    body = _body_text(msg)

    bounce = _bounce(msg, common, body)
    if bounce is not None:
        return bounce

    fresh = fresh_text(body)
    text = fresh[:_MAX_TEXT]
    auto = _auto_reply_reason(msg, subject, body)
    if auto is not None:
        back = return_date(f"{subject}\n\n{fresh}", today=today)
        return common.build(Kind.AUTO_REPLY, auto, return_date=back, text=text)

    if from_address is None:
        return common.build(Kind.OTHER, "no From address", text=text)

    phrase = _unsubscribe_phrase(subject, fresh)
    if phrase is not None:
        return common.build(Kind.UNSUBSCRIBE, f"says '{phrase}'", text=text)

    return common.build(
        Kind.REPLY, "human reply" if fresh else "human reply, no new text", text=text
    )


@dataclass(frozen=True, kw_only=True)
class _Common:
    """The fields every kind shares."""

    message_id: str | None
    from_address: str | None
    subject: str
    references: tuple[str, ...]

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


def _as_date(value: datetime.date) -> datetime.date:
    # A datetime is a date too, but comparing one with a plain date raises TypeError.
    return value.date() if isinstance(value, datetime.datetime) else value


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------

_ID_RE = re.compile(r"<[^<>\s]+>")
_ANGLE_ADDRESS_RE = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+)\s*>")
# Addresses in free text: ASCII or internationalised (RFC 6531) local parts and domains.
_EMAIL_RE = re.compile(r"[\w.!#$%&*+/=?^{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _has_headers(msg: Message) -> bool:
    try:
        return len(msg.keys()) > 0
    except Exception:
        return False


def _has_header(msg: Message, name: str) -> bool:
    try:
        return name in msg
    except Exception:
        return False


def _header(msg: Message, name: str) -> str:
    """One header as a single line of decoded text; "" when absent or unreadable."""
    try:
        value = msg.get(name)
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


def _ids(value: str) -> list[str]:
    return _ID_RE.findall(value)


def _message_id(msg: Message) -> str | None:
    value = _header(msg, "Message-ID")
    found = _ids(value)
    if found:
        return found[0]
    value = value.strip().strip("<>").strip()
    if value and " " not in value:
        return f"<{value}>"
    return None


def _dedup(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def _addresses(text: str) -> list[str]:
    """Bare addresses in a piece of text, lower-cased, in order."""
    found = []
    for match in _EMAIL_RE.finditer(text):
        address = match.group(0).strip(".").lower()
        if "@" in address and not address.startswith("@"):
            found.append(address)
    return found


def _address_in_header(value: str) -> str | None:
    angle = _ANGLE_ADDRESS_RE.search(value)
    if angle is not None:
        return angle.group(1).lower()
    found = _addresses(value)
    return found[0] if found else None


def _from_address(msg: Message) -> str | None:
    return _address_in_header(_header(msg, "From"))


def _one_line(text: str, limit: int = _MAX_DIAGNOSTIC) -> str:
    return " ".join(text.split())[:limit]


# --------------------------------------------------------------------------------------------
# MIME structure and text extraction
# --------------------------------------------------------------------------------------------


def _ctype(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "text/plain"


def _is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment"
    except Exception:
        return False


def _parts(part: Message, depth: int = 0) -> Iterator[Message]:
    """Every part of the tree in order, without descending into message/* parts."""
    yield part
    if depth >= _MAX_DEPTH or _ctype(part).startswith("message/"):
        return
    try:
        payload = part.get_payload() if part.is_multipart() else None
    except Exception:
        payload = None
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from _parts(sub, depth + 1)


def _decode_bytes(data: bytes, charset: str | None) -> str:
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


def _part_text(part: Message) -> str:
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
    return _decode_bytes(data, charset).replace("\r\n", "\n").replace("\r", "\n")


def _body_text(msg: Message) -> str:
    """The message's readable text: the first text/plain part, else the first text/html stripped."""
    plain: str | None = None
    markup: str | None = None
    for part in _parts(msg):
        if part.is_multipart() or _is_attachment(part):
            continue
        ctype = _ctype(part)
        if ctype == "text/plain" and plain is None:
            text = _part_text(part)
            if text.strip():
                plain = text
        elif ctype == "text/html" and markup is None:
            markup = _part_text(part)
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


# --------------------------------------------------------------------------------------------
# Fresh text: the newly written part of a reply
# --------------------------------------------------------------------------------------------

_SEPARATOR_RE = re.compile(r"^\s*_{10,}\s*$")
_ORIGINAL_RE = re.compile(
    r"^\s*-{2,}\s*(?:original message|forwarded message|alkuperäinen viesti|välitetty viesti|"
    r"ursprüngliche nachricht|message d'origine|ursprungligt "
    r"meddelande|oorspronkelijk bericht|doorgestuurd bericht|"
    r"mensaje original|mensaje reenviado|opprinnelig melding|oprindelig "
    r"meddelelse|videresendt meddelelse|"
    r"messaggio originale|messaggio inoltrato|mensagem original|mensagem encaminhada)\s*-{2,}\s*$",
    re.IGNORECASE,
)
# Outlook-style header blocks: a "From:" line followed by a "Sent:" line, in the writer's language
# (Dutch Van/Verzonden, Spanish De/Enviado, Norwegian and Danish Fra/Sendt, Italian Da/Inviato,
# Portuguese De/Enviada, ...). Neither line alone starts a quote.
_FROM_LINE_RE = re.compile(
    r"^\s*\**\s*(?:from|lähettäjä|von|de|från|van|fra|da)\s*\**\s*:", re.IGNORECASE
)
_SENT_WORDS = r"sent|lähetetty|gesendet|envoyé|skickat|verzonden|enviad[oa](?:\s+em)?|sendt|inviato"
_SENT_LINE_RE = re.compile(
    rf"^\s*\**\s*(?:{_SENT_WORDS}|date|päivämäärä|datum|data|fecha)\s*\**\s*:", re.IGNORECASE
)
_SENT_INLINE_RE = re.compile(rf"\b(?:{_SENT_WORDS})\s*:", re.IGNORECASE)
_WROTE = r"wrote|kirjoitti|skrev|schrieb|écrit|schreef|escribió|ha\s+scritto|escreveu"
_ATTRIBUTION_END_RE = re.compile(rf"\b(?:{_WROTE})\b.{{0,80}}:\s*$", re.IGNORECASE)
# Quote headers that start with a fixed word; tried first, so a header wrapped over two lines is
# cut where it starts, not where its address line happens to match a generic pattern.
_ATTRIBUTION_ANCHORED_RES = (
    re.compile(r"^\s*On\b.{0,300}\bwrote\s*:\s*$", re.IGNORECASE),  # Gmail, Apple Mail, Thunderbird
    re.compile(r"^\s*Le\b.{0,300}\ba\s+écrit\s*:\s*$", re.IGNORECASE),  # French
    re.compile(r"^\s*Am\b.{0,300}\bschrieb\b.{0,200}:\s*$", re.IGNORECASE),  # German
    re.compile(
        r"^\s*(?:Den|På)\b.{0,300}\bskrev\b.{0,200}:\s*$", re.IGNORECASE
    ),  # Swedish, Norwegian, Danish
    re.compile(r"^\s*Op\b.{0,300}\bschreef\b.{0,200}:\s*$", re.IGNORECASE),  # Dutch
    re.compile(r"^\s*El\b.{0,300}\bescribió\s*:\s*$", re.IGNORECASE),  # Spanish
    re.compile(r"^\s*Il\b.{0,300}\bha\s+scritto\s*:\s*$", re.IGNORECASE),  # Italian
    re.compile(r"^\s*Em\b.{0,300}\bescreveu\s*:\s*$", re.IGNORECASE),  # Portuguese
)
_ATTRIBUTION_GENERIC_RES = (
    re.compile(r"^.{0,300}[@<].{0,300}\bwrote\s*:\s*$", re.IGNORECASE),  # "Ann <ann@x> wrote:"
    # Finnish: "ma 14.12.2026 klo 9.02 Ann <ann@x> kirjoitti:"; the same shape in other languages
    # ("ma. 14. dec. 2026 kl. 09.00 skrev Ann <ann@x>:", "Ann <ann@x> ha scritto:").
    re.compile(
        r"^(?=.*[\d@]).{0,300}\b(?:kirjoitti|schreef|escribió|ha\s+scritto|escreveu)\s*:\s*$",
        re.IGNORECASE,
    ),
    # "man. 14. des. 2026 kl. 09:00 skrev Ann <ann@x>:", "Ann <ann@x> schreef op 14 dec. 2026 om
    # 09:00:"
    re.compile(
        r"^(?=.*[@<]).{0,300}\b(?:skrev|schreef|escribió|ha\s+scritto|escreveu)\b.{0,200}:\s*$",
        re.IGNORECASE,
    ),
)


def _attribution_start(lines: list[str], end: int) -> int | None:
    """If lines[end] closes a quote header ("... wrote:"), the index of the line it starts on."""
    if not _ATTRIBUTION_END_RE.search(lines[end]):
        return None
    for patterns in (_ATTRIBUTION_ANCHORED_RES, _ATTRIBUTION_GENERIC_RES):
        for start in range(
            end, max(-1, end - 3), -1
        ):  # nearest start first: clients wrap long headers
            joined = " ".join(line.strip() for line in lines[start : end + 1])
            if any(pattern.match(joined) for pattern in patterns):
                return start
    return None


def _quote_starts(lines: list[str], index: int) -> int | None:
    line = lines[index]
    if _SEPARATOR_RE.match(line) or _ORIGINAL_RE.match(line):
        return index
    if _FROM_LINE_RE.match(line) and (
        _SENT_INLINE_RE.search(line)
        or any(_SENT_LINE_RE.match(following) for following in lines[index + 1 : index + 6])
    ):
        return index
    return _attribution_start(lines, index)


def fresh_text(body: str) -> str:
    """The newly written part of a reply: without quoted lines and without the quoted message."""
    try:
        lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        cut = len(lines)
        for index in range(len(lines)):
            start = _quote_starts(lines, index)
            if start is not None:
                cut = start
                break
        kept = [line.rstrip() for line in lines[:cut] if not line.lstrip().startswith(">")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    except Exception:
        return ""


# --------------------------------------------------------------------------------------------
# Return date of an out-of-office reply
# --------------------------------------------------------------------------------------------

_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FI_MONTHS = (
    "tammi",
    "helmi",
    "maalis",
    "huhti",
    "touko",
    "kesä",
    "heinä",
    "elo",
    "syys",
    "loka",
    "marras",
    "joulu",
)
_EN_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_FI_MONTH = "|".join(_FI_MONTHS)
_ORDINAL = r"(?:st|nd|rd|th)"

_SLASH_DATE_RE = re.compile(
    r"(?<![\d./])(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4}|\d{2})(?!\d|[./]\d)"
)

# Each pattern has named groups day, month (a number or a name) and, optionally, year.
_DATE_RES = (
    # ISO 8601: 2027-01-05
    re.compile(r"(?<![\d.])(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
    # Numeric with dots, day first (the European way): 5.1.2027, 5.1.27
    re.compile(
        r"(?<![\d./])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})(?!\d|[./]\d)"
    ),
    # Numeric with slashes: 05/01/2027 is 5 January in Europe, 1 May in the US. Both readings
    # are tried; see _slash_date.
    _SLASH_DATE_RE,
    # Numeric without a year, the Finnish way: 5.1.
    re.compile(r"(?<![\d./])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?!\d)"),
    # Day then month name: 5 January 2027, 5th of January, 5. tammikuuta
    re.compile(
        rf"(?<![\d.])(?P<day>\d{{1,2}}){_ORDINAL}?\.?\s*(?:of\s+)?(?P<month>(?:{_EN_MONTH})\b\.?|(?:{_FI_MONTH})kuuta\b)"
        r"(?:,?\s+(?P<year>\d{4})(?!\d))?",
        re.IGNORECASE,
    ),
    # Month name then day: January 5, Jan 5th, 2027, Monday, January 5, tammikuun 5. päivä
    re.compile(
        rf"\b(?P<month>(?:{_EN_MONTH})\b\.?|(?:{_FI_MONTH})kuun\b)\s*(?P<day>\d{{1,2}}){_ORDINAL}?\.?(?!\d)"
        r"(?:\s+päivä\w*)?(?:,?\s+(?P<year>\d{4})(?!\d))?",
        re.IGNORECASE,
    ),
)

# A date counts only after one of these in the same sentence...
_CUE_BEFORE_RE = re.compile(
    r"(?<!\w)(?:back|return|returns|returning|until|till|'til|through|thru|from|palaa\w*|takaisin|paluu\w*)(?!\w)",
    re.IGNORECASE,
)
# ... or just before one of these Finnish postpositions ("6.1. asti", "7.1. alkaen").
_CUE_AFTER_RE = re.compile(r"(?<!\w)(?:asti|saakka|alkaen|lähtien)(?!\w)", re.IGNORECASE)
_CUE_AFTER_GAP = 14  # characters allowed between such a date and its postposition
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")


def _month_number(name: str) -> int | None:
    if name.isdigit():
        return int(name)
    lowered = name.lower().rstrip(".")
    for number, stem in enumerate(_FI_MONTHS, start=1):
        if lowered.startswith(stem + "kuu"):
            return number
    prefix = lowered[:3]
    return _EN_MONTHS.index(prefix) + 1 if prefix in _EN_MONTHS else None


def _resolve(day: int, month: int, year: int | None, today: datetime.date) -> datetime.date | None:
    if year is None:  # the next occurrence on or after today
        for candidate_year in (today.year, today.year + 1):
            try:
                candidate = datetime.date(candidate_year, month, day)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
        return None
    if year < 100:
        year += 2000
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _slash_date(first: int, second: int, year: int, today: datetime.date) -> datetime.date | None:
    """A slash date read both ways (day/month and month/day): the earliest reading within a year
    from today.
    """
    latest = today + datetime.timedelta(days=365)
    readings = {_resolve(first, second, year, today), _resolve(second, first, year, today)}
    usable = [reading for reading in readings if reading is not None and today <= reading <= latest]
    return min(usable) if usable else None


def _dates_in(sentence: str, today: datetime.date) -> list[tuple[int, int, datetime.date]]:
    """(start, end, date) of each date written in the sentence; overlapping readings keep the
    longest.
    """
    found: list[tuple[int, int, re.Match[str]]] = []
    for pattern in _DATE_RES:
        found.extend((match.start(), match.end(), match) for match in pattern.finditer(sentence))
    found.sort(key=lambda item: (item[0], item[0] - item[1]))
    dates: list[tuple[int, int, datetime.date]] = []
    taken_until = -1
    for start, end, match in found:
        if start < taken_until:
            continue
        month = _month_number(match.group("month"))
        year = match.groupdict().get("year")
        if match.re is _SLASH_DATE_RE:
            resolved = _slash_date(
                int(match.group("day")), int(match.group("month")), int(match.group("year")), today
            )
        elif month is None:
            resolved = None
        else:
            resolved = _resolve(int(match.group("day")), month, int(year) if year else None, today)
        if resolved is not None:
            dates.append((start, end, resolved))
            taken_until = end
    return dates


def _sentences(text: str) -> Iterator[str]:
    for paragraph in re.split(r"\n\s*\n", text):
        joined = " ".join(
            paragraph.split()
        )  # plain text bodies are often hard-wrapped mid-sentence
        for sentence in _SENTENCE_SPLIT_RE.split(joined):
            if sentence.strip():
                yield sentence


def return_date(text: str, *, today: datetime.date) -> datetime.date | None:
    """The date the writer says they are back, if one can be read; None otherwise.

    Only dates after a cue ("until", "back", "palaan", ...) in the same sentence count, or a
    date just before a Finnish postposition ("asti", "saakka", "alkaen"). Without a year, the
    next occurrence on or after ``today``. Dates before ``today`` or more than 365 days after it
    are ignored. The first sentence with a usable date wins; within it, the latest date.
    Dotted numeric dates are day first (5.1.2027 is 5 January); a slash date is read both ways
    and the earliest reading within that year ahead wins (01/04/2027: 4 January or 1 April).
    """
    try:
        today = _as_date(today)
        latest = today + datetime.timedelta(days=365)
        for sentence in _sentences(text):
            cues_before = [match.end() for match in _CUE_BEFORE_RE.finditer(sentence)]
            cues_after = [match.start() for match in _CUE_AFTER_RE.finditer(sentence)]
            best: datetime.date | None = None
            for start, end, found in _dates_in(sentence, today):
                cued = any(cue <= start for cue in cues_before) or any(
                    0 <= cue - end <= _CUE_AFTER_GAP for cue in cues_after
                )
                if cued and today <= found <= latest and (best is None or found > best):
                    best = found
            if best is not None:
                return best
    except Exception:
        return None
    return None


# --------------------------------------------------------------------------------------------
# Auto-replies and unsubscribe requests
# --------------------------------------------------------------------------------------------

_OOO_SUBJECT_RE = re.compile(
    r"^\s*(?:(?:re|vs|sv|aw|fw|fwd|wg)\s*:\s*)*[\[(]?\s*(?P<phrase>"
    r"out of (?:the )?office|automatic reply|auto[- ]?reply|away "
    r"from (?:the )?office|on vacation|on leave|vacation reply|"
    r"abwesenheitsnotiz|automatische antwort|réponse automatique|"
    r"automaattinen vastaus|poissa toimistolta|poissaoloilmoitus|poissa|lomalla|lomaviesti"
    r")(?!\w)",
    re.IGNORECASE,
)
_AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder")
# Mailing-list mail is not a person answering (RFC 2369, RFC 2919).
_LIST_HEADERS = ("List-Id", "List-Unsubscribe")
_BULK_PRECEDENCE = ("auto_reply", "auto-reply", "bulk", "junk", "list")
# Help-desk and ticket-system acknowledgements; only ever looked for in the subject.
_ACK_SUBJECT_RE = re.compile(
    r"(?P<phrase>\[\s*(?:ticket|case|incident)\s*(?:#|no\.?|id)?\s*:?\s*#?\s*\d+\s*\]|"
    r"^\s*(?:(?:re|vs|sv|aw|fw|fwd|wg)\s*:\s*)*request\s+received(?=\s*[:\-–]|\s*$)|"
    r"\bwe(?:\s+have|'ve|’ve)\s+received\s+your\s+(?:e-?mail|message|request)\b|"
    r"\bautomatic\s+acknowledg(?:e)?ment\b|"
    r"\byour\s+request\s+(?:\(\s*#?\s*[\w-]+\s*\)\s+|#\s*[\w-]+\s+)?has\s+been\s+received\b|"
    r"\bkiitos\s+viestistäsi\b)",
    re.IGNORECASE,
)
_AUTOMATED_BODY_RE = re.compile(
    r"\s*this\s+is\s+an\s+automated\s+(?P<what>response|message|reply)\b", re.IGNORECASE
)
# An absence notice in the opening of the text itself, for out-of-office answers that keep the
# "Re:" subject and carry no RFC 3834 header. Looked for only in a message that quotes nothing
# (a person answering in the thread usually quotes us; an autoresponder does not), only in its
# first lines, and only when the text is short.
_OOO_BODY_RE = re.compile(
    r"(?<!\w)(?P<phrase>out\s+of\s+(?:the\s+)?office|automatic\s+reply|auto[- "
    r"]?reply|automated\s+reply|"
    r"away\s+(?:from\s+(?:the\s+office|my\s+desk|my\s+e-?mail)\s+)?until|"
    r"on\s+(?:annual\s+|parental\s+|sick\s+)?(?:leave|vacation|holiday)\s+(?:until|till|through)|"
    r"automaattinen\s+vastaus|vuosilomalla|lomalla|lomailen|poissa|abwesend|nicht\s+im\s+büro)(?!\w)",
    re.IGNORECASE,
)
_OOO_BODY_HEAD = 300  # characters of the text's opening the cue must be in
_OOO_BODY_MAX = 1500  # characters of new text beyond which a message is a person writing at length


def _auto_reply_reason(msg: Message, subject: str, body: str) -> str | None:
    auto_submitted = _header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in _AUTO_REPLY_HEADERS:
        if _has_header(msg, name):
            return f"{name} header"
    precedence = _header(msg, "Precedence").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in _LIST_HEADERS:
        if _has_header(msg, name):
            return f"{name} header"
    match = _OOO_SUBJECT_RE.search(subject)
    if match is not None:
        return f"subject '{match.group('phrase')}'"
    match = _ACK_SUBJECT_RE.search(subject)
    if match is not None:
        return f"acknowledgement subject '{' '.join(match.group('phrase').split())}'"
    match = _AUTOMATED_BODY_RE.match(body)
    if match is not None:
        return f"body says 'this is an automated {match.group('what').lower()}'"
    return _absence_notice(body)


def _absence_notice(body: str) -> str | None:
    """An out-of-office text without the headers: unquoted, short, an absence cue in its opening."""
    text = " ".join(body.split())
    if not text or len(text) > _OOO_BODY_MAX or text != " ".join(fresh_text(body).split()):
        return None
    match = _OOO_BODY_RE.search(text[:_OOO_BODY_HEAD])
    if match is None:
        return None
    return f"body says '{' '.join(match.group('phrase').lower().split())}'"


# Unsubscribe requests. Each pattern has a group "phrase", the words the reason quotes.
_OBJECT_THREAD = (
    r"(?:(?:this|that)\s+one|(?:(?:the|this|that|our|these)\s+)?(?:e-?mail\s+|mail\s+)?"
    r"(?:thread|threads|cc|bcc|conversation|chain|loop|discussion|invite|invitation|meeting|call))(?!\w)"
)
_OBJECT_LIST = (
    r"(?:(?:your|the|this|these|that|all|any|our|future)\s+)*"
    r"(?:(?:mailing|e-?mail|distribution|contact|marketing|newsletter|sales|subscriber|subscription)\s+)?"
    r"(?:lists?|mailings?|e-?mails?|distribution|newsletters?|messages|communications?|marketing|database|register)(?!\w)"
)
_UNSUBSCRIBE_RES = (
    re.compile(r"(?<!\w)(?P<phrase>unsubscribe)(?!\w)", re.IGNORECASE),
    # "remove me", but not "remove me from the thread / from cc / off the thread"
    re.compile(
        rf"(?<!\w)(?P<phrase>remove\s+me)(?!\w)(?!\s+(?:from|off(?:\s+of)?)\s+{_OBJECT_THREAD})",
        re.IGNORECASE,
    ),
    # "take me off" only with a list to take me off: "you can take me off this one" is about a
    # thread
    re.compile(
        rf"(?<!\w)(?P<phrase>take\s+me\s+off)(?=\s+(?:of\s+)?{_OBJECT_LIST})", re.IGNORECASE
    ),
    re.compile(
        r"(?<!\w)(?P<phrase>stop\s+e-?mailing\s+me|stop\s+sending\s+me|do\s+not\s+contact\s+me|don['’]?t\s+contact\s+me)(?!\w)",
        re.IGNORECASE,
    ),
    # Opting out, the verb: "opt me out", "opt out of your emails", "I'd like to opt-out." (never
    # the noun: "an opt-out period", "the opt-out clause").
    re.compile(r"(?<!\w)(?P<phrase>opt\s+me\s+out)(?!\w)", re.IGNORECASE),
    re.compile(rf"(?<!\w)(?P<phrase>opt[\s-]?out)\s+(?:of|from)\s+{_OBJECT_LIST}", re.IGNORECASE),
    re.compile(r"(?<!\w)(?:to|i|we|please)\s+(?P<phrase>opt[\s-]?out)(?!\s*[\w-])", re.IGNORECASE),
    re.compile(
        r"^\s*(?:please\s+)?(?P<phrase>opt[\s-]?out)(?:\s+please)?[\s.!]*$",
        re.IGNORECASE | re.MULTILINE,
    ),
    re.compile(
        r"(?<!\w)(?P<phrase>poista\s+minut|poistakaa\s+minut)(?!\w)"
        r"(?!\s+(?:tästä\s+|tältä\s+)?(?:viesti)?(?:ketjusta|keskustelusta|kopiosta|cc:?stä|kopioista))",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?<!\w)(?P<phrase>poista\s+osoitteeni|en\s+halua\s+saada|peru\s+tilaus|peruuta\s+tilaus)(?!\w)",
        re.IGNORECASE,
    ),
)
# A request said the other way round: "no need to unsubscribe me", "I do not want to unsubscribe".
# The negation must be in the same clause, at most a few words before the phrase.
_NEGATION_RE = re.compile(
    r"(?<!\w)(?:no\s+need\s+to|don['’]?t|dont|do\s+not|not|never|without)(?P<between>(?:\s+[\w'’]+){0,3})\s+$",
    re.IGNORECASE,
)
# Words that show the negation is about something else: "not interested unsubscribe me".
_NOT_NEGATING = frozenset(
    {
        "interested",
        "relevant",
        "needed",
        "necessary",
        "useful",
        "signed",
        "subscribed",
        "registered",
        "opted",
        "agreed",
    }
)
_HEAD_LINES = (
    5  # only the first lines of the new text count: signatures and footers say "unsubscribe" too
)
_SIGNATURE_DELIMITER_RE = re.compile(r"^\s*--\s*$")
_SIGN_OFF_RE = re.compile(
    r"^\s*(?:best|best\s+regards|best\s+wishes|all\s+the\s+best|br|kind\s+regards|regards|warm\s+regards|"
    r"warmest\s+regards|many\s+thanks|thanks|thanks\s+again|thank\s+you|thx|cheers|sincerely|yours\s+sincerely|"
    r"yours|ystävällisin\s+terveisin|ystävällisesti|parhain\s+terveisin|terveisin|terv|yst\.?\s*terv|t|kiitos|"
    r"hälsningar|med\s+vänlig\s+hälsning|vänliga\s+hälsningar|mvh|mit\s+freundlichen\s+grüßen|viele\s+grüße|"
    r"beste\s+grüße|liebe\s+grüße|cordialement|met\s+vriendelijke\s+groet(?:en)?|groeten|saludos|un\s+saludo|"
    r"cordiali\s+saluti|atenciosamente|med\s+venlig\s+hilsen|med\s+vennlig\s+hilsen|hilsen)\s*[,.!]?\s*$",
    re.IGNORECASE,
)
_SUBJECT_PREFIX_RE = re.compile(
    r"^\s*(?:(?:re|fwd?|vs|sv|aw|wg)\s*(?:\[\d+\])?\s*:\s*)*", re.IGNORECASE
)
# A subject that is itself a request, whole: "unsubscribe", "Re: Remove me from your list".
_SUBJECT_REQUEST_RE = re.compile(
    r"\s*(?:please\s+)?(?P<phrase>unsubscribe(?:\s+me)?|remove\s+me(?:\s+from\s+(?:your|the|this)\s+(?:mailing\s+)?list)?|"
    r"opt\s+me\s+out|opt[\s-]?out|poista\s+minut(?:\s+listalta)?|poistakaa\s+minut(?:\s+listalta)?|"
    r"peru\s+tilaus|peruuta\s+tilaus|stop\s+e-?mailing\s+me)(?:\s*,?\s*please)?[\s.!]*",
    re.IGNORECASE,
)
_SHORT_BODY = (
    60  # characters of new text that still count as "no message": a signature, "Sent from my phone"
)


def _request_head(fresh: str) -> str:
    """The first few lines of the new text, up to a signature delimiter or a sign-off ("Best,")."""
    kept: list[str] = []
    for line in fresh.split("\n"):
        if not line.strip():
            continue
        if _SIGNATURE_DELIMITER_RE.match(line):
            break
        if kept and _SIGN_OFF_RE.match(line):
            break
        kept.append(line.strip())
        if len(kept) >= _HEAD_LINES:
            break
    return "\n".join(kept)


def _negated(text: str, start: int) -> bool:
    """Whether the words just before ``start`` negate the request there ("don't unsubscribe me")."""
    before = text[:start]
    line_start = before.rfind("\n") + 1
    match = _NEGATION_RE.search(before[line_start:])
    if match is None:
        return False
    between = {word.lower() for word in match.group("between").split()}
    return not between & _NOT_NEGATING


def _phrase(text: str) -> str:
    return " ".join(text.lower().split()).replace("’", "'")


def _requests_in(text: str) -> tuple[str | None, bool]:
    """(the first request phrase that is meant, whether a negated one was seen) in a piece
    of text.
    """
    found = sorted(
        (match.start("phrase"), match.start(), match.group("phrase"))
        for pattern in _UNSUBSCRIBE_RES
        for match in pattern.finditer(text)
    )
    negated = False
    for start, match_start, phrase in found:
        if _negated(text, min(start, match_start)):
            negated = True
            continue
        return _phrase(phrase), negated
    return None, negated


def _unsubscribe_phrase(subject: str, fresh: str) -> str | None:
    """The request phrase when the message asks to be removed; None when it does not."""
    head = _request_head(fresh)
    phrase, negated = _requests_in(head)
    if phrase is not None:
        return phrase
    # The subject counts only when it is itself a request, never for a phrase inside a longer
    # (quoted) subject. "Subject: unsubscribe" with next to no text is what a List-Unsubscribe
    # mailto: link sends; with a longer text that says "don't unsubscribe me", the text wins.
    request = _SUBJECT_REQUEST_RE.fullmatch(_SUBJECT_PREFIX_RE.sub("", subject, count=1))
    if request is None:
        return None
    if negated and len(fresh) > _SHORT_BODY:
        return None
    return _phrase(request.group("phrase"))


# --------------------------------------------------------------------------------------------
# Bounces
# --------------------------------------------------------------------------------------------

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
    r"\b(?:blocked|black\s*-?\s*listed|block\s*-?\s*listed|blacklist|blocklist|spam|policy|policies|dmarc|spf|dkim|reputation)",
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
    if status is not None and status.startswith("5.7."):
        return True
    return diagnostic is not None and _POLICY_RE.search(diagnostic) is not None


def _status_from_diagnostic(diagnostic: str) -> str | None:
    enhanced = _enhanced(diagnostic)
    if enhanced is not None:
        return enhanced
    basic = _BASIC_RE.search(diagnostic)
    if basic is not None:
        return f"{basic.group(1)[0]}.0.0"
    return None


def _bounce(msg: Message, common: _Common, body: str) -> Inbound | None:
    dsn = _dsn_recipients(msg)
    references = _dedup([*common.references, *_original_ids(msg, body)])
    explanation = _explanation(body)
    if dsn:
        return _dsn_bounce(msg, common, dsn, explanation, references)
    by_sender = (
        common.from_address is not None and _BOUNCE_SENDER_RE.match(common.from_address) is not None
    )
    by_subject = _BOUNCE_SUBJECT_RE.match(common.subject) is not None
    if not (by_sender or by_subject):
        return None
    if _SUCCESS_SUBJECT_RE.search(common.subject):
        return common.build(Kind.OTHER, "delivery success notification", references=references)
    status, hard, diagnostic, basis = _status_from_text(
        explanation, delay=_DELAY_SUBJECT_RE.search(common.subject) is not None
    )
    recipients = _failed_recipients_header(msg) or _recipients_in_text(msg, explanation)
    detected = "sender" if by_sender else "subject"
    reason = f"non-DSN bounce ({detected}), {basis}"
    return common.build(
        Kind.BOUNCE,
        reason,
        references=references,
        recipients=recipients,
        status=status,
        hard=hard,
        diagnostic=diagnostic,
        text=explanation[:_MAX_TEXT],
        policy=_is_policy(status, diagnostic),
    )


def _dsn_bounce(
    msg: Message,
    common: _Common,
    dsn: list[_Recipient],
    explanation: str,
    references: tuple[str, ...],
) -> Inbound:
    failed = [rcpt for rcpt in dsn if rcpt.action == "failed"]
    delayed = [rcpt for rcpt in dsn if rcpt.action == "delayed"]
    chosen = failed or delayed
    if not chosen:
        return common.build(Kind.OTHER, "delivery report without failures", references=references)
    first = chosen[0]
    status = (
        first.status
    )  # None only when the block says nothing at all: report it, but not as hard
    recipients = _dedup(
        rcpt.address for rcpt in chosen if rcpt.address
    ) or _failed_recipients_header(msg)
    return common.build(
        Kind.BOUNCE,
        f"DSN status {status}" if status else "DSN without status",
        references=references,
        recipients=recipients,
        status=status,
        hard=status is not None and status.startswith("5"),
        diagnostic=first.diagnostic,
        text=explanation[:_MAX_TEXT],
        dsn=True,
        policy=_is_policy(status, first.diagnostic),
    )


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
        return _part_text(part)
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
                lines.append(_decode_bytes(inner, None))
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
    texts = [_dsn_text(part) for part in _parts(msg) if _ctype(part) in _DSN_TYPES]
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
        found = _addresses(fields.get(key, "").rpartition(";")[2])
        if found:
            address = found[0]
            break
    diagnostic_field = fields.get("diagnostic-code", "")
    diagnostic = (
        _one_line(
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
                _one_line(_line_of(text, match.start())),
                f"status {status}",
            )
    for match in _BASIC_RE.finditer(text):
        line = _line_of(text, match.start())
        if match.group(1)[0] in classes and _FAILURE_CONTEXT_RE.search(line):
            status = f"{match.group(1)[0]}.0.0"
            return status, status.startswith("5"), _one_line(line), f"SMTP {match.group(1)}"
    if delay:
        return "4.0.0", False, None, "delayed"
    permanent = _PERMANENT_RE.search(text)
    if permanent is not None:
        return (
            "5.0.0",
            True,
            _one_line(_line_of(text, permanent.start())),
            f"says '{permanent.group(0).lower()}'",
        )
    return None, False, None, "no status code"


def _failed_recipients_header(msg: Message) -> tuple[str, ...]:
    return _dedup(_addresses(_header(msg, "X-Failed-Recipients")))


def _recipients_in_text(msg: Message, text: str) -> tuple[str, ...]:
    own = {
        address
        for name in ("From", "To", "Return-Path", "Sender")
        for address in _addresses(_header(msg, name))
    }
    return _dedup(
        address
        for address in _addresses(text)
        if address not in own and not _BOUNCE_SENDER_RE.match(address)
    )


def _original_ids(msg: Message, body: str) -> list[str]:
    """Message-ID, In-Reply-To and References of the returned message, wherever the bounce carries
    it.
    """
    found: list[str] = []
    for part in _parts(msg):
        if part is msg:
            continue
        ctype = _ctype(part)
        if ctype in _ORIGINAL_MESSAGE_TYPES:
            try:
                payload = part.get_payload()
            except Exception:
                continue
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                for name in ("Message-ID", "In-Reply-To", "References"):
                    found.extend(_ids(_header(inner, name)))
            elif isinstance(payload, str):
                found.extend(_ids_in_header_text(payload))
        elif ctype in _ORIGINAL_HEADERS_TYPES:
            found.extend(_ids_in_header_text(_part_text(part)))
    found.extend(_ids_in_header_text(body))
    return found


def _ids_in_header_text(text: str) -> list[str]:
    found: list[str] = []
    for match in _ORIGINAL_HEADER_RE.finditer(text.replace("\r\n", "\n")):
        found.extend(_ids(match.group(1)))
    return found
