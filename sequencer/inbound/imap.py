"""Reading a sender's mailbox over IMAP (stdlib ``imaplib``; blocking, so callers use a thread).

The folder is opened read-only (EXAMINE) and bodies are fetched with ``BODY.PEEK[]``: polling
never marks the salesperson's mail as read or changes anything in their mailbox.

Certificates are always verified (the system's CAs, or ``ca_file``). A mailbox with OAuth2
logs in with SASL XOAUTH2 or OAUTHBEARER and an access token from :mod:`sequencer.oauth`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import imaplib
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sequencer import oauth
from sequencer.config import ImapSettings, Security
from sequencer.errors import SequencerError

_UID = re.compile(rb"\bUID (\d+)")
_FETCH_CHUNK = 50
#: Bytes of each message fetched: headers and text are at the start; attachments are not needed.
MAX_BYTES = 256 * 1024
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
    def fetch(
        self, *, uidvalidity: int | None, after_uid: int, limit: int, since: date | None = None
    ) -> Fetched:
        """Messages with a UID above ``after_uid``.

        When ``uidvalidity`` is not the folder's (a first poll, or the server renumbered the
        folder), the UIDs mean nothing: then it returns the messages that arrived on or after
        ``since`` (all of them when None).
        """
        ...


class FetchAhead:
    """A folder's next batch fetched in a worker thread while the caller handles the current one
    (the protocol client is used by one thread at a time: each fetch has its own connection,
    and at most one runs). :meth:`start` asks for the messages after a position; :meth:`fetch`
    returns them when asked for that same position, and otherwise (the current batch was not
    all recorded) waits for that answer, drops it, and fetches afresh."""

    def __init__(self, mailbox: Mailbox, *, limit: int) -> None:
        self.mailbox, self.limit = mailbox, limit
        self._pending: tuple[tuple[int | None, int], asyncio.Future[Fetched]] | None = None

    def start(self, *, uidvalidity: int, after_uid: int, since: date | None) -> None:
        """Begin fetching the messages after ``after_uid`` (see :meth:`Mailbox.fetch`)."""
        call = functools.partial(
            contextvars.copy_context().run, self._fetch, uidvalidity, after_uid, since
        )
        future = asyncio.get_running_loop().run_in_executor(None, call)
        future.add_done_callback(_retrieved)  # an answer never asked for is not an error
        self._pending = ((uidvalidity, after_uid), future)

    async def fetch(
        self, *, uidvalidity: int | None, after_uid: int, since: date | None
    ) -> Fetched:
        """The messages after ``after_uid``: the answer :meth:`start` began, if it is for this
        position; else fetched now, in a worker thread."""
        pending, self._pending = self._pending, None
        if pending is not None:
            position, future = pending
            if position == (uidvalidity, after_uid):
                return await future
            with contextlib.suppress(Exception):
                await future
        return await asyncio.to_thread(self._fetch, uidvalidity, after_uid, since)

    def _fetch(self, uidvalidity: int | None, after_uid: int, since: date | None) -> Fetched:
        return self.mailbox.fetch(
            uidvalidity=uidvalidity, after_uid=after_uid, limit=self.limit, since=since
        )


def _retrieved(future: asyncio.Future[Fetched]) -> None:
    if not future.cancelled():
        future.exception()


class ImapMailbox:
    """One sender's folder on an IMAP server."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings

    def check(self) -> None:
        """Log in and out (``sequencer senders check``); raises :class:`MailboxError` saying what
        failed.
        """
        where = f"{self.settings.host}:{self.settings.port}"
        conn = self._open(where)
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()

    def fetch(
        self,
        *,
        uidvalidity: int | None,
        after_uid: int,
        limit: int = 100,
        since: date | None = None,
    ) -> Fetched:
        where = f"{self.settings.host}:{self.settings.port}"
        conn = self._open(where)
        try:
            return self._fetch(conn, uidvalidity, after_uid, limit, since)
        except (OSError, imaplib.IMAP4.error, UnicodeError, ValueError) as exc:
            raise MailboxError(f"{where}: {type(exc).__name__}: {exc}") from None
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                conn.logout()

    def connect(self) -> imaplib.IMAP4:
        """A logged-in connection, which the caller logs out (the Sent folder's copies use it);
        :class:`MailboxError` saying what failed."""
        return self._open(f"{self.settings.host}:{self.settings.port}")

    def _open(self, where: str) -> imaplib.IMAP4:
        try:
            return self._connect()
        except MailboxError:
            raise
        except (oauth.ReconnectNeeded, oauth.TokenUnavailable) as exc:
            raise MailboxError(exc.message) from None
        except ssl.SSLCertVerificationError as exc:
            raise MailboxError(
                f"{where}: certificate not trusted ({exc.verify_message}); nothing was read "
                "(set imap.ca_file for a private CA)"
            ) from None
        except (OSError, imaplib.IMAP4.error, UnicodeError) as exc:
            raise MailboxError(f"cannot connect to {where}: {exc}") from None

    def _connect(self) -> imaplib.IMAP4:
        s = self.settings
        conn: imaplib.IMAP4
        context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        if s.security is Security.TLS:
            conn = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=context, timeout=s.timeout)
        else:
            conn = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
        try:
            if s.security is Security.STARTTLS:
                conn.starttls(context)
            if s.oauth is not None:
                self._oauth_login(conn)
            elif s.username is not None:
                self._login(conn, s.username, s.password() or "")
        except BaseException:
            with contextlib.suppress(OSError):
                conn.shutdown()
            raise
        return conn

    def _login(self, conn: imaplib.IMAP4, user: str, password: str) -> None:
        try:
            if user.isascii() and password.isascii():
                conn.login(user, password)
            else:  # LOGIN is ASCII only; SASL PLAIN carries UTF-8
                conn.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode())
        except imaplib.IMAP4.error as exc:
            raise MailboxError(f"login as {user} on {self.settings.host} failed: {exc}") from None

    def _oauth_login(self, conn: imaplib.IMAP4) -> None:
        """AUTHENTICATE XOAUTH2 / OAUTHBEARER; once more with a freshly refreshed token if
        refused.
        """
        s = self.settings
        assert s.oauth is not None
        settings = s.oauth
        for force in (False, True):
            token = oauth.access_token(settings, force=force)
            initial = oauth.sasl(
                settings.mechanism, s.username or "", token, host=s.host, port=s.port
            )
            try:
                conn.authenticate(settings.mechanism.upper(), _responder(initial))
                return
            except imaplib.IMAP4.error as exc:
                refused = exc
        raise MailboxError(
            f"login as {s.username} on {s.host} with a freshly refreshed token failed: {refused} "
            "(is IMAP enabled for this mailbox, and the scope granted?)"
        )

    def _fetch(
        self, conn: imaplib.IMAP4, known: int | None, after_uid: int, limit: int, since: date | None
    ) -> Fetched:
        status, _ = conn.select(_quote(self.settings.mailbox), readonly=True)
        if status != "OK":
            raise MailboxError(
                f"cannot open folder {self.settings.mailbox!r} on {self.settings.host}"
            )
        uidvalidity = int(conn.response("UIDVALIDITY")[1][0] or 0)
        if known != uidvalidity:
            # a first poll, or the server renumbered the folder: UIDs mean nothing, dates do
            # (messages handled before are skipped by their Message-ID)
            after_uid = 0
            criteria = (
                ("SINCE", f"{since.day}-{_MONTHS[since.month - 1]}-{since.year}")
                if since
                else ("ALL",)
            )
        else:
            criteria = ("UID", f"{after_uid + 1}:*")
        status, data = conn.uid("SEARCH", *criteria)
        if status != "OK":
            raise MailboxError(f"UID SEARCH failed on {self.settings.mailbox!r}")
        # "n:*" always matches the last message, even one below n: keep only the new ones
        uids = sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > after_uid)
        wanted, more = uids[:limit], len(uids) > limit
        messages: list[tuple[int, bytes]] = []
        for start in range(0, len(wanted), _FETCH_CHUNK):
            chunk = wanted[start : start + _FETCH_CHUNK]
            status, parts = conn.uid(
                "FETCH", ",".join(map(str, chunk)), f"(UID BODY.PEEK[]<0.{MAX_BYTES}>)"
            )
            if status != "OK":
                raise MailboxError(f"FETCH failed on {self.settings.mailbox!r}")
            messages.extend(_fetched(parts))
        got = {uid for uid, _ in messages}
        if wanted and not got:
            raise MailboxError(
                f"FETCH on {self.settings.mailbox!r} returned "
                f"none of the {len(wanted)} messages asked for"
            )
        messages.sort(key=lambda m: m[0])
        asked = set(wanted)
        return Fetched(
            uidvalidity=uidvalidity, messages=[m for m in messages if m[0] in asked], more=more
        )


def _responder(initial: bytes) -> Callable[[bytes], bytes | None]:
    """SASL answers for imaplib: the token first; a second challenge is the server's error,
    answered empty.
    """
    answers = iter((initial, b""))

    def answer(_challenge: bytes) -> bytes | None:
        return next(answers, None)

    return answer


def _fetched(parts: list[Any]) -> list[tuple[int, bytes]]:
    """(UID, bytes) from a FETCH response; the UID may come before or after the literal."""
    out: list[tuple[int, bytes]] = []
    pending: bytes | None = None
    for part in parts:
        if isinstance(part, tuple):
            head, body = part
            match = _UID.search(head)
            if match:
                out.append((int(match.group(1)), body))
                pending = None
            else:
                pending = body
        elif isinstance(part, bytes) and pending is not None and (match := _UID.search(part)):
            out.append((int(match.group(1)), pending))
            pending = None
    return out


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
