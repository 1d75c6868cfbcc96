"""`sequencer forget` (GDPR erasure), on SQLite and PostgreSQL: the person's text leaves the
database
(on SQLite, the file and its -wal/-shm files too), the counts stay, and the address never comes
back.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sending_rig import MONDAY, REPO, Rig, make_sender, person, write_csv
from sqlmodel import col, select

from sequencer import ContactNotFound, Engine, SequencerError, SimulatedClock
from sequencer.config import Config
from sequencer.contacts import ContactRow, erasure_key
from sequencer.store import (
    Contact,
    Enrollment,
    Event,
    InboundMessage,
    NewEnrollment,
    Send,
    Suppression,
    Task,
)
from sequencer.store import connection as repository
from sequencer.testing import CaptureServer

#: The person erased: every word of this is unique in the test data.
TARGET = "zebulon.quark@xylofirm.example"
LOCAL_PART = "zebulon.quark"
FIRST_NAME, LAST_NAME, COMPANY = "Zebulon", "Quarkington", "Xylofirm"
#: Someone left alone: their address must still be found, or the byte search proves nothing.
CONTROL = "p2@example.com"


def target(**overrides: str) -> dict[str, str]:
    values = {
        "email": TARGET,
        "first_name": FIRST_NAME,
        "last_name": LAST_NAME,
        "company": COMPANY,
        "linkedin_url": "https://www.linkedin.com/in/zebulon-quarkington",
        **overrides,
    }
    return person(9, **values)


def rows() -> list[dict[str, str]]:
    return [person(1), target(), person(2), person(3)]


def counts(rig: Rig) -> dict[str, Any]:
    """What the reports and the A/B scoring count, as plain values."""
    engine = rig.engine
    steps = [
        (r.sequence, r.step, sorted(r.by_status.items()), sorted(r.events.items()))
        for r in engine.step_report()
    ]
    looks = [
        (
            f.sequence,
            f.step,
            f.factor,
            [(v.key, v.sends, v.successes, v.decision.value) for v in f.verdicts],
        )
        for f in engine.score(dry_run=True)
    ]
    variants = {
        key: engine.store.variant_counts(sequence="cold", step_key=key, sender="jane")
        for key in ("intro", "bump")
    }
    return {
        "steps": steps,
        "looks": looks,
        "variants": variants,
        "enrollments": sorted(engine.store.enrollment_counts(), key=str),
    }


def database_bytes(rig: Rig) -> bytes:
    """The SQLite file and its -wal and -shm files, as they are on disk."""
    path = Path(rig.engine.store.url.split("///", 1)[1])
    return b"".join(
        p.read_bytes()
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
        if p.exists()
    )


def rows_of(rig: Rig, model: Any, contact_id: int) -> list[Any]:
    with rig.engine.store.session() as s:
        return list(
            s.exec(select(model).where(model.contact_id == contact_id).order_by(col(model.id)))
        )


def a_history(rig: Rig) -> int:
    """Everyone enrolled; the target got both emails and a LinkedIn task, replied (with their
    address in the reply), wrote once more from their mailbox, and is on the suppression list;
    p1's reply and a custom field of p3 name their address. Returns their id."""
    rig.import_rows(rows())
    rig.engine.enroll("cold")
    rig.run(days=25)
    contact_id = rig.contact_id(TARGET)
    assert len(rig.received(TARGET)) == 2 and rows_of(rig, Task, contact_id)
    rig.engine.stop(
        TARGET, reason="reply", detail=f"{FIRST_NAME} {LAST_NAME} of {COMPANY}: write to {TARGET}"
    )
    rig.engine.stop(
        "p1@example.com",
        reason="reply",
        detail=f"Please talk to my colleague {TARGET.upper()} instead",
    )
    send = rows_of(rig, Send, contact_id)[0]
    rig.engine.store.record_inbound(
        InboundMessage(
            key="k" * 64,
            sender="jane",
            uid=1,
            kind="reply",
            contact_id=contact_id,
            send_id=send.id,
            from_address=TARGET,
            subject=f"Re: {send.subject}",
            detail=f"From {FIRST_NAME}; replied: stopped",
            at=rig.clock.now(),
        ),
        mailbox="INBOX",
        uidvalidity=1,
    )
    rig.engine.suppress(TARGET)
    rig.update_contact("p3@example.com", fields={"referred_by": TARGET, "industry": "saas"})
    return contact_id


def test_forget_erases_the_person_keeps_the_counts_and_never_mails_them_again(rig: Rig) -> None:
    contact_id = a_history(rig)
    before = counts(rig)
    received = len(rig.smtp.messages)
    sqlite = rig.engine.store.dialect == "sqlite"
    if sqlite:  # the search below does see text that is there
        assert TARGET.encode() in database_bytes(rig) and COMPANY.encode() in database_bytes(rig)

    report = rig.engine.forget(TARGET.upper())

    assert report.contact_id == contact_id
    # every enrollment of theirs (cold, and the chained one it queued, if any) is counted
    assert (report.sends, report.events, report.tasks, report.inbound) == (3, 1, 1, 1)
    assert report.enrollments == len(rows_of(rig, Enrollment, contact_id)) >= 1
    # p1's reply names the address: its event (and the stop detail of p1's chained enrollment, if
    # any)
    assert report.mentions >= 1 and (report.unsuppressed, report.stopped, report.cancelled) == (
        1,
        0,
        0,
    )
    assert report.suppression_key == "sha256:" + hashlib.sha256(TARGET.encode()).hexdigest()
    assert counts(rig) == before

    anonymous = rig.engine.store.contacts_by_id([contact_id])[contact_id]
    assert (anonymous.email, anonymous.email_key) == ("forgotten", f"forgotten:{contact_id}")
    assert (
        anonymous.first_name,
        anonymous.last_name,
        anonymous.company,
        anonymous.title,
        anonymous.linkedin_url,
        anonymous.timezone,
        anonymous.fields,
    ) == (None, None, None, None, None, None, {})
    sends = rows_of(rig, Send, contact_id)
    assert [s.subject for s in sends] == [None, None, None] and all(s.error is None for s in sends)
    assert (
        [s.status for s in sends] == ["sent", "sent", "sent"]
        and sends[0].message_id
        and sends[0].subject_key
    )
    assert [(e.kind, e.detail) for e in rows_of(rig, Event, contact_id)] == [("reply", None)]
    assert [t.message for t in rows_of(rig, Task, contact_id)] == [""]
    assert [(m.from_address, m.subject) for m in rows_of(rig, InboundMessage, contact_id)] == [
        (None, None)
    ]
    assert all(e.stop_detail is None for e in rows_of(rig, Enrollment, contact_id))
    other = rows_of(rig, Event, rig.contact_id("p1@example.com"))
    assert [e.detail for e in other if e.kind == "reply"] == [
        "Please talk to my colleague [erased] instead"
    ]
    assert rig.engine.contact("p3@example.com").fields == {
        "referred_by": "[erased]",
        "industry": "saas",
    }
    keys = [s.key for s in rig.engine.suppressions()]
    assert erasure_key(TARGET) in keys and TARGET not in keys

    if sqlite:
        data = database_bytes(rig).lower()
        for word in (TARGET, LOCAL_PART, FIRST_NAME, LAST_NAME, COMPANY, "zebulon-quarkington"):
            assert word.lower().encode() not in data, word
        assert CONTROL.encode() in data

    # The same file again: the row is reported and not stored; enrolling and sending reach nobody
    # erased.
    again = rig.engine.import_contacts(write_csv(rig.tmp / "contacts.csv", rows()))
    assert (again.forgotten, again.inserted, again.updated) == ([3], 0, 3)
    assert rig.engine.store.contact(TARGET) is None and rig.engine.store.count_contacts() == 4
    enrolled = rig.engine.enroll("cold", again=True)
    assert enrolled.enrolled == 3  # the three others (the anonymised row is never enrolled)
    rig.run(days=60)
    assert len(rig.received(TARGET)) == 2
    assert not [
        m
        for m in rig.smtp.messages[received:]
        if any("forgotten" in r or "zebulon" in r.lower() for r in m.recipients)
    ]
    assert len(rig.smtp.messages) > received  # the others were mailed again
    if sqlite:
        assert TARGET.encode() not in database_bytes(rig).lower()


def test_forget_in_mid_sequence_stops_it(rig: Rig) -> None:
    rig.import_rows([target(), person(1)])
    rig.engine.enroll("cold")
    rig.run(days=1)
    assert len(rig.received(TARGET)) == 1

    report = rig.engine.forget(TARGET)
    rig.run(days=40)

    assert (report.stopped, report.cancelled) == (1, 1)
    assert len(rig.received(TARGET)) == 1 and len(rig.received("p1@example.com")) == 2
    enrollment = rows_of(rig, Enrollment, report.contact_id or 0)[0]
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", "suppressed")


def test_an_erased_address_stored_by_other_means_is_not_mailed(rig: Rig) -> None:
    """The send-time check: a host program that stores and enrolls the address itself, past
    Engine.import_contacts and Engine.enroll, still reaches the hashed suppression."""
    rig.import_rows([person(1)])
    report = rig.engine.forget(TARGET, unknown_ok=True)
    assert report.contact_id is None
    store = rig.engine.store
    store.upsert_contacts(
        [ContactRow(row=2, email=TARGET, email_key=TARGET, first_name=FIRST_NAME)], now=MONDAY
    )
    assert (
        rig.engine.enroll("cold").enrolled == 1
    )  # p1 only: Engine.enroll leaves the erased address out
    contact_id = rig.contact_id(TARGET)
    store.enroll(
        [
            NewEnrollment(
                contact_id=contact_id,
                sequence="cold",
                sender="jane",
                timezone="Europe/Helsinki",
                step_key="intro",
                channel="email",
                due_at=MONDAY + timedelta(hours=4),
            )
        ],
        now=MONDAY,
    )
    rig.run(days=10)

    assert rig.received(TARGET) == [] and len(rig.received("p1@example.com")) == 2
    assert [s.status for s in rig.sends(TARGET)] == ["cancelled"]


def test_an_unknown_address_is_an_error_and_changes_nothing(rig: Rig) -> None:
    rig.import_rows([person(1)])
    with pytest.raises(ContactNotFound, match=r"nobody@nowhere\.example"):
        rig.engine.forget("nobody@nowhere.example")
    assert rig.engine.suppressions() == []
    with pytest.raises(SequencerError, match="is a domain"):
        rig.engine.forget("@example.com")

    report = rig.engine.forget("nobody@nowhere.example", unknown_ok=True)
    assert report.contact_id is None and report.sends == 0
    assert [(s.key, s.reason) for s in rig.engine.suppressions()] == [
        (erasure_key("nobody@nowhere.example"), "forgotten")
    ]
    with pytest.raises(ContactNotFound, match="erased before"):
        rig.engine.forget("nobody@nowhere.example")
    imported = rig.engine.import_contacts(
        write_csv(rig.tmp / "more.csv", [person(4), person(5, email="Nobody@Nowhere.example")])
    )
    assert (imported.rows, imported.inserted, imported.forgotten) == (2, 1, [3])


def test_inbound_mail_from_an_address_that_matched_nobody_is_cleared(rig: Rig) -> None:
    at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    rig.engine.store.record_inbound(
        InboundMessage(
            key="u" * 64,
            sender="jane",
            uid=7,
            kind="unmatched",
            from_address=TARGET,
            subject=f"Hello from {COMPANY}",
            detail="ignored: not about any contact we wrote to",
            at=at,
        ),
        mailbox="INBOX",
        uidvalidity=1,
    )
    report = rig.engine.forget(TARGET, unknown_ok=True)
    assert report.inbound == 1
    with rig.engine.store.session() as s:
        found = s.exec(select(InboundMessage)).one()
        assert (found.from_address, found.subject, found.kind) == (None, None, "unmatched")
        assert s.exec(select(Contact)).all() == [] and len(s.exec(select(Suppression)).all()) == 1


def test_an_older_database_keeps_old_copies_in_free_space_until_vacuum(
    tmp_path: Path, smtp: CaptureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SQLite file written before ``secure_delete`` was on (by an older sequencer) still holds
    text it deleted or rewrote in its free space: ``rewrite`` (``forget --vacuum``) rebuilds the
    file."""
    zeroing = repository._sqlite_pragmas

    def older(dbapi_connection: Any, record: Any) -> None:
        zeroing(dbapi_connection, record)
        dbapi_connection.execute("PRAGMA secure_delete=OFF")

    monkeypatch.setattr(repository, "_sqlite_pragmas", older)
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        sequences=(REPO / "sequences",),
        senders={"jane": make_sender(smtp.port)},
    )
    clock = SimulatedClock(MONDAY)
    rig = Rig(tmp=tmp_path, smtp=smtp, clock=clock, engine=Engine(config, clock=clock))
    try:
        a_history(rig)
        rig.import_rows([target(company="Another Name", title="CEO")])  # rewrites the contact row
        rig.engine.store.engine.dispose()
        monkeypatch.setattr(repository, "_sqlite_pragmas", zeroing)

        rig.engine.forget(TARGET)
        assert TARGET.encode() in database_bytes(rig)  # left in free space by the older writes
        compaction = rig.engine.store.compact_after_erasure(rewrite=True)
        data = database_bytes(rig).lower()
    finally:
        rig.engine.close()
    assert (compaction.vacuum, compaction.wal_truncated) == ("VACUUM", True)
    assert not [w for w in (TARGET, LOCAL_PART, FIRST_NAME, COMPANY) if w.lower().encode() in data]
    assert CONTROL.encode() in data
