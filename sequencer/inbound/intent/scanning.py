"""Every match of many word-start patterns in one text, found by the characters a match opens
with: a :class:`Scanner` tries a pattern only at the word starts whose first :data:`KEY`
characters can open one of its matches (read from the pattern's own parse), instead of running
every pattern over the whole text. What it finds is exactly what each pattern's ``finditer``
finds, ordered by start and then by the pattern's place in the list; a pattern it cannot read
that way (one that may match the empty string, or does not open with ``(?<!\\w)``, or uses a
construct it does not know) is run with ``finditer`` as before. Pure: standard library only.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

__all__ = ["KEY", "Scanner"]

#: How many characters of a word start choose the patterns tried there.
KEY = 3

# The parser of the standard library's ``re`` (its parse tree says which characters can begin a
# match); typeshed has no stubs for it, hence the import by name.
_sre: Any = importlib.import_module("re._parser")

#: Where a pattern opening with ``(?<!\w)`` may start: a character no word character precedes.
_START_RE = re.compile(r"(?<!\w)[\s\S]")
_OPENING = r"(?<!\w)"
#: Categories a character class may hold, written back as their escapes.
_CATEGORIES = {
    _sre.CATEGORY_DIGIT: r"\d",
    _sre.CATEGORY_NOT_DIGIT: r"\D",
    _sre.CATEGORY_SPACE: r"\s",
    _sre.CATEGORY_NOT_SPACE: r"\S",
    _sre.CATEGORY_WORD: r"\w",
    _sre.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT)
_FLAGS_UNREAD = int(re.ASCII | re.LOCALE)  # a character's meaning would change: not read
#: The flags that decide what one character matches, by their inline letters.
_CHARACTER_FLAGS = (("i", int(re.IGNORECASE)), ("s", int(re.DOTALL)))
_MOST_KEYS = 50_000  # the patterns chosen for this many keys are remembered, at most
_MOST_OPENINGS = 2000  # a pattern with more ways to open than this is tried everywhere

#: One item of a parse tree with the flags it is read under.
_Item = tuple[Any, Any, int]
#: A way a match may open: one-character patterns, fewer than KEY when anything may follow.
_Opening = tuple[str, ...]


class Scanner:
    """Patterns that each open with ``(?<!\\w)``, matched over a text at once (see the module)."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self.patterns = tuple(patterns)
        #: The patterns a word start's first KEY characters may open, by those characters
        #: (filled on first sight).
        self._by_key: dict[str, tuple[int, ...]] = {}
        #: The patterns a word start's first character may open, by that character (filled on
        #: first sight): those whose heads a new key is tried against.
        self._by_first: dict[str, tuple[int, ...]] = {}

    @cached_property
    def _heads(self) -> dict[int, _Head]:
        """Each pattern read by its opening (see :class:`_Head`), by its place; the patterns
        run whole are left out. Read on first use (a process that reads no reply never pays for
        it)."""
        heads = {i: _head(pattern) for i, pattern in enumerate(self.patterns)}
        return {i: head for i, head in heads.items() if head is not None}

    @cached_property
    def whole(self) -> tuple[int, ...]:
        """The places of the patterns run with ``finditer``."""
        return tuple(i for i in range(len(self.patterns)) if i not in self._heads)

    def find(self, text: str) -> list[tuple[int, re.Match[str]]]:
        """Every match of every pattern in ``text``, each with its pattern's index: the matches
        each pattern's ``finditer`` gives, ordered by start, then by index.
        """
        patterns, by_key = self.patterns, self._by_key
        found: list[tuple[int, int, re.Match[str]]] = []
        free = [0] * len(patterns)  # where a pattern's next match may start (they do not overlap)
        for at, key in _starts(text):
            chosen = by_key.get(key)
            if chosen is None:
                if len(by_key) >= _MOST_KEYS:
                    by_key.clear()
                chosen = by_key[key] = self._admitting(key)
            for i in chosen:
                if at >= free[i]:
                    match = patterns[i].match(text, at)
                    if match is not None:
                        found.append((at, i, match))
                        free[i] = match.end()
        for i in self.whole:
            found.extend((match.start(), i, match) for match in patterns[i].finditer(text))
        found.sort(key=lambda item: (item[0], item[1]))  # stable: one pattern's keep their order
        return [(i, match) for _, i, match in found]

    def _admitting(self, key: str) -> tuple[int, ...]:
        heads, char = self._heads, key[0]
        first = self._by_first.get(char)
        if first is None:
            first = self._by_first[char] = tuple(
                i for i, head in heads.items() if head.first.match(char)
            )
        return tuple(i for i in first if heads[i].run.match(key))


@lru_cache(maxsize=4)  # the scanners of several intents read the same text in a row
def _starts(text: str) -> tuple[tuple[int, str], ...]:
    """Where a pattern opening with ``(?<!\\w)`` may match in ``text``, each with the KEY
    characters from there."""
    return tuple((at, text[at : at + KEY]) for at in map(re.Match.start, _START_RE.finditer(text)))


@dataclass(frozen=True)
class _Head:
    """What a pattern's matches may open with."""

    #: Matches the start of every run of KEY characters a match may open with.
    run: re.Pattern[str]
    #: Matches every character a match may open with.
    first: re.Pattern[str]


def _head(pattern: re.Pattern[str]) -> _Head | None:
    """What a match of ``pattern`` may open with, when the pattern opens with ``(?<!\\w)`` and
    never matches the empty string; else None.
    """
    if not pattern.pattern.startswith(_OPENING) or pattern.flags & _FLAGS_UNREAD:
        return None
    try:
        tree = _sre.parse(pattern.pattern, pattern.flags)
        items = [(op, av, int(pattern.flags)) for op, av in tree]
        if tree.getwidth()[0] == 0 or not _opens_at_word_start(items[0]):
            return None
        openings = _openings(items[1:], KEY)
    except Exception:  # a construct this reading does not know: the pattern runs whole
        return None
    if () in openings:
        return None
    return _Head(
        run=re.compile("|".join(sorted({"".join(opening) for opening in openings}))),
        first=re.compile("|".join(sorted({opening[0] for opening in openings}))),
    )


class _Unread(Exception):
    """A pattern's opening cannot be read."""


def _opens_at_word_start(item: _Item) -> bool:
    """Whether the parsed ``item`` is ``(?<!\\w)``."""
    op, av, _ = item
    return bool(
        op is _sre.ASSERT_NOT
        and av[0] == -1
        and list(av[1]) == [(_sre.IN, [(_sre.CATEGORY, _sre.CATEGORY_WORD)])]
    )


def _openings(items: Sequence[_Item], size: int) -> set[_Opening]:
    """Every way a match of the sequence ``items`` may open, as ``size`` one-character
    patterns, or fewer when the sequence may end (or is not read) after them.
    """
    if size == 0 or not items:
        return {()}
    (op, av, flags), rest = items[0], items[1:]
    if op in _ZERO_WIDTH:  # the items after it decide (more than the assertion lets by)
        return _openings(rest, size)
    if op is _sre.SUBPATTERN:
        _, add, remove, sub = av
        inner = (flags | add) & ~remove
        if inner & _FLAGS_UNREAD:
            raise _Unread
        return _openings([(o, a, inner) for o, a in sub] + list(rest), size)
    if op is _sre.ATOMIC_GROUP:
        return _openings([(o, a, flags) for o, a in av] + list(rest), size)
    if op is _sre.BRANCH:
        found: set[_Opening] = set()
        for branch in av[1]:
            found |= _openings([(o, a, flags) for o, a in branch] + list(rest), size)
            _bounded(found)
        return found
    if op in _REPEATS:
        low, high, sub = av
        if high == 0:
            return _openings(rest, size)
        if sub.getwidth()[0] == 0:
            raise _Unread  # a repeat of what may be empty: not followed
        again = (op, (max(low - 1, 0), _less(high), sub), flags)
        once = _openings([(o, a, flags) for o, a in sub] + [again] + list(rest), size)
        return once if low > 0 else _bounded(once | _openings(rest, size))
    piece = _piece(op, av, flags)
    return {(piece, *after) for after in _openings(rest, size - 1)}


def _less(high: int) -> int:
    return high if high == _sre.MAXREPEAT else high - 1


def _bounded(openings: set[_Opening]) -> set[_Opening]:
    if len(openings) > _MOST_OPENINGS:
        raise _Unread
    return openings


def _piece(op: Any, av: Any, flags: int) -> str:
    """A one-character pattern for one parsed item that matches one character."""
    if op is _sre.LITERAL:
        return _scoped(_char(av), flags)
    if op is _sre.NOT_LITERAL:
        return _scoped(f"[^{_char(av)}]", flags)
    if op is _sre.IN:
        return _scoped(_members(av), flags)
    if op is _sre.ANY:
        return _scoped(".", flags)
    raise _Unread  # a back reference, a conditional group...


def _members(av: Any) -> str:
    """A character class written back from its parsed members."""
    written = []
    for op, value in av:
        if op is _sre.NEGATE:
            written.append("^")
        elif op is _sre.LITERAL:
            written.append(_char(value))
        elif op is _sre.RANGE:
            written.append(f"{_char(value[0])}-{_char(value[1])}")
        elif op is _sre.CATEGORY and value in _CATEGORIES:
            written.append(_CATEGORIES[value])
        else:
            raise _Unread
    return f"[{''.join(written)}]"


def _char(code: int) -> str:
    return f"\\U{code:08x}"


def _scoped(piece: str, flags: int) -> str:
    """``piece`` under the flags that decide what one character it matches."""
    on = "".join(c for c, flag in _CHARACTER_FLAGS if flags & flag)
    off = "".join(c for c, flag in _CHARACTER_FLAGS if not flags & flag)
    return f"(?{on}-{off}:{piece})" if on and off else f"(?{on or '-' + off}:{piece})"
