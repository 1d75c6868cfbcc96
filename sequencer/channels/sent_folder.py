"""Saving a copy of each sent email in the sender's IMAP Sent folder (``save_sent = true``), for
SMTP servers that do not file sent mail themselves, so the salesperson sees the thread in their
own mail client.

Dispatch hands over each email once its send is recorded (:meth:`SentFolder.add`); at the end
of the tick :meth:`SentFolder.flush` starts APPENDing them in the background, one IMAP connection
per sender, in a thread, the senders side by side, so the saving overlaps the next tick's sends
(or the worker's idle time) instead of holding them up. The next flush, and
:meth:`SentFolder.close` (when dispatch closes), wait for it first. The folder is the one
the server marks ``\\Sent`` (RFC 6154 special use, in its LIST answer), else ``Sent``, created
when missing. A copy that cannot be saved is logged (``sent_folder.failed``) and dropped: it
never fails, delays or repeats the send.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sequencer.config import ImapSettings, Sender
from sequencer.inbound.imap import ImapMailbox

#: Where copies go when the server marks no folder ``\Sent``.
FALLBACK = "Sent"
#: One LIST answer line: its attributes, then (after the delimiter) the folder's name.
_LIST = re.compile(rb'^\((?P<flags>[^)]*)\)\s+(?:"(?:[^"\\]|\\.)*"|NIL)\s+(?P<name>.+)$', re.I)


@dataclass(frozen=True)
class _Copy:
    raw: bytes
    at: datetime


class SentFolder:
    """Copies of sent emails waiting to be saved, per sender."""

    def __init__(
        self, log: Any, *, connect: Callable[[ImapSettings], imaplib.IMAP4] | None = None
    ) -> None:
        self.log = log
        self._connect = connect or (lambda settings: ImapMailbox(settings).connect())
        self._pending: dict[str, tuple[Sender, list[_Copy]]] = {}
        self._saving: asyncio.Future[list[None]] | None = None

    def add(self, sender: Sender, raw: bytes | None, *, at: datetime) -> None:
        """Keep a copy of an email just recorded as sent, if its sender saves sent mail."""
        if sender.save_sent and sender.imap is not None and raw is not None:
            self._pending.setdefault(sender.name, (sender, []))[1].append(_Copy(raw, at))

    async def flush(self) -> None:
        """Wait for the copies being saved, then start saving those kept since, in the
        background (each sender's over one connection). Never raises."""
        await self.close()
        if self._pending:
            pending, self._pending = self._pending, {}
            self._saving = asyncio.gather(*(self._save(s, c) for s, c in pending.values()))

    async def close(self) -> None:
        """Wait until the copies being saved are saved (or their failure logged)."""
        saving, self._saving = self._saving, None
        if saving is not None:
            await saving

    async def _save(self, sender: Sender, copies: list[_Copy]) -> None:
        assert sender.imap is not None
        try:
            folder = await asyncio.to_thread(self._append, sender.imap, copies)
        except Exception as exc:  # a copy never fails or repeats the send
            self.log.warning(
                "sent_folder.failed",
                sender=sender.name,
                copies=len(copies),
                error=f"{type(exc).__name__}: {exc}",
            )
            return
        self.log.info("sent_folder.saved", sender=sender.name, copies=len(copies), folder=folder)

    def _append(self, settings: ImapSettings, copies: Sequence[_Copy]) -> str:
        conn = self._connect(settings)
        try:
            folder = sent_folder(conn)
            for copy in copies:
                when = imaplib.Time2Internaldate(copy.at)
                status, data = conn.append(folder, r"(\Seen)", when, copy.raw)
                if status != "OK":
                    raise imaplib.IMAP4.error(f"APPEND to {folder} refused: {data!r}")
            return folder
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                conn.logout()


def sent_folder(conn: imaplib.IMAP4) -> str:
    """The folder to APPEND to, as the server spells it: the one marked ``\\Sent``, else
    :data:`FALLBACK` (created when the server does not list it)."""
    status, lines = conn.list('""', "*")
    names = [] if status != "OK" else list(listed(lines))
    for name, flags in names:
        if b"\\sent" in flags:
            return name
    fallback = f'"{FALLBACK}"'
    if not any(name.strip('"') == FALLBACK for name, _ in names):
        status, data = conn.create(fallback)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot create {FALLBACK!r}: {data!r}")
    return fallback


def listed(lines: Sequence[Any]) -> list[tuple[str, bytes]]:
    """(name as the server wrote it, lower-cased attributes) of each folder in a LIST answer;
    a name sent as a literal comes as a tuple from imaplib."""
    out: list[tuple[str, bytes]] = []
    for line in lines:
        if isinstance(line, tuple):  # (b'(\\Sent) "/" {13}', b'Sent Messages')
            head, literal = line
            match = _LIST.match(bytes(head).strip())
            # as the server wrote it (modified UTF-7), quoted to be sent back
            name = '"' + bytes(literal).decode("ascii", "replace").replace('"', '\\"') + '"'
        elif isinstance(line, bytes):
            match = _LIST.match(line.strip())
            name = match.group("name").decode("ascii", "replace") if match else ""
        else:
            continue
        if match:
            out.append((name, match.group("flags").lower()))
    return out
