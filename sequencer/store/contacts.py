"""Contacts: the import's upsert (matched case-insensitively, merged cell by cell, in batches of
one executemany each) and the reads of contacts by address, id or field value."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from sequencer.contacts import ContactRow, another_person, contact_key, merge_rows
from sequencer.store.core import BATCH, batches, built, first_model, models
from sequencer.store.tables import CONTACTS, Contact

_CONTACT_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "company",
    "title",
    "timezone",
    "linkedin_url",
)


@dataclass(frozen=True, kw_only=True)
class UpsertCounts:
    inserted: int
    updated: int
    #: Known contacts the import gave a time zone (their active enrollments are checked against
    #: it, whether it changed now or in an import whose follow-up failed).
    zoned: tuple[int, ...] = ()
    #: Rows whose shared address held another person, whom they replaced whole (row numbers).
    replaced: tuple[int, ...] = ()


def upsert(conn: sa.Connection, rows: Sequence[ContactRow], *, now: datetime) -> UpsertCounts:
    """Insert new contacts and update known ones (matched case-insensitively).

    A cell that is empty in the file leaves the stored value as it was; custom fields merge.
    """
    inserted = updated = 0
    zoned: list[int] = []
    replaced: list[int] = []
    table = CONTACTS
    # only what a merge reads: no created_at/updated_at to convert back for every known row
    known = sa.select(
        table.c.id, table.c.email_key, *(table.c[c] for c in _CONTACT_COLUMNS), table.c.fields
    )
    insert = _Many(conn, sa.insert(table), _NEW_COLUMNS, {"created_at": now, "updated_at": now})
    update = _Many(
        conn,
        sa.update(table).where(table.c.id == sa.bindparam("_id")),
        _CHANGED_COLUMNS,
        {"updated_at": now},
    )
    for start in range(0, len(rows), BATCH):
        batch = _last_per_key(rows[start : start + BATCH])
        found = conn.execute(known.where(table.c.email_key.in_(list(batch)))).all()
        existing = {r.email_key: r for r in found}
        new = [_contact_values(row) for key, row in batch.items() if key not in existing]
        changed = [_merged(existing[key], row) for key, row in batch.items() if key in existing]
        replaced += [
            row.row
            for key, row in batch.items()
            if key in existing and _another(existing[key], row)
        ]
        zoned += [
            existing[key].id for key, row in batch.items() if key in existing and row.timezone
        ]
        if new:
            insert(new)
        if changed:
            update(changed)
        inserted += len(new)
        updated += len(changed)
    return UpsertCounts(
        inserted=inserted, updated=updated, zoned=tuple(zoned), replaced=tuple(replaced)
    )


def by_email(conn: sa.Connection, email: str) -> Contact | None:
    return first_model(conn, select(Contact).where(Contact.email_key == contact_key(email)))


def listed(
    conn: sa.Connection, *, emails: Iterable[str] | None, where: dict[str, str] | None
) -> list[Contact]:
    """All contacts, or those with the given addresses and/or field values."""
    query = select(Contact).order_by(col(Contact.id))
    if emails is not None:
        query = query.where(col(Contact.email_key).in_([contact_key(e) for e in emails]))
    return [c for c in models(conn, query) if not where or _matches(c, where)]


def count(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(CONTACTS)).scalar_one())


def by_ids(conn: sa.Connection, ids: list[int]) -> dict[int, Contact]:
    """Contacts by id, in batches (PostgreSQL takes at most 65,535 parameters a statement)."""
    out: dict[int, Contact] = {}
    for chunk in batches(ids):
        found = built(Contact, conn.execute(_BY_IDS, {"_ids": list(chunk)}))
        out.update({c.id: c for c in found if c.id is not None})
    return out


#: Read at every dispatch tick: built once, given its values at execution.
_BY_IDS = sa.select(CONTACTS).where(CONTACTS.c.id.in_(sa.bindparam("_ids", expanding=True)))


def _last_per_key(rows: Sequence[ContactRow]) -> dict[str, ContactRow]:
    """Rows by address; a later row for the same address merges over an earlier one."""
    out: dict[str, ContactRow] = {}
    for row in rows:
        previous = out.get(row.email_key)
        out[row.email_key] = row if previous is None else merge_rows(previous, row)
    return out


#: Per-row values of an insert and of an update, in the order the helpers below build them.
_NEW_COLUMNS = (*_CONTACT_COLUMNS, "email_key", "fields")
_CHANGED_COLUMNS = (*_CONTACT_COLUMNS, "email_key", "fields", "_id")


def _contact_values(row: ContactRow) -> tuple[Any, ...]:
    return (
        row.email,
        row.first_name,
        row.last_name,
        row.company,
        row.title,
        row.timezone,
        row.linkedin_url,
        row.email_key,
        row.fields,
    )


def _another(existing: Any, row: ContactRow) -> bool:
    """Whether ``row`` names another person than the one stored at its shared address."""
    stored = ContactRow(
        row=0,
        email=existing.email,
        email_key=existing.email_key,
        first_name=existing.first_name,
        last_name=existing.last_name,
    )
    return another_person(stored, row)


def _merged(existing: Any, row: ContactRow) -> tuple[Any, ...]:
    """The update of a known contact: a cell empty in the file keeps the stored value; fields
    merge. At a shared address, a row naming another person replaces the stored one whole.
    """
    id_, _, email, first_name, last_name, company, title, timezone, linkedin_url, fields = (
        existing  # as `known` selects
    )
    if _another(existing, row):
        email = first_name = last_name = company = title = timezone = linkedin_url = None
        fields = {}
    return (
        row.email or email,
        row.first_name or first_name,
        row.last_name or last_name,
        row.company or company,
        row.title or title,
        row.timezone or timezone,
        row.linkedin_url or linkedin_url,
        row.email_key,
        {**(fields or {}), **row.fields},
        id_,
    )


class _Many:
    """One executemany of ``statement``: ``columns`` vary per row, ``constants`` are the same in
    every row.

    Each value goes through its column type's own bind processor for the connection's dialect, as
    ``conn.execute(statement, [dict, ...])`` would do, so what is stored is the same; but the
    constants are processed once, and the rows reach the driver without SQLAlchemy's per-row
    parameter handling, which cost more than SQLite's own work on a 100k-row import.
    """

    def __init__(
        self,
        conn: sa.Connection,
        statement: sa.Insert | sa.Update,
        columns: tuple[str, ...],
        constants: dict[str, Any],
    ) -> None:
        table = CONTACTS
        dialect = conn.dialect
        names = [*columns, *constants]
        compiled = statement.compile(dialect=dialect, column_keys=names)
        if set(compiled.binds) != set(names):  # a statement this helper was not written for
            raise AssertionError(f"bind names {sorted(compiled.binds)} differ from {sorted(names)}")

        def processor(name: str) -> Any:
            return (
                table.c["id" if name == "_id" else name]
                .type.dialect_impl(dialect)
                .bind_processor(dialect)
            )

        self.conn = conn
        self.sql = compiled.string
        self.names = names
        self.per_row = [
            (i, p) for i, name in enumerate(columns) if (p := processor(name)) is not None
        ]
        self.constants = tuple(
            p(v) if (p := processor(k)) is not None else v for k, v in constants.items()
        )
        self.named = not compiled.positional
        self.order = None
        if compiled.positional:
            assert compiled.positiontup is not None
            positions = [names.index(key) for key in compiled.positiontup]
            if positions != list(range(len(names))):
                self.order = itemgetter(*positions)

    def __call__(self, rows: list[tuple[Any, ...]]) -> None:
        constants = self.constants
        params: list[Any]
        if self.per_row:
            params = []
            for row in rows:
                values = [*row, *constants]
                for i, process in self.per_row:
                    values[i] = process(values[i])
                params.append(values)
        else:
            params = [row + constants for row in rows]
        if self.order is not None:
            params = [self.order(p) for p in params]
        elif self.named:
            params = [dict(zip(self.names, p, strict=True)) for p in params]
        self.conn.exec_driver_sql(self.sql, params)


def _matches(contact: Contact, where: dict[str, str]) -> bool:
    for name, wanted in where.items():
        value = (
            getattr(contact, name, None) if name in _CONTACT_COLUMNS else contact.fields.get(name)
        )
        if (value or "").lower() != wanted.lower():
            return False
    return True
