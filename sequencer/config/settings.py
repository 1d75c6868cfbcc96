"""The configuration's values: senders with their SMTP, IMAP and OAuth2 settings, the HTTP
server's settings, and :class:`Config`, which holds them all. Frozen; built by
:func:`sequencer.config.parse_config`.

Secrets are never held here: a setting names the environment variable that holds one, and the
methods that read it (``password()``, ``secret()``...) raise
:class:`~sequencer.errors.ConfigError` when it is not set.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sequencer.caps import Capacity, Warmup
from sequencer.config.verify import VerifySettings
from sequencer.errors import ConfigError
from sequencer.guard import Thresholds

DEFAULT_DATABASE = "sqlite:///sequencer.db"
#: Delivery attempts of a send before a fault that keeps coming back fails it (``[worker]
#: max_attempts``).
DEFAULT_MAX_ATTEMPTS = 5


class Auth(enum.StrEnum):
    #: A password from the environment variable named in ``password_env`` (custom servers, app
    #: passwords).
    PASSWORD = "password"
    #: An OAuth2 access token (SASL XOAUTH2 or OAUTHBEARER), refreshed from the stored refresh
    #: token.
    OAUTH2 = "oauth2"


class Provider(enum.StrEnum):
    #: Google Workspace / Gmail: smtp.gmail.com and imap.gmail.com, loopback-redirect flow with
    #: PKCE.
    GOOGLE = "google"
    #: Microsoft 365 / Exchange Online: smtp.office365.com and outlook.office365.com, device-code
    #: flow.
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
    #: Environment variable with the client secret (Google's installed apps have one; Microsoft's
    #: public clients none).
    client_secret_env: str | None = None
    token_url: str
    authorize_url: str | None = None
    device_url: str | None = None
    scopes: tuple[str, ...] = ()
    #: "loopback" (authorization code with PKCE and a redirect to 127.0.0.1) or "device" (device
    #: code).
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
    #: Public https base URL of this app; unsubscribe and tracking links point here. Unset: no
    #: links.
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
    #: A new mailbox's ramp up to ``daily_cap`` (``warmup = { start, step, from }``); None: full
    #: cap at once.
    warmup: Warmup | None = None
    #: How it logs in to SMTP and IMAP: a password, or OAuth2 access tokens (``smtp.oauth``).
    auth: Auth = Auth.PASSWORD
    #: ``bounce_guard = { rate, window, min_sends, consecutive }``: when its bounces hold it.
    bounce_guard: Thresholds = field(default_factory=Thresholds)
    #: The DKIM selector its mail is signed with (``senders check --dns`` reads the key there).
    dkim_selector: str | None = None
    #: APPEND a copy of each email sent to the mailbox's Sent folder over IMAP (for SMTP servers
    #: that do not file sent mail themselves).
    save_sent: bool = False

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
    #: Delivery attempts of a send before a transient fault (4xx, dropped connection, timeout)
    #: fails it.
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    #: Retry back-off base: attempt n is retried after base · 2^(n-1) · (1 + a random jitter in [0,
    #: 1)).
    retry_base: timedelta = timedelta(minutes=1)
    #: Sends a worker claims at a time.
    batch: int = 100
    #: ``[worker] mask_addresses``: the worker's log lines show ``a***@example.com``.
    mask_addresses: bool = False
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
    #: ``[frequency]``: at most this many messages to one contact in a span of days, across all
    #: sequences.
    frequency: Frequency | None = None
    #: ``[companies] free_mail``: domains added to the built-in free-mail list (never a company for
    #: ``stop_scope: company``).
    free_mail: frozenset[str] = frozenset()
    #: ``[channels]``: a channel of the host's own by name, as the import path of its class
    #: (``slack = "myapp.slack:SlackChannel"``); sequence steps may then use that name.
    channels: dict[str, str] = field(default_factory=dict)
    #: Where the config was read from (None for built-in defaults).
    source: Path | None = None
    #: ``[verify]``: address checks on import, and the DNS servers of every DNS check.
    verify: VerifySettings = field(default_factory=VerifySettings)
    #: Each ``sequences`` entry the config file names: (its line in the file, ``sequences[0]``...,
    #: the path as written), for an error that says where a path that does not exist came from.
    sequence_origins: dict[Path, tuple[int, str, str]] = field(default_factory=dict)

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
