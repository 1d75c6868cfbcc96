"""Configuration: a TOML file (``sequencer.toml``) plus environment variables.

Secrets are never in the file: a sender names the *environment variable* that holds its
password (``password_env``), and the password is read only when a connection is opened.
A sender with ``auth = "oauth2"`` logs in with an access token instead; its refresh token is
kept encrypted by :mod:`sequencer.oauth`, never in this file.
"""

from __future__ import annotations

import enum
import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sequencer.caps import Capacity, Warmup
from sequencer.errors import ConfigError

DEFAULT_DATABASE = "sqlite:///sequencer.db"
# : Delivery attempts of a send before a fault that keeps coming back fails it (``[worker]
# max_attempts``).
DEFAULT_MAX_ATTEMPTS = 5
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


class Auth(enum.StrEnum):
    # : A password from the environment variable named in ``password_env`` (custom servers, app
    # passwords).
    PASSWORD = "password"
    # : An OAuth2 access token (SASL XOAUTH2 or OAUTHBEARER), refreshed from the stored refresh
    # token.
    OAUTH2 = "oauth2"


class Provider(enum.StrEnum):
    # : Google Workspace / Gmail: smtp.gmail.com and imap.gmail.com, loopback-redirect flow with
    # PKCE.
    GOOGLE = "google"
    # : Microsoft 365 / Exchange Online: smtp.office365.com and outlook.office365.com, device-code
    # flow.
    MICROSOFT = "microsoft"
    #: Any other server: hosts, ports and (for OAuth2) endpoints are given in the file.
    CUSTOM = "custom"


@dataclass(frozen=True, kw_only=True)
class Preset:
    """What ``provider = ...`` fills in; anything set in the file wins."""

    smtp_host: str
    smtp_port: int
    smtp_security: str
    imap_host: str
    imap_port: int
    imap_security: str
    scopes: tuple[str, ...]
    authorize_url: str | None
    token_url: str
    device_url: str | None
    #: The connect flow for an installed application: "loopback" (PKCE) or "device".
    flow: str


#: Hosts, ports, security, scopes and endpoints of the providers (``{tenant}``: Microsoft's tenant,
#: ``organizations`` by default).
PRESETS: dict[Provider, Preset] = {
    Provider.GOOGLE: Preset(
        smtp_host="smtp.gmail.com",
        smtp_port=587,
        smtp_security="starttls",
        imap_host="imap.gmail.com",
        imap_port=993,
        imap_security="tls",
        scopes=("https://mail.google.com/",),
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",
        device_url=None,
        flow="loopback",
    ),
    Provider.MICROSOFT: Preset(
        smtp_host="smtp.office365.com",
        smtp_port=587,
        smtp_security="starttls",
        imap_host="outlook.office365.com",
        imap_port=993,
        imap_security="tls",
        scopes=(
            "https://outlook.office.com/SMTP.Send",
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            "offline_access",
        ),
        authorize_url=None,
        token_url="https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        device_url="https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode",
        flow="device",
    ),
}


@dataclass(frozen=True, kw_only=True)
class OAuthSettings:
    """How a sender with ``auth = "oauth2"`` gets its access tokens."""

    #: The sender's name, for messages ("reconnect this sender: sequencer senders connect jane").
    sender: str
    provider: Provider = Provider.CUSTOM
    #: The application's client id, or the environment variable that holds it.
    client_id: str | None = None
    client_id_env: str | None = None
    # : Environment variable with the client secret (Google's installed apps have one; Microsoft's
    # public clients none).
    client_secret_env: str | None = None
    token_url: str
    authorize_url: str | None = None
    device_url: str | None = None
    scopes: tuple[str, ...] = ()
    # : "loopback" (authorization code with PKCE and a redirect to 127.0.0.1) or "device" (device
    # code).
    flow: str = "loopback"
    #: SASL mechanism: "xoauth2" (what Google and Microsoft document) or "oauthbearer" (RFC 7628).
    mechanism: str = "xoauth2"
    #: The encrypted token file (0600) of this sender.
    token_file: Path
    #: Environment variable with the key that encrypts the token file.
    key_env: str = "SEQUENCER_TOKEN_KEY"

    def client(self) -> str:
        """The client id (from the file, else from ``client_id_env``)."""
        if self.client_id:
            return self.client_id
        value = _password(self.client_id_env, "the OAuth client id")
        if not value:
            raise ConfigError(
                f"sender {self.sender}: set oauth.client_id or oauth.client_id_env "
                "(the id of the application registered with the provider; see docs/mailboxes.md)"
            )
        return value

    def client_secret(self) -> str | None:
        return _password(self.client_secret_env, "the OAuth client secret")


class Security(enum.StrEnum):
    #: Plain connection upgraded with STARTTLS (port 587).
    STARTTLS = "starttls"
    #: TLS from the first byte (port 465).
    TLS = "tls"
    #: No encryption: loopback capture servers and tests only.
    NONE = "none"


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 587
    security: Security = Security.STARTTLS
    username: str | None = None
    #: Name of the environment variable that holds the password (never the password).
    password_env: str | None = None
    timeout: float = 30.0
    #: A private CA's certificates (PEM) to verify the server with; None: the system's CAs.
    #: Certificates are always verified.
    ca_file: Path | None = None
    #: With ``auth = "oauth2"``: where access tokens come from (None: password login).
    oauth: OAuthSettings | None = None

    def password(self) -> str | None:
        return _password(self.password_env, "the SMTP password")


@dataclass(frozen=True, kw_only=True)
class ImapSettings:
    """The sender's mailbox, read for replies, out-of-office answers and bounces."""

    host: str
    port: int = 993
    security: Security = Security.TLS
    username: str | None = None
    #: Name of the environment variable that holds the password (never the password).
    password_env: str | None = None
    #: The folder read; never the Sent folder, where copies of our own mail live.
    mailbox: str = "INBOX"
    timeout: float = 30.0
    #: A private CA's certificates (PEM) to verify the server with; None: the system's CAs.
    ca_file: Path | None = None
    #: With ``auth = "oauth2"``: where access tokens come from (None: password login).
    oauth: OAuthSettings | None = None

    def password(self) -> str | None:
        return _password(self.password_env, "the IMAP password")


@dataclass(frozen=True, kw_only=True)
class HttpSettings:
    """``sequencer serve``: one-click unsubscribe, inbound hooks, optional tracking."""

    host: str = "127.0.0.1"
    port: int = 8080
    # : Public https base URL of this app; unsubscribe and tracking links point here. Unset: no
    # links.
    public_url: str | None = None
    #: Environment variable with the secret that signs link tokens (unsubscribe, open, click).
    secret_env: str = "SEQUENCER_HTTP_SECRET"
    #: Environment variable with the secret shared with tools that call ``/hooks/*``.
    hooks_secret_env: str = "SEQUENCER_HOOKS_SECRET"
    #: How old a signed hook request may be; a signature is accepted once within it.
    replay_window: timedelta = timedelta(minutes=5)
    #: Off by default: a tracking pixel needs an HTML part and costs deliverability.
    track_opens: bool = False
    #: Off by default: rewritten links look less personal and some filters dislike them.
    track_clicks: bool = False

    def secret(self) -> bytes:
        return _secret(self.secret_env, "the link-signing secret").encode()

    def hooks_secret(self) -> str:
        return _secret(self.hooks_secret_env, "the hooks signing secret")


def _password(env: str | None, what: str) -> str | None:
    """The password in environment variable ``env`` (None when no variable is named)."""
    if env is None:
        return None
    value = os.environ.get(env)
    if value is None:
        raise ConfigError(f"environment variable {env} ({what}) is not set")
    return value


def _secret(env: str, what: str) -> str:
    value = os.environ.get(env)
    if not value:
        raise ConfigError(f"environment variable {env} ({what}) is not set")
    if len(value) < 16:
        raise ConfigError(
            f"environment variable {env} ({what}) is too short: use at least 16 characters"
        )
    return value


@dataclass(frozen=True, kw_only=True)
class Sender:
    """A real person's mailbox that messages go out from."""

    #: Short name used in sequence files and on the command line.
    name: str
    #: Display name in ``From:``, e.g. ``Jane Doe``.
    display_name: str
    #: Mailbox address.
    email: str
    signature: str = ""
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    daily_cap: int = 50
    min_gap: timedelta = timedelta(minutes=2)
    jitter: timedelta = timedelta(minutes=1)
    reply_to: str | None = None
    title: str = ""
    company: str = ""
    phone: str = ""
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    #: The mailbox polled for replies and bounces; None: not polled.
    imap: ImapSettings | None = None
    # : A new mailbox's ramp up to ``daily_cap`` (``warmup = { start, step, from }``); None: full
    # cap at once.
    warmup: Warmup | None = None
    #: How it logs in to SMTP and IMAP: a password, or OAuth2 access tokens (``smtp.oauth``).
    auth: Auth = Auth.PASSWORD

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0] if self.display_name.strip() else self.name

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]

    def capacity(self, *, first_day: date | None = None) -> Capacity:
        """Cap, spacing and warm-up; ``first_day`` is the sender's first local day with a send
        (the ramp's day 1 when ``warmup.since`` is not set)."""
        return Capacity(
            daily_cap=self.daily_cap,
            min_gap=self.min_gap,
            jitter=self.jitter,
            zone=self.timezone,
            warmup=self.warmup,
            first_day=first_day,
        )

    def template_fields(self) -> dict[str, str]:
        """What templates see as ``sender.*``."""
        return {
            "name": self.display_name,
            "first_name": self.first_name,
            "email": self.email,
            "title": self.title,
            "company": self.company,
            "phone": self.phone,
        }


@dataclass(frozen=True, kw_only=True)
class Frequency:
    """No contact gets more than ``max_messages`` emails and LinkedIn messages from us in ``days``
    days.
    """

    max_messages: int
    days: int

    @property
    def span(self) -> timedelta:
        return timedelta(days=self.days)


@dataclass(frozen=True, kw_only=True)
class Config:
    database_url: str = DEFAULT_DATABASE
    #: Files and folders sequences are loaded from.
    sequences: tuple[Path, ...] = (Path("sequences"),)
    senders: dict[str, Sender] = field(default_factory=dict)
    #: Seconds between dispatch ticks of the worker.
    tick_seconds: float = 5.0
    # : Delivery attempts of a send before a transient fault (4xx, dropped connection, timeout)
    # fails it.
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    # : Retry back-off base: attempt n is retried after base · 2^(n-1) · (1 + a random jitter in [0,
    # 1)).
    retry_base: timedelta = timedelta(minutes=1)
    #: Sends a worker claims at a time.
    batch: int = 100
    #: How long a claim is held; a send left 'sending' longer than this becomes 'uncertain'.
    lease: timedelta = timedelta(minutes=5)
    #: When the worker scores variants: APScheduler cron fields, in ``score_timezone``.
    score_days: str = "mon,thu"
    score_time: str = "08:00"
    score_timezone: str = "UTC"
    #: Name of the environment variable holding the webhook signing secret.
    webhook_secret_env: str = "SEQUENCER_WEBHOOK_SECRET"
    #: Seconds between inbox polls of the worker.
    poll_seconds: float = 60.0
    #: A reply matched only by its From address counts if we sent to that contact within this time.
    reply_window: timedelta = timedelta(days=120)
    http: HttpSettings = field(default_factory=HttpSettings)
    # : ``[frequency]``: at most this many messages to one contact in a span of days, across all
    # sequences.
    frequency: Frequency | None = None
    #: ``[companies] free_mail``: domains added to the built-in free-mail list (never a company for
    #: ``stop_scope: company``).
    free_mail: frozenset[str] = frozenset()
    #: Where the config was read from (None for built-in defaults).
    source: Path | None = None

    def webhook_secret(self) -> str:
        value = os.environ.get(self.webhook_secret_env)
        if not value:
            raise ConfigError(
                f"environment variable {self.webhook_secret_env} "
                "(the webhook signing secret) is not set"
            )
        return value

    def sender(self, name: str | None) -> Sender:
        from sequencer.errors import SenderNotFound

        if not self.senders:
            raise SenderNotFound(
                "no senders are configured: add a [[senders]] table to sequencer.toml "
                "(see examples/sequencer.toml)"
            )
        if name is None:
            return next(iter(self.senders.values()))
        try:
            return self.senders[name]
        except KeyError:
            known = ", ".join(self.senders)
            raise SenderNotFound(f"no sender named '{name}' (configured: {known})") from None


def parse_duration(value: Any, where: str) -> timedelta:
    """``90``, ``"90s"``, ``"2m"``, ``"1.5h"`` → timedelta."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if match is None:
        raise ConfigError(f"{where}: '{value}' is not a duration like 90s, 2m or 1h")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def find_config(explicit: Path | str | None = None) -> Path | None:
    """``--config``, else ``$SEQUENCER_CONFIG``, else ``./sequencer.toml`` if it exists."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("SEQUENCER_CONFIG")
    if env:
        return Path(env)
    local = Path("sequencer.toml")
    return local if local.exists() else None


def load_config(path: Path | str | None = None, *, database_url: str | None = None) -> Config:
    """Read the config file (if any); ``database_url`` (``--db``) and ``$SEQUENCER_DB`` win."""
    found = find_config(path)
    data: dict[str, Any] = {}
    if found is not None:
        try:
            data = tomllib.loads(found.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {found} not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{found}: not valid TOML: {exc}") from None
    return parse_config(data, source=found, database_url=database_url)


def parse_config(
    data: dict[str, Any], *, source: Path | None = None, database_url: str | None = None
) -> Config:
    where = str(source) if source else "config"
    _check_keys(
        data,
        {
            "database",
            "sequences",
            "senders",
            "worker",
            "webhooks",
            "scoring",
            "inbox",
            "http",
            "frequency",
            "companies",
            "oauth",
        },
        where,
    )
    url = database_url or os.environ.get("SEQUENCER_DB") or data.get("database", DEFAULT_DATABASE)
    base = source.parent if source else Path(".")
    raw_sequences = data.get("sequences", ["sequences"])
    if isinstance(raw_sequences, str):
        raw_sequences = [raw_sequences]
    sequences = tuple(p if p.is_absolute() else base / p for p in map(Path, raw_sequences))
    tokens = _token_place(data.get("oauth", {}), base, f"{where}: oauth")
    senders: dict[str, Sender] = {}
    for index, raw in enumerate(data.get("senders", [])):
        sender = _sender(raw, f"{where}: senders[{index}]", tokens=tokens, base=base)
        if sender.name in senders:
            raise ConfigError(
                f"{where}: senders[{index}].name: '{sender.name}' is configured twice"
            )
        senders[sender.name] = sender
    worker = data.get("worker", {})
    _check_keys(
        worker, {"tick_seconds", "max_attempts", "retry_base", "batch", "lease"}, f"{where}: worker"
    )
    batch = worker.get("batch", 100)
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise ConfigError(
            f"{where}: worker.batch: should be a whole number of at least 1, not {batch!r}"
        )
    lease = parse_duration(worker.get("lease", "5m"), f"{where}: worker.lease")
    if lease < timedelta(seconds=1):
        raise ConfigError(
            f"{where}: worker.lease: should be at least 1s (longer than one SMTP transaction)"
        )
    max_attempts = worker.get("max_attempts", DEFAULT_MAX_ATTEMPTS)
    if not isinstance(max_attempts, int) or isinstance(max_attempts, bool) or max_attempts < 1:
        raise ConfigError(
            f"{where}: worker.max_attempts: should be a whole "
            f"number of at least 1, not {max_attempts!r}"
        )
    retry_base = parse_duration(worker.get("retry_base", "1m"), f"{where}: worker.retry_base")
    if retry_base <= timedelta(0):
        raise ConfigError(f"{where}: worker.retry_base: should be longer than 0, like 30s or 1m")
    scoring = data.get("scoring", {})
    _check_keys(scoring, {"days", "time", "timezone"}, f"{where}: scoring")
    try:
        ZoneInfo(str(scoring.get("timezone", "UTC")))
    except (ValueError, KeyError):
        raise ConfigError(
            f"{where}: scoring.timezone: unknown time zone '{scoring.get('timezone')}'"
        ) from None
    if not re.match(r"^\d{1,2}:\d{2}$", str(scoring.get("time", "08:00"))):
        raise ConfigError(f"{where}: scoring.time: should look like 08:00")
    webhooks = data.get("webhooks", {})
    _check_keys(webhooks, {"secret_env"}, f"{where}: webhooks")
    inbox = data.get("inbox", {})
    _check_keys(inbox, {"poll_seconds", "reply_window"}, f"{where}: inbox")
    return Config(
        database_url=_sqlite_relative(str(url), base),
        sequences=sequences,
        senders=senders,
        poll_seconds=parse_duration(
            inbox.get("poll_seconds", 60), f"{where}: inbox.poll_seconds"
        ).total_seconds(),
        reply_window=parse_duration(
            inbox.get("reply_window", "120d"), f"{where}: inbox.reply_window"
        ),
        http=_http(data.get("http", {}), f"{where}: http"),
        tick_seconds=float(worker.get("tick_seconds", 5.0)),
        source=source,
        max_attempts=max_attempts,
        retry_base=retry_base,
        batch=batch,
        lease=lease,
        webhook_secret_env=str(webhooks.get("secret_env", "SEQUENCER_WEBHOOK_SECRET")),
        score_days=str(scoring.get("days", "mon,thu")),
        score_time=str(scoring.get("time", "08:00")),
        score_timezone=str(scoring.get("timezone", "UTC")),
        frequency=_frequency(data.get("frequency"), f"{where}: frequency"),
        free_mail=_free_mail(data.get("companies", {}), f"{where}: companies"),
    )


def _frequency(raw: Any, where: str) -> Frequency | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: should be a table with max_messages and days")
    _check_keys(raw, {"max_messages", "days"}, where)
    values = []
    for name in ("max_messages", "days"):
        value = raw.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(
                f"{where}.{name}: should be a whole number of at least 1, not {value!r}"
            )
        values.append(value)
    return Frequency(max_messages=values[0], days=values[1])


def _free_mail(raw: Any, where: str) -> frozenset[str]:
    if not isinstance(raw, dict):
        raise ConfigError(f'{where}: should be a table, like free_mail = ["example-mail.fi"]')
    _check_keys(raw, {"free_mail"}, where)
    domains = raw.get("free_mail", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) and "." in d for d in domains):
        raise ConfigError(
            f'{where}.free_mail: should be a list of domains, like ["example-mail.fi"]'
        )
    return frozenset(d.strip().lower().lstrip("@") for d in domains)


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


def _token_place(raw: Any, base: Path, where: str) -> tuple[Path, str]:
    """``[oauth] token_dir, key_env``: the folder of the encrypted token files and the key's
    variable.
    """
    _check_keys(raw, {"token_dir", "key_env"}, where)
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
    _check_keys(raw, _OAUTH_KEYS, where)
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


_HTTP_KEYS = {
    "host",
    "port",
    "public_url",
    "secret_env",
    "hooks_secret_env",
    "replay_window",
    "track_opens",
    "track_clicks",
}


def _sender(
    raw: dict[str, Any],
    where: str,
    *,
    tokens: tuple[Path, str] = (Path(DEFAULT_TOKEN_DIR), DEFAULT_TOKEN_KEY_ENV),
    base: Path = Path("."),
) -> Sender:
    _check_keys(raw, _SENDER_KEYS, where)
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
    _check_keys(smtp, _SMTP_KEYS, f"{where}.smtp")
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
    )


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
    this
    machine only: a local relay or a test server."""
    if security is Security.NONE and logs_in and not _is_loopback(host):
        raise ConfigError(
            f"{where}.security: sender '{sender}' would log in unencrypted to {host}; never log in "
            'without TLS: use security = "starttls" or "tls", or a loopback host'
        )


def _warmup(raw: Any, daily_cap: int, where: str) -> Warmup:
    """``warmup = { start = 5, step = 5, from = 2026-11-01 }``: the cap grows from ``start`` by
    ``step`` a day.
    """
    _check_keys(raw, {"start", "step", "from"}, where)
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
    _check_keys(raw, _IMAP_KEYS, where)
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


def _http(raw: Any, where: str) -> HttpSettings:
    if isinstance(raw, dict) and ("secret" in raw or "hooks_secret" in raw):
        raise ConfigError(
            f"{where}: never put a secret in the file; name its environment variable in secret_env "
            "and hooks_secret_env instead"
        )
    _check_keys(raw, _HTTP_KEYS, where)
    public_url = raw.get("public_url")
    if public_url is not None:
        public_url = str(public_url).rstrip("/")
        if not re.match(r"^https?://[^/\s]+", public_url):
            raise ConfigError(f"{where}.public_url: should be a URL like https://links.example.com")
        loopback = re.match(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)", public_url)
        if public_url.startswith("http://") and not loopback:
            raise ConfigError(
                f"{where}.public_url: use https (RFC 8058 one-click unsubscribe needs it); "
                "plain http is only for 127.0.0.1 and localhost"
            )
    for flag in ("track_opens", "track_clicks"):
        if not isinstance(raw.get(flag, False), bool):
            raise ConfigError(f"{where}.{flag}: should be true or false")
        if raw.get(flag) and public_url is None:
            raise ConfigError(
                f"{where}.{flag}: tracking needs public_url, the address the links point to"
            )
    return HttpSettings(
        host=str(raw.get("host", "127.0.0.1")),
        port=int(raw.get("port", 8080)),
        public_url=public_url,
        secret_env=str(raw.get("secret_env", "SEQUENCER_HTTP_SECRET")),
        hooks_secret_env=str(raw.get("hooks_secret_env", "SEQUENCER_HOOKS_SECRET")),
        replay_window=parse_duration(raw.get("replay_window", "5m"), f"{where}.replay_window"),
        track_opens=bool(raw.get("track_opens", False)),
        track_clicks=bool(raw.get("track_clicks", False)),
    )


def _check_keys(raw: Any, allowed: set[str], where: str) -> None:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: should be a table")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        import difflib

        hint = difflib.get_close_matches(unknown[0], sorted(allowed), n=1)
        suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
        raise ConfigError(f"{where}: unknown setting '{unknown[0]}'{suffix}")


def _sqlite_relative(url: str, base: Path) -> str:
    """A relative SQLite path in a config file is relative to that file."""
    prefix = "sqlite:///"
    if (
        url.startswith(prefix)
        and not url.startswith(prefix + "/")
        and url != prefix + ":memory:"
        and base != Path(".")
    ):
        return prefix + str((base / url[len(prefix) :]).resolve())
    return url
