"""Sequence YAML → :class:`~sequencer.model.Sequence`, reporting every problem in one pass.

Each problem names its file, the line of the offending YAML node and the field path
(``steps[1].subjects[2]``). The loader reads files but does no other I/O.

A sequence file is input, and may be hostile or careless: the file and each ``file:`` body
are read up to a size cap, nesting, aliases and what aliases expand to are capped while the
YAML is composed, tags and non-scalar keys are refused, and body files must be regular
files inside the sequence's folder. Each refusal is a located :class:`Problem`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import stat
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from sequencer import calendars, rendering
from sequencer.errors import Problem, SequenceInvalid
from sequencer.model import (
    SENDER_FIELDS,
    STANDARD_FIELDS,
    WEEKDAYS,
    Channel,
    Holidays,
    Metric,
    ScoringRules,
    Sequence,
    Step,
    StopRules,
    StopScope,
    Template,
    Then,
    Variant,
    Window,
    ZoneSource,
)

_TOP_KEYS = (
    "name",
    "description",
    "defaults",
    "stop_on",
    "stop_scope",
    "fields",
    "steps",
    "then",
    "scoring",
)
_SCORING_KEYS = ("metric", "reply_window_days", "min_sends", "alpha", "n_star")
_DEFAULT_KEYS = ("sender", "timezone", "timezone_from", "window", "business_days", "holidays")
_WINDOW_KEYS = ("days", "hours")
_HOLIDAY_KEYS = ("country", "subdivision", "dates")
_STOP_KEYS = ("reply", "goals", "bounce", "unsubscribe")
_STEP_KEYS = ("key", "day", "channel", "subjects", "bodies", "thread", "message", "url")
_VARIANT_KEYS = ("key", "text", "file")
_THEN_KEYS = ("sequence", "after_days", "only_if")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_CONDITIONS = ("not_replied", "opened", "clicked")

#: Largest sequence file read, in bytes.
MAX_FILE_BYTES = 1024 * 1024
#: Largest ``file:`` body read, in bytes.
MAX_BODY_FILE_BYTES = 1024 * 1024
#: Deepest nesting of lists and fields (a real sequence file uses about 6 levels).
MAX_DEPTH = 40
#: Most aliases (``*name``) in one file.
MAX_ALIASES = 100
#: Most YAML nodes in one file with every alias expanded (a real sequence file has ~100).
MAX_NODES = 20_000
# Keys allowed per channel, beyond key/day/channel.
_CHANNEL_KEYS = {
    Channel.EMAIL: {"subjects", "bodies", "thread"},
    Channel.LINKEDIN: {"message"},
    Channel.CALL: {"message"},
    Channel.WEBHOOK: {"url"},
}


def load_file(
    path: Path | str, *, senders: Iterable[str] | None = None
) -> tuple[Sequence | None, list[Problem]]:
    """Load one sequence file; returns the sequence (None on any error) and every problem."""
    reader = _Reader(Path(path), senders=None if senders is None else frozenset(senders))
    sequence = reader.read()
    problems = sorted(reader.problems, key=lambda p: p.line)
    errors = any(p.severity == "error" for p in problems)
    return (None if errors else sequence), problems


def load_paths(
    paths: Iterable[Path | str], *, senders: Iterable[str] | None = None
) -> tuple[dict[str, Sequence], list[Problem]]:
    """Load files and folders (``*.yaml``/``*.yml`` inside); check names and ``then:`` across
    files.
    """
    files = list(_expand(paths))
    problems: list[Problem] = []
    loaded: dict[str, Sequence] = {}
    for file in files:
        if not file.exists():
            problems.append(
                Problem(file=str(file), line=0, path="", message="no such file or folder")
            )
            continue
        sequence, found = load_file(file, senders=senders)
        problems.extend(found)
        if sequence is None:
            continue
        if sequence.name in loaded:
            first = loaded[sequence.name].source
            problems.append(
                Problem(
                    file=str(file),
                    line=1,
                    path="name",
                    message=f"sequence name '{sequence.name}' is already used by {first}",
                )
            )
            continue
        loaded[sequence.name] = sequence
    problems.extend(_check_chains(loaded, files))
    return loaded, problems


def load_sequences(
    paths: Iterable[Path | str], *, senders: Iterable[str] | None = None
) -> dict[str, Sequence]:
    """Like :func:`load_paths` but raise :class:`SequenceInvalid` on any error."""
    loaded, problems = load_paths(paths, senders=senders)
    if any(p.severity == "error" for p in problems):
        raise SequenceInvalid(problems)
    return loaded


def _expand(paths: Iterable[Path | str]) -> Iterable[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
            )
        else:
            yield path


def _check_chains(loaded: dict[str, Sequence], files: list[Path]) -> list[Problem]:
    problems = []
    names = set(loaded)
    for sequence in loaded.values():
        if sequence.then is None or sequence.then.sequence in names:
            continue
        known = ", ".join(sorted(names)) or "none"
        problems.append(
            Problem(
                file=sequence.source,
                line=_then_line(sequence.source),
                path="then.sequence",
                message=f"no sequence named '{sequence.then.sequence}' "
                f"among the files checked (known: {known})"
                + _suggest(sequence.then.sequence, names),
            )
        )
    return problems


def _then_line(source: str) -> int:
    for number, line in enumerate(Path(source).read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("sequence:"):
            return number
    return 0


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def parse_zone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA zone, or ValueError with a suggestion."""
    if name not in _zone_names():
        raise ValueError(f"unknown time zone '{name}'{_suggest(name, _zone_names())}")
    return zoneinfo.ZoneInfo(name)


@dataclass
class _Reader:
    """Walks one file's YAML nodes, collecting problems as it goes."""

    file: Path
    senders: frozenset[str] | None
    problems: list[Problem] = field(default_factory=list)
    _constructor: Any = None

    # -- plumbing ---------------------------------------------------------------------------

    def error(
        self, node: yaml.Node | None, path: str, message: str, *, severity: str = "error"
    ) -> None:
        line = node.start_mark.line + 1 if node is not None else 0
        self.problems.append(
            Problem(file=str(self.file), line=line, path=path, message=message, severity=severity)
        )

    def value(self, node: yaml.Node) -> Any:
        """The node as Python data; a scalar YAML cannot convert (``2026-02-30``) stays text."""
        try:
            return self._constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError):
            return node.value if isinstance(node, yaml.ScalarNode) else None

    def mapping(self, node: yaml.Node, path: str, allowed: Iterable[str]) -> dict[str, yaml.Node]:
        """Keys → value nodes; reports a non-mapping, unknown and duplicate keys."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, path, f"should be a set of 'key: value' fields, not {_kind(node)}")
            return {}
        allowed = tuple(allowed)
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(
                    key_node, path, f"a field name should be a plain word, not {_kind(key_node)}"
                )
                continue
            key = str(self.value(key_node))
            where = _join(path, key)
            if key in out:
                self.error(key_node, where, f"'{key}' is given twice")
            elif key not in allowed:
                self.error(key_node, where, f"unknown field '{key}'{_suggest(key, allowed)}")
            else:
                out[key] = value_node
        return out

    def raw(self, node: yaml.Node | None) -> Any:
        """A scalar's value, or None; reports nothing."""
        return self.value(node) if isinstance(node, yaml.ScalarNode) else None

    def items(self, node: yaml.Node, path: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, path, f"should be a list, not {_kind(node)}")
            return []
        return list(node.value)

    def text(self, node: yaml.Node, path: str) -> str | None:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, str) or not value.strip():
            self.error(node, path, "should be a non-empty piece of text")
            return None
        return value

    def boolean(self, node: yaml.Node, path: str) -> bool | None:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            self.error(node, path, "should be true or false")
            return None
        return value

    def integer(self, node: yaml.Node, path: str, *, minimum: int = 0) -> int | None:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.error(node, path, f"should be a whole number of at least {minimum}")
            return None
        return value

    def strings(self, node: yaml.Node, path: str) -> list[tuple[str, yaml.Node]]:
        out = []
        for index, item in enumerate(self.items(node, path)):
            text = self.text(item, f"{path}[{index}]")
            if text is not None:
                out.append((text.strip(), item))
        return out

    # -- the file ---------------------------------------------------------------------------

    def read(self) -> Sequence | None:
        try:
            source = read_capped(self.file, MAX_FILE_BYTES)
        except _Unreadable as exc:
            self.error(None, "", f"cannot read the file: {exc}")
            return None
        try:
            root = compose(source)
        except _Refused as exc:
            self.problems.append(
                Problem(file=str(self.file), line=exc.line, path="", message=str(exc))
            )
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 0
            self.problems.append(
                Problem(
                    file=str(self.file),
                    line=line,
                    path="",
                    message=f"not valid YAML: {exc.problem or exc}",
                )
            )
            return None
        except (
            yaml.reader.ReaderError
        ) as exc:  # a control character: YAML allows none, not even in quotes
            line = source.count("\n", 0, exc.position) + 1
            self.problems.append(
                Problem(
                    file=str(self.file),
                    line=line,
                    path="",
                    message=f"not valid YAML: character {exc.character:#06x} is not allowed",
                )
            )
            return None
        if root is None:
            self.error(None, "", "the file is empty")
            return None
        self._constructor = yaml.SafeLoader("")
        return self.sequence(root)

    def sequence(self, root: yaml.Node) -> Sequence | None:
        top = self.mapping(root, "", _TOP_KEYS)
        if not top and not isinstance(root, yaml.MappingNode):
            return None
        name = self.file.stem
        if "name" in top:
            name = self.text(top["name"], "name") or name
        fields = self.custom_fields(top.get("fields"))
        known = STANDARD_FIELDS | fields
        defaults = self.defaults(top.get("defaults"))
        stop_on = self.stop_rules(top.get("stop_on"))
        scope = self.stop_scope(top["stop_scope"]) if "stop_scope" in top else StopScope.CONTACT
        steps = self.steps(top.get("steps"), root, known)
        then = self.then(top["then"], known) if "then" in top else None
        description = self.text(top["description"], "description") if "description" in top else ""
        scoring = self.scoring(top["scoring"]) if "scoring" in top else ScoringRules()
        return Sequence(
            scoring=scoring,
            name=name.strip(),
            description=(description or "").strip(),
            stop_on=stop_on,
            stop_scope=scope,
            fields=fields,
            steps=tuple(steps),
            then=then,
            source=str(self.file),
            **defaults,
        )

    def scoring(self, node: yaml.Node) -> ScoringRules:
        fields = self.mapping(node, "scoring", _SCORING_KEYS)
        out: dict[str, Any] = {}
        if "metric" in fields:
            name = self.text(fields["metric"], "scoring.metric")
            options = [m.value for m in Metric]
            if name is not None and name not in options:
                self.error(
                    fields["metric"],
                    "scoring.metric",
                    f"unknown metric '{name}'; use replies, goals, "
                    f"clicks or opens{_suggest(name, options)}",
                )
            elif name is not None:
                out["metric"] = Metric(name)
        for name, minimum in (("reply_window_days", 0), ("min_sends", 1), ("n_star", 1)):
            if (
                name in fields
                and (value := self.integer(fields[name], f"scoring.{name}", minimum=minimum))
                is not None
            ):
                out[name] = value
        if "alpha" in fields:
            alpha = self.raw(fields["alpha"])
            if not isinstance(alpha, float) or not 0 < alpha < 1:
                self.error(
                    fields["alpha"],
                    "scoring.alpha",
                    "should be a number between 0 and 1, like 0.05",
                )
            else:
                out["alpha"] = alpha
        return ScoringRules(**out)

    def custom_fields(self, node: yaml.Node | None) -> frozenset[str]:
        if node is None:
            return frozenset()
        names = set()
        for index, (name, item) in enumerate(self.strings(node, "fields")):
            if name in STANDARD_FIELDS or name == "sender":
                self.error(
                    item,
                    f"fields[{index}]",
                    f"'{name}' is a built-in field; list only custom columns",
                )
            elif not name.isidentifier():
                self.error(
                    item,
                    f"fields[{index}]",
                    f"'{name}' is not a usable field name (letters, digits, _)",
                )
            names.add(name)
        return frozenset(names)

    def defaults(self, node: yaml.Node | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if node is None:
            return out
        fields = self.mapping(node, "defaults", _DEFAULT_KEYS)
        if "sender" in fields:
            out["senders"] = self.senders_of(fields["sender"])
        if "timezone" in fields:
            out["timezone"] = self.zone(fields["timezone"], "defaults.timezone")
        if "timezone_from" in fields:
            out["timezone_from"] = self.zone_sources(fields["timezone_from"])
        if "window" in fields:
            out["window"] = self.window(fields["window"])
        if "business_days" in fields:
            out["business_days"] = self.boolean(fields["business_days"], "defaults.business_days")
        if "holidays" in fields:
            out["holidays"] = self.holidays(fields["holidays"])
        return {k: v for k, v in out.items() if v is not None}

    def senders_of(self, node: yaml.Node) -> tuple[str, ...] | None:
        """``defaults.sender``: one configured sender's name, or a list of them to rotate over."""
        if isinstance(node, yaml.SequenceNode):
            items = [(f"defaults.sender[{i}]", item) for i, item in enumerate(node.value)]
            if not items:
                self.error(node, "defaults.sender", "give a sender's name or a list of names")
        else:
            items = [("defaults.sender", node)]
        names: list[str] = []
        for path, item in items:
            name = self.text(item, path)
            if name is None:
                continue
            if self.senders is not None and name not in self.senders:
                known = ", ".join(sorted(self.senders)) or "none configured"
                self.error(
                    item,
                    path,
                    f"no sender named '{name}' in the configuration "
                    f"(known: {known}){_suggest(name, self.senders)}",
                )
            elif name in names:
                self.error(item, path, f"sender '{name}' is listed twice")
            else:
                names.append(name)
        return tuple(names) if names else None

    def zone(self, node: yaml.Node, path: str) -> zoneinfo.ZoneInfo | None:
        name = self.text(node, path)
        if name is None:
            return None
        try:
            return parse_zone(name.strip())
        except ValueError as exc:
            self.error(node, path, str(exc))
            return None

    def zone_sources(self, node: yaml.Node) -> tuple[ZoneSource, ...] | None:
        sources = []
        options = [s.value for s in ZoneSource]
        for index, (name, item) in enumerate(self.strings(node, "defaults.timezone_from")):
            if name not in options:
                self.error(
                    item,
                    f"defaults.timezone_from[{index}]",
                    f"'{name}' is not a zone source; use recipient, "
                    f"sequence or sender{_suggest(name, options)}",
                )
            else:
                sources.append(ZoneSource(name))
        return tuple(sources) or None

    def window(self, node: yaml.Node) -> Window | None:
        fields = self.mapping(node, "defaults.window", _WINDOW_KEYS)
        days: frozenset[int] | None = Window().days
        start, end = Window().start, Window().end
        if "days" in fields:
            days = self.weekdays(fields["days"])
        if "hours" in fields:
            hours = self.hours(fields["hours"])
            if hours is None:
                return None
            start, end = hours
        return None if days is None else Window(days=days, start=start, end=end)

    def weekdays(self, node: yaml.Node) -> frozenset[int] | None:
        days = set()
        for index, (name, item) in enumerate(self.strings(node, "defaults.window.days")):
            short = name.lower()[:3]
            if short not in WEEKDAYS:
                self.error(
                    item,
                    f"defaults.window.days[{index}]",
                    f"'{name}' is not a weekday; use mon, tue, wed, thu, fri, sat, sun",
                )
            else:
                days.add(WEEKDAYS.index(short))
        if not days:
            self.error(node, "defaults.window.days", "the window needs at least one weekday")
            return None
        return frozenset(days)

    def hours(self, node: yaml.Node) -> tuple[dt.time, dt.time] | None:
        raw = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        match = _HOURS.match(raw) if isinstance(raw, str) else None
        bad = 'should look like "09:00-17:00" (local start and end, in quotes)'
        if match is None:
            self.error(node, "defaults.window.hours", bad)
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h2 == 24 and m2 == 0:
            h2, m2 = 23, 59
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            self.error(node, "defaults.window.hours", bad)
            return None
        start, end = dt.time(h1, m1), dt.time(h2, m2)
        if start >= end:
            self.error(
                node,
                "defaults.window.hours",
                "the window must end after it starts, on the same day",
            )
            return None
        return start, end

    def holidays(self, node: yaml.Node) -> Holidays | None:
        """A list of dates, or ``{country: FI, subdivision: ..., dates: [...]}``."""
        if not isinstance(node, yaml.MappingNode):
            return Holidays(dates=self.dates(node, "defaults.holidays"))
        fields = self.mapping(node, "defaults.holidays", _HOLIDAY_KEYS)
        if not node.value:
            self.error(node, "defaults.holidays", "give a 'country' (like FI), 'dates', or both")
        if "subdivision" in fields and "country" not in fields:
            self.error(
                fields["subdivision"],
                "defaults.holidays.subdivision",
                "a subdivision needs a 'country'",
            )
        country = self.country(fields["country"]) if "country" in fields else None
        subdivision = None
        if country is not None and "subdivision" in fields:
            subdivision = self.subdivision(fields["subdivision"], country)
        dates = (
            self.dates(fields["dates"], "defaults.holidays.dates")
            if "dates" in fields
            else frozenset()
        )
        return Holidays(dates=dates, country=country, subdivision=subdivision)

    def dates(self, node: yaml.Node, path: str) -> frozenset[str]:
        out = set()
        for index, item in enumerate(self.items(node, path)):
            try:  # YAML reads 2026-12-32 as a date too, and fails
                raw = self.value(item) if isinstance(item, yaml.ScalarNode) else None
                day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
            except ValueError:
                self.error(item, f"{path}[{index}]", f"{_kind(item)} is not a date like 2026-12-24")
                continue
            out.add(day.isoformat())
        return frozenset(out)

    def country(self, node: yaml.Node) -> str | None:
        path = "defaults.holidays.country"
        text = self.text(node, path)
        if text is None:
            return None
        code = text.strip().upper()
        if code in calendars.countries():
            return code
        meant = calendars.code_for(text)
        hint = f" (did you mean '{meant}'?)" if meant else ""
        self.error(
            node,
            path,
            f"unknown country code '{text.strip()}' for public holidays; use a two-letter "
            f"ISO 3166 code such as FI, SE, DE or US{hint}",
        )
        return None

    def subdivision(self, node: yaml.Node, country: str) -> str | None:
        path = "defaults.holidays.subdivision"
        raw = self.raw(node)
        if not isinstance(raw, str) or not raw.strip():
            self.error(node, path, 'should be a subdivision code in quotes, like "CA" or "01"')
            return None
        options = calendars.subdivisions(country)
        code = raw.strip().upper()
        if code in options:
            return code
        known = ", ".join(options) if options else "none"
        self.error(
            node,
            path,
            f"'{raw.strip()}' is not a subdivision of {country} "
            f"(known: {known}){_suggest(code, options)}",
        )
        return None

    def stop_scope(self, node: yaml.Node) -> StopScope:
        name = self.text(node, "stop_scope")
        options = [scope.value for scope in StopScope]
        if name is not None and name not in options:
            self.error(
                node,
                "stop_scope",
                f"'{name}' is not a stop scope; use contact or company{_suggest(name, options)}",
            )
            return StopScope.CONTACT
        return StopScope(name) if name is not None else StopScope.CONTACT

    def stop_rules(self, node: yaml.Node | None) -> StopRules:
        if node is None:
            return StopRules()
        fields = self.mapping(node, "stop_on", _STOP_KEYS)
        reply = self.boolean(fields["reply"], "stop_on.reply") if "reply" in fields else True
        for always in ("bounce", "unsubscribe"):
            if always in fields and self.boolean(fields[always], f"stop_on.{always}") is False:
                self.error(
                    fields[always],
                    f"stop_on.{always}",
                    f"a {always} always stops a sequence; this cannot be turned off",
                )
        goals = (
            frozenset(name for name, _ in self.strings(fields["goals"], "stop_on.goals"))
            if "goals" in fields
            else frozenset()
        )
        return StopRules(reply=reply is not False, goals=goals)

    # -- steps ------------------------------------------------------------------------------

    def steps(self, node: yaml.Node | None, root: yaml.Node, known: frozenset[str]) -> list[Step]:
        if node is None:
            self.error(root, "steps", "a sequence needs a 'steps' list")
            return []
        items = self.items(node, "steps")
        if not items and isinstance(node, yaml.SequenceNode):
            self.error(node, "steps", "a sequence needs at least one step")
        steps: list[Step] = []
        seen: dict[str, int] = {}
        previous_day: int | None = None
        first_email = True
        for index, item in enumerate(items):
            path = f"steps[{index}]"
            step = self.step(item, path, known, first_email=first_email)
            key, day = self.raw(_child(item, "key")), self.raw(_child(item, "day"))
            if isinstance(key, str) and key in seen:
                self.error(
                    _child(item, "key"),
                    f"{path}.key",
                    f"step key '{key}' is already used by steps[{seen[key]}]",
                )
            if isinstance(key, str):
                seen.setdefault(key, index)
            if isinstance(day, int) and not isinstance(day, bool):
                if index == 0 and day != 0:
                    self.error(
                        _child(item, "day"),
                        f"{path}.day",
                        "the first step must be on day 0 (the day it goes out)",
                    )
                if previous_day is not None and day < previous_day:
                    self.error(
                        _child(item, "day"),
                        f"{path}.day",
                        f"day {day} comes before the previous step's "
                        f"day {previous_day}: days cannot go backwards",
                    )
                previous_day = day
            if self.raw(_child(item, "channel")) == Channel.EMAIL.value:
                first_email = False
            if step is not None:
                steps.append(step)
        return steps

    def step(
        self, node: yaml.Node, path: str, known: frozenset[str], *, first_email: bool
    ) -> Step | None:
        fields = self.mapping(node, path, _STEP_KEYS)
        if not isinstance(node, yaml.MappingNode):
            return None
        for required in ("key", "day", "channel"):
            if required not in fields:
                self.error(node, path, f"a step needs a '{required}'")
        key = self.key(fields["key"], f"{path}.key") if "key" in fields else None
        day = self.integer(fields["day"], f"{path}.day") if "day" in fields else None
        channel = (
            self.channel(fields["channel"], f"{path}.channel") if "channel" in fields else None
        )
        if key is None or day is None or channel is None:
            return None
        for extra in sorted(set(fields) - {"key", "day", "channel"} - _CHANNEL_KEYS[channel]):
            self.error(
                fields[extra],
                f"{path}.{extra}",
                f"'{extra}' does not apply to a {channel.value} step",
            )
        builder: Callable[..., dict[str, Any]] = {
            Channel.EMAIL: self.email_parts,
            Channel.LINKEDIN: self.task_parts,
            Channel.CALL: self.task_parts,
            Channel.WEBHOOK: self.webhook_parts,
        }[channel]
        parts = builder(node, fields, path, known, first_email=first_email)
        return Step(key=key, day=day, channel=channel, **parts)

    def key(self, node: yaml.Node, path: str) -> str | None:
        raw = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if raw is None or isinstance(raw, bool) or not _KEY.match(str(raw)):
            self.error(
                node, path, "a key should be a short name of letters, digits, '_', '-' or '.'"
            )
            return None
        return str(raw)

    def channel(self, node: yaml.Node, path: str) -> Channel | None:
        name = self.text(node, path)
        options = [c.value for c in Channel]
        if name is None:
            return None
        if name not in options:
            self.error(
                node,
                path,
                f"unknown channel '{name}'; use email, linkedin, "
                f"call or webhook{_suggest(name, options)}",
            )
            return None
        return Channel(name)

    def email_parts(
        self,
        node: yaml.Node,
        fields: dict[str, yaml.Node],
        path: str,
        known: frozenset[str],
        *,
        first_email: bool,
    ) -> dict[str, Any]:
        thread = (
            bool(self.boolean(fields["thread"], f"{path}.thread")) if "thread" in fields else False
        )
        if thread and first_email:
            self.error(
                fields["thread"], f"{path}.thread", "the first email has no thread to continue yet"
            )
        subjects: tuple[Variant, ...] = ()
        if "subjects" in fields:
            if thread:
                self.error(
                    fields["subjects"],
                    f"{path}.subjects",
                    "a thread: true step reuses message 1's subject "
                    "as 'Re: ...'; remove its subjects",
                )
            else:
                subjects = self.variants(fields["subjects"], f"{path}.subjects", "subject", known)
        elif not thread:
            self.error(
                node,
                path,
                "an email step needs 'subjects' (or thread: true to reply in message 1's thread)",
            )
        bodies: tuple[Variant, ...] = ()
        if "bodies" in fields:
            bodies = self.variants(fields["bodies"], f"{path}.bodies", "body", known)
        else:
            self.error(node, path, "an email step needs 'bodies'")
        return {"thread": thread, "subjects": subjects, "bodies": bodies}

    def task_parts(
        self,
        node: yaml.Node,
        fields: dict[str, yaml.Node],
        path: str,
        known: frozenset[str],
        *,
        first_email: bool,
    ) -> dict[str, Any]:
        if "message" not in fields:
            self.error(
                node,
                path,
                "a linkedin or call step needs a 'message' (what the person sends or says)",
            )
            return {}
        text = self.text(fields["message"], f"{path}.message")
        if text is None:
            return {}
        return {"message": self.template(text, fields["message"], f"{path}.message", known)}

    def webhook_parts(
        self,
        node: yaml.Node,
        fields: dict[str, yaml.Node],
        path: str,
        known: frozenset[str],
        *,
        first_email: bool,
    ) -> dict[str, Any]:
        if "url" not in fields:
            self.error(node, path, "a webhook step needs a 'url'")
            return {}
        url = self.text(fields["url"], f"{path}.url")
        if url is not None and not re.match(r"^https?://[^\s/]+", url):
            self.error(fields["url"], f"{path}.url", f"'{url}' is not an http(s) URL")
        return {"url": url}

    def variants(
        self, node: yaml.Node, path: str, noun: str, known: frozenset[str]
    ) -> tuple[Variant, ...]:
        items = self.items(node, path)
        if not items and isinstance(node, yaml.SequenceNode):
            self.error(node, path, f"the list of {noun} variants is empty; give at least one")
        out: list[Variant] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            variant = self.variant(item, f"{path}[{index}]", known)
            if variant is None:
                continue
            if variant.key in seen:
                self.error(
                    _child(item, "key"),
                    f"{path}[{index}].key",
                    f"{noun} key '{variant.key}' is used twice",
                )
            seen.add(variant.key)
            out.append(variant)
        return tuple(out)

    def variant(self, node: yaml.Node, path: str, known: frozenset[str]) -> Variant | None:
        fields = self.mapping(node, path, _VARIANT_KEYS)
        if not isinstance(node, yaml.MappingNode):
            return None
        key = self.key(fields["key"], f"{path}.key") if "key" in fields else None
        if "key" not in fields:
            self.error(node, path, "a variant needs a stable 'key'")
        if ("text" in fields) == ("file" in fields):
            self.error(node, path, "give a variant either 'text' or 'file', not both or neither")
            return None
        template = self.variant_template(fields, path, known)
        return None if key is None or template is None else Variant(key=key, template=template)

    def variant_template(
        self, fields: dict[str, yaml.Node], path: str, known: frozenset[str]
    ) -> Template | None:
        if "text" in fields:
            text = self.text(fields["text"], f"{path}.text")
            return (
                None if text is None else self.template(text, fields["text"], f"{path}.text", known)
            )
        name = self.text(fields["file"], f"{path}.file")
        if name is None:
            return None
        try:
            text = self.body_file(name)
        except _Unreadable as exc:
            self.error(fields["file"], f"{path}.file", f"body file '{name}': {exc}")
            return None
        return self.template(text, fields["file"], f"{path}.file", known, file=name)

    def body_file(self, name: str) -> str:
        """A ``file:`` body: a regular file inside the sequence's folder (after symlinks),
        capped.
        """
        folder = self.file.parent.resolve()
        try:
            found = (folder / name).resolve()
        except (OSError, ValueError, RuntimeError) as exc:  # a NUL in the name, a symlink loop
            raise _Unreadable(f"not a usable file name ({exc})") from None
        if not found.is_relative_to(folder):
            raise _Unreadable(
                f"must be inside the sequence's folder {folder} (it resolves to {found})"
            )
        if not found.exists():
            raise _Unreadable(f"not found (looked in {found.parent})")
        return read_capped(found, MAX_BODY_FILE_BYTES)

    def template(
        self,
        text: str,
        node: yaml.Node,
        path: str,
        known: frozenset[str],
        *,
        file: str | None = None,
    ) -> Template | None:
        try:
            analysis = rendering.analyse(text)
        except rendering.TemplateSyntax as exc:
            if file is not None:
                where = f" in {file} line {exc.lineno}"
                line = node.start_mark.line + 1
            else:
                where = ""
                block = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
                line = node.start_mark.line + 1 + (exc.lineno if block else 0)
            self.problems.append(
                Problem(
                    file=str(self.file),
                    line=line,
                    path=path,
                    message=f"template syntax error{where}: {exc}",
                )
            )
            return None
        ok = True
        for name in sorted(analysis.variables - known - {"sender"}):
            ok = False
            self.error(
                node,
                path,
                f"unknown variable '{name}'{_suggest(name, known | {'sender'})}: no contact "
                "field supplies it (list custom CSV columns under 'fields:')",
            )
        for attr in sorted(analysis.sender_attrs - SENDER_FIELDS):
            ok = False
            self.error(
                node, path, f"unknown sender field 'sender.{attr}'{_suggest(attr, SENDER_FIELDS)}"
            )
        for name in sorted((analysis.unguarded & known) - {"email"}):
            self.error(
                node,
                path,
                f"'{name}' may be empty for some contacts; add a fallback like "
                f'{{{{ {name} | default("...") }}}}',
                severity="warning",
            )
        if not ok or not self.renders(text, analysis.variables, node, path):
            return None
        return Template(source=text, variables=analysis.variables, file=file)

    def renders(self, text: str, variables: frozenset[str], node: yaml.Node, path: str) -> bool:
        """Render the template for a synthetic contact, so what the sandbox refuses is an error now,
        not at send time; any other failure for that contact is a warning (real data may differ)."""
        try:
            rendering.render(text, rendering.sample_context(variables))
        except rendering.RenderRefused as exc:
            self.error(node, path, f"the template cannot be sent: {exc}")
            return False
        except rendering.RenderError as exc:
            self.error(
                node, path, f"the template fails for a sample contact: {exc}", severity="warning"
            )
        return True

    def then(self, node: yaml.Node, known: frozenset[str]) -> Then | None:
        fields = self.mapping(node, "then", _THEN_KEYS)
        if not isinstance(node, yaml.MappingNode):
            return None
        if "sequence" not in fields or "after_days" not in fields:
            self.error(node, "then", "'then' needs 'sequence' and 'after_days'")
            return None
        name = self.text(fields["sequence"], "then.sequence")
        after = self.after_days(fields["after_days"])
        only_if = self.conditions(fields["only_if"], known) if "only_if" in fields else ()
        if name is None or after is None or only_if is None:
            return None
        return Then(sequence=name.strip(), after_days=after, only_if=only_if)

    def after_days(self, node: yaml.Node) -> tuple[int, int] | None:
        if isinstance(node, yaml.ScalarNode):
            days = self.integer(node, "then.after_days")
            return None if days is None else (days, days)
        items = self.items(node, "then.after_days")
        if len(items) != 2:
            self.error(node, "then.after_days", "give one number of days or a range like [90, 180]")
            return None
        low = self.integer(items[0], "then.after_days[0]")
        high = self.integer(items[1], "then.after_days[1]")
        if low is None or high is None:
            return None
        if low > high:
            self.error(node, "then.after_days", f"the range [{low}, {high}] goes backwards")
            return None
        return (low, high)

    def conditions(self, node: yaml.Node, known: frozenset[str]) -> tuple[str, ...] | None:
        out = []
        for index, (text, item) in enumerate(self.strings(node, "then.only_if")):
            if text.startswith("field:"):
                name, eq, _ = text[6:].partition("=")
                if not eq or name not in known:
                    self.error(
                        item,
                        f"then.only_if[{index}]",
                        f"'{text}' should be field:NAME=VALUE with "
                        f"a known contact field{_suggest(name, known)}",
                    )
                    continue
            elif text not in _CONDITIONS:
                self.error(
                    item,
                    f"then.only_if[{index}]",
                    f"unknown condition '{text}'; use not_replied, "
                    "opened, clicked or field:NAME=VALUE" + _suggest(text, _CONDITIONS),
                )
                continue
            out.append(text)
        return tuple(out)


class _Unreadable(Exception):
    """A file that is not read: the message says why."""


def read_capped(path: Path, limit: int) -> str:
    """A regular file's UTF-8 text, refusing devices, FIFOs, folders and files over ``limit``
    bytes.
    """
    try:  # non-blocking, so a FIFO cannot hang the open; checked on the descriptor, so no race
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            raise _Unreadable("not a regular file")
        with os.fdopen(descriptor, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise _Unreadable(exc.strerror or str(exc)) from None
    if len(data) > limit:
        raise _Unreadable(f"larger than the {limit:,}-byte limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


class _Refused(yaml.YAMLError):
    """YAML the loader will not compose (too deep, too many aliases, a tag); located by ``mark``."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.line = mark.line + 1 if mark is not None else 0


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe composer with caps on depth, aliases and expanded size, and no tags.

    PyYAML composes an alias as a second reference to the same node, so an alias bomb is small
    as nodes and only explodes when something walks it; the expanded size of every node is
    counted as it is composed, and a node over :data:`MAX_NODES` is refused there.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(
                    f"more than {MAX_ALIASES} aliases (*name); sequence files need only a few",
                    event.start_mark,
                )
        elif getattr(event, "tag", None) is not None:
            tag = str(getattr(event, "tag", "")).replace("tag:yaml.org,2002:", "!!")
            raise _Refused(
                f"YAML tags such as '{tag}' are not allowed in sequence files", event.start_mark
            )
        if self._depth >= MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None:
            self._count(node, event.start_mark)
        return node

    def _count(self, node: yaml.Node, mark: Any) -> None:
        """Record ``node``'s size with aliases expanded; refuse it over :data:`MAX_NODES`."""
        if id(node) in self._sizes:  # an alias: already counted where it was anchored
            return
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._sizes.get(id(item), 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(
                self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1) for k, v in node.value
            )
        else:
            size = 1
        if size > MAX_NODES:
            raise _Refused(
                f"expands to more than {MAX_NODES:,} values, "
                "each alias counted as what it stands for",
                mark,
            )
        self._sizes[id(node)] = size


def compose(source: str) -> yaml.Node | None:
    """The root node of one YAML document, composed under the caps; raises
    :class:`yaml.YAMLError`.
    """
    loader = _LimitedLoader(source)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a set of fields"
    return f"'{node.value}'" if node.value else "an empty value"


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                found: yaml.Node = value_node
                return found
    return None
