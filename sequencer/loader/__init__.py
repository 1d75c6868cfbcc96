"""Sequence YAML → :class:`~sequencer.model.Sequence`, reporting every problem in one pass.

Each problem names its file, the line of the offending YAML node and the field path
(``steps[1].subjects[2]``). The loader reads files but does no other I/O.

A sequence file is input, and may be hostile or careless: the file and each ``file:`` body
are read up to a size cap, nesting, aliases and what aliases expand to are capped while the
YAML is composed, tags and non-scalar keys are refused, and body files must be regular
files inside the sequence's folder. Each refusal is a located :class:`Problem`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sequencer.errors import Problem, SequenceInvalid
from sequencer.loader.nodes import suggest
from sequencer.loader.sequence import SequenceReader, parse_zone
from sequencer.loader.yaml_safe import (
    MAX_ALIASES,
    MAX_BODY_FILE_BYTES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    compose,
    read_capped,
)
from sequencer.model import Sequence

__all__ = [
    "MAX_ALIASES",
    "MAX_BODY_FILE_BYTES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "compose",
    "load_file",
    "load_paths",
    "load_sequences",
    "parse_zone",
    "read_capped",
]


def load_file(
    path: Path | str, *, senders: Iterable[str] | None = None, channels: Iterable[str] = ()
) -> tuple[Sequence | None, list[Problem]]:
    """Load one sequence file; returns the sequence (None on any error) and every problem.
    ``channels`` names the channels a host registered beyond the built-ins (``slack``)."""
    reader = SequenceReader(
        Path(path),
        senders=None if senders is None else frozenset(senders),
        channels=frozenset(channels),
    )
    sequence = reader.read()
    problems = sorted(reader.problems, key=lambda p: p.line)
    errors = any(p.severity == "error" for p in problems)
    return (None if errors else sequence), problems


def load_paths(
    paths: Iterable[Path | str],
    *,
    senders: Iterable[str] | None = None,
    channels: Iterable[str] = (),
) -> tuple[dict[str, Sequence], list[Problem]]:
    """Load files and folders (``*.yaml``/``*.yml`` inside); check names and ``then:`` across
    files.
    """
    files = list(_expand(paths))
    problems: list[Problem] = []
    loaded: dict[str, Sequence] = {}
    channels = frozenset(channels)
    for file in files:
        if not file.exists():
            problems.append(
                Problem(file=str(file), line=0, path="", message="no such file or folder")
            )
            continue
        sequence, found = load_file(file, senders=senders, channels=channels)
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
    paths: Iterable[Path | str],
    *,
    senders: Iterable[str] | None = None,
    channels: Iterable[str] = (),
) -> dict[str, Sequence]:
    """Like :func:`load_paths` but raise :class:`SequenceInvalid` on any error."""
    loaded, problems = load_paths(paths, senders=senders, channels=channels)
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
                + suggest(sequence.then.sequence, names),
            )
        )
    return problems


def _then_line(source: str) -> int:
    for number, line in enumerate(Path(source).read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("sequence:"):
            return number
    return 0
