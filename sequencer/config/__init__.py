"""Configuration: a TOML file (``sequencer.toml``) plus environment variables.

Secrets are never in the file: a sender names the *environment variable* that holds its
password (``password_env``), and the password is read only when a connection is opened.
A sender with ``auth = "oauth2"`` logs in with an access token instead; its refresh token is
kept encrypted by :mod:`sequencer.oauth`, never in this file.

The parts: :mod:`~sequencer.config.settings` (the values), :mod:`~sequencer.config.load`
(finding and parsing the file), :mod:`~sequencer.config.senders` (one ``[[senders]]`` table) and
:mod:`~sequencer.config.fields` (durations and unknown-key checks).
"""

from __future__ import annotations

from sequencer.config.fields import parse_duration
from sequencer.config.load import find_config, load_config, parse_config
from sequencer.config.senders import DEFAULT_TOKEN_DIR, DEFAULT_TOKEN_KEY_ENV
from sequencer.config.settings import (
    DEFAULT_DATABASE,
    DEFAULT_MAX_ATTEMPTS,
    PRESETS,
    Auth,
    Config,
    Frequency,
    HttpSettings,
    ImapSettings,
    OAuthSettings,
    Preset,
    Provider,
    Security,
    Sender,
    SmtpSettings,
)
from sequencer.config.verify import VerifySettings

__all__ = [
    "DEFAULT_DATABASE",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_TOKEN_DIR",
    "DEFAULT_TOKEN_KEY_ENV",
    "PRESETS",
    "Auth",
    "Config",
    "Frequency",
    "HttpSettings",
    "ImapSettings",
    "OAuthSettings",
    "Preset",
    "Provider",
    "Security",
    "Sender",
    "SmtpSettings",
    "VerifySettings",
    "find_config",
    "load_config",
    "parse_config",
    "parse_duration",
]
