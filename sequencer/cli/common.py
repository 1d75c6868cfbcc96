"""What every command shares: the consoles, the global options' state, the engine and config
they open, the error wrapper that turns a user's mistake into a message, and small printing
helpers (escaped text, UTC times, a progress bar).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sequencer.app import Engine
from sequencer.config import Config, load_config
from sequencer.errors import SequencerError
from sequencer.terminal import printable

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
F = TypeVar("F", bound=Callable[..., Any])


class _State:
    config: Path | None = None
    db: str | None = None


#: The global ``--config`` and ``--db`` options, set by the main callback.
state = _State()


def engine() -> Engine:
    return Engine.from_config(state.config, database_url=state.db)


def read_config() -> Config:
    return load_config(state.config, database_url=state.db)


def escape(text: str) -> str:
    """Stored or inbound text made safe to print: no terminal escapes, no rich markup."""
    return _markup_escape(printable(text))


def friendly(func: F) -> F:
    """Turn a user's mistake into a message and exit status 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SequencerError as exc:
            err.print(f"[red]error:[/] {escape(exc.message)}", markup=True, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def utc(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


class ProgressBar:
    """A progress bar on stderr when it is a terminal (or always, for long jobs in CI logs)."""

    def __init__(self, label: str) -> None:
        self.bar = Progress(
            TextColumn(escape(label)),  # a file name can hold [brackets]
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        self.task = self.bar.add_task(label, total=None)

    def __enter__(self) -> tuple[Progress, Any]:
        self.bar.start()
        return self.bar, self.task

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()
