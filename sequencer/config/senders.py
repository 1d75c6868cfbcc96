"""Parsing one ``[[senders]]`` table: the mailbox, its SMTP and IMAP servers, its OAuth2 settings
(with the provider presets filled in), and its warm-up.

Refuses what would leak a secret (a password or client secret in the file, a login without TLS
to another machine) and what would read our own mail (a Sent or Drafts folder).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sequencer.caps import Warmup
from sequencer.config.fields import check_keys, parse_duration
from sequencer.config.settings import (
    PRESETS,
    Auth,
    ImapSettings,
    OAuthSettings,
    Preset,
    Provider,
    Security,
    Sender,
    SmtpSettings,
)
from sequencer.errors import ConfigError
from sequencer.guard import Thresholds

_SENDER_KEYS = {
    "name",
    "display_name",
    "email",
    "signature",
    "timezone",
    "daily_cap",
    "min_gap",
    "jitter",
    "warmup",
    "reply_to",
    "title",
    "company",
    "phone",
    "smtp",
    "imap",
    "auth",
    "provider",
    "oauth",
    "dkim_selector",
    "bounce_guard",
    "save_sent",
}
_SMTP_KEYS = {"host", "port", "security", "username", "password_env", "timeout", "ca_file"}
_OAUTH_KEYS = {
    "client_id",
    "client_id_env",
    "client_secret_env",
    "tenant",
    "token_url",
    "authorize_url",
    "device_url",
    "scopes",
    "flow",
    "mechanism",
}
#: Where token files go unless ``[oauth] token_dir`` says otherwise (next to the config file).
DEFAULT_TOKEN_DIR = ".sequencer-tokens"
DEFAULT_TOKEN_KEY_ENV = "SEQUENCER_TOKEN_KEY"


def token_place(raw: Any, base: Path, where: str) -> tuple[Path, str]:
    """``[oauth] token_dir, key_env``: the folder of the encrypted token files and the key's
    variable.
    """
    check_keys(raw, {"token_dir", "key_env"}, where)
    folder = Path(str(raw.get("token_dir", DEFAULT_TOKEN_DIR)))
    return (folder if folder.is_absolute() else base / folder), str(
        raw.get("key_env", DEFAULT_TOKEN_KEY_ENV)
    )


def _oauth(
    raw: Any, provider: Provider, name: str, tokens: tuple[Path, str], where: str
) -> OAuthSettings:
    if isinstance(raw, dict) and "client_secret" in raw:
        raise ConfigError(
            f"{where}: never put the client secret in the file; set client_secret_env to the name "
            "of an environment variable that holds it"
        )
    check_keys(raw, _OAUTH_KEYS, where)
    preset = PRESETS.get(provider)
    tenant = str(raw.get("tenant", "organizations"))

    def url(key: str, default: str | None) -> str | None:
        value = raw.get(key, default)
        return None if value is None else str(value).replace("{tenant}", tenant)

    token_url = url("token_url", preset.token_url if preset else None)
    if token_url is None:
        raise ConfigError(
            f'{where}.token_url: required with provider = "custom" (the provider\'s token endpoint)'
        )
    scopes = raw.get("scopes", list(preset.scopes) if preset else [])
    if not isinstance(scopes, list) or not all(isinstance(x, str) for x in scopes):
        raise ConfigError(
            f'{where}.scopes: should be a list of scopes, like ["https://mail.google.com/"]'
        )
    flow = str(raw.get("flow", preset.flow if preset else "loopback"))
    if flow not in ("loopback", "device"):
        raise ConfigError(f"{where}.flow: use loopback or device")
    mechanism = str(raw.get("mechanism", "xoauth2")).lower()
    if mechanism not in ("xoauth2", "oauthbearer"):
        raise ConfigError(f"{where}.mechanism: use xoauth2 or oauthbearer")
    if not raw.get("client_id") and not raw.get("client_id_env"):
        raise ConfigError(
            f"{where}: set client_id (or client_id_env): the id of the application registered "
            "with the provider (see docs/mailboxes.md)"
        )
    folder, key_env = tokens
    return OAuthSettings(
        sender=name,
        provider=provider,
        client_id=raw.get("client_id"),
        client_id_env=raw.get("client_id_env"),
        client_secret_env=raw.get("client_secret_env"),
        token_url=token_url,
        authorize_url=url("authorize_url", preset.authorize_url if preset else None),
        device_url=url("device_url", preset.device_url if preset else None),
        scopes=tuple(scopes),
        flow=flow,
        mechanism=mechanism,
        token_file=folder / f"{name}.token",
        key_env=key_env,
    )


_IMAP_KEYS = {*_SMTP_KEYS, "mailbox"}


def _ca_file(raw: dict[str, Any], base: Path, where: str) -> Path | None:
    if "ca_file" not in raw:
        return None
    path = Path(str(raw["ca_file"]))
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        raise ConfigError(
            f"{where}.ca_file: {path} is not a file (a PEM "
            "file of the CA that signed the server's certificate)"
        )
    return path


def parse_sender(
    raw: dict[str, Any],
    where: str,
    *,
    tokens: tuple[Path, str] = (Path(DEFAULT_TOKEN_DIR), DEFAULT_TOKEN_KEY_ENV),
    base: Path = Path("."),
) -> Sender:
    check_keys(raw, _SENDER_KEYS, where)
    for required in ("name", "email"):
        if not raw.get(required):
            raise ConfigError(f"{where}: '{required}' is required")
    for part in ("smtp", "imap"):
        if "password" in raw.get(part, {}):
            raise ConfigError(
                f"{where}.{part}: never put a password in the file; set password_env to the name "
                "of an environment variable that holds it"
            )
    try:
        zone = ZoneInfo(raw.get("timezone", "UTC"))
    except (ValueError, KeyError):
        raise ConfigError(f"{where}.timezone: unknown time zone '{raw.get('timezone')}'") from None
    try:
        provider = Provider(raw.get("provider", "custom"))
    except ValueError:
        raise ConfigError(f"{where}.provider: use google, microsoft or custom") from None
    preset = PRESETS.get(provider)
    try:
        auth = Auth(raw.get("auth", "oauth2" if preset else "password"))
    except ValueError:
        raise ConfigError(f"{where}.auth: use password or oauth2") from None
    oauth = None
    if auth is Auth.OAUTH2:
        oauth = _oauth(raw.get("oauth", {}), provider, str(raw["name"]), tokens, f"{where}.oauth")
        for part in ("smtp", "imap"):
            if raw.get(part, {}).get("password_env"):
                raise ConfigError(
                    f'{where}.{part}.password_env: a sender with auth = "oauth2" logs in with '
                    'tokens, not a password (or set auth = "password" for an app password)'
                )
    elif "oauth" in raw:
        raise ConfigError(f'{where}.oauth: only with auth = "oauth2"')
    smtp = raw.get("smtp", {})
    check_keys(smtp, _SMTP_KEYS, f"{where}.smtp")
    try:
        security = Security(smtp.get("security", preset.smtp_security if preset else "starttls"))
    except ValueError:
        raise ConfigError(f"{where}.smtp.security: use starttls, tls or none") from None
    default_port = (
        preset.smtp_port
        if preset
        else {Security.STARTTLS: 587, Security.TLS: 465, Security.NONE: 25}[security]
    )
    host = str(smtp.get("host", preset.smtp_host if preset else "127.0.0.1"))
    port = int(smtp.get("port", default_port))
    _refuse_plaintext(
        str(raw["name"]),
        host,
        security,
        logs_in=bool(smtp.get("password_env") or oauth),
        where=f"{where}.smtp",
    )
    cap = raw.get("daily_cap", 50)
    if not isinstance(cap, int) or cap < 1:
        raise ConfigError(f"{where}.daily_cap: should be a whole number of at least 1")
    imap = raw.get("imap")
    if imap is None and preset is not None:
        imap = {}
    login = str(raw["email"]) if oauth else None
    return Sender(
        name=str(raw["name"]),
        display_name=str(raw.get("display_name", raw["name"])),
        email=str(raw["email"]),
        signature=str(raw.get("signature", "")),
        timezone=zone,
        daily_cap=cap,
        min_gap=parse_duration(raw.get("min_gap", "2m"), f"{where}.min_gap"),
        jitter=parse_duration(raw.get("jitter", "1m"), f"{where}.jitter"),
        reply_to=raw.get("reply_to"),
        title=str(raw.get("title", "")),
        company=str(raw.get("company", "")),
        phone=str(raw.get("phone", "")),
        smtp=SmtpSettings(
            host=host,
            port=port,
            security=security,
            username=smtp.get("username", login),
            password_env=smtp.get("password_env"),
            timeout=float(smtp.get("timeout", 30.0)),
            ca_file=_ca_file(smtp, base, f"{where}.smtp"),
            oauth=oauth,
        ),
        imap=_imap(
            imap,
            f"{where}.imap",
            sender=str(raw["name"]),
            preset=preset,
            login=login,
            oauth=oauth,
            base=base,
        )
        if imap is not None
        else None,
        warmup=_warmup(raw["warmup"], cap, f"{where}.warmup") if "warmup" in raw else None,
        auth=auth,
        dkim_selector=_dkim_selector(raw.get("dkim_selector"), f"{where}.dkim_selector"),
        bounce_guard=_bounce_guard(raw.get("bounce_guard", {}), f"{where}.bounce_guard"),
        save_sent=_save_sent(raw.get("save_sent", False), has_imap=imap is not None, where=where),
    )


def _save_sent(raw: Any, *, has_imap: bool, where: str) -> bool:
    """``save_sent = true``: copies go to the Sent folder over the sender's IMAP settings."""
    if not isinstance(raw, bool):
        raise ConfigError(f"{where}.save_sent: should be true or false, not {raw!r}")
    if raw and not has_imap:
        raise ConfigError(
            f"{where}.save_sent: needs the sender's [senders.imap] table (the Sent folder is "
            "reached over IMAP, with the same login)"
        )
    return raw


def _bounce_guard(raw: Any, where: str) -> Thresholds:
    """``bounce_guard = { rate = 0.03, window = 100, min_sends = 20, consecutive = 10 }``: each
    key optional, the defaults in :class:`sequencer.guard.Thresholds`."""
    check_keys(raw, {"rate", "window", "min_sends", "consecutive"}, where)
    default = Thresholds()
    rate = raw.get("rate", default.rate)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < 1:
        raise ConfigError(
            f"{where}.rate: should be a share between 0 and 1 (0.03 for 3%), not {rate!r}"
        )
    counts = {}
    for name in ("window", "min_sends", "consecutive"):
        value = raw.get(name, getattr(default, name))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(
                f"{where}.{name}: should be a whole number of at least 1, not {value!r}"
            )
        counts[name] = value
    if counts["min_sends"] > counts["window"]:
        raise ConfigError(
            f"{where}.min_sends: {counts['min_sends']} is above window {counts['window']}; the "
            "guard could never judge the rate"
        )
    return Thresholds(rate=float(rate), **counts)


def _dkim_selector(raw: Any, where: str) -> str | None:
    """``dkim_selector = "google"``: one DNS label (or dotted labels), as in ``s=`` of the
    signature."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not re.match(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$", raw):
        raise ConfigError(
            f"{where}: {raw!r} is not a selector; give the s= of the sender's DKIM signature, "
            'like "google" or "selector1"'
        )
    return raw


def _is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _refuse_plaintext(
    sender: str, host: str, security: Security, *, logs_in: bool, where: str
) -> None:
    """A login without TLS (``security = "none"``: a password or a token in the clear) may go to
    this machine only: a local relay or a test server."""
    if security is Security.NONE and logs_in and not _is_loopback(host):
        raise ConfigError(
            f"{where}.security: sender '{sender}' would log in unencrypted to {host}; never log in "
            'without TLS: use security = "starttls" or "tls", or a loopback host'
        )


def _warmup(raw: Any, daily_cap: int, where: str) -> Warmup:
    """``warmup = { start = 5, step = 5, from = 2026-11-01 }``: the cap grows from ``start`` by
    ``step`` a day.
    """
    check_keys(raw, {"start", "step", "from"}, where)
    values = []
    for name in ("start", "step"):
        value = raw.get(name)
        if value is None:
            raise ConfigError(
                f"{where}: '{name}' is required, like warmup = {{ start = 5, step = 5 }}"
            )
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(
                f"{where}.{name}: should be a whole number of at least 1, not {value!r}"
            )
        values.append(value)
    start, step = values
    if start > daily_cap:
        raise ConfigError(
            f"{where}.start: {start} is above daily_cap {daily_cap}; "
            "the ramp starts at or below the cap"
        )
    since = _calendar_date(raw["from"], f"{where}.from") if "from" in raw else None
    return Warmup(start=start, step=step, since=since)


def _calendar_date(raw: Any, where: str) -> date:
    """A TOML local date (``2026-11-01``) or the same in quotes."""
    value = raw
    try:
        if isinstance(value, str):
            value = date.fromisoformat(value.strip())
    except ValueError:
        value = None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ConfigError(f"{where}: should be a date like 2026-11-01, not {raw!r}")
    return value


def _imap(
    raw: Any,
    where: str,
    *,
    sender: str = "",
    preset: Preset | None = None,
    login: str | None = None,
    oauth: OAuthSettings | None = None,
    base: Path = Path("."),
) -> ImapSettings:
    check_keys(raw, _IMAP_KEYS, where)
    host = raw.get("host", preset.imap_host if preset else None)
    if not host:
        raise ConfigError(f"{where}: 'host' is required")
    try:
        security = Security(raw.get("security", preset.imap_security if preset else "tls"))
    except ValueError:
        raise ConfigError(f"{where}.security: use tls, starttls or none") from None
    _refuse_plaintext(
        sender, str(host), security, logs_in=bool(raw.get("password_env") or oauth), where=where
    )
    default_port = (
        preset.imap_port
        if preset
        else {Security.STARTTLS: 143, Security.TLS: 993, Security.NONE: 143}[security]
    )
    mailbox = str(raw.get("mailbox", "INBOX"))
    if re.search(
        r"(^|[/.])(sent|sent items|sent mail|sent messages|lähetetyt|drafts|luonnokset)$",
        mailbox,
        re.IGNORECASE,
    ):
        raise ConfigError(
            f"{where}.mailbox: '{mailbox}' holds our own mail; "
            "read INBOX (or the folder replies are filed in)"
        )
    return ImapSettings(
        host=str(host),
        port=int(raw.get("port", default_port)),
        security=security,
        username=raw.get("username", login),
        password_env=raw.get("password_env"),
        mailbox=mailbox,
        timeout=float(raw.get("timeout", 30.0)),
        ca_file=_ca_file(raw, base, where),
        oauth=oauth,
    )
