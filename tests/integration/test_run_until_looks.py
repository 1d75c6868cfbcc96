"""``Engine.run_until`` runs the scoring job's looks at their slots (Monday and Thursday 08:00 UTC
by default), as the worker's cron does: a simulation retires a clearly weak variant without
anyone calling ``score()``, and each slot runs once."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from pathlib import Path

from sqlmodel import select
from test_variants import (
    START,
    SUBJECTS,
    import_people,
    make_engine,
    reply_to_some,
    sends,
    write_sequence,
)

from sequencer import SimulatedClock
from sequencer.store import Decision, JobRun
from sequencer.testing import RecordingChannel


def test_run_until_retires_a_weak_subject_at_the_thursday_look(tmp_path: Path) -> None:
    (tmp_path / "seqs").mkdir()
    write_sequence(tmp_path / "seqs", SUBJECTS)
    clock = SimulatedClock(START)  # Monday 06:00 UTC
    engine = make_engine(tmp_path, clock, RecordingChannel())

    async def scenario() -> None:
        import_people(engine, tmp_path, 0, 600)
        engine.enroll("abtest")
        await engine.run_until(START + timedelta(hours=1))
        reply_to_some(engine, {"strong": 0.35, "steady": 0.30, "weak": 0.02}, random.Random(4))
        # past Monday's look (the sends are younger than the reply window) and Thursday's
        await engine.run_until(START + timedelta(days=3, hours=3))
        await engine.aclose()

    asyncio.run(scenario())
    with engine.store.session() as s:
        runs = sorted(r.slot for r in s.exec(select(JobRun).where(JobRun.job == "score")))
        decisions = list(s.exec(select(Decision).where(Decision.factor == "subject")))
    assert runs == ["2026-11-23T08:00", "2026-11-26T08:00"]
    weak = [d for d in decisions if d.key == "weak"]
    assert [d.decision for d in weak][-1:] == ["retire"]
    assert weak[-1].look_at.isoformat().startswith("2026-11-26T08:00")
    retired = {(v.factor, v.key) for v in engine.variants() if v.status == "retired"}
    assert retired == {("subject", "weak")}
    assert {s.subject_key for s in sends(engine)} == {"strong", "steady", "weak"}
