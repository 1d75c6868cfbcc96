"""Finding and reading the configuration file (``sequencer.toml``) into a :class:`Config`.

:func:`load_config` finds the file (``--config``, ``$SEQUENCER_CONFIG``, ``./sequencer.toml``)
and :func:`parse_config` checks every table: the database, sequences, senders (through
:mod:`sequencer.config.senders`), worker, scoring, webhooks, inbox, HTTP, frequency and
companies.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sequencer.config.fields import check_keys, parse_duration
from sequencer.config.senders import parse_sender, token_place
from sequencer.config.settings import (
    DEFAULT_DATABASE,
    DEFAULT_MAX_ATTEMPTS,
    Config,
    Frequency,
    HttpSettings,
    Sender,
)
from sequencer.errors import ConfigError

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


_URL_SCHEME = re.compile(r"^(sqlite|postgresql)(\+[a-z0-9_]+)?://")


def to_database_url(value: str, where: str, *, relative: bool = False) -> str:
    """A database URL as given, or an SQLite file path made a URL (``--db``, ``$SEQUENCER_DB``,
    the config's ``database``); a ConfigError naming ``where`` for anything else. A path is
    made absolute unless ``relative`` (a config file's path is relative to that file)."""
    text = value.strip()
    if not text:
        raise ConfigError(f"{where}: is empty; give a database URL or an SQLite file path")
    if "://" in text:
        if not _URL_SCHEME.match(text):
            raise ConfigError(
                f"{where}: '{text}' is not a database URL sequencer can use; give an SQLite file "
                "path, sqlite:///path/to/file.db or postgresql://user@host/dbname"
            )
        return text
    path = Path(text).expanduser()
    if not relative and path.is_dir():
        raise ConfigError(f"{where}: '{text}' is a folder; give the database file's path")
    return f"sqlite:///{path if relative else path.resolve()}"


def parse_config(
    data: dict[str, Any], *, source: Path | None = None, database_url: str | None = None
) -> Config:
    where = str(source) if source else "config"
    check_keys(
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
    if database_url is not None:
        url = to_database_url(database_url, "--db")
    elif os.environ.get("SEQUENCER_DB"):
        url = to_database_url(os.environ["SEQUENCER_DB"], "$SEQUENCER_DB")
    else:
        raw_url = data.get("database", DEFAULT_DATABASE)
        if not isinstance(raw_url, str):
            raise ConfigError(f"{where}: database: should be a database URL or an SQLite file path")
        url = to_database_url(raw_url, f"{where}: database", relative=True)
    base = source.parent if source else Path(".")
    raw_sequences = data.get("sequences", ["sequences"])
    if isinstance(raw_sequences, str):
        raw_sequences = [raw_sequences]
    sequences = tuple(p if p.is_absolute() else base / p for p in map(Path, raw_sequences))
    tokens = token_place(data.get("oauth", {}), base, f"{where}: oauth")
    senders: dict[str, Sender] = {}
    for index, raw in enumerate(data.get("senders", [])):
        sender = parse_sender(raw, f"{where}: senders[{index}]", tokens=tokens, base=base)
        if sender.name in senders:
            raise ConfigError(
                f"{where}: senders[{index}].name: '{sender.name}' is configured twice"
            )
        senders[sender.name] = sender
    worker = data.get("worker", {})
    check_keys(
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
    check_keys(scoring, {"days", "time", "timezone"}, f"{where}: scoring")
    try:
        ZoneInfo(str(scoring.get("timezone", "UTC")))
    except (ValueError, KeyError):
        raise ConfigError(
            f"{where}: scoring.timezone: unknown time zone '{scoring.get('timezone')}'"
        ) from None
    if not re.match(r"^\d{1,2}:\d{2}$", str(scoring.get("time", "08:00"))):
        raise ConfigError(f"{where}: scoring.time: should look like 08:00")
    webhooks = data.get("webhooks", {})
    check_keys(webhooks, {"secret_env"}, f"{where}: webhooks")
    inbox = data.get("inbox", {})
    check_keys(inbox, {"poll_seconds", "reply_window"}, f"{where}: inbox")
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
    check_keys(raw, {"max_messages", "days"}, where)
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
    check_keys(raw, {"free_mail"}, where)
    domains = raw.get("free_mail", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) and "." in d for d in domains):
        raise ConfigError(
            f'{where}.free_mail: should be a list of domains, like ["example-mail.fi"]'
        )
    return frozenset(d.strip().lower().lstrip("@") for d in domains)


def _http(raw: Any, where: str) -> HttpSettings:
    if isinstance(raw, dict) and ("secret" in raw or "hooks_secret" in raw):
        raise ConfigError(
            f"{where}: never put a secret in the file; name its environment variable in secret_env "
            "and hooks_secret_env instead"
        )
    check_keys(raw, _HTTP_KEYS, where)
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
