"""The report's numbers over a hand-made database (SQLite and PostgreSQL): every count is known.

The rows are written straight into the tables, as the engine would have left them, so each
expected number below can be checked by reading the scenario, not by running the engine.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sequencer import reporting
from sequencer.caps import Capacity, Warmup
from sequencer.looks import counted
from sequencer.model import Channel, Metric, ScoringRules, Sequence, Step, Template, Variant
from sequencer.store import Contact, Enrollment, Event, Send, SenderDay, Store, VariantState

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=10)
NEW_YORK = ZoneInfo("America/New_York")
CAPS = {"jane": Capacity(daily_cap=5, min_gap=timedelta(0))}


def variants(*keys: str) -> tuple[Variant, ...]:
    return tuple(Variant(key=k, template=Template(source=f"text {k}")) for k in keys)


SEQUENCE = Sequence(
    name="seq",
    scoring=ScoringRules(metric=Metric.REPLIES, reply_window_days=4),
    steps=(
        Step(
            key="intro",
            day=0,
            channel=Channel.EMAIL,
            subjects=variants("a", "b"),
            bodies=variants("x"),
        ),
        Step(key="bump", day=3, channel=Channel.EMAIL, thread=True, bodies=variants("x")),
        Step(key="li", day=10, channel=Channel.LINKEDIN, message=Template(source="hi")),
    ),
)
STEPS = {"intro": 0, "bump": 1, "li": 2}


class Scenario:
    """Writes contacts, enrollments, sends and events as the engine would have."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.contacts = 0

    def enrollment(self, status: str, reason: str | None = None, *, sequence: str = "seq") -> int:
        self.contacts += 1
        with self.store.session() as s:
            contact = Contact(
                email=f"c{self.contacts}@x.example",
                email_key=f"c{self.contacts}@x.example",
                created_at=T0,
                updated_at=T0,
            )
            s.add(contact)
            s.flush()
            assert contact.id is not None
            enrollment = Enrollment(
                contact_id=contact.id,
                sequence=sequence,
                sender="jane",
                status=status,
                timezone="UTC",
                stop_reason=reason,
                enrolled_at=T0,
            )
            s.add(enrollment)
            s.commit()
            assert enrollment.id is not None
            return enrollment.id

    def send(
        self,
        enrollment_id: int,
        step: str,
        status: str,
        *,
        subject: str | None = None,
        at: datetime = T0,
        sequence: str = "seq",
    ) -> int:
        with self.store.session() as s:
            enrollment = s.get(Enrollment, enrollment_id)
            assert enrollment is not None
            gone = status in ("sent", "bounced")
            send = Send(
                enrollment_id=enrollment_id,
                contact_id=enrollment.contact_id,
                sequence=sequence,
                sender="jane",
                step_key=step,
                step_index=STEPS.get(step, 0),
                channel="email",
                status=status,
                due_at=at,
                subject_key=subject if gone else None,
                sent_at=at if gone else None,
                created_at=at,
            )
            s.add(send)
            s.commit()
            assert send.id is not None
            return send.id

    def email(
        self,
        sender: str,
        step: str,
        status: str,
        *,
        created: datetime,
        due: datetime,
        sent: datetime | None = None,
    ) -> None:
        """One contact's email from ``sender``, queued at ``created``, due at ``due``, sent at
        ``sent``.
        """
        enrollment_id = self.enrollment("active")
        with self.store.session() as s:
            enrollment = s.get(Enrollment, enrollment_id)
            assert enrollment is not None
            s.add(
                Send(
                    enrollment_id=enrollment_id,
                    contact_id=enrollment.contact_id,
                    sequence="seq",
                    sender=sender,
                    step_key=step,
                    step_index=STEPS[step],
                    channel="email",
                    status=status,
                    due_at=due,
                    sent_at=sent,
                    created_at=created,
                )
            )
            s.commit()

    def event(self, kind: str, send_id: int, at: datetime) -> None:
        with self.store.session() as s:
            send = s.get(Send, send_id)
            assert send is not None
            s.add(
                Event(
                    kind=kind,
                    at=at,
                    contact_id=send.contact_id,
                    enrollment_id=send.enrollment_id,
                    send_id=send_id,
                )
            )
            s.commit()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    made = Store(database_url)
    yield made
    made.close()


def fill(store: Store) -> None:
    w = Scenario(store)
    e1 = w.enrollment("completed")  # went all the way
    w.send(e1, "intro", "sent", subject="a")
    w.send(e1, "bump", "sent", at=T0 + timedelta(days=3))
    w.send(e1, "li", "sent", at=T0 + timedelta(days=10))
    e2 = w.enrollment("stopped", "reply")  # replied to intro, twice
    intro2 = w.send(e2, "intro", "sent", subject="a")
    w.send(e2, "bump", "cancelled")
    w.event("reply", intro2, T0 + timedelta(hours=5, minutes=10))
    w.event("reply", intro2, T0 + timedelta(hours=30))
    e3 = w.enrollment("stopped", "goal")  # booked a meeting after the bump
    w.send(e3, "intro", "sent", subject="b")
    bump3 = w.send(e3, "bump", "sent", at=T0 + timedelta(days=3))
    w.send(e3, "li", "cancelled")
    w.event("goal", bump3, T0 + timedelta(days=4))
    e4 = w.enrollment("stopped", "bounce")  # message 1 bounced
    w.send(e4, "intro", "bounced", subject="b")
    e5 = w.enrollment("stopped", "unsubscribe")  # unsubscribed after the bump
    w.send(e5, "intro", "sent", subject="a")
    bump5 = w.send(e5, "bump", "sent", at=T0 + timedelta(days=3))
    w.send(e5, "li", "cancelled")
    w.event("unsubscribe", bump5, T0 + timedelta(days=3, hours=2))
    e6 = w.enrollment("stopped", "suppressed")  # suppressed before message 1 went out
    w.send(e6, "intro", "cancelled")
    e7 = w.enrollment("active")  # message 1 went out a day ago: inside the reply window
    w.send(e7, "intro", "sent", subject="b", at=NOW - timedelta(days=1))
    w.send(e7, "bump", "scheduled", at=NOW + timedelta(days=2))
    w.enrollment("deferred")  # chained: waiting to start
    w.enrollment("deferred")
    w.enrollment("skipped")
    old = w.enrollment("completed", sequence="legacy")  # a sequence whose file is gone
    w.send(old, "hello", "sent", sequence="legacy")
    with store.session() as s:
        s.add(
            VariantState(
                sequence="seq",
                step_key="intro",
                factor="subject",
                key="b",
                status="retired",
                since=T0 + timedelta(days=7),
                reason="worse than 'a'",
            )
        )
        s.add_all(
            [
                SenderDay(sender="jane", day="2026-11-23", sent=5),
                SenderDay(sender="jane", day="2026-11-26", sent=2),
                SenderDay(sender="gone", day="2026-11-23", sent=1),
            ]
        )
        s.commit()


def build(store: Store) -> reporting.Report:
    return reporting.build(store, {"seq": SEQUENCE}, caps=CAPS, now=NOW)


def test_sequence_and_step_counts(store: Store) -> None:
    fill(store)
    report = build(store)
    assert [s.name for s in report.sequences] == [
        "seq",
        "legacy",
    ]  # loaded ones first, then the rest
    seq = report.sequences[0]
    assert (seq.enrolled, seq.active, seq.completed, seq.deferred, seq.skipped) == (7, 1, 1, 2, 1)
    assert seq.stopped == {"reply": 1, "goal": 1, "bounce": 1, "unsubscribe": 1, "suppressed": 1}
    intro, bump, li = seq.steps
    assert (intro.step, intro.channel, bump.step, li.step, li.channel) == (
        "intro",
        "email",
        "bump",
        "li",
        "linkedin",
    )
    # intro: 5 sent + 1 bounced went out; one reply (two events, one send); the suppressed one never
    # went
    assert (intro.sent, intro.replied, intro.bounced, intro.cancelled, intro.pending) == (
        6,
        1,
        1,
        1,
        0,
    )
    assert intro.reply_rate == pytest.approx(1 / 6)
    assert intro.stopped == {"reply": 1, "bounce": 1}
    assert (bump.sent, bump.goals, bump.unsubscribed, bump.pending, bump.cancelled) == (
        3,
        1,
        1,
        1,
        1,
    )
    assert bump.stopped == {"goal": 1, "unsubscribe": 1}
    assert (li.sent, li.cancelled, li.stopped, li.reply_rate) == (1, 2, {}, 0.0)
    legacy = report.sequences[1]
    assert (legacy.enrolled, [(s.step, s.channel, s.sent) for s in legacy.steps]) == (
        1,
        [("hello", "", 1)],
    )
    assert (report.enrolled, report.deferred, report.sent, report.replied) == (8, 2, 11, 1)


def test_variants_are_counted_as_the_scoring_job_counts_them(store: Store) -> None:
    fill(store)
    report = build(store)
    lines = {v.key: v for v in report.variants}
    assert set(lines) == {"a", "b"}  # one family: the bodies have a single variant
    # 'a': three sends past the window, one replied; 'b': the bounce is not counted (scoring counts
    # status 'sent'), e7's send is inside the 4-day reply window: one send left
    assert (lines["a"].sends, lines["a"].successes, lines["a"].rate) == (3, 1, pytest.approx(1 / 3))
    assert (lines["b"].sends, lines["b"].successes) == (1, 0)
    assert counted(store, SEQUENCE, "intro", "subject", now=NOW) == {"a": (3, 1), "b": (1, 0)}
    assert (lines["a"].low, lines["a"].high) == pytest.approx((0.0615, 0.7923), abs=1e-4)
    assert (lines["a"].status, lines["a"].since) == ("live", None)
    assert (lines["b"].status, lines["b"].since, lines["b"].reason) == (
        "retired",
        T0 + timedelta(days=7),
        "worse than 'a'",
    )


def test_sender_days_and_reply_delays(store: Store) -> None:
    fill(store)
    report = build(store)
    assert [(d.sender, d.day, d.sent, d.cap, d.waiting) for d in report.sender_days] == [
        ("gone", "2026-11-23", 1, None, 0),
        ("jane", "2026-11-23", 5, 5, 0),
        ("jane", "2026-11-26", 2, 5, 0),
    ]
    # both reply events, by whole hours after the send they answer
    assert [(d.hours, d.count) for d in report.reply_delays] == [(5, 1), (30, 1)]
    assert report.median_reply_hours == 5.5


def test_csv_and_json_carry_the_same_numbers(store: Store) -> None:
    fill(store)
    report = build(store)
    steps = list(csv.DictReader(io.StringIO(reporting.to_csv(report, "steps"))))
    intro = next(r for r in steps if r["sequence"] == "seq" and r["step"] == "intro")
    assert (
        intro["sent"],
        intro["replied"],
        intro["reply_rate"],
        intro["stopped_reply"],
        intro["stopped_bounce"],
        intro["stopped_goal"],
    ) == ("6", "1", "0.1667", "1", "1", "0")
    sequences = {
        r["sequence"]: r for r in csv.DictReader(io.StringIO(reporting.to_csv(report, "sequences")))
    }
    assert (
        sequences["seq"]["enrolled"],
        sequences["seq"]["deferred"],
        sequences["seq"]["stopped_suppressed"],
    ) == ("7", "2", "1")
    data = json.loads(reporting.to_json(report))
    assert data["totals"] == {
        "enrolled": 8,
        "deferred": 2,
        "sent": 11,
        "replied": 1,
        "median_reply_hours": 5.5,
    }
    seq = data["sequences"][0]
    assert seq["stopped"]["reply"] == 1 and seq["steps"][1]["goals"] == 1
    b = next(v for v in data["variants"] if v["key"] == "b")
    assert (b["status"], b["since"], b["sends"]) == (
        "retired",
        (T0 + timedelta(days=7)).isoformat(),
        1,
    )


def test_an_empty_database_reports_nothing_and_renders(store: Store) -> None:
    report = build(store)
    assert report.sequences == () and report.variants == () and report.reply_delays == ()
    assert (
        reporting.to_csv(report, "steps")
        .splitlines()[0]
        .startswith("sequence,step,index,channel,sent")
    )
    assert "no enrollments" in reporting.to_html(report)


def local(day: int, hour: int, minute: int = 0, second: int = 0, microsecond: int = 0) -> datetime:
    """Nov ``day`` 2026 at ``hour``:``minute`` in New York (UTC-5)."""
    return datetime(2026, 11, day, hour, minute, second, microsecond, tzinfo=NEW_YORK)


def fill_ramp(store: Store) -> None:
    """ulla, in New York, on a warm-up ramp (2 on day 1, +2 a day, up to 30): nine message 1s queued
    on Tue Nov 24 go out 2, 4, then 3 a day; one queued in the last instant of Thu goes out on
    Fri; one queued on Fri is due in December."""
    w = Scenario(store)
    for i, day in enumerate([24, 24, 25, 25, 25, 25, 26, 26, 26]):
        w.email(
            "ulla",
            "intro",
            "sent",
            created=local(24, 8),
            due=local(day, 10, i),
            sent=local(day, 10, i),
        )
    w.email(
        "ulla", "bump", "sent", created=local(24, 8), due=local(26, 11), sent=local(26, 11)
    )  # not a message 1
    w.email(
        "ulla", "intro", "cancelled", created=local(24, 8), due=local(27, 10)
    )  # stopped: no longer waiting
    # queued at 23:59:59.999999 on Thu in New York (Fri in UTC): it waited through Thu, the sender's
    # day
    w.email(
        "ulla",
        "intro",
        "sent",
        created=local(26, 23, 59, 59, 999_999),
        due=local(27, 9),
        sent=local(27, 9),
    )
    w.email(
        "ulla",
        "intro",
        "scheduled",
        created=local(27, 10),
        due=datetime(2026, 12, 7, 15, tzinfo=UTC),
    )
    with store.session() as s:
        s.add_all(
            [
                SenderDay(sender="ulla", day=f"2026-11-{day}", sent=n)
                for day, n in ((24, 2), (25, 4), (26, 4), (27, 1))
            ]
        )
        s.commit()


def ramp_caps(store: Store, *, first_day: date | None) -> dict[str, Capacity]:
    ulla = Capacity(
        daily_cap=30,
        min_gap=timedelta(0),
        zone=NEW_YORK,
        warmup=Warmup(start=2, step=2),
        first_day=first_day,
    )
    return {**CAPS, "ulla": ulla}


def test_sender_days_show_the_cap_in_force_each_day_and_the_backlog_at_its_end(
    store: Store,
) -> None:
    fill_ramp(store)
    assert store.first_sending_day("ulla") == date(2026, 11, 24)
    report = reporting.build(
        store, {}, caps=ramp_caps(store, first_day=store.first_sending_day("ulla")), now=NOW
    )
    # the ramp's cap each day (2, 4, 6, 8), not today's; what still waited for ulla at each day's
    # end
    assert [(d.day, d.sent, d.cap, d.waiting) for d in report.sender_days] == [
        ("2026-11-24", 2, 2, 7),
        ("2026-11-25", 4, 4, 3),
        ("2026-11-26", 4, 6, 1),
        ("2026-11-27", 1, 8, 1),
    ]
    # today (Thu Dec 3 in New York) is day 10 of the ramp
    assert report.caps_today == {"jane": 5, "ulla": 20}
    (ulla,) = report.sender_use()
    assert (
        ulla.days,
        ulla.sent,
        ulla.busiest.day,
        ulla.cap_today,
        ulla.at_cap,
        ulla.backlog_days,
    ) == (4, 11, "2026-11-26", 20, 2, 4)
    assert ulla.backlog_use == pytest.approx(11 / 20)
    # without the store's day 1, the report finds the same one: the first day with a send
    assert (
        reporting.build(store, {}, caps=ramp_caps(store, first_day=None), now=NOW).sender_days
        == report.sender_days
    )

    rows = list(csv.DictReader(io.StringIO(reporting.to_csv(report, "senders"))))
    assert list(rows[0]) == ["sender", "day", "sent", "cap", "waiting"]
    assert [(r["day"], r["cap"], r["waiting"]) for r in rows] == [
        ("2026-11-24", "2", "7"),
        ("2026-11-25", "4", "3"),
        ("2026-11-26", "6", "1"),
        ("2026-11-27", "8", "1"),
    ]
    data = json.loads(reporting.to_json(report))
    assert data["sender_days"][0] == {
        "sender": "ulla",
        "day": "2026-11-24",
        "sent": 2,
        "cap": 2,
        "waiting": 7,
    }
    assert data["caps_today"] == {"jane": 5, "ulla": 20}


def test_csv_cells_a_spreadsheet_would_run_as_a_formula_are_escaped(store: Store) -> None:
    import dataclasses

    fill(store)
    report = build(store)
    for name in (
        '=HYPERLINK("https://evil.example","x")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
    ):
        sequence = dataclasses.replace(report.sequences[0], name=name)
        text = reporting.to_csv(dataclasses.replace(report, sequences=(sequence,)), "sequences")
        row = next(iter(csv.DictReader(io.StringIO(text))))
        assert row["sequence"] == "'" + name
        assert row["enrolled"] == "7"  # numbers stay numbers
