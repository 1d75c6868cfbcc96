"""``latest_decisions`` reads only each variant's latest decision row (the latest look, the last
row of it), on either database, whatever order the rows were written in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequencer.store import Decision, Store
from sequencer.store.tables import DECISIONS

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
VARIANTS = [
    ("cold", "intro", "subject", "a"),
    ("cold", "intro", "subject", "b"),
    ("cold", "intro", "body", "a"),
    ("warm", "intro", "subject", "a"),
]

rows = st.lists(
    st.tuples(st.integers(0, len(VARIANTS) - 1), st.integers(0, 4)), min_size=0, max_size=25
)


def test_the_latest_row_of_each_variant_is_read(database_url: str) -> None:
    store = Store(database_url)
    try:

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(written=rows)
        def latest(written: list[tuple[int, int]]) -> None:
            with store.engine.begin() as conn:
                conn.execute(sa.delete(DECISIONS))
                for order, (variant, look) in enumerate(written):
                    sequence, step_key, factor, key = VARIANTS[variant]
                    conn.execute(
                        sa.insert(DECISIONS).values(
                            look_at=START + timedelta(days=3 * look),
                            sequence=sequence,
                            step_key=step_key,
                            factor=factor,
                            key=key,
                            sends=order,  # which write this row was
                            successes=0,
                            rate=0.0,
                            decision="keep",
                        )
                    )
            expected: dict[tuple[str, str, str, str], tuple[int, int]] = {}
            for order, (variant, look) in enumerate(written):  # later look, then later write
                if VARIANTS[variant] not in expected or look >= expected[VARIANTS[variant]][0]:
                    expected[VARIANTS[variant]] = (look, order)
            found = store.latest_decisions()
            assert set(found) == set(expected)
            for variant, (look, order) in expected.items():
                row: Decision = found[variant]
                assert (row.look_at, row.sends) == (START + timedelta(days=3 * look), order)

        latest()
    finally:
        store.close()
