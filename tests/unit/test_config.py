"""The configuration file: the shipped example parses, and mistakes name the setting."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sequencer.caps import Warmup
from sequencer.config import HttpSettings, Security, load_config, parse_config
from sequencer.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def sender(**extra: Any) -> dict[str, Any]:
    return {"name": "jane", "email": "jane@acme.example", **extra}


def test_the_example_config_parses() -> None:
    config = load_config(REPO / "examples" / "sequencer.toml")
    jane = config.senders["jane"]
    assert (
        jane.imap is not None
        and jane.imap.security is Security.TLS
        and jane.imap.mailbox == "INBOX"
    )
    assert config.http.public_url == "https://links.acme.example"
    assert not config.http.track_opens and not config.http.track_clicks
    assert config.poll_seconds == 60


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"senders": [sender(imap={"host": "x", "password": "hunter2"})]},
            "never put a password in the file",
        ),
        ({"senders": [sender(imap={"port": 993})]}, "'host' is required"),
        (
            {"senders": [sender(imap={"host": "x", "security": "ssl"})]},
            "security: use tls, starttls or none",
        ),
        ({"senders": [sender(imap={"host": "x", "folder": "INBOX"})]}, "unknown setting 'folder'"),
        ({"http": {"track_clicks": True}}, "tracking needs public_url"),
        ({"http": {"public_url": "links.acme.example"}}, "should be a URL"),
        ({"http": {"secret": "abc"}}, "never put a secret in the file"),
        (
            {"http": {"track_opens": "yes", "public_url": "https://l.example"}},
            "track_opens: should be true or false",
        ),
        ({"inbox": {"poll": 5}}, "unknown setting 'poll'"),
        ({"http": {"public_url": "http://links.acme.example"}}, "use https"),
        ({"senders": [sender(imap={"host": "x", "mailbox": "Sent Items"})]}, "holds our own mail"),
        (
            {"senders": [sender(imap={"host": "x", "mailbox": "[Gmail]/Sent Mail"})]},
            "holds our own mail",
        ),
        ({"inbox": {"poll_seconds": "soon"}}, "inbox.poll_seconds"),
    ],
)
def test_mistakes_name_the_setting(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert message in caught.value.message


def test_link_secrets_come_from_the_environment_and_must_be_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
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
    assert (
        parse_config({"http": {"public_url": "http://127.0.0.1:8080/"}}).http.public_url
        == "http://127.0.0.1:8080"
    )
    assert (
        parse_config({"http": {"public_url": "https://l.example/base/"}}).http.public_url
        == "https://l.example/base"
    )


def test_suppression_keys_use_the_form_contact_keys_use() -> None:
    from sequencer.contacts import parse_csv, suppression_key

    [row] = list(parse_csv("email\nAnna@Bücher.de\n", file="x.csv"))
    assert suppression_key("xn--bcher-kva.de") == suppression_key("@BÜCHER.de") == "@bücher.de"
    assert suppression_key("anna@xn--bcher-kva.de") == row.email_key  # type: ignore[union-attr]
    for bad in ("", "not a domain", "@-bad-.example", "a@@b.example"):
        with pytest.raises(ValueError):
            suppression_key(bad)


def test_a_sender_warm_up_ramp() -> None:
    config = parse_config(
        {
            "senders": [
                sender(daily_cap=20, warmup={"start": 5, "step": 5, "from": date(2026, 11, 1)}),
                {"name": "mikko", "email": "m@acme.example", "warmup": {"start": 2, "step": 3}},
                {"name": "anna", "email": "a@acme.example"},
            ]
        }
    )
    jane, mikko, anna = (config.senders[n] for n in ("jane", "mikko", "anna"))
    assert jane.warmup == Warmup(start=5, step=5, since=date(2026, 11, 1))
    assert mikko.warmup == Warmup(start=2, step=3) and anna.warmup is None
    capacity = jane.capacity()
    assert [capacity.cap_on(date(2026, 11, d)) for d in (1, 2, 3, 4, 5)] == [5, 10, 15, 20, 20]
    # no fixed day 1: the sender's first day with a send, as the store reports it
    assert mikko.capacity(first_day=date(2026, 11, 1)).cap_on(date(2026, 11, 3)) == 8
    assert anna.capacity().cap_on(date(2026, 11, 1)) == 50
    quoted = parse_config(
        {"senders": [sender(warmup={"start": 1, "step": 1, "from": "2026-11-01"})]}
    )
    assert quoted.senders["jane"].warmup == Warmup(start=1, step=1, since=date(2026, 11, 1))


def test_the_example_config_ramps_a_sender_up() -> None:
    mikko = load_config(REPO / "examples" / "sequencer.toml").senders["mikko"]
    assert mikko.warmup is not None and mikko.warmup.start <= mikko.daily_cap


@pytest.mark.parametrize(
    ("warmup", "message"),
    [
        (
            {"start": 0, "step": 5},
            "senders[0].warmup.start: should be a whole number of at least 1, not 0",
        ),
        (
            {"start": 5, "step": 0},
            "senders[0].warmup.step: should be a whole number of at least 1, not 0",
        ),
        (
            {"start": 5, "step": True},
            "senders[0].warmup.step: should be a whole number of at least 1",
        ),
        ({"step": 5}, "senders[0].warmup: 'start' is required"),
        ({"start": 60, "step": 5}, "senders[0].warmup.start: 60 is above daily_cap 50"),
        (
            {"start": 5, "step": 5, "from": "next monday"},
            "senders[0].warmup.from: should be a date like 2026-11-01",
        ),
        (
            {"start": 5, "step": 5, "form": "2026-11-01"},
            "unknown setting 'form' (did you mean 'from'?)",
        ),
        ("fast", "senders[0].warmup: should be a table"),
    ],
)
def test_a_bad_warm_up_names_the_field(warmup: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"senders": [sender(warmup=warmup)]})
    assert message in caught.value.message


@pytest.mark.parametrize("part", ["smtp", "imap"])
def test_a_password_in_plain_text_to_another_host_is_refused(part: str) -> None:
    plain = {
        "host": "mail.acme.example",
        "security": "none",
        "username": "jane",
        "password_env": "JANE_PASSWORD",
    }
    with pytest.raises(ConfigError) as caught:
        parse_config({"senders": [sender(**{part: plain})]})
    assert f"senders[0].{part}" in caught.value.message or part in caught.value.message
    assert "'jane'" in caught.value.message and "unencrypted" in caught.value.message
    # loopback (a local relay, a test server), or no password at all: accepted
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        parse_config({"senders": [sender(**{part: {**plain, "host": host}})]})
    parse_config(
        {"senders": [sender(**{part: {k: v for k, v in plain.items() if k != "password_env"}})]}
    )
    parse_config({"senders": [sender(**{part: {**plain, "security": "tls"}})]})


def test_every_fault_of_a_config_file_is_named_with_its_line() -> None:
    text = (
        'sequence = "x"\n'  # 1
        "\n"
        "[[senders]]\n"  # 3
        'name = "jane"\n'
        'email = "jane@acme.example"\n'
        "\n"
        "[[senders]]\n"  # 7
        'name = "mikko"\n'
        'email = "m@acme.example"\n'
        "\n"
        "[senders.smtp]\n"  # 11
        'security = "ssl"\n'  # 12
        "\n"
        "[worker]\n"
        'lease = "soon"\n'  # 15
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(tomllib.loads(text), source=Path("s.toml"), text=text)
    assert caught.value.message.splitlines() == [
        "3 errors in s.toml:",
        "  s.toml:1: unknown setting 'sequence' (did you mean 'sequences'?)",
        "  s.toml:12: senders[1].smtp.security: use starttls, tls or none",
        "  s.toml:15: worker.lease: 'soon' is not a duration like 90s, 2m or 1h",
    ]
