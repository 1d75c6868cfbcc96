"""``sequencer senders connect | check | disconnect`` and ``doctor`` for OAuth2 senders, as
subprocesses.

The flows run against the tests' real token endpoint (``tests/oauth_provider.py``), the test
drives the person's side (entering the device code; the browser following the consent page's
redirect to the loopback address), and the tokens got are then used to log in to the real
Postfix and Dovecot of ``tests/services.sh``.
"""

from __future__ import annotations

import asyncio
import os
import re
import stat
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from oauth_provider import CLIENT_ID, MailHost, Provider

from sequencer.channels.smtp import check
from sequencer.config import load_config
from sequencer.inbound.imap import ImapMailbox
from sequencer.oauth import Tokens, TokenStore

REPO = Path(__file__).resolve().parents[2]
KEY = "a test key that is long enough"

CONFIG = """\
database = "sqlite:///db.sqlite"
sequences = ["{sequences}"]

[oauth]
token_dir = "tokens"

[[senders]]
name = "oauth"
display_name = "Olli Auth"
email = "oauth@sequencer.example"
provider = "{provider}"
auth = "oauth2"

[senders.oauth]
client_id = "{client_id}"
token_url = "{url}/token"
authorize_url = "{url}/authorize"
device_url = "{url}/devicecode"

[senders.smtp]
host = "{host}"
port = {submission}
ca_file = "{ca}"

[senders.imap]
host = "{host}"
port = {imaps}
ca_file = "{ca}"
"""


def write_config(folder: Path, mailhost: MailHost, provider: Provider, preset: str) -> Path:
    """A sender on a provider preset (its flow), with the endpoints and servers of the test rig."""
    (folder / "sequencer.toml").write_text(
        CONFIG.format(
            sequences=REPO / "sequences",
            provider=preset,
            client_id=CLIENT_ID,
            url=provider.url,
            host=mailhost.host,
            submission=mailhost.submission,
            imaps=mailhost.imaps,
            ca=mailhost.ca_file,
        )
    )
    return folder


@pytest.fixture
def workdir(tmp_path: Path, mailhost: MailHost, provider: Provider) -> Path:
    """Microsoft's preset: the device-code flow."""
    return write_config(tmp_path, mailhost, provider, "microsoft")


def env() -> dict[str, str]:
    values = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "SEQUENCER_TOKEN_KEY": KEY}
    values.pop("SEQUENCER_CONFIG", None)
    return values


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        env=env(),
        text=True,
        capture_output=True,
        timeout=120,
    )


def start(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        env=env(),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_connect_with_the_device_code_then_check_logs_in_and_disconnect_forgets(
    workdir: Path, provider: Provider, mailhost: MailHost
) -> None:
    proc = start(workdir, "senders", "connect", "oauth")
    assert proc.stdout is not None
    line = proc.stdout.readline()
    code = re.search(r"enter the code (\w+)", line)
    assert code, line
    provider.approve(
        code.group(1), "oauth@sequencer.example"
    )  # the person signs in and enters the code
    rest, errors = proc.communicate(timeout=120)
    assert proc.returncode == 0, errors
    assert "connected oauth" in rest
    token_file = workdir / "tokens" / "oauth.token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    refresh = next(iter(provider.grants))
    assert refresh.encode() not in token_file.read_bytes(), "the refresh token is stored in clear"
    assert refresh not in line + rest + errors, "the refresh token was printed"

    checked = run(workdir, "senders", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (
        "ok     oauth <oauth@sequencer.example> via" in checked.stdout
        and "(XOAUTH2)" in checked.stdout
    )
    assert "ok     oauth <oauth@sequencer.example> inbox" in checked.stdout
    print("\n" + line + rest + checked.stdout)

    gone = run(workdir, "senders", "disconnect", "oauth")
    assert gone.returncode == 0 and "disconnected oauth" in gone.stdout
    assert not token_file.exists()


def test_connect_with_the_loopback_redirect_and_pkce(
    tmp_path: Path, mailhost: MailHost, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    workdir = write_config(tmp_path, mailhost, provider, "google")
    proc = start(workdir, "senders", "connect", "oauth", "--no-browser")
    assert proc.stdout is not None
    assert "open this address" in proc.stdout.readline()
    url = proc.stdout.readline().strip()
    assert url.startswith(f"{provider.url}/authorize?") and "code_challenge_method=S256" in url, url
    assert "login_hint=oauth%40sequencer.example" in url
    # the browser: the consent page answers with a redirect to 127.0.0.1, which urllib follows
    browser = threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=60).read())
    browser.start()
    rest, errors = proc.communicate(timeout=120)
    browser.join()
    assert proc.returncode == 0, errors
    assert "connected oauth" in rest
    exchanged = [r for r in provider.requests if r.get("grant_type") == "authorization_code"]
    assert len(exchanged) == 1 and exchanged[0]["code_verifier"], provider.requests
    assert exchanged[0]["redirect_uri"].startswith("http://127.0.0.1:")
    # the tokens got work: the stored access token logs in to the real Postfix and Dovecot
    settings = load_config(workdir / "sequencer.toml").senders["oauth"]
    monkeypatch.setenv("SEQUENCER_TOKEN_KEY", KEY)
    assert asyncio.run(check(settings)) is None
    assert settings.imap is not None
    ImapMailbox(settings.imap).check()


def test_a_revoked_sender_shows_reconnect_in_check_and_doctor(
    workdir: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_config(workdir / "sequencer.toml").senders["oauth"].smtp.oauth
    assert settings is not None
    refresh = provider.grant("oauth@sequencer.example")
    monkeypatch.setenv("SEQUENCER_TOKEN_KEY", KEY)
    TokenStore(settings).save(
        Tokens(refresh_token=refresh, access_token="expired", expires_at=time.time() - 5)
    )
    provider.revoke(refresh)

    checked = run(workdir, "senders", "check")
    assert checked.returncode == 1
    assert (
        "reconnect this sender: the provider refused the refresh token (invalid_grant"
        in checked.stdout
    )
    doctor = run(workdir, "doctor")
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    assert (
        "oauth: reconnect this sender" in doctor.stdout
        and "sequencer senders connect oauth" in doctor.stdout
    )
    print("\n" + checked.stdout + doctor.stdout)
