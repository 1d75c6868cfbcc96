"""The reply-intent corpus (tests/unit/intent_corpus/*.yaml) read into raw messages, for
tests/unit/test_intent.py and bench/classify.py.

Each YAML entry holds ``id``, ``lang`` (en, fi, sv, de), the expected ``intent``, a ``body``
and optionally a ``subject``, ``to`` (the one our mail came from, whom the reply answers:
Anna Myyjä unless given), extra ``headers``, the expected ``referred`` address or ``back``
(return date), and ``quote``: the quoted copy of our first email to append, as ``gmail`` or
``outlook`` (in the reply's language), which says "interested" and carries an unsubscribe
footer, as ours do. The messages were written for these tests; people and companies are made up.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sequencer.inbound.classify import classify
from sequencer.inbound.verdict import Inbound

#: "Today" for every corpus message (the day the replies are read).
TODAY = datetime.date(2026, 12, 14)
CORPUS = Path(__file__).parent / "unit" / "intent_corpus"

_ORIGINAL = {
    "en": (
        "Pallet tracking for your warehouses",
        "Hi,\n\nWould you be interested in a 15-minute call about cutting pallet losses at your\n"
        "warehouses? We help logistics teams track every pallet.\n\nBest,\nAnna Myyjä\nAcme Oy\n\n"
        "Not interested? Unsubscribe here: https://acme.example/u/abc",
    ),
    "fi": (
        "Lavaseuranta varastoillenne",
        "Hei,\n\nKiinnostaisiko lyhyt puhelu lavahävikin pienentämisestä varastoissanne? Autamme\n"
        "logistiikkatiimejä seuraamaan jokaista lavaa.\n\nTerveisin\nAnna Myyjä\nAcme Oy\n\n"
        "Etkö halua enää viestejämme? Peru tilaus: https://acme.example/u/abc",
    ),
    "sv": (
        "Pallspårning för era lager",
        "Hej,\n\nSkulle ni vara intresserade av ett kort samtal om pallförluster? Vi hjälper\n"
        "logistikteam att spåra varje pall.\n\nHälsningar\nAnna Myyjä\nAcme Oy\n\n"
        "Vill du inte få fler mejl? Avregistrera dig: https://acme.example/u/abc",
    ),
    "de": (
        "Palettenverfolgung für Ihre Lager",
        "Hallo,\n\nhätten Sie Interesse an einem kurzen Gespräch über Palettenverluste? Wir\n"
        "helfen Logistikteams, jede Palette zu verfolgen.\n\nViele Grüße\nAnna Myyjä\nAcme Oy\n\n"
        "Keine Mails mehr? Hier abmelden: https://acme.example/u/abc",
    ),
}
_GMAIL = {
    "en": "On Mon, 14 Dec 2026 at 9.02, Anna Myyjä <anna.myyja@acme.example> wrote:",
    "fi": "ma 14.12.2026 klo 9.02 Anna Myyjä <anna.myyja@acme.example> kirjoitti:",
    "sv": "Den 14 dec. 2026 kl. 09:02 skrev Anna Myyjä <anna.myyja@acme.example>:",
    "de": "Am 14.12.2026 um 09:02 schrieb Anna Myyjä <anna.myyja@acme.example>:",
}
_OUTLOOK = {
    "en": ("From", "Sent", "Monday, December 14, 2026 9:02 AM", "To", "Subject"),
    "fi": ("Lähettäjä", "Lähetetty", "maanantai 14. joulukuuta 2026 9.02", "Vastaanottaja", "Aihe"),
    "sv": ("Från", "Skickat", "den 14 december 2026 09:02", "Till", "Ämne"),
    "de": ("Von", "Gesendet", "Montag, 14. Dezember 2026 09:02", "An", "Betreff"),
}


@dataclass(frozen=True, kw_only=True)
class Case:
    """One corpus message and what it should be read as."""

    id: str
    lang: str
    intent: str
    raw: bytes
    referred: str | None = None
    back: datetime.date | None = None
    tags: tuple[str, ...] = field(default=())


def _quoted(lang: str, style: str) -> str:
    subject, text = _ORIGINAL[lang]
    if style == "gmail":
        return _GMAIL[lang] + "\n" + "\n".join(f"> {line}".rstrip() for line in text.split("\n"))
    sender, sent, when, to, about = _OUTLOOK[lang]
    return (
        f"{sender}: Anna Myyjä <anna.myyja@acme.example>\n{sent}: {when}\n"
        f"{to}: reply@customer.example\n{about}: {subject}\n\n{text}"
    )


def _raw(entry: dict[str, Any]) -> bytes:
    lang = entry["lang"]
    subject = entry.get("subject", "Re: " + _ORIGINAL[lang][0])
    sender = entry.get("from", "Reply Person <reply@customer.example>")
    body = entry["body"].rstrip("\n")
    if entry.get("quote"):
        body += "\n\n" + _quoted(lang, entry["quote"])
    headers = {
        "From": sender,
        "To": entry.get("to", "Anna Myyjä <anna.myyja@acme.example>"),
        "Subject": subject,
        "Date": "Mon, 14 Dec 2026 11:30:00 +0200",
        "Message-ID": f"<{entry['id']}@customer.example>",
        "In-Reply-To": "<seq.corpus.1@acme.example>",
        **entry.get("headers", {}),
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Transfer-Encoding": "8bit",
    }
    head = "".join(f"{name}: {value}\n" for name, value in headers.items())
    return (head + "\n" + body + "\n").encode("utf-8")


def load(name: str | Path) -> list[Case]:
    """The cases of one corpus file: a name in tests/unit/intent_corpus/ (``corpus.yaml``) or
    the path of any file in the same format.
    """
    path = name if isinstance(name, Path) else CORPUS / name
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Case(
            id=entry["id"],
            lang=entry["lang"],
            intent=entry["intent"],
            raw=_raw(entry),
            referred=entry.get("referred"),
            back=entry.get("back"),
            tags=tuple(entry.get("tags", ())),
        )
        for entry in entries
    ]


def reply_to_us(
    body: str, lang: str = "en", *, today: datetime.date = TODAY, **entry: Any
) -> Inbound:
    """What the classifier makes of ``body`` as a reply to our first email, read on ``today``
    (:func:`_raw` builds it; ``entry`` gives its other keys: ``to``, ``quote``, ``headers``...)."""
    return classify(_raw({"id": "t", "lang": lang, "body": body, **entry}), today=today)
