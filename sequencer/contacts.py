"""Contact rows from CSV: column mapping, address normalisation, per-row errors.

Pure: it takes the CSV text, not a file, and does no network look-ups (email-validator's
deliverability check is off unless asked for).

Strict reading. Rows are numbered as a spreadsheet shows them (the header is row 1; a cell
with line breaks keeps its record one row). A row that is wrong on its own line (a bad address,
a stray quote after a closing one, an oversized cell) is skipped and reported. A row where the
file's *structure* breaks is another matter: a quote left open, so that a cell runs over the
next lines (a line break inside the email, time zone or LinkedIn column, or a cell whose later
lines hold an address), or the csv module giving up in the middle of a multi-line record.
Nothing from that row on is read, unless ``skip_bad``: then that row is skipped and reading goes
on at the line after the one it started on, so the rows the open quote swallowed are read as
rows again. No cell of one row can hold another row's address.

Cells lose their control characters: a tab becomes a space, line breaks survive only inside a
custom cell (as ``\n``; a name, company or title on two lines, as a spreadsheet's Alt+Enter
writes it, is joined by a space), and every other C0 and C1 control and DEL is dropped (NUL
included).
Names, company and title are cut to :data:`NAME_LIMIT` characters, with a warning naming the
row; a cell longer than :data:`CELL_LIMIT` characters skips its row. A bad time zone is left
out (as a blank one), with a warning. Columns: see :func:`read_columns`.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from email_validator import EmailNotValidError, validate_email

# Address keys live in sequencer.addresses; re-exported, as every caller imports them from here.
from sequencer.addresses import ERASED_PREFIX as ERASED_PREFIX
from sequencer.addresses import FORGOTTEN as FORGOTTEN
from sequencer.addresses import FREE_MAIL as FREE_MAIL
from sequencer.addresses import blocking_keys as blocking_keys
from sequencer.addresses import company_domain as company_domain
from sequencer.addresses import contact_key as contact_key
from sequencer.addresses import erasure_key as erasure_key
from sequencer.addresses import suppression_key as suppression_key
from sequencer.errors import ImportFileError
from sequencer.loader import parse_zone
from sequencer.loader.nodes import suggest
from sequencer.model import STANDARD_FIELDS
from sequencer.verify.rules import is_role
from sequencer.zones import read_zone

#: Column names people use, mapped to ours.
_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    # Outlook, Google Contacts, Pipedrive exports
    "e_mail_address": "email",
    "email_1": "email",
    "e_mail_1_value": "email",
    "person_email_work": "email",
    "work_email": "email",
    "mail": "email",
    "firstname": "first_name",
    "first": "first_name",
    "given_name": "first_name",
    "lastname": "last_name",
    "last": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "organization": "company",
    "organisation": "company",
    "company_name": "company",
    "job_title": "title",
    "position": "title",
    "time_zone": "timezone",
    "tz": "timezone",
    "linkedin": "linkedin_url",
    "linkedin_profile": "linkedin_url",
}
_NOT_WORD = re.compile(r"[^0-9a-z]+")
#: A name a column may be mapped to: a standard field, or a custom one.
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
_SORTED = sorted(STANDARD_FIELDS)
#: Longest cell read, in characters; a row with a longer one is skipped.
CELL_LIMIT = 10_000
#: Longest first name, last name, company or title kept; a longer one is cut, with a warning.
NAME_LIMIT = 200
_CAPPED = ("first_name", "last_name", "company", "title")
#: Any control character, DEL or C1 control (the quick test before cleaning a row's cells).
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: The ones dropped from a cell (tab, CR and LF are handled on their own).
_DROPPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")
_BREAK = re.compile(r"\r\n?|\n")
#: Something that looks like an address, in a line a cell ran over to.
#: Standard cells a spreadsheet may break over lines, read as one line.
_FOLDED = frozenset({"first_name", "last_name", "company", "title"})
_ADDRESS_LIKE = re.compile(r"[^\s\"',;<>@]@[^\s\"',;<>@]+\.[^\s\"',;<>@]")


class RowProblem(Enum):
    """What a :class:`RowError` means for its row."""

    #: The row was not imported (a bad address, malformed quotes on its line, an
    #: oversized cell).
    SKIPPED = "skipped"
    #: The file's structure breaks at this row (a quote left open): the row was not imported, and
    #: nothing after it was read either unless ``skip_bad`` was asked for.
    BROKEN = "broken"
    #: The row was imported with a change (a name cut to :data:`NAME_LIMIT` characters, a time
    #: zone that is not an IANA name left out).
    CHANGED = "changed"


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
    problem: RowProblem = RowProblem.SKIPPED
    #: The field the problem is in, where it is one cell's (``"timezone"``, ``"first_name"``).
    column: str | None = None
    #: With CHANGED: the cell's value was left out (a time zone that could not be read), rather
    #: than kept in another form (one read as the IANA zone it stands for, a name cut short).
    dropped: bool = False

    def __str__(self) -> str:
        shown = f" ({self.email})" if self.email else ""
        return f"row {self.row}{shown}: {self.reason}"


#: Columns of CRM exports that mark a contact who opted out of email (Salesforce
#: ``HasOptedOutOfEmail``, HubSpot ``Unsubscribed from all email``, "Email Opt Out", "Do Not
#: Email"), as :func:`column_name` writes them.
OPT_OUT_COLUMNS = frozenset(
    {
        "email_opt_out",
        "emailoptout",
        "hasoptedoutofemail",
        "has_opted_out_of_email",
        "opted_out",
        "opt_out",
        "optout",
        "unsubscribed",
        "unsubscribed_from_all_email",
        "do_not_email",
        "donotemail",
        "email_unsubscribed",
        "marketing_opt_out",
    }
)
_YES = frozenset(
    {"true", "yes", "y", "1", "x", "t", "✓", "✔", "opted out", "unsubscribed", "kyllä", "ja"}
)


def opted_out(row: ContactRow) -> str | None:
    """The opt-out column that says ``row``'s person opted out of email ("true", "yes", "1",
    "x"), if one does."""
    return next(
        (
            name
            for name in sorted(OPT_OUT_COLUMNS & row.fields.keys())
            if row.fields[name].strip().casefold() in _YES
        ),
        None,
    )


def another_person(earlier: ContactRow, later: ContactRow) -> bool:
    """Whether two rows of one shared address (``info@``, ``sales@``: :func:`is_role`) name two
    people: a first or last name given in both and not the same, compared without case or
    accents ("José García" and "Jose Garcia" are one). A personal address is one person's,
    however its rows spell the name."""
    if not is_role(later.email_key):
        return False
    return any(
        a and b and _plain_name(a) != _plain_name(b)
        for a, b in (
            (earlier.first_name, later.first_name),
            (earlier.last_name, later.last_name),
        )
    )


def collapse(rows: Sequence[ContactRow]) -> tuple[list[ContactRow], list[RowError]]:
    """One row per address, over the whole file: a later row of one person merges over the
    earlier (its empty cells keep the earlier values, custom fields merge), as a re-import does;
    a later row naming another person at a shared address replaces it whole, with a warning
    naming both rows, and a person who comes back merges with their own earlier rows. The last
    row's person is the contact. In the order each address last appears."""
    people: dict[str, list[ContactRow]] = {}  # per address, each person's rows merged, last last
    warnings: list[RowError] = []
    for row in rows:
        seen = people.pop(row.email_key, [])
        own = next((p for p in reversed(seen) if not another_person(p, row)), None)
        if seen and own is not seen[-1]:
            warnings.append(_replaced(seen[-1], row))
        if own is not None:
            seen.remove(own)
            row = merge_rows(own, row)
        people[row.email_key] = [*seen, row]
    return [rows_of[-1] for rows_of in people.values()], warnings


def _replaced(earlier: ContactRow, row: ContactRow) -> RowError:
    named = " ".join(p for p in (row.first_name, row.last_name) if p)
    before = " ".join(p for p in (earlier.first_name, earlier.last_name) if p)
    return RowError(
        row=row.row,
        email=row.email,
        problem=RowProblem.CHANGED,
        column="first_name",
        reason=f"the same shared address as row {earlier.row} ({before}) but another person "
        f"({named}): one contact per address, so this row replaces row {earlier.row} whole",
    )


def _plain_name(name: str) -> str:
    """A name without case or accents, for telling people apart."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


#: The standard cells a later row of one address merges over an earlier one.
_MERGED = ("email", "first_name", "last_name", "company", "title", "timezone", "linkedin_url")


def merge_rows(earlier: ContactRow, later: ContactRow) -> ContactRow:
    """One person's two rows as one: the later row's cells, its empty ones from the earlier,
    custom fields merged."""
    return ContactRow(
        row=later.row,
        email_key=later.email_key,
        fields={**earlier.fields, **later.fields},
        **{c: getattr(later, c) or getattr(earlier, c) for c in _MERGED},
    )


def column_name(header: str) -> str:
    """``"First Name"`` → ``first_name``; known aliases map to the standard fields."""
    name = _NOT_WORD.sub("_", header.strip().lower()).strip("_")
    return _ALIASES.get(name, name)


#: Column names (as in the file's header) mapped to field names: ``{"Vorname": "first_name"}``.
ColumnMap = Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class Columns:
    """Where each column of a file goes (:func:`read_columns`)."""

    #: Header → standard field, in the file's order.
    standard: dict[str, str]
    #: Header → custom field: every named column that is not a standard field is kept as one.
    custom: dict[str, str]
    #: The columns read nowhere, because they have no name (``column 4``).
    ignored: list[str]
    #: Header → field, for the columns the mapping named.
    mapped: dict[str, str]


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """``["Vorname=first_name", "Firma=company,Land=country"]`` → ``{"Vorname": "first_name",
    ...}``: each item holds one ``COLUMN=FIELD`` pair or several separated by commas.

    Raises ImportFileError naming the pair that is not ``COLUMN=FIELD``, or a column mapped to two
    fields. Whether the column exists and the field is a field name is checked against the file
    (:func:`read_columns`).
    """
    mapping: dict[str, str] = {}
    for item in items:
        for pair in item.split(","):
            if not pair.strip():
                continue
            source, equals, target = (part.strip() for part in pair.partition("="))
            if not equals or not source or not target:
                raise ImportFileError(
                    f"--map: '{pair.strip()}' is not COLUMN=FIELD (e.g. \"Vorname=first_name\")"
                )
            if mapping.get(source, target) != target:
                raise ImportFileError(
                    f"--map: the column '{source}' is mapped twice "
                    f"(to {mapping[source]} and to {target})"
                )
            mapping[source] = target
    return mapping


def field_name_problem(name: str) -> str:
    """Why ``name`` cannot be a mapping's target ("" when it can: a standard field, or a custom
    name of lower-case letters, digits and ``_`` not one letter away from a standard field)."""
    if name in STANDARD_FIELDS:
        return ""
    near = column_name(name)  # an alias ("firstname", "First Name") or a slip ("compnay")
    close = [near] if near in STANDARD_FIELDS else difflib.get_close_matches(near, _SORTED, 1, 0.85)
    if _FIELD_NAME.fullmatch(name) and not close:
        return ""
    return (
        f"'{name}' is not a field name{suggest(near, close)}: use a standard field "
        f"({', '.join(_SORTED)}) or a custom name of lower-case letters, digits and _"
    )


def read_columns(text: str, *, file: str, mapping: ColumnMap | None = None) -> Columns:
    """Where each column of ``text`` goes: a standard field (or an alias: ``First Name``, ``tz``),
    else a custom field (``Vorname`` as ``vorname``); a column with no name is ignored. ``mapping``
    sends a column to a field; one naming no column or no valid field is an ImportFileError, as
    :func:`parse_csv` raises before reading any row."""
    body = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(body, newline=""), dialect=_sniff(body), strict=True)
    header = _header(reader, file)
    columns = _columns(header, file, mapping)
    assert header is not None  # _columns refuses a file without one
    mapped = _mapped(header, mapping or {}, file)
    standard: dict[str, str] = {}
    custom: dict[str, str] = {}
    ignored: list[str] = []
    for position, (raw, name) in enumerate(zip(header, columns, strict=True)):
        label = raw.strip() or f"column {position + 1}"
        if not name:
            ignored.append(label)
        elif name in STANDARD_FIELDS:
            standard[label] = name
        else:
            custom[label] = name
    return Columns(
        standard=standard,
        custom=custom,
        ignored=ignored,
        mapped={header[i].strip(): name for i, name in mapped.items()},
    )


def parse_csv(
    text: str,
    *,
    file: str,
    check_deliverability: bool = False,
    skip_bad: bool = False,
    mapping: ColumnMap | None = None,
) -> Iterator[ContactRow | RowError]:
    """Yield one :class:`ContactRow` or :class:`RowError` per data row of ``text`` (and a
    ``CHANGED`` RowError before a row imported with a change).

    ``mapping`` sends columns to fields (see the module's docstring). Stops after a ``BROKEN``
    row unless ``skip_bad`` (see the module's docstring).
    """
    body = text.lstrip("\ufeff")
    dialect = _sniff(body)
    lines = _Lines(io.StringIO(body, newline="").readlines())
    reader = csv.reader(lines, dialect=dialect, strict=True)
    layout = _Layout(_columns(_header(reader, file), file, mapping), dialect)
    row = 1
    while True:
        first = lines.at
        try:
            values, failure = next(reader, None), ""
        except csv.Error as exc:
            values, failure = None, str(exc)
        if values is None and not failure:
            return
        row += 1
        problem = layout.structure(values, failure, lines.taken(first))
        if problem is not None:
            yield RowError(
                row=row,
                email=layout.own_address(lines.taken(first)[0]),
                reason=problem[1],
                problem=problem[0],
            )
            if problem[0] is RowProblem.BROKEN:
                if not skip_bad:
                    return
                lines.at = first + 1  # read the lines the open quote swallowed as rows again
            continue
        assert values is not None
        # the same test as any(v.strip() for v in values), without a generator per row
        if "".join(values).strip():
            yield from layout.row(row, values, check_deliverability)


class _Lines:
    """The file's lines for the csv reader, with the position of the next one (so that reading
    can go back to the line after a broken row's first)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.at = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.at >= len(self.lines):
            raise StopIteration
        self.at += 1
        return self.lines[self.at - 1]

    def taken(self, first: int) -> list[str]:
        """The lines read since position ``first`` (at least the one there)."""
        return self.lines[first : max(self.at, first + 1)]


def _header(reader: Iterator[list[str]], file: str) -> list[str] | None:
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportFileError(f"{file}: row 1: the header row cannot be read ({exc})") from None
    if header is not None and any("\n" in h or "\r" in h for h in header):
        raise ImportFileError(
            f"{file}: row 1: a column name runs over several lines (a quote left open?)"
        )
    return [_DROPPED.sub("", h) for h in header] if header is not None else None


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


def _columns(header: list[str] | None, file: str, mapping: ColumnMap | None = None) -> list[str]:
    if not header:
        raise ImportFileError(
            f"{file}: the file is empty; the first row must name the columns (one of them 'email')"
        )
    columns = [column_name(h) for h in header]
    mapped = _mapped(header, mapping, file) if mapping else {}
    for position, name in mapped.items():
        columns[position] = name
    if "email" not in columns:
        found = ", ".join(h for h in header if h.strip()) or "none"
        raise ImportFileError(f"{file}: row 1: no 'email' column (columns found: {found})")
    seen: dict[str, int] = {}
    for position, (raw, name) in enumerate(zip(header, columns, strict=True)):
        if name and name in seen:
            if position in mapped or seen[name] in mapped:
                raise ImportFileError(
                    f"{file}: row 1: with the column mapping, the columns "
                    f"'{header[seen[name]].strip()}' and '{raw.strip()}' would both be {name}; "
                    "nothing was imported"
                )
            raise ImportFileError(f"{file}: row 1: column '{raw}' appears twice")
        seen[name] = position
    return columns


def _mapped(header: list[str], mapping: ColumnMap | None, file: str) -> dict[int, str]:
    """Position in ``header`` → field name, for each column ``mapping`` names; ImportFileError
    naming every mapping that names no column of the file or no valid field."""
    stripped = [h.strip() for h in header]
    positions: dict[int, str] = {}
    problems: list[str] = []
    missing = False
    for source, target in (mapping or {}).items():
        key, name = source.strip(), target.strip()
        at = stripped.index(key) if key in stripped else None
        if at is None:  # "first name" finds "First Name"
            wanted = column_name(key)
            at = next(
                (i for i, h in enumerate(header) if wanted and column_name(h) == wanted), None
            )
        if at is None:
            missing = True
            problems.append(f"'{key}' is not a column of the file{suggest(key, stripped)}")
        elif at in positions:
            problems.append(f"'{key}' and another mapping name the same column '{stripped[at]}'")
        elif problem := field_name_problem(name):
            problems.append(f"{key}={name}: {problem}")
        else:
            positions[at] = name
    if problems:
        found = ", ".join(h for h in stripped if h) or "none"
        raise ImportFileError(
            f"{file}: row 1: the column mapping does not fit the file, so nothing was imported: "
            + "; ".join(problems)
            + (f" (columns found: {found})" if missing else "")
        )
    return positions


class _Layout:
    """Where each column of a file goes, worked out once from the header rather than per row."""

    def __init__(self, columns: list[str], dialect: type[csv.Dialect]) -> None:
        self.columns = columns
        self.dialect = dialect
        self.email = columns.index("email")
        #: (position, name) of the standard fields other than the address, and of the custom
        #: columns.
        self.standard = [
            (i, name)
            for i, name in enumerate(columns)
            if name in STANDARD_FIELDS and name != "email"
        ]
        self.custom = [
            (i, name) for i, name in enumerate(columns) if name and name not in STANDARD_FIELDS
        ]
        self.capped = [(i, name) for i, name in self.standard if name in _CAPPED]

    def structure(
        self, values: list[str] | None, failure: str, lines: list[str]
    ) -> tuple[RowProblem, str] | None:
        """Whether a record read from ``lines`` is unusable as a whole: BROKEN when the file's
        structure breaks there, SKIPPED when only its own line is wrong; None when it is fine."""
        if len(lines) == 1 and not failure:  # the common case: one line, read without complaint
            reason = _oversized(values or []) if len(lines[0]) > CELL_LIMIT else ""
            return (RowProblem.SKIPPED, reason) if reason else None
        if failure:
            return self._failure(failure, lines)
        assert values is not None
        broken = self._runaway_cell(values, lines)
        if broken:
            return (
                RowProblem.BROKEN,
                broken + f" (this row's record took {len(lines)} lines of the file)",
            )
        reason = _oversized(values)
        return (RowProblem.SKIPPED, reason) if reason else None

    def _failure(self, failure: str, lines: list[str]) -> tuple[RowProblem, str]:
        """What the csv module's complaint about a record means."""
        taken = (
            f" (this row's record took {len(lines)} lines of the file)" if len(lines) > 1 else ""
        )
        if "end of data" in failure:
            return RowProblem.BROKEN, "a quote opened in this row is never closed" + taken
        if len(lines) > 1:
            return RowProblem.BROKEN, f"a quote opened in this row runs on, then: {failure}" + taken
        if (
            "field limit" in failure
        ):  # the csv module gave up mid-line: was a quote still open there?
            if lines[0].count(self.dialect.quotechar or '"') % 2:
                return (
                    RowProblem.BROKEN,
                    f"a cell opened with a quote runs past {csv.field_size_limit():,} characters",
                )
            return RowProblem.SKIPPED, f"a cell is longer than {CELL_LIMIT:,} characters"
        return RowProblem.SKIPPED, f"malformed quotes ({failure})"

    def _runaway_cell(self, values: list[str], lines: list[str]) -> str:
        """Why a multi-line record is a quote left open ("" when its line breaks are a custom cell's
        own, or a name's, company's or title's written on two lines in a spreadsheet, which are
        folded into a space). Any address on the lines after its first is one: it may be another
        row's; so is a line break in the email, time zone or LinkedIn cell, or a record of more
        cells than the header has."""
        whole = len(values) == len(self.columns)
        for i, value in enumerate(values):
            name = self.columns[i] if i < len(self.columns) else ""
            folded = whole and name in _FOLDED
            if (
                (not name or name in STANDARD_FIELDS)
                and not folded
                and ("\n" in value or "\r" in value)
            ):
                return (
                    f"the {name or 'extra'} cell runs over {len(lines)} lines: a quote left open "
                    "(a line break is allowed only in a custom column, a name, company or title)"
                )
        if _ADDRESS_LIKE.search("".join(lines[1:])):
            return (
                f"this row's record runs over {len(lines)} lines "
                "that hold an address: a quote left open"
            )
        return ""

    def own_address(self, line: str) -> str:
        """The email cell of a row's first line, read on its own (for reporting a broken row)."""
        try:
            cells = next(csv.reader([line], dialect=self.dialect), [])
        except csv.Error:
            return ""
        value = cells[self.email] if len(cells) > self.email else ""
        return _DROPPED.sub("", _BREAK.sub(" ", value)).strip()[:254]

    def row(
        self, row: int, values: list[str], check_deliverability: bool
    ) -> Iterator[ContactRow | RowError]:
        width = len(self.columns)
        if len(values) > width:
            yield RowError(
                row=row,
                email=_clean(values[self.email]),
                reason=f"{len(values)} values but only {width} columns (a stray delimiter?)",
            )
            return
        cells = (
            [_clean(value) for value in values]
            if _ANY_CONTROL.search("".join(values))
            else [v.strip() for v in values]
        )
        if len(cells) < width:  # a short row: the missing cells are empty
            cells += [""] * (width - len(cells))
        raw_email = cells[self.email]
        if not raw_email:
            yield RowError(row=row, email="", reason="the email cell is empty")
            return
        try:
            # a non-ASCII local part is kept: it is sent with SMTPUTF8 where the server offers it
            email = validate_email(
                raw_email, check_deliverability=check_deliverability, allow_smtputf8=True
            ).normalized
        except EmailNotValidError as exc:
            yield RowError(row=row, email=raw_email, reason=f"invalid address: {exc}")
            return
        # a name, company or title on two lines (Alt+Enter in Excel: "Head of Sales\nEMEA") is one
        standard = {name: " ".join(cells[i].split()) for i, name in self.standard if cells[i]}
        zone = standard.get("timezone")
        read = read_zone(zone) if zone is not None else None
        if zone is not None and read is None:
            yield RowError(
                row=row,
                email=email,
                problem=RowProblem.CHANGED,
                column="timezone",
                reason=f"{_zone_reason(zone)}; imported without a time zone, so the "
                "sequence's (or sender's) zone is used, as for a blank one",
                dropped=True,
            )
            del standard["timezone"]
        elif read is not None:
            # "W. Europe Standard Time", "(UTC-05:00) Eastern Time (US & Canada)", "UTC-5",
            # "america/new_york": read as the IANA zone they stand for, and said so
            if read.note:
                yield RowError(
                    row=row,
                    email=email,
                    problem=RowProblem.CHANGED,
                    column="timezone",
                    reason=read.note,
                )
            standard["timezone"] = read.name
        for _, name in self.capped:
            if len(standard.get(name, "")) > NAME_LIMIT:
                yield RowError(
                    row=row,
                    email=email,
                    problem=RowProblem.CHANGED,
                    column=name,
                    reason=f"the {name} cell has {len(standard[name]):,} "
                    f"characters; kept the first {NAME_LIMIT}",
                )
                standard[name] = standard[name][:NAME_LIMIT].rstrip()
        fields = {name: cells[i] for i, name in self.custom if cells[i]}
        yield ContactRow(row=row, email=email, email_key=email.lower(), fields=fields, **standard)


def _clean(value: str) -> str:
    """A cell without control characters: a tab becomes a space, a line break stays ``\n``
    (only a custom cell can still hold one here), the rest go."""
    return _DROPPED.sub("", _BREAK.sub("\n", value.replace("\t", " "))).strip()


def _oversized(values: list[str]) -> str:
    longest = max((len(v) for v in values), default=0)
    return (
        f"a cell has {longest:,} characters; at most {CELL_LIMIT:,} are read"
        if longest > CELL_LIMIT
        else ""
    )


def _zone_reason(name: str) -> str:
    try:
        parse_zone(name)
    except ValueError as exc:
        return f"{exc} (use an IANA name such as Europe/Helsinki)"
    return f"unknown time zone '{name}'"
