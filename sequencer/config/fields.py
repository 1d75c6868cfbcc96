"""Reading single values of the TOML file: durations, and tables checked for unknown keys.

Shared by :mod:`sequencer.config.load` and :mod:`sequencer.config.senders`; each raises
:class:`~sequencer.errors.ConfigError` naming where in the file the value is.
"""

from __future__ import annotations

import difflib
import re
from datetime import timedelta
from typing import Any

from sequencer.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: Any, where: str) -> timedelta:
    """``90``, ``"90s"``, ``"2m"``, ``"1.5h"`` → timedelta."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if match is None:
        raise ConfigError(f"{where}: '{value}' is not a duration like 90s, 2m or 1h")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def check_keys(raw: Any, allowed: set[str], where: str) -> None:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: should be a table")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        hint = difflib.get_close_matches(unknown[0], sorted(allowed), n=1)
        suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
        raise ConfigError(f"{where}: unknown setting '{unknown[0]}'{suffix}")
