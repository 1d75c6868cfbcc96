"""Contact rows from CSV: column mapping, address normalisation, per-row errors.

Pure: it takes the CSV text, not a file, and does no network look-ups (email-validator's
deliverability check is off unless asked for).
"""

from __future__ import annotations

import csv
import hashlib
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
    layout = _Layout(_columns(header, file))
    line = reader.line_num
    for values in reader:
        row, line = line + 1, reader.line_num
        # the same test as any(v.strip() for v in values), without a generator per row
        if not "".join(values).strip():
            continue
        yield layout.row(row, values, check_deliverability)


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


class _Layout:
    """Where each column of a file goes, worked out once from the header rather than per row."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.email = columns.index("email")
        #: (position, name) of the standard fields other than the address, and of the custom columns.
        self.standard = [(i, name) for i, name in enumerate(columns) if name in STANDARD_FIELDS and name != "email"]
        self.custom = [(i, name) for i, name in enumerate(columns) if name and name not in STANDARD_FIELDS]

    def row(self, row: int, values: list[str], check_deliverability: bool) -> ContactRow | RowError:
        width = len(self.columns)
        if len(values) > width:
            return RowError(row=row, email=values[self.email].strip(),
                            reason=f"{len(values)} values but only {width} columns (a stray delimiter?)")
        cells = [value.strip() for value in values]
        if len(cells) < width:  # a short row: the missing cells are empty
            cells += [""] * (width - len(cells))
        raw_email = cells[self.email]
        if not raw_email:
            return RowError(row=row, email="", reason="the email cell is empty")
        try:
            # allow_smtputf8=False: a non-ASCII local part needs SMTPUTF8, which mail is not sent with
            email = validate_email(raw_email, check_deliverability=check_deliverability, allow_smtputf8=False).normalized
        except EmailNotValidError as exc:
            return RowError(row=row, email=raw_email, reason=f"invalid address: {exc}")
        standard = {name: cells[i] for i, name in self.standard if cells[i]}
        zone = standard.get("timezone")
        if zone is not None and not _valid_zone(zone):
            return RowError(row=row, email=raw_email, reason=_zone_reason(zone))
        fields = {name: cells[i] for i, name in self.custom if cells[i]}
        return ContactRow(row=row, email=email, email_key=email.lower(), fields=fields, **standard)


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


_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")


def suppression_key(value: str) -> str:
    """The suppression-list key for an address (``jane@x.com``) or a whole domain (``@x.com`` or ``x.com``).

    Raises ValueError with a readable reason for anything else.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty: give an address or a domain")
    if text.startswith("@") or "@" not in text:
        domain = text.lstrip("@").rstrip(".").lower()
        try:
            ascii_domain = domain.encode("idna").decode("ascii")
            # the same form contacts' keys use: Unicode, not punycode (xn--bcher-kva.de -> bücher.de)
            unicode_domain = ascii_domain.encode("ascii").decode("idna").lower()
        except UnicodeError:
            raise ValueError(f"'{text}' is not a valid domain") from None
        if not _DOMAIN.match(ascii_domain):
            raise ValueError(f"'{text}' is not a valid domain")
        return f"@{unicode_domain}"
    try:
        return validate_email(text, check_deliverability=False, allow_smtputf8=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(f"'{text}' is not a valid address: {exc}") from None


#: Prefix of the suppression key an erased address leaves behind (``sequencer forget``).
ERASED_PREFIX = "sha256:"
#: The address of an erased contact; its ``email_key`` is ``forgotten:<id>``.
FORGOTTEN = "forgotten"


def erasure_key(email_key: str) -> str:
    """The suppression key kept for an erased address: ``sha256:`` and the hex SHA-256 of its
    normalised, lower-cased form (the contact's ``email_key``, UTF-8).

    Unsalted, as suppression lists usually are, so that the same address coming back in a CSV
    (or already stored some other way) is recognised without keeping it. The limit: it is a
    pseudonym, not an anonymisation. Anyone holding the database and a guess of the address can
    confirm the guess, and a list of likely addresses can be tested at will.
    """
    return ERASED_PREFIX + hashlib.sha256(email_key.encode("utf-8")).hexdigest()


def blocking_keys(email_key: str) -> list[str]:
    """The suppression keys that stop mail to an address: the address, its ``@domain``, and the hash
    ``forget`` leaves for an erased address (which may come back by other means than an import)."""
    return [email_key, "@" + email_key.rpartition("@")[2], erasure_key(email_key)]


#: Mail providers whose domain says nothing about the company a person works for: a reply from one
#: of their users never stops "colleagues" (``stop_scope: company``). Extend with ``[companies] free_mail``.
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "ymail.com", "aol.com", "icloud.com", "me.com", "mac.com",
    "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "mail.com",
    "mail.ru", "yandex.ru", "yandex.com", "zoho.com", "fastmail.com", "hey.com", "tutanota.com", "qq.com", "163.com",
    "126.com", "orange.fr", "free.fr", "laposte.net", "libero.it", "seznam.cz", "wp.pl", "o2.pl", "onet.pl",
    "luukku.com", "suomi24.fi", "kolumbus.fi", "elisanet.fi", "saunalahti.fi", "pp.inet.fi", "outlook.fi", "live.fi",
    "hotmail.fi", "telia.com", "bredband.net", "online.no",
})


def company_domain(email_key: str, free_mail: frozenset[str] = frozenset()) -> str | None:
    """The company an address belongs to, by its domain; None for free-mail and public providers."""
    domain = email_key.rpartition("@")[2].lower()
    if not domain or domain in FREE_MAIL or domain in free_mail:
        return None
    return domain
