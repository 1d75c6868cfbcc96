"""Finding and reading the configuration file (``sequencer.toml``) into a :class:`Config`.

:func:`load_config` finds the file (``--config``, ``$SEQUENCER_CONFIG``, ``./sequencer.toml``)
and :func:`parse_config` checks every table: the database, sequences, senders (through
:mod:`sequencer.config.senders`), worker, scoring, webhooks, inbox, HTTP, frequency and
companies.

A relative path in a config file (``database``, ``sequences``, ``[oauth] token_dir``,
``ca_file``) is relative to the folder the file is in, never to where the command runs. A path
the file names that does not exist is an error naming the file, the key, its line and the path
it resolved to (:func:`missing_paths` for ``sequences``, checked where sequences are read).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sequencer.config.fields import check_keys, key_lines, locate, parse_duration
from sequencer.config.senders import parse_sender, token_place
from sequencer.config.settings import (
    DEFAULT_DATABASE,
    DEFAULT_MAX_ATTEMPTS,
    Config,
    Frequency,
    HttpSettings,
    Sender,
)
from sequencer.config.verify import parse_verify
from sequencer.errors import ConfigError, Problem

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
    text = ""
    if found is not None:
        try:
            text = found.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except FileNotFoundError:
            raise ConfigError(f"config file {found} not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{found}: not valid TOML: {exc}") from None
    return parse_config(data, source=found, database_url=database_url, text=text)


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
    data: dict[str, Any],
    *,
    source: Path | None = None,
    database_url: str | None = None,
    text: str = "",
) -> Config:
    """A :class:`Config` from a config file's tables (``text``, the file's text, gives the lines
    errors name); :class:`ConfigError` names every fault of the file, each with its key and
    line (:func:`_every_fault`)."""
    try:
        return _parse_tables(data, source=source, database_url=database_url, text=text)
    except ConfigError as first:
        where = str(source) if source else "config"
        faults = _every_fault(data, first, source=source, database_url=database_url, text=text)
        lines = key_lines(text)
        located = [locate(fault, where, lines) for fault in faults]
        if len(located) == 1:
            raise ConfigError(located[0]) from None
        listed = "\n".join(f"  {fault}" for fault in located)
        raise ConfigError(f"{len(located)} errors in {where}:\n{listed}") from None


#: Tables whose settings are independent, so each is checked on its own (one fault each).
_FIELD_BY_FIELD = ("worker", "scoring", "inbox", "webhooks")


def _every_fault(
    data: dict[str, Any],
    first: ConfigError,
    *,
    source: Path | None,
    database_url: str | None,
    text: str,
) -> list[str]:
    """Each fault of the file once: every top-level key, every field of the tables in
    :data:`_FIELD_BY_FIELD` and every ``[[senders]]`` table parsed on its own, then ``first``
    (the whole file's first fault, which may span tables, like a sender configured twice)."""
    where = str(source) if source else "config"
    base = source.parent.resolve() if source else Path(".")
    faults: list[str] = []

    def attempt(part: dict[str, Any]) -> None:
        try:
            _parse_tables(part, source=source, database_url=database_url, text=text)
        except ConfigError as exc:
            if exc.message not in faults:
                faults.append(exc.message)

    for key, value in data.items():
        if key in _FIELD_BY_FIELD and isinstance(value, dict) and value:
            for field, item in value.items():
                attempt({key: {field: item}})
        elif key == "senders" and isinstance(value, list):
            try:  # a fault in [oauth] is its own; senders are checked with the default place
                tokens = token_place(data.get("oauth", {}), base, f"{where}: oauth")
            except ConfigError:
                tokens = token_place({}, base, f"{where}: oauth")
            for index, raw in enumerate(value):
                try:
                    parse_sender(raw, f"{where}: senders[{index}]", tokens=tokens, base=base)
                except ConfigError as exc:
                    faults.append(exc.message)
        else:
            attempt({key: value})
    if first.message not in faults:
        faults.append(first.message)
    return faults


def _parse_tables(
    data: dict[str, Any],
    *,
    source: Path | None,
    database_url: str | None,
    text: str,
) -> Config:
    """The whole file at once; :class:`ConfigError` for the first fault."""
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
            "channels",
            "verify",
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
    base = source.parent.resolve() if source else Path(".")
    if source is not None and "database" in data and database_url is None:
        _database_folder(_sqlite_relative(url, base), source, key_lines(text).get("database", 0))
    raw_sequences = data.get("sequences", ["sequences"])
    if isinstance(raw_sequences, str):
        raw_sequences = [raw_sequences]
    if not isinstance(raw_sequences, list) or not all(isinstance(p, str) for p in raw_sequences):
        raise ConfigError(f'{where}: sequences: should be a list of paths, like ["sequences"]')
    sequences = tuple(p if p.is_absolute() else base / p for p in map(Path, raw_sequences))
    line = key_lines(text).get("sequences", 0)
    origins = (
        {
            path: (line, f"sequences[{index}]", raw)
            for index, (path, raw) in enumerate(zip(sequences, raw_sequences, strict=True))
        }
        if source is not None and "sequences" in data
        else {}
    )
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
        worker,
        {"tick_seconds", "max_attempts", "retry_base", "batch", "lease", "mask_addresses"},
        f"{where}: worker",
    )
    mask_addresses = worker.get("mask_addresses", False)
    if not isinstance(mask_addresses, bool):
        raise ConfigError(
            f"{where}: worker.mask_addresses: should be true or false, not {mask_addresses!r}"
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
        sequence_origins=origins,
        max_attempts=max_attempts,
        retry_base=retry_base,
        mask_addresses=mask_addresses,
        batch=batch,
        lease=lease,
        webhook_secret_env=str(webhooks.get("secret_env", "SEQUENCER_WEBHOOK_SECRET")),
        score_days=str(scoring.get("days", "mon,thu")),
        score_time=str(scoring.get("time", "08:00")),
        score_timezone=str(scoring.get("timezone", "UTC")),
        frequency=_frequency(data.get("frequency"), f"{where}: frequency"),
        free_mail=_free_mail(data.get("companies", {}), f"{where}: companies"),
        channels=_channels(data.get("channels", {}), f"{where}: channels"),
        verify=parse_verify(data.get("verify", {}), f"{where}: verify"),
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


_IMPORT_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


def _channels(raw: Any, where: str) -> dict[str, str]:
    """``[channels]``: name = "module:Class" (imported when the worker builds its channels)."""
    if not isinstance(raw, dict):
        raise ConfigError(f'{where}: should be a table, like slack = "myapp.slack:SlackChannel"')
    for name, path in raw.items():
        if not re.match(r"^[a-z][a-z0-9_-]*$", name):
            raise ConfigError(f"{where}.{name}: a channel name is lower-case letters, digits, _, -")
        if not isinstance(path, str) or not _IMPORT_PATH.match(path):
            raise ConfigError(
                f"{where}.{name}: should be the import path of a class, like "
                f'"myapp.slack:SlackChannel", not {path!r}'
            )
    return dict(raw)


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


def _database_folder(url: str, source: Path, line: int) -> None:
    """An SQLite file's folder must exist (the file is made on first use; the folder is not)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix + ":memory:":
        return
    folder = Path(url[len(prefix) :]).parent
    if not folder.is_dir():
        where = f"{source}:{line}" if line else str(source)
        raise ConfigError(
            f"{where}: database: the folder {folder} does not exist (a relative path in a "
            f"config file is relative to its folder, {source.parent.resolve()})"
        )


def missing_paths(config: Config, paths: Iterable[Path]) -> list[Problem]:
    """A problem for each of ``paths`` that the config file's ``sequences`` names and that does
    not exist, naming the file, the line, the entry and the resolved path (a relative entry is
    relative to the config file's folder). Paths given some other way are the loader's to
    report."""
    problems = []
    for path in paths:
        origin = config.sequence_origins.get(path)
        if origin is None or config.source is None or path.exists():
            continue
        line, entry, raw = origin
        problems.append(
            Problem(
                file=str(config.source),
                line=line,
                path=entry,
                message=f"'{raw}' is {path.resolve()}, which does not exist (a relative path in "
                f"a config file is relative to its folder, {config.source.parent.resolve()})",
            )
        )
    return problems


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
