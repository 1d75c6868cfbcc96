"""The store: engine set-up and every query sequencer makes. Nothing else imports SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from sequencer.contacts import ContactRow
from sequencer.store.tables import Contact, Enrollment, Event, Send

_CONTACT_COLUMNS = ("email", "first_name", "last_name", "company", "title", "timezone", "linkedin_url")
_BATCH = 2000


@dataclass(frozen=True, kw_only=True)
class UpsertCounts:
    inserted: int
    updated: int


@dataclass(frozen=True, kw_only=True)
class NewEnrollment:
    """What :meth:`Store.enroll` writes for one contact: the enrollment and its first send."""

    contact_id: int
    sequence: str
    sender: str
    timezone: str
    step_key: str
    channel: str
    due_at: datetime


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL mode, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Store:
    """Every read and write of sequencer's state."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        SQLModel.metadata.create_all(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    # -- contacts -----------------------------------------------------------------------------

    def upsert_contacts(self, rows: Sequence[ContactRow], *, now: datetime) -> UpsertCounts:
        """Insert new contacts and update known ones (matched case-insensitively), atomically.

        A cell that is empty in the file leaves the stored value as it was; custom fields merge.
        """
        inserted = updated = 0
        table = Contact.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            for start in range(0, len(rows), _BATCH):
                batch = _last_per_key(rows[start:start + _BATCH])
                existing = {
                    r.email_key: r for r in conn.execute(
                        sa.select(table).where(table.c.email_key.in_(list(batch)))
                    )
                }
                new = [_contact_values(row, now) for key, row in batch.items() if key not in existing]
                changed = [_merged(existing[key], row, now) for key, row in batch.items() if key in existing]
                if new:
                    conn.execute(sa.insert(table), new)
                if changed:
                    conn.execute(
                        sa.update(table).where(table.c.id == sa.bindparam("_id")),
                        changed,
                    )
                inserted += len(new)
                updated += len(changed)
        return UpsertCounts(inserted=inserted, updated=updated)

    def contact(self, email: str) -> Contact | None:
        with self.session() as s:
            return s.exec(select(Contact).where(Contact.email_key == email.strip().lower())).first()

    def contacts(self, *, emails: Iterable[str] | None = None, where: dict[str, str] | None = None) -> list[Contact]:
        """All contacts, or those with the given addresses and/or field values."""
        query = select(Contact).order_by(col(Contact.id))
        if emails is not None:
            query = query.where(col(Contact.email_key).in_([e.strip().lower() for e in emails]))
        found = []
        with self.session() as s:
            for contact in s.exec(query):
                if where and not _matches(contact, where):
                    continue
                found.append(contact)
        return found

    def count_contacts(self) -> int:
        with self.session() as s:
            return s.exec(select(sa.func.count()).select_from(Contact)).one()

    # -- enrollments --------------------------------------------------------------------------

    def active_enrollments(self, contact_ids: Iterable[int]) -> dict[int, Enrollment]:
        ids = list(contact_ids)
        found: dict[int, Enrollment] = {}
        with self.session() as s:
            for start in range(0, len(ids), _BATCH):
                chunk = ids[start:start + _BATCH]
                query = select(Enrollment).where(col(Enrollment.contact_id).in_(chunk), Enrollment.status == "active")
                found.update({e.contact_id: e for e in s.exec(query)})
        return found

    def enrollments(self, contact_id: int) -> list[Enrollment]:
        with self.session() as s:
            query = select(Enrollment).where(Enrollment.contact_id == contact_id).order_by(col(Enrollment.id))
            return list(s.exec(query))

    def enroll(self, plans: Sequence[NewEnrollment], *, now: datetime) -> int:
        """Write enrollments with their first send, all or nothing; returns how many."""
        with self.session() as s:
            for plan in plans:
                enrollment = Enrollment(contact_id=plan.contact_id, sequence=plan.sequence, sender=plan.sender,
                                        timezone=plan.timezone, enrolled_at=now)
                s.add(enrollment)
                s.flush()
                assert enrollment.id is not None
                s.add(Send(enrollment_id=enrollment.id, contact_id=plan.contact_id, sequence=plan.sequence,
                           sender=plan.sender, step_key=plan.step_key, step_index=0, channel=plan.channel,
                           due_at=plan.due_at, created_at=now))
            s.commit()
        return len(plans)

    def scheduled_times(self, sender: str) -> list[datetime]:
        """Due times of the sender's sends still to go out, for placing new ones around them."""
        with self.session() as s:
            query = select(Send.due_at).where(Send.sender == sender, col(Send.status).in_(("scheduled", "claimed")))
            return list(s.exec(query))

    def sends(self, enrollment_id: int) -> list[Send]:
        with self.session() as s:
            query = select(Send).where(Send.enrollment_id == enrollment_id).order_by(col(Send.step_index))
            return list(s.exec(query))

    def add_event(self, *, kind: str, at: datetime, contact_id: int | None = None,
                  enrollment_id: int | None = None, send_id: int | None = None, detail: str | None = None) -> None:
        with self.session() as s:
            s.add(Event(kind=kind, at=at, contact_id=contact_id, enrollment_id=enrollment_id,
                        send_id=send_id, detail=detail))
            s.commit()


def _last_per_key(rows: Sequence[ContactRow]) -> dict[str, ContactRow]:
    """Rows by address; a later row for the same address merges over an earlier one."""
    out: dict[str, ContactRow] = {}
    for row in rows:
        previous = out.get(row.email_key)
        out[row.email_key] = row if previous is None else _overlay(previous, row)
    return out


def _overlay(old: ContactRow, new: ContactRow) -> ContactRow:
    values = {c: getattr(new, c) or getattr(old, c) for c in _CONTACT_COLUMNS}
    return ContactRow(row=new.row, email_key=new.email_key, fields={**old.fields, **new.fields}, **values)


def _contact_values(row: ContactRow, now: datetime) -> dict[str, Any]:
    values = {c: getattr(row, c) for c in _CONTACT_COLUMNS}
    return {**values, "email_key": row.email_key, "fields": row.fields, "created_at": now, "updated_at": now}


def _merged(existing: Any, row: ContactRow, now: datetime) -> dict[str, Any]:
    values = {c: getattr(row, c) or getattr(existing, c) for c in _CONTACT_COLUMNS}
    fields = {**(existing.fields or {}), **row.fields}
    return {**values, "email_key": row.email_key, "fields": fields, "updated_at": now, "_id": existing.id}


def _matches(contact: Contact, where: dict[str, str]) -> bool:
    for name, wanted in where.items():
        value = getattr(contact, name, None) if name in _CONTACT_COLUMNS else contact.fields.get(name)
        if (value or "").lower() != wanted.lower():
            return False
    return True
