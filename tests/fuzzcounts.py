"""Counts from the fuzz tests, printed as one table at the end of the run.

A fuzz test calls :func:`record` once it has run (also when it fails); the
``pytest_terminal_summary`` hook in ``tests/conftest.py`` prints :func:`table`. Counts recorded
twice under one target (several tests, or parametrized ones) add up. Extra counts are the
target's own invariants, such as ``long_lines`` or ``misaddressed``: name them so that 0 is good.
"""

from __future__ import annotations

from collections import Counter

_counts: dict[str, Counter[str]] = {}


def record(target: str, tried: int, tracebacks: int, **extra: int) -> None:
    """Add one fuzz run's counts: inputs tried, inputs that escaped with a traceback, and extras."""
    _counts.setdefault(target, Counter()).update(
        {"inputs tried": tried, "tracebacks": tracebacks, **extra}
    )


def table() -> list[str]:
    """The recorded counts as text lines, one per target; empty when no fuzz test ran."""
    if not _counts:
        return []
    columns = ["inputs tried", "tracebacks"]
    columns += sorted({name for counts in _counts.values() for name in counts} - set(columns))
    width = max(len("fuzz target"), *map(len, _counts))
    lines = ["fuzz target".ljust(width) + "".join(f"  {c:>14}" for c in columns)]
    for target, counts in sorted(_counts.items()):
        cells = ("-" if name not in counts else str(counts[name]) for name in columns)
        lines.append(target.ljust(width) + "".join(f"  {cell:>14}" for cell in cells))
    return lines
