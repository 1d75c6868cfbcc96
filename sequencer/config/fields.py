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


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGNMENT = re.compile(r"""^\s*([A-Za-z0-9_.'"-]+?)\s*=""")
_FAULT = re.compile(r"^(?::\d+)?: ([A-Za-z_][\w.\[\]-]*)(?=: )")
_UNKNOWN = re.compile(r"unknown setting '([^']+)'")


def key_lines(text: str) -> dict[str, int]:
    """Each table and key of a TOML file's text (``senders[1].smtp.port``) → its 1-based line.

    A best effort for messages: multi-line strings and arrays are skipped, and a key inside an
    inline table is found through the key that holds the table.
    """
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    table = ""
    skip_until: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if skip_until is not None:
            if skip_until in line:
                skip_until = None
            continue
        header = _HEADER.match(line)
        if header is not None:
            table = _table_path(header.group(2), header.group(1) == "[[", counts)
            lines.setdefault(table, number)
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment is None:
            continue
        key = ".".join(part.strip("\"' ") for part in assignment.group(1).split("."))
        lines.setdefault(f"{table}.{key}" if table else key, number)
        value = line[assignment.end() :].strip()
        if value.startswith(('"""', "'''")) and value.count(value[:3]) == 1:
            skip_until = value[:3]
        elif value.startswith("[") and value.count("[") > value.count("]"):
            skip_until = "]"
    return lines


def _table_path(name: str, array: bool, counts: dict[str, int]) -> str:
    """``senders`` in ``[[senders]]`` → ``senders[2]`` (its third table); ``senders.smtp`` in
    ``[senders.smtp]`` → ``senders[2].smtp`` (the array's latest table)."""
    parts = [part.strip("\"' ") for part in name.split(".")]
    path = ""
    for index, part in enumerate(parts):
        path = f"{path}.{part}" if path else part
        last = index == len(parts) - 1
        if array and last:
            counts[path] = counts.get(path, -1) + 1
        if path in counts:
            path = f"{path}[{counts[path]}]"
    return path


def line_of(lines: dict[str, int], path: str) -> int:
    """The line of ``path`` or, when it is not written out, of the nearest table holding it."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return 0


def locate(message: str, where: str, lines: dict[str, int]) -> str:
    """A fault ``"<where>: <key>: what is wrong"`` with the key's line added after the file
    name; other messages as they are."""
    if not message.startswith(where):
        return message
    rest = message[len(where) :]
    fault = _FAULT.match(rest)
    key = fault.group(1) if fault else ""
    unknown = _UNKNOWN.search(rest)
    if unknown is not None:
        key = f"{key}.{unknown.group(1)}" if key else unknown.group(1)
    line = line_of(lines, key) if key else 0
    if not line or re.match(r"^:\d+", rest):
        return message
    return f"{where}:{line}{rest}"
