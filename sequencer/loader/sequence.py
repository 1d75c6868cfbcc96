"""Reading one sequence file's top level: name, fields, defaults, stop rules, scoring and
``then:``.

:class:`SequenceReader` is the reader :func:`sequencer.loader.load_file` runs: it reads the file
under the caps of :mod:`sequencer.loader.yaml_safe`, composes it, and builds the
:class:`~sequencer.model.Sequence` (steps through :class:`~sequencer.loader.steps.StepReader`).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import cache
from typing import Any

import yaml

from sequencer import calendars
from sequencer.errors import Problem
from sequencer.loader.nodes import kind, suggest
from sequencer.loader.steps import StepReader
from sequencer.loader.yaml_safe import MAX_FILE_BYTES, Refused, Unreadable, compose, read_capped
from sequencer.model import (
    STANDARD_FIELDS,
    WEEKDAYS,
    Holidays,
    Metric,
    ScoringRules,
    Sequence,
    StopRules,
    StopScope,
    Then,
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
_THEN_KEYS = ("sequence", "after_days", "only_if")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_CONDITIONS = ("not_replied", "opened", "clicked")


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def parse_zone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA zone, or ValueError with a suggestion."""
    if name not in _zone_names():
        raise ValueError(f"unknown time zone '{name}'{suggest(name, _zone_names())}")
    return zoneinfo.ZoneInfo(name)


class SequenceReader(StepReader):
    """Reads one file into a :class:`~sequencer.model.Sequence`, collecting problems as it goes."""

    def read(self) -> Sequence | None:
        try:
            source = read_capped(self.file, MAX_FILE_BYTES)
        except Unreadable as exc:
            self.error(None, "", f"cannot read the file: {exc}")
            return None
        try:
            root = compose(source)
        except Refused as exc:
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
            if name == "reply":  # the event's own name, as the decision rows spell it
                name = Metric.REPLIES.value
            options = [m.value for m in Metric]
            if name is not None and name not in options:
                self.error(
                    fields["metric"],
                    "scoring.metric",
                    f"unknown metric '{name}'; use positive_reply, replies, goals, "
                    f"clicks or opens{suggest(name, options)}",
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
                    f"(known: {known}){suggest(name, self.senders)}",
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
                    f"sequence or sender{suggest(name, options)}",
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
                self.error(item, f"{path}[{index}]", f"{kind(item)} is not a date like 2026-12-24")
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
            f"(known: {known}){suggest(code, options)}",
        )
        return None

    def stop_scope(self, node: yaml.Node) -> StopScope:
        name = self.text(node, "stop_scope")
        options = [scope.value for scope in StopScope]
        if name is not None and name not in options:
            self.error(
                node,
                "stop_scope",
                f"'{name}' is not a stop scope; use contact or company{suggest(name, options)}",
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
                        f"a known contact field{suggest(name, known)}",
                    )
                    continue
            elif text not in _CONDITIONS:
                self.error(
                    item,
                    f"then.only_if[{index}]",
                    f"unknown condition '{text}'; use not_replied, "
                    "opened, clicked or field:NAME=VALUE" + suggest(text, _CONDITIONS),
                )
                continue
            out.append(text)
        return tuple(out)
