"""What the inbox poller reads about a batch of messages at once: the messages already recorded,
our sends their Message-IDs name, the contacts they come from or name and those contacts' active
enrollments, each in one ``IN`` look-up (:class:`Lookups`); a message's keys and date
(:class:`Read`, :func:`written_at`); and what the messages planned so far in a batch change
(:class:`Touched`), so a later message about the same people waits for them to be committed
and is read again."""

from __future__ import annotations

import email.policy
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from functools import lru_cache

from sequencer.contacts import ContactRow, contact_key
from sequencer.inbound.classify import Inbound
from sequencer.store import Contact, Enrollment, Send, Store

#: Our Message-IDs (and addresses a report names) looked up per message: a References header
#: can be huge.
MAX_REFERENCES = 100


@dataclass(frozen=True, kw_only=True)
class Read:
    """One fetched message, classified, with the keys it is remembered by."""

    uid: int
    raw: bytes
    info: Inbound
    #: Its key once it is about a contact: one message counts once across all mailboxes.
    shared: str
    #: Its key when it is about nobody we know: settled for this mailbox only.
    own: str

    @classmethod
    def of(cls, mailbox: str, uid: int, raw: bytes, info: Inbound) -> Read:
        """``raw`` as classified (``info``), read from the mailbox of the sender named so."""
        ident = info.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
        return cls(
            uid=uid, raw=raw, info=info, shared=key_of(ident), own=key_of(f"{mailbox}:{ident}")
        )


@dataclass(frozen=True)
class About:
    """Whom a message may be about: contact ids, and address keys (its own and the contacts')."""

    ids: set[int]
    keys: set[str]


@dataclass
class Touched:
    """What the messages planned so far in a batch change: contacts, companies, new addresses."""

    ids: set[int] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    companies: set[str] = field(default_factory=set)

    def add(
        self, contact: Contact | None, company: str | None, referral: ContactRow | None
    ) -> None:
        """Note a planned message's contact, the company it stops and the contact it adds."""
        if contact is not None and contact.id is not None:
            self.ids.add(contact.id)
            self.keys.add(contact.email_key)
        if company is not None:
            self.companies.add(company)
        if referral is not None:
            self.keys.add(referral.email_key)

    def overlaps(self, about: About) -> bool:
        """Whether a message may read what a planned one changes."""
        return bool(
            about.ids & self.ids
            or about.keys & self.keys
            or any(key.rpartition("@")[2] in self.companies for key in about.keys)
        )


@dataclass
class Lookups:
    """A batch's reads, made with a few ``IN`` queries before its messages are planned."""

    #: Keys of the messages recorded already (and of those planned in this batch).
    seen: set[str]
    #: Our sends by their Message-ID.
    sends: dict[str, list[Send]]
    contacts_by_id: dict[int, Contact]
    #: Contacts by ``email_key``.
    by_key: dict[str, Contact]
    #: The active enrollment of each contact above that has one.
    active: dict[int, Enrollment]
    #: ``contact_key`` of each address the messages name.
    keys: dict[str, str]

    @classmethod
    def read(cls, store: Store, reads: Sequence[Read]) -> Lookups:
        """Everything the messages of ``reads`` may need, in one read transaction."""
        message_ids = [i for r in reads for i in _message_ids(r.info)]
        keys = {a: _key(a) for r in reads for a in _addresses(r.info)}
        found = store.inbox_batch_reads(
            [key for r in reads for key in (r.shared, r.own)],
            message_ids,
            [_key(key) for key in dict.fromkeys(keys.values())],
        )
        sends: dict[str, list[Send]] = {}
        for send in found.sends:
            sends.setdefault(send.message_id or "", []).append(send)
        return cls(found.seen, sends, found.contacts_by_id, found.by_key, found.active, keys)

    def recorded(self, *keys: str) -> bool:
        """Whether a message with one of these keys was recorded (or planned) already."""
        return any(key in self.seen for key in keys)

    def remember(self, key: str) -> None:
        """A message planned in this batch: the same message later in it is a duplicate."""
        self.seen.add(key)

    def sends_named(self, message_ids: Iterable[str]) -> list[Send]:
        """Our sends with these Message-IDs, newest first (as the store lists them)."""
        found = {s.id: s for i in message_ids for s in self.sends.get(i, ())}
        return sorted(found.values(), key=_newest, reverse=True)

    def contact(self, address: str) -> Contact | None:
        """The contact with this address, if any."""
        key = self.keys.get(address)
        return self.by_key.get(key if key is not None else _key(address))

    def about(self, read: Read) -> About:
        """Whom ``read`` may be about: the contacts of the sends it names, and the addresses it
        comes from, names or refers to."""
        ids = {s.contact_id for s in self.sends_named(_message_ids(read.info))}
        keys = {self.keys.get(a) or _key(a) for a in _addresses(read.info)}
        for contact in (self.contacts_by_id.get(i) for i in list(ids)):
            if contact is not None:
                keys.add(contact.email_key)
        ids |= {c.id for k in keys if (c := self.by_key.get(k)) is not None and c.id is not None}
        return About(ids, keys)


def _message_ids(info: Inbound) -> list[str]:
    """The Message-IDs a message names (its own, to tell a copy of ours), bounded."""
    named = list(info.references[:MAX_REFERENCES])
    return [*named, info.message_id] if info.message_id else named


def _addresses(info: Inbound) -> list[str]:
    """The addresses a message may be about: its writer, the recipients a report names and the
    address a referral gives."""
    found = [info.from_address] if info.from_address else []
    found.extend(info.recipients[:MAX_REFERENCES])
    return [*found, info.referred] if info.referred else found


def _newest(send: Send) -> tuple[bool, datetime | None, int]:
    """``ORDER BY sent_at, id`` (a send not out yet sorts first, as SQLite puts NULL)."""
    return (send.sent_at is not None, send.sent_at, send.id or 0)


#: :func:`contact_key` (a pure function, and the costliest step of a look-up), remembered.
_key = lru_cache(maxsize=8192)(contact_key)


def key_of(ident: str) -> str:
    """A fixed-size key for a message identity (a Message-ID can be arbitrarily long)."""
    return hashlib.sha256(ident.encode("utf-8", "replace")).hexdigest()


def written_at(raw: bytes) -> datetime | None:
    """The message's Date header as an aware datetime, if it has a readable one."""
    try:
        value = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw[:65536]).get("Date")
        parsed = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
