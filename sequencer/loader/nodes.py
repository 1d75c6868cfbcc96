"""The plumbing of the sequence reader: typed access to YAML nodes, collecting located problems.

:class:`NodeReader` turns one node into text, a number, a list or a set of fields, and records a
:class:`~sequencer.errors.Problem` (file, line, field path) for anything else, so every problem
of a file is reported in one pass. The small helpers beside it name a node's kind, suggest a
close spelling and find a field's node.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sequencer.errors import Problem


def suggest(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the option closest to ``word``; empty when none is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass
class NodeReader:
    """Walks one file's YAML nodes, collecting problems as it goes."""

    file: Path
    senders: frozenset[str] | None
    problems: list[Problem] = field(default_factory=list)
    _constructor: Any = None
    #: Channel names a host registered beyond the built-ins (``slack``): a step may use them.
    channels: frozenset[str] = frozenset()

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
            self.error(node, path, f"should be a set of 'key: value' fields, not {kind(node)}")
            return {}
        allowed = tuple(allowed)
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(
                    key_node, path, f"a field name should be a plain word, not {kind(key_node)}"
                )
                continue
            key = str(self.value(key_node))
            where = _join(path, key)
            if key in out:
                self.error(key_node, where, f"'{key}' is given twice")
            elif key not in allowed:
                self.error(key_node, where, f"unknown field '{key}'{suggest(key, allowed)}")
            else:
                out[key] = value_node
        return out

    def raw(self, node: yaml.Node | None) -> Any:
        """A scalar's value, or None; reports nothing."""
        return self.value(node) if isinstance(node, yaml.ScalarNode) else None

    def items(self, node: yaml.Node, path: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, path, f"should be a list, not {kind(node)}")
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


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def kind(node: yaml.Node) -> str:
    """How a problem names a node: a list, a set of fields, or its value in quotes."""
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a set of fields"
    return f"'{node.value}'" if node.value else "an empty value"


def child(node: yaml.Node, key: str) -> yaml.Node | None:
    """The value node of field ``key`` of a mapping node; None when there is none."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                found: yaml.Node = value_node
                return found
    return None
