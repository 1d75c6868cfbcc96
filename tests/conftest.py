"""Fixtures for every test folder: the throwaway servers tests/run.sh starts."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from browser import Browser, chromium
from imap_account import ImapAccount


def _missing(what: str) -> None:
    message = f"{what}: run the suite with `bash tests/run.sh`, which installs and starts it"
    if os.environ.get("SEQUENCER_REQUIRE_SERVICES"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def imap(monkeypatch: pytest.MonkeyPatch) -> Iterator[ImapAccount]:
    """The ``sender`` account on the Dovecot server ``tests/run.sh`` starts, emptied for this test."""
    where = os.environ.get("SEQUENCER_TEST_IMAP")
    if not where:
        _missing("no IMAP server (Dovecot)")
    assert where is not None
    host, port = where.rsplit(":", 1)
    monkeypatch.setenv(ImapAccount.PASSWORD_ENV, "secret")
    account = ImapAccount(host=host, port=int(port), user="sender")
    account.reset()
    yield account
    account.reset()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Chromium, driven over the DevTools protocol."""
    if chromium() is None:
        _missing("no Chromium")
    with Browser() as driven:
        yield driven
