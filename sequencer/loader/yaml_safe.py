"""Reading a sequence file that may be hostile: capped file reads and a capped YAML composer.

A file and each ``file:`` body are read up to a size cap, and only if they are regular files
(never a device or a FIFO). The composer is PyYAML's safe one with caps on nesting, on aliases
and on what aliases expand to, and no tags. Each refusal is an exception the reader turns into a
located problem.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

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


class Unreadable(Exception):
    """A file that is not read: the message says why."""


def read_capped(path: Path, limit: int) -> str:
    """A regular file's UTF-8 text, refusing devices, FIFOs, folders and files over ``limit``
    bytes.
    """
    try:  # non-blocking, so a FIFO cannot hang the open; checked on the descriptor, so no race
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            raise Unreadable("not a regular file")
        with os.fdopen(descriptor, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    if len(data) > limit:
        raise Unreadable(f"larger than the {limit:,}-byte limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


class Refused(yaml.YAMLError):
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
        # PyYAML's stubs leave peek_event untyped.
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise Refused(
                    f"more than {MAX_ALIASES} aliases (*name); sequence files need only a few",
                    event.start_mark,
                )
        elif getattr(event, "tag", None) is not None:
            tag = str(getattr(event, "tag", "")).replace("tag:yaml.org,2002:", "!!")
            raise Refused(
                f"YAML tags such as '{tag}' are not allowed in sequence files", event.start_mark
            )
        if self._depth >= MAX_DEPTH:
            raise Refused(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
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
            raise Refused(
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
