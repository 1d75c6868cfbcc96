"""Jobs: which worker runs a scheduled job (scoring...) for one slot; the first to claim it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from sequencer.store.core import insert_ignoring
from sequencer.store.tables import JOB_RUNS


def claim(conn: sa.Connection, job: str, slot: str, *, worker: str, at: datetime) -> bool:
    """True for the one worker that runs ``job`` for ``slot``; every other worker gets False."""
    inserted = conn.execute(
        insert_ignoring(conn, JOB_RUNS, ["job", "slot"])
        .values(job=job, slot=slot, worker=worker, at=at)
        .returning(JOB_RUNS.c.job)
    )
    return inserted.first() is not None
