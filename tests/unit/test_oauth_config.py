"""Provider presets, OAuth2 settings and the token file, without a network."""

from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import Any

import pytest

from sequencer.config import Auth, Provider, Security, parse_config
from sequencer.errors import ConfigError
from sequencer.oauth import Tokens, TokenStore, access_token, sasl, status


def sender(**raw: Any) -> dict[str, Any]:
    return {"name": "jane", "email": "jane@acme.example", **raw}


def parse(*senders: dict[str, Any], **top: Any) -> Any:
    return parse_config({"senders": list(senders), **top}, source=None)


def test_google_preset_fills_hosts_ports_security_scopes_and_the_loopback_flow() -> None:
    jane = parse(
        sender(
            provider="google",
            oauth={
                "client_id": "id.apps.googleusercontent.com",
                "client_secret_env": "GOOGLE_SECRET",
            },
        )
    ).senders["jane"]
    assert jane.auth is Auth.OAUTH2
    assert (jane.smtp.host, jane.smtp.port, jane.smtp.security) == (
        "smtp.gmail.com",
        587,
        Security.STARTTLS,
    )
    assert jane.imap is not None
    assert (jane.imap.host, jane.imap.port, jane.imap.security) == (
        "imap.gmail.com",
        993,
        Security.TLS,
    )
    assert jane.smtp.username == jane.imap.username == "jane@acme.example"
    oauth = jane.smtp.oauth
    assert oauth is not None and oauth is jane.imap.oauth
    assert oauth.provider is Provider.GOOGLE and oauth.scopes == ("https://mail.google.com/",)
    assert oauth.flow == "loopback" and oauth.token_url == "https://oauth2.googleapis.com/token"
    assert oauth.token_file == Path(".sequencer-tokens/jane.token")


def test_microsoft_preset_uses_the_tenant_and_the_device_flow() -> None:
    jane = parse(
        sender(
            provider="microsoft",
            oauth={"client_id": "0000-1111", "tenant": "contoso.onmicrosoft.com"},
        ),
        oauth={"token_dir": "/var/lib/sequencer/tokens", "key_env": "MY_KEY"},
    ).senders["jane"]
    assert (jane.smtp.host, jane.smtp.port) == ("smtp.office365.com", 587)
    assert jane.imap is not None and (jane.imap.host, jane.imap.port) == (
        "outlook.office365.com",
        993,
    )
    oauth = jane.smtp.oauth
    assert oauth is not None
    assert oauth.scopes == (
        "https://outlook.office.com/SMTP.Send",
        "https://outlook.office.com/IMAP.AccessAsUser.All",
        "offline_access",
    )
    assert oauth.flow == "device"
    assert (
        oauth.token_url
        == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    )
    assert (
        oauth.device_url
        == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode"
    )
    assert (
        oauth.token_file == Path("/var/lib/sequencer/tokens/jane.token")
        and oauth.key_env == "MY_KEY"
    )


def test_a_preset_keeps_what_the_file_says() -> None:
    jane = parse(
        sender(
            provider="google",
            auth="password",
            smtp={
                "port": 465,
                "security": "tls",
                "username": "jane@acme.example",
                "password_env": "APP_PW",
            },
            imap={"mailbox": "Replies"},
        )
    ).senders["jane"]
    assert jane.auth is Auth.PASSWORD and jane.smtp.oauth is None
    assert (jane.smtp.host, jane.smtp.port, jane.smtp.security) == (
        "smtp.gmail.com",
        465,
        Security.TLS,
    )
    assert (
        jane.imap is not None
        and jane.imap.host == "imap.gmail.com"
        and jane.imap.mailbox == "Replies"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (sender(auth="oauth2", oauth={"client_id": "x"}), "token_url: required with provider"),
        (sender(provider="google"), "set client_id"),
        (
            sender(provider="google", oauth={"client_id": "x", "client_secret": "s"}),
            "never put the client secret in the file",
        ),
        (
            sender(provider="google", oauth={"client_id": "x"}, smtp={"password_env": "P"}),
            "logs in with tokens",
        ),
        (sender(provider="yahoo"), "use google, microsoft or custom"),
        (
            sender(
                smtp={
                    "host": "smtp.acme.example",
                    "security": "none",
                    "username": "jane",
                    "password_env": "P",
                }
            ),
            "never log in without TLS",
        ),
        (
            sender(smtp={"ca_file": "/nonexistent/ca.pem"}),
            "ca_file: /nonexistent/ca.pem is not a file",
        ),
        (
            sender(provider="google", oauth={"client_id": "x", "mechanism": "plain"}),
            "use xoauth2 or oauthbearer",
        ),
    ],
)
def test_mistakes_are_named(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        parse(raw)


def test_sasl_initial_responses() -> None:
    assert (
        sasl("xoauth2", "jane@acme.example", "TOKEN", host="h", port=587)
        == b"user=jane@acme.example\x01auth=Bearer TOKEN\x01\x01"
    )
    assert (
        sasl("oauthbearer", "a,b=c@acme.example", "TOKEN", host="smtp.acme.example", port=587)
        == b"n,a=a=2Cb=3Dc@acme.example,\x01host=smtp.acme.example\x01port=587"
        b"\x01auth=Bearer TOKEN\x01\x01"
    )


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SEQUENCER_TOKEN_KEY", "a key long enough for tests")
    # a token endpoint nobody listens on: a test that reaches it fails
    config = parse(
        sender(auth="oauth2", oauth={"client_id": "x", "token_url": "http://127.0.0.1:9/token"}),
        oauth={"token_dir": str(tmp_path / "tokens")},
    )
    return config.senders["jane"].smtp.oauth


def test_the_token_file_is_0600_and_encrypted(settings: Any) -> None:
    store = TokenStore(settings)
    store.save(
        Tokens(
            refresh_token="REFRESH-SECRET-1",
            access_token="ACCESS-SECRET-2",
            expires_at=time.time() + 3600,
        )
    )
    data = settings.token_file.read_bytes()
    assert b"REFRESH-SECRET-1" not in data and b"ACCESS-SECRET-2" not in data
    assert stat.S_IMODE(settings.token_file.stat().st_mode) == 0o600
    loaded = store.load()
    assert loaded is not None and loaded.refresh_token == "REFRESH-SECRET-1"


def test_a_valid_access_token_is_used_without_asking_the_provider(settings: Any) -> None:
    TokenStore(settings).save(
        Tokens(refresh_token="r", access_token="still-good", expires_at=time.time() + 3600)
    )
    assert access_token(settings) == "still-good"
    assert status(settings) is None


def test_another_key_or_no_key_is_a_clear_error(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    TokenStore(settings).save(Tokens(refresh_token="r"))
    monkeypatch.setenv("SEQUENCER_TOKEN_KEY", "another key, also long enough")
    with pytest.raises(ConfigError, match="cannot be decrypted with \\$SEQUENCER_TOKEN_KEY"):
        TokenStore(settings).load()
    monkeypatch.delenv("SEQUENCER_TOKEN_KEY")
    with pytest.raises(ConfigError, match=r"SEQUENCER_TOKEN_KEY .* is not set"):
        TokenStore(settings).load()


def test_a_sender_never_connected_says_how_to_connect(settings: Any) -> None:
    assert status(settings) == "not connected: run `sequencer senders connect jane`"


def test_the_example_config_has_both_presets() -> None:
    from sequencer.config import load_config

    example = load_config(Path(__file__).resolve().parents[2] / "examples" / "sequencer.toml")
    aino, lauri = example.senders["aino"], example.senders["lauri"]
    assert (
        aino.smtp.host == "smtp.gmail.com"
        and aino.smtp.oauth is not None
        and aino.smtp.oauth.flow == "loopback"
    )
    assert lauri.imap is not None and lauri.imap.host == "outlook.office365.com"
    assert lauri.smtp.oauth is not None and "acme.onmicrosoft.com" in lauri.smtp.oauth.token_url
    assert example.senders["jane"].auth is Auth.PASSWORD
