"""Contact rows from CSV: column mapping, address normalisation, per-row errors.

Pure: it takes the CSV text, not a file, and does no network look-ups (email-validator's
deliverability check is off unless asked for).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from email_validator import EmailNotValidError, validate_email

from sequencer.errors import ImportFileError
from sequencer.loader import parse_zone
from sequencer.model import STANDARD_FIELDS

#: Column names people use, mapped to ours.
_ALIASES = {
    "e_mail": "email", "email_address": "email", "mail": "email",
    "firstname": "first_name", "first": "first_name", "given_name": "first_name",
    "lastname": "last_name", "last": "last_name", "surname": "last_name", "family_name": "last_name",
    "organization": "company", "organisation": "company", "company_name": "company",
    "job_title": "title", "position": "title",
    "time_zone": "timezone", "tz": "timezone",
    "linkedin": "linkedin_url", "linkedin_profile": "linkedin_url",
}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, kw_only=True)
class ContactRow:
    """A valid row, ready to store."""

    #: Line number of the row in the file (the header is row 1, as in a spreadsheet).
    row: int
    email: str
    email_key: str
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    title: str | None = None
    timezone: str | None = None
    linkedin_url: str | None = None
    #: Custom columns with a value.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class RowError:
    """A row that was not imported, and why."""

    row: int
    email: str
    reason: str

    def __str__(self) -> str:
        shown = f" ({self.email})" if self.email else ""
        return f"row {self.row}{shown}: {self.reason}"


def column_name(header: str) -> str:
    """``"First Name"`` → ``first_name``; known aliases map to the standard fields."""
    name = _NOT_WORD.sub("_", header.strip().lower()).strip("_")
    return _ALIASES.get(name, name)


def parse_csv(text: str, *, file: str, check_deliverability: bool = False) -> Iterator[ContactRow | RowError]:
    """Yield one :class:`ContactRow` or :class:`RowError` per data row of ``text``."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), dialect=_sniff(text))
    header = next(reader, None)
    columns = _columns(header, file)
    line = reader.line_num
    for values in reader:
        row, line = line + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue
        yield _row(row, columns, values, check_deliverability)


def _sniff(text: str) -> type[csv.Dialect]:
    sample = text[:4096]
    first = sample.split("\n", 1)[0]
    if first.count(";") > first.count(",") and first.count(";") > first.count("\t"):
        return _Semicolon
    if first.count("\t") > first.count(","):
        return csv.excel_tab
    return csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"


def _columns(header: list[str] | None, file: str) -> list[str]:
    if not header:
        raise ImportFileError(f"{file}: the file is empty; the first row must name the columns (one of them 'email')")
    columns = [column_name(h) for h in header]
    if "email" not in columns:
        found = ", ".join(h for h in header if h.strip()) or "none"
        raise ImportFileError(f"{file}: row 1: no 'email' column (columns found: {found})")
    seen: set[str] = set()
    for raw, name in zip(header, columns, strict=True):
        if name and name in seen:
            raise ImportFileError(f"{file}: row 1: column '{raw}' appears twice")
        seen.add(name)
    return columns


def _row(row: int, columns: list[str], values: list[str], check_deliverability: bool) -> ContactRow | RowError:
    if len(values) > len(columns):
        raw = values[columns.index("email")] if columns.index("email") < len(values) else ""
        return RowError(row=row, email=raw.strip(),
                        reason=f"{len(values)} values but only {len(columns)} columns (a stray delimiter?)")
    cells = {name: value.strip() for name, value in zip(columns, values, strict=False) if name and value.strip()}
    raw_email = cells.pop("email", "")
    if not raw_email:
        return RowError(row=row, email="", reason="the email cell is empty")
    try:
        email = validate_email(raw_email, check_deliverability=check_deliverability).normalized
    except EmailNotValidError as exc:
        return RowError(row=row, email=raw_email, reason=f"invalid address: {exc}")
    zone = cells.get("timezone")
    if zone is not None and not _valid_zone(zone):
        return RowError(row=row, email=raw_email, reason=_zone_reason(zone))
    standard = {k: cells.pop(k) for k in list(cells) if k in STANDARD_FIELDS}
    return ContactRow(row=row, email=email, email_key=email.lower(), fields=cells, **standard)


@cache
def _valid_zone(name: str) -> bool:
    try:
        parse_zone(name)
    except ValueError:
        return False
    return True


def _zone_reason(name: str) -> str:
    try:
        parse_zone(name)
    except ValueError as exc:
        return f"{exc} (use an IANA name such as Europe/Helsinki)"
    return ""
