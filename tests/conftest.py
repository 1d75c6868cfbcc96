"""Fixtures for every test folder: the throwaway servers tests/run.sh starts."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import fuzzcounts
import pytest
from browser import Browser, chromium
from dns_server import DnsServer
from imap_account import ImapAccount
from oauth_provider import MailHost, Provider


def _missing(what: str) -> None:
    message = f"{what}: run the suite with `bash tests/run.sh`, which installs and starts it"
    if os.environ.get("SEQUENCER_REQUIRE_SERVICES"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def imap(monkeypatch: pytest.MonkeyPatch) -> Iterator[ImapAccount]:
    """The ``sender`` account on the Dovecot server ``tests/run.sh`` starts, emptied for
    this test.
    """
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


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty database on the throwaway PostgreSQL ``tests/run.sh`` starts; dropped
    afterwards.
    """
    server = os.environ.get("SEQUENCER_TEST_PG")
    if not server:
        _missing("no PostgreSQL server")
    assert server is not None
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield server.rsplit("/", 1)[0] + f"/{name}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """The same test on SQLite (a file) and on PostgreSQL (a fresh database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/db.sqlite"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture(scope="session")
def mailhost() -> MailHost:
    """Postfix (submission, STARTTLS from a test CA, SASL through Dovecot) and Dovecot (JWT access
    tokens validated locally, IMAP over TLS, deliveries over LMTP) that ``tests/run.sh`` starts."""
    where = os.environ.get("SEQUENCER_TEST_MAILHOST")
    if not where:
        _missing("no Postfix and Dovecot mail host")
    assert where is not None
    return MailHost.parse(where)


@pytest.fixture(scope="session")
def dns_server() -> DnsServer:
    """dnsmasq on loopback, serving the .test zones of the DNS checks (``tests/services.sh``
    lists them), every query logged."""
    where = os.environ.get("SEQUENCER_TEST_DNS")
    if not where:
        _missing("no DNS server (dnsmasq)")
    assert where is not None
    return DnsServer.parse(where)


@pytest.fixture
def provider(mailhost: MailHost) -> Iterator[Provider]:
    """A real OAuth2 token endpoint on 127.0.0.1 whose JWTs the mail host accepts."""
    server = Provider(key=mailhost.signing_key)
    yield server
    server.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fuzz tests' counts (``tests/fuzzcounts.py``), whether or not ``-s`` was given."""
    lines = fuzzcounts.table()
    if lines:
        terminalreporter.write_sep("-", "fuzz targets: inputs tried, tracebacks, ...")
        for line in lines:
            terminalreporter.write_line(line)
