"""A sender's daily cap, min gap and quota pause, shared by every worker through the store."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sending_rig import HELSINKI, MONDAY, Rig, person, write_sequence
from sequence_texts import ONE_EMAIL
from sqlmodel import select

from sequencer import Engine, SimulatedClock
from sequencer.caps import Warmup
from sequencer.config import Config, Sender
from sequencer.store import BeginStatus, Quota, Send, Store

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def claimed_sends(database_url: str, tmp_path: Path, n: int) -> list[int]:
    (tmp_path / "leads.csv").write_text(
        "email,first_name,company\n" + "".join(f"p{i}@x.example,P{i},C{i}\n" for i in range(n))
    )
    config = Config(
        database_url=database_url,
        sequences=(REPO / "sequences",),
        senders={"jane": Sender(name="jane", display_name="Jane", email="jane@acme.example")},
    )
    engine = Engine(config, clock=SimulatedClock(NOW))
    engine.import_contacts(tmp_path / "leads.csv")
    engine.enroll("cold", sender="jane")
    ids = [
        s.id
        for s in engine.store.claim_due(
            now=NOW + timedelta(days=10), worker="w", limit=n, lease=timedelta(hours=1)
        )
        if s.id is not None
    ]
    engine.close()
    assert len(ids) == n
    return ids


def quota(cap: int, gap: timedelta = timedelta(0)) -> Quota:
    return Quota(
        sender="jane",
        day="2026-11-23",
        since=NOW.replace(hour=0),
        until=NOW.replace(hour=0) + timedelta(days=1),
        cap=cap,
        gap=gap,
    )


def begin(store: Store, send_id: int, q: Quota, at: datetime = NOW) -> BeginStatus:
    return store.begin_sending(
        send_id,
        now=at,
        worker="w",
        message_id=f"<m{send_id}@acme.example>",
        subject="s",
        subject_key=None,
        body_key=None,
        in_reply_to=None,
        references=None,
        suppression_keys=["nobody@x.example"],
        quota=q,
    ).status


def test_the_cap_holds_when_eight_workers_begin_at_once(database_url: str, tmp_path: Path) -> None:
    ids = claimed_sends(database_url, tmp_path, 24)
    stores = [Store(database_url) for _ in range(8)]
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(
                pool.map(
                    lambda pair: begin(stores[pair[0] % 8], pair[1], quota(cap=5)), enumerate(ids)
                )
            )
    finally:
        for store in stores:
            store.close()
    assert results.count(BeginStatus.STARTED) == 5
    assert results.count(BeginStatus.FULL) == 19


def test_the_gap_and_a_pause_are_seen_by_another_worker(database_url: str, tmp_path: Path) -> None:
    ids = claimed_sends(database_url, tmp_path, 4)
    one, two = Store(database_url), Store(database_url)
    try:
        q = quota(cap=100, gap=timedelta(minutes=3))
        assert begin(one, ids[0], q) is BeginStatus.STARTED
        refused = two.begin_sending(
            ids[1],
            now=NOW + timedelta(minutes=1),
            worker="w",
            message_id="<x@a>",
            subject="s",
            subject_key=None,
            body_key=None,
            in_reply_to=None,
            references=None,
            suppression_keys=[],
            quota=q,
        )
        assert refused.status is BeginStatus.TOO_SOON and refused.retry_at == NOW + timedelta(
            minutes=3
        )
        assert begin(two, ids[1], q, NOW + timedelta(minutes=3)) is BeginStatus.STARTED
        one.pause_sender(q, until=NOW + timedelta(hours=5))  # a quota reply seen by worker one
        paused = two.begin_sending(
            ids[2],
            now=NOW + timedelta(hours=1),
            worker="w",
            message_id="<y@a>",
            subject="s",
            subject_key=None,
            body_key=None,
            in_reply_to=None,
            references=None,
            suppression_keys=[],
            quota=q,
        )
        assert paused.status is BeginStatus.TOO_SOON and paused.retry_at == NOW + timedelta(hours=5)
        assert begin(two, ids[2], q, NOW + timedelta(hours=5)) is BeginStatus.STARTED
        # a send that cannot start (stopped meanwhile) gives its slot back
        with one.session() as s:
            s.exec(__import__("sqlalchemy").text("update enrollments set status = 'stopped'"))  # type: ignore[call-overload]
            s.commit()
        assert begin(one, ids[3], q, NOW + timedelta(hours=6)) is BeginStatus.GONE
        # 3 used, not 4: with a cap of 4 there is still a slot (else FULL), and the stop still wins
        assert begin(one, ids[3], quota(cap=4), NOW + timedelta(hours=6)) is BeginStatus.GONE
    finally:
        one.close()
        two.close()


# -- a new mailbox's warm-up ramp
# --------------------------------------------------------------------------


def sends_per_day(engine: Engine) -> list[int]:
    """Emails sent on Mon 2026-11-23 ... Sun 11-29, by Helsinki date."""
    with engine.store.session() as s:
        sent = [
            at for at in s.exec(select(Send.sent_at).where(Send.status == "sent")) if at is not None
        ]
    per_day = Counter(at.astimezone(HELSINKI).date() for at in sent)
    return [per_day[MONDAY.date() + timedelta(days=n)] for n in range(7)]


def test_two_workers_follow_a_warm_up_ramp(rig_factory: Callable[..., Rig], tmp_path: Path) -> None:
    folder = write_sequence(tmp_path / "seqs", "single", ONE_EMAIL)
    # Enrolled under a flat cap: all 60 first emails are due at once, Mon 09:00 Helsinki.
    flat = rig_factory(
        daily_cap=100, sequences=(folder,), min_gap=timedelta(0), jitter=timedelta(0)
    )
    flat.import_rows([person(i) for i in range(60)])
    report = flat.engine.enroll("single")
    assert report.enrolled == 60 and report.first_due == report.last_due
    # Then two workers send for a new mailbox: 5 on its first day, +5 a day, up to 20. Small
    # batches,
    # so both hold sends at once and only the cap the store shares holds them to the day's ramp.
    ramped = rig_factory(
        daily_cap=20,
        sequences=(folder,),
        min_gap=timedelta(0),
        jitter=timedelta(0),
        warmup=Warmup(start=5, step=5),
        config_extra={"batch": 3},
    )
    clock = ramped.clock
    worker_b = Engine(ramped.engine.config, clock=clock, worker_id="worker-b")

    async def go() -> None:
        try:
            while True:
                await asyncio.gather(ramped.engine.drain(), worker_b.drain())
                upcoming = ramped.engine.store.next_due()
                if upcoming is None or upcoming > MONDAY + timedelta(days=7):
                    return
                clock.set(max(upcoming, clock.now() + timedelta(seconds=1)))
        finally:
            await ramped.engine.dispatcher.close()
            await worker_b.aclose()

    asyncio.run(go())
    # Mon 5, Tue 10, Wed 15, Thu 20 (the cap), Fri the last 10.
    assert sends_per_day(ramped.engine) == [5, 10, 15, 20, 10, 0, 0]
    assert len(ramped.smtp.messages) == 60


def test_enrollment_places_a_new_mailboxs_first_emails_along_its_ramp(
    rig_factory: Callable[..., Rig], tmp_path: Path
) -> None:
    folder = write_sequence(tmp_path / "seqs", "single", ONE_EMAIL)
    rig = rig_factory(
        daily_cap=20, sequences=(folder,), warmup=Warmup(start=5, step=5, since=MONDAY.date())
    )
    rig.import_rows([person(i) for i in range(40)])
    rig.engine.enroll("single")
    due = Counter(s.due_at.astimezone(HELSINKI).date() for s in rig.sends())
    assert [due[MONDAY.date() + timedelta(days=n)] for n in range(4)] == [5, 10, 15, 10]
    rig.run(days=7)
    assert sends_per_day(rig.engine) == [5, 10, 15, 10, 0, 0, 0]
