"""Reading a sender's mailbox over IMAP (stdlib ``imaplib``; blocking, so callers use a thread).

The folder is opened read-only (EXAMINE) and bodies are fetched with ``BODY.PEEK[]``: polling
never marks the salesperson's mail as read or changes anything in their mailbox.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass, field
from typing import Protocol

from sequencer.config import ImapSettings, Security
from sequencer.errors import SequencerError

_UID = re.compile(rb"\bUID (\d+)")
_FETCH_CHUNK = 50


class MailboxError(SequencerError):
    """The mailbox could not be read (connection, login or protocol failure)."""


@dataclass(frozen=True)
class Fetched:
    #: The folder's UIDVALIDITY at this poll.
    uidvalidity: int
    #: (UID, raw message) of every message after the position, oldest first.
    messages: list[tuple[int, bytes]] = field(default_factory=list)
    #: True when more new messages wait than ``limit`` allowed.
    more: bool = False


class Mailbox(Protocol):
    def fetch(self, *, uidvalidity: int | None, after_uid: int, limit: int) -> Fetched:
        """Messages with a UID above ``after_uid`` (all of them if ``uidvalidity`` changed)."""
        ...


class ImapMailbox:
    """One sender's folder on an IMAP server."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings

    def fetch(self, *, uidvalidity: int | None, after_uid: int, limit: int = 200) -> Fetched:
        try:
            conn = self._connect()
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"cannot connect to {self.settings.host}:{self.settings.port}: {exc}") from None
        try:
            return self._fetch(conn, uidvalidity, after_uid, limit)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"{self.settings.host}: {exc}") from None
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                conn.logout()

    def _connect(self) -> imaplib.IMAP4:
        s = self.settings
        conn: imaplib.IMAP4
        if s.security is Security.TLS:
            conn = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=ssl.create_default_context(), timeout=s.timeout)
        else:
            conn = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
            if s.security is Security.STARTTLS:
                conn.starttls(ssl.create_default_context())
        password = s.password()
        if s.username is not None:
            try:
                conn.login(s.username, password or "")
            except imaplib.IMAP4.error as exc:
                conn.shutdown()
                raise MailboxError(f"login as {s.username} on {s.host} failed: {exc}") from None
        return conn

    def _fetch(self, conn: imaplib.IMAP4, known: int | None, after_uid: int, limit: int) -> Fetched:
        status, _ = conn.select(_quote(self.settings.mailbox), readonly=True)
        if status != "OK":
            raise MailboxError(f"cannot open folder {self.settings.mailbox!r} on {self.settings.host}")
        uidvalidity = int(conn.response("UIDVALIDITY")[1][0] or 0)
        if known != uidvalidity:
            after_uid = 0  # the server renumbered the folder: read it again (handled messages are skipped by key)
        status, data = conn.uid("SEARCH", "UID", f"{after_uid + 1}:*")
        if status != "OK":
            raise MailboxError(f"UID SEARCH failed on {self.settings.mailbox!r}")
        # "n:*" always matches the last message, even one below n: keep only the new ones
        uids = sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > after_uid)
        wanted, more = uids[:limit], len(uids) > limit
        messages: list[tuple[int, bytes]] = []
        for start in range(0, len(wanted), _FETCH_CHUNK):
            chunk = wanted[start:start + _FETCH_CHUNK]
            status, parts = conn.uid("FETCH", ",".join(map(str, chunk)), "(UID BODY.PEEK[])")
            if status != "OK":
                raise MailboxError(f"FETCH failed on {self.settings.mailbox!r}")
            for part in parts:
                if isinstance(part, tuple) and (match := _UID.search(part[0])):
                    messages.append((int(match.group(1)), part[1]))
        messages.sort(key=lambda m: m[0])
        return Fetched(uidvalidity=uidvalidity, messages=messages, more=more)


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
