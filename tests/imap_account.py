"""A mailbox on the test Dovecot server (``tests/services.sh``, started by ``tests/run.sh``)."""

from __future__ import annotations

import imaplib
import re
from dataclasses import dataclass
from datetime import datetime

from sequencer.config import ImapSettings, Security


@dataclass
class ImapAccount:
    """A mailbox on the test Dovecot server: what a sender's INBOX receives is APPENDed here."""

    PASSWORD_ENV = "SEQUENCER_TEST_IMAP_PASSWORD"

    host: str
    port: int
    user: str

    def settings(self, mailbox: str = "INBOX") -> ImapSettings:
        return ImapSettings(
            host=self.host,
            port=self.port,
            security=Security.NONE,
            username=self.user,
            password_env=self.PASSWORD_ENV,
            mailbox=mailbox,
            timeout=10.0,
        )

    def _connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(self.user, "secret")
        return conn

    def other(self, user: str) -> ImapAccount:
        """Another account on the same server (jane, mikko, other: password "secret"), emptied."""
        account = ImapAccount(host=self.host, port=self.port, user=user)
        account.reset()
        return account

    def append(
        self, raw: bytes, mailbox: str = "INBOX", *, arrived: datetime | None = None
    ) -> None:
        """APPEND a message; ``arrived`` sets its INTERNALDATE (default: now)."""
        conn = self._connect()
        try:
            status, data = conn.append(
                mailbox, None, arrived, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            )
            assert status == "OK", data
        finally:
            conn.logout()

    def flags(self, mailbox: str = "INBOX") -> list[bytes]:
        conn = self._connect()
        try:
            conn.select(mailbox, readonly=True)
            _, data = conn.fetch("1:*", "(FLAGS)")
            return [d for d in data if isinstance(d, bytes)]
        finally:
            conn.logout()

    def recreate(self, mailbox: str) -> None:
        """Delete and create a folder again: the server gives it a new UIDVALIDITY."""
        conn = self._connect()
        try:
            conn.delete(mailbox)
            status, data = conn.create(mailbox)
            assert status == "OK", data
        finally:
            conn.logout()

    def reset(self) -> None:
        """Empty INBOX and delete every other folder."""
        conn = self._connect()
        try:
            _, folders = conn.list()
            for line in folders:
                match = re.match(
                    r'\(.*?\) (?:"[^"]*"|NIL) "?([^"]*)"?$',
                    line.decode() if isinstance(line, bytes) else "",
                )
                if match and match.group(1).upper() != "INBOX":
                    conn.delete(f'"{match.group(1)}"')
            _, count = conn.select("INBOX")
            if int(count[0] or 0):
                conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                conn.expunge()
        finally:
            conn.logout()
