"""Saved to Sent (issue 14, item 8): with ``save_sent = true`` each email sent is APPENDed to
the sender's Sent folder on a real Dovecot server, on SQLite and PostgreSQL; an IMAP server that
cannot be reached never fails, delays or repeats a send."""

from __future__ import annotations

import email
import email.policy
import imaplib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import structlog
from imap_account import ImapAccount
from sending_rig import Rig, person

from sequencer.channels.sent_folder import FALLBACK, listed
from sequencer.config.senders import parse_sender
from sequencer.errors import ConfigError
from sequencer.testing import free_port


def folder_messages(account: ImapAccount, folder: str) -> list[tuple[bytes, bytes]]:
    """(FLAGS line, raw message) of every message in ``folder``."""
    conn = imaplib.IMAP4(account.host, account.port, timeout=10)
    conn.login(account.user, "secret")
    try:
        status, _ = conn.select(f'"{folder}"', readonly=True)
        assert status == "OK", f"no folder {folder!r}"
        _, data = conn.fetch("1:*", "(FLAGS BODY.PEEK[])")
        return [(head, body) for head, body in (d for d in data if isinstance(d, tuple))]
    finally:
        conn.logout()


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_each_sent_email_lands_in_the_sent_folder(
    rig_factory: Callable[..., Rig], imap: ImapAccount
) -> None:
    account = imap.other("other")  # an account of its own: the shared one is emptied by others
    rig = rig_factory(imap=account.settings(), save_sent=True)
    rig.import_rows([person(i) for i in range(1, 4)])
    rig.engine.enroll("cold", sender="jane")
    rig.run(days=1)
    sent = {s.message_id: s for s in rig.sends() if s.status == "sent"}
    assert len(sent) == 3
    saved = folder_messages(account, FALLBACK)  # Dovecot marks no folder \Sent: created
    by_id = {}
    for flags, raw in saved:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        by_id[parsed["Message-ID"]] = raw
        assert b"\\Seen" in flags
    assert set(by_id) == set(sent)
    # the copy is the message as it went out over SMTP, byte for byte
    for captured in rig.smtp.messages:
        assert crlf(by_id[captured.message["Message-ID"]]) == crlf(captured.raw)

    rig.run(days=10)  # the follow-ups go to the same folder, which exists by now
    sent_now = {s.message_id for s in rig.sends() if s.status == "sent"}
    assert len(sent_now) > 3
    copies = [
        email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]
        for _, raw in folder_messages(account, FALLBACK)
    ]
    assert sorted(copies) == sorted(sent_now)  # each once


def test_an_unreachable_imap_server_never_fails_or_repeats_a_send(
    rig_factory: Callable[..., Rig], imap: ImapAccount
) -> None:
    nowhere = replace(imap.settings(), port=free_port(), timeout=2.0)
    rig = rig_factory(imap=nowhere, save_sent=True)
    rig.import_rows([person(i) for i in range(1, 4)])
    rig.engine.enroll("cold", sender="jane")
    with structlog.testing.capture_logs() as logs:
        rig.run(days=1)
    assert [s.status for s in rig.sends() if s.step_index == 0] == ["sent"] * 3
    assert len(rig.smtp.messages) == 3
    failed = [e for e in logs if e["event"] == "sent_folder.failed"]
    assert {e["sender"] for e in failed} == {"jane"} and sum(e["copies"] for e in failed) == 3
    assert all("Connection refused" in e["error"] for e in failed)
    rig.run(days=1.5)  # nothing is sent again
    assert len([m for m in rig.smtp.messages if not m.message["In-Reply-To"]]) == 3


BASE: dict[str, Any] = {"name": "jane", "email": "jane@acme.example"}


def test_save_sent_is_validated() -> None:
    imap = {"host": "127.0.0.1", "security": "none"}
    assert parse_sender({**BASE, "imap": imap, "save_sent": True}, "senders[0]").save_sent
    assert not parse_sender({**BASE, "imap": imap}, "senders[0]").save_sent
    with pytest.raises(ConfigError, match=r"senders\[0\]\.save_sent: should be true or false"):
        parse_sender({**BASE, "imap": imap, "save_sent": "yes"}, "senders[0]")
    with pytest.raises(ConfigError, match=r"senders\[0\]\.save_sent: needs the sender's"):
        parse_sender({**BASE, "save_sent": True}, "senders[0]")


def test_the_folder_marked_sent_is_chosen() -> None:
    """LIST answers as Dovecot (special_use configured), Gmail and a literal name give them."""
    lines: list[Any] = [
        b'(\\HasNoChildren) "." INBOX',
        b'(\\HasNoChildren \\Sent) "." "Sent Items"',
        b'(\\HasNoChildren) "/" "[Gmail]/All Mail"',
        (b'(\\HasNoChildren \\Sent) "/" {18}', b"[Gmail]/Sent Mail"),
        b'(\\Noselect \\HasChildren) NIL "Archive"',
    ]
    found = listed(lines)
    assert [name for name, flags in found if b"\\sent" in flags] == [
        '"Sent Items"',
        '"[Gmail]/Sent Mail"',
    ]
    assert [name for name, _ in found] == [
        "INBOX",
        '"Sent Items"',
        '"[Gmail]/All Mail"',
        '"[Gmail]/Sent Mail"',
        '"Archive"',
    ]
