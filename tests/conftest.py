"""Fixtures for every test folder: the throwaway servers tests/run.sh starts."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from imap_account import ImapAccount


@pytest.fixture
def imap(monkeypatch: pytest.MonkeyPatch) -> Iterator[ImapAccount]:
    """The ``sender`` account on the Dovecot server ``tests/run.sh`` starts, emptied for this test."""
    where = os.environ.get("SEQUENCER_TEST_IMAP")
    if not where:
        message = "no IMAP server: run the suite with `bash tests/run.sh`, which starts Dovecot"
        if os.environ.get("SEQUENCER_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    host, port = where.rsplit(":", 1)
    monkeypatch.setenv(ImapAccount.PASSWORD_ENV, "secret")
    account = ImapAccount(host=host, port=int(port), user="sender")
    account.reset()
    yield account
    account.reset()
