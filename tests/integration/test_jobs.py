"""Jobs that must run once per slot across workers (the twice-weekly scoring look)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sequencer.store import Store


def test_one_worker_per_slot_runs_a_job(database_url: str) -> None:
    stores = [Store(database_url) for _ in range(4)]
    at = datetime(2026, 11, 26, 6, tzinfo=UTC)
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:  # four workers firing the same cron at once
            won = list(
                pool.map(
                    lambda i: stores[i].claim_job(
                        "score", "2026-11-26T08:00", worker=f"w{i}", at=at
                    ),
                    range(4),
                )
            )
        assert sorted(won) == [False, False, False, True]
        assert stores[0].claim_job(
            "score", "2026-11-30T08:00", worker="w0", at=at
        )  # the next slot runs again
        assert not stores[1].claim_job("score", "2026-11-30T08:00", worker="w1", at=at)
    finally:
        for store in stores:
            store.close()
