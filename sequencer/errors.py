"""Every error sequencer raises on purpose derives from :class:`SequencerError`.

A user's mistake (a bad YAML file, a bad CSV row, an unknown sender) becomes one of
these with the file, line, row or field it came from; the CLI prints it without a
traceback. Each class's docstring is its default message.
"""

from __future__ import annotations

from dataclasses import dataclass


class SequencerError(Exception):
    """Something went wrong in sequencer."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong in a file, located precisely enough to fix it."""

    #: File the problem is in, as the user named it.
    file: str
    #: 1-based line of the offending YAML node (0 when unknown).
    line: int
    #: Field path inside the file, e.g. ``steps[1].subjects[2]``; empty for the file itself.
    path: str
    #: What is wrong, in words a marketer understands.
    message: str
    #: ``error`` stops the file from being used; ``warning`` only informs.
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        tag = "" if self.severity == "error" else f" ({self.severity})"
        return f"{where}:{field} {self.message}{tag}"


class SequenceInvalid(SequencerError):
    """A sequence file has errors."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = "\n".join(str(p) for p in errors)
        super().__init__(f"{len(errors)} error(s) in sequence files:\n{lines}")


class SequenceNotFound(SequencerError):
    """No sequence by that name is loaded."""


class ConfigError(SequencerError):
    """The configuration file is invalid."""


class SenderNotFound(SequencerError):
    """No sender by that name is configured."""


class ContactNotFound(SequencerError):
    """No contact with that address exists."""


class ImportFileError(SequencerError):
    """The contacts file cannot be read."""


class AlreadyEnrolled(SequencerError):
    """The contact is already active in a sequence."""


class InvalidReason(SequencerError, ValueError):
    """That is not a reason a stop can be recorded with (a ValueError too, as it used to be)."""


class TaskNotFound(SequencerError):
    """No task with that id exists."""


class SecondWorker(SequencerError):
    """Another worker is already running on this database."""


class SchemaOutdated(SequencerError):
    """The database schema is not the one this version of sequencer uses: run `sequencer db
    upgrade`.
    """


class PlanInvalid(SequencerError):
    """The inputs of a campaign plan (`sequencer plan`) are invalid."""
