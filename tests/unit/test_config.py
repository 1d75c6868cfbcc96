"""The configuration file: the shipped example parses, and mistakes name the setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sequencer.config import HttpSettings, Security, load_config, parse_config
from sequencer.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def sender(**extra: Any) -> dict[str, Any]:
    return {"name": "jane", "email": "jane@acme.example", **extra}


def test_the_example_config_parses() -> None:
    config = load_config(REPO / "examples" / "sequencer.toml")
    jane = config.senders["jane"]
    assert jane.imap is not None and jane.imap.security is Security.TLS and jane.imap.mailbox == "INBOX"
    assert config.http.public_url == "https://links.acme.example"
    assert not config.http.track_opens and not config.http.track_clicks
    assert config.poll_seconds == 60


@pytest.mark.parametrize(("data", "message"), [
    ({"senders": [sender(imap={"host": "x", "password": "hunter2"})]}, "never put a password in the file"),
    ({"senders": [sender(imap={"port": 993})]}, "'host' is required"),
    ({"senders": [sender(imap={"host": "x", "security": "ssl"})]}, "security: use tls, starttls or none"),
    ({"senders": [sender(imap={"host": "x", "folder": "INBOX"})]}, "unknown setting 'folder'"),
    ({"http": {"track_clicks": True}}, "tracking needs public_url"),
    ({"http": {"public_url": "links.acme.example"}}, "should be a URL"),
    ({"http": {"secret": "abc"}}, "never put a secret in the file"),
    ({"http": {"track_opens": "yes", "public_url": "https://l.example"}}, "track_opens: should be true or false"),
    ({"inbox": {"poll": 5}}, "unknown setting 'poll'"),
    ({"http": {"public_url": "http://links.acme.example"}}, "use https"),
    ({"senders": [sender(imap={"host": "x", "mailbox": "Sent Items"})]}, "holds our own mail"),
    ({"senders": [sender(imap={"host": "x", "mailbox": "[Gmail]/Sent Mail"})]}, "holds our own mail"),
    ({"inbox": {"poll_seconds": "soon"}}, "inbox.poll_seconds"),
])
def test_mistakes_name_the_setting(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert message in caught.value.message


def test_link_secrets_come_from_the_environment_and_must_be_long(monkeypatch: pytest.MonkeyPatch) -> None:
    http = HttpSettings(public_url="https://l.example")
    monkeypatch.delenv("SEQUENCER_HTTP_SECRET", raising=False)
    with pytest.raises(ConfigError, match="SEQUENCER_HTTP_SECRET"):
        http.secret()
    monkeypatch.setenv("SEQUENCER_HTTP_SECRET", "short")
    with pytest.raises(ConfigError, match="too short"):
        http.secret()
    monkeypatch.setenv("SEQUENCER_HTTP_SECRET", "x" * 32)
    assert http.secret() == b"x" * 32


def test_http_public_url_may_be_plain_http_on_loopback_only() -> None:
    assert parse_config({"http": {"public_url": "http://127.0.0.1:8080/"}}).http.public_url == "http://127.0.0.1:8080"
    assert parse_config({"http": {"public_url": "https://l.example/base/"}}).http.public_url == "https://l.example/base"


def test_suppression_keys_use_the_form_contact_keys_use() -> None:
    from sequencer.contacts import parse_csv, suppression_key

    [row] = list(parse_csv("email\nAnna@Bücher.de\n", file="x.csv"))
    assert suppression_key("xn--bcher-kva.de") == suppression_key("@BÜCHER.de") == "@bücher.de"
    assert suppression_key("anna@xn--bcher-kva.de") == row.email_key  # type: ignore[union-attr]
    for bad in ("", "not a domain", "@-bad-.example", "a@@b.example"):
        with pytest.raises(ValueError):
            suppression_key(bad)
