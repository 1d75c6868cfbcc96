"""What the inbox poller reads about a batch of messages, in one read transaction: the messages
recorded already, our sends their Message-IDs name, the contacts of those sends and those the
messages name (by ``email_key``), and those contacts' active enrollments. Each is one ``IN``
query per :data:`~sequencer.store.core.BATCH` values, with an expanding parameter, so its SQL
is compiled once and cached whatever the number of values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from sequencer.status import EnrollmentStatus
from sequencer.store.core import M, batches
from sequencer.store.inbox import seen
from sequencer.store.tables import Contact, Enrollment, Send


@dataclass(frozen=True, kw_only=True)
class BatchReads:
    """A batch's reads (see :func:`read`)."""

    #: Those of the keys asked for whose message was recorded already.
    seen: set[str]
    #: Our sends with the Message-IDs asked for, in no particular order.
    sends: list[Send]
    #: The contacts of those sends, by id (the same objects as in ``by_key`` for those named
    #: by both).
    contacts_by_id: dict[int, Contact]
    #: The contacts with the ``email_key`` values asked for, by key.
    by_key: dict[str, Contact]
    #: The active enrollment of each contact above that has one.
    active: dict[int, Enrollment]


def read(
    conn: sa.Connection, keys: Sequence[str], message_ids: Sequence[str], email_keys: Sequence[str]
) -> BatchReads:
    """Everything about a batch: messages recorded under ``keys``, sends named by
    ``message_ids``, their contacts and those with ``email_keys``, and the active enrollments."""
    recorded = seen(conn, keys)
    sends = _load(conn, _SENDS, message_ids)
    by_key = {c.email_key: c for c in sorted(_load(conn, _BY_KEY, email_keys), key=_id)}
    loaded = {c.id: c for c in by_key.values()}
    by_id = {i: loaded[i] for i in {s.contact_id for s in sends} if i in loaded}
    missing = [s.contact_id for s in sends if s.contact_id not in by_id]
    by_id.update({c.id: c for c in _load(conn, _BY_ID, missing) if c.id is not None})
    ids = set(by_id) | set(loaded)
    active = {e.contact_id: e for e in _load(conn, _ACTIVE, [i for i in ids if i is not None])}
    return BatchReads(
        seen=recorded,
        sends=sends,
        contacts_by_id={i: c for i, c in by_id.items() if i is not None},
        by_key=by_key,
        active=active,
    )


def _id(contact: Contact) -> int:
    return contact.id or 0


def _load(conn: sa.Connection, query: SelectOfScalar[M], values: Sequence[Any]) -> list[M]:
    """The model objects ``query`` selects for ``values`` (its ``values`` parameter), as the
    ORM loads them; detached once returned."""
    unique = list(dict.fromkeys(values))
    if not unique:
        return []
    with Session(conn) as session:
        return [
            row
            for chunk in batches(unique)
            for row in session.exec(query, params={"values": list(chunk)})
        ]


_VALUES: sa.BindParameter[Any] = sa.bindparam("values", expanding=True)
_SENDS = select(Send).where(col(Send.message_id).in_(_VALUES))
_BY_ID = select(Contact).where(col(Contact.id).in_(_VALUES))
_BY_KEY = select(Contact).where(col(Contact.email_key).in_(_VALUES))
_ACTIVE = select(Enrollment).where(
    col(Enrollment.contact_id).in_(_VALUES), Enrollment.status == EnrollmentStatus.ACTIVE
)
