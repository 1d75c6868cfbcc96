"""Fixtures for the sending tests (helpers in ``sending_rig.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sending_rig import MONDAY, REPO, Rig, make_sender

from sequencer import Engine, SimulatedClock
from sequencer.channels.base import ChannelAdapter
from sequencer.config import Config
from sequencer.testing import CaptureServer


@pytest.fixture
def smtp() -> Iterator[CaptureServer]:
    with CaptureServer() as server:
        yield server


@pytest.fixture
def rig_factory(
    tmp_path: Path, smtp: CaptureServer, database_url: str
) -> Iterator[Callable[..., Rig]]:
    """``rig_factory(daily_cap=..., sequences=..., channels=..., **sender_extra)`` → a :class:`Rig`,
    once on SQLite and once on PostgreSQL (the ``database_url`` fixture)."""
    made: list[Engine] = []

    def make(
        *,
        daily_cap: int = 40,
        sequences: Sequence[Path] | None = None,
        channels: dict[str, ChannelAdapter] | None = None,
        config_extra: dict[str, Any] | None = None,
        **sender_extra: Any,
    ) -> Rig:
        sender = make_sender(smtp.port, daily_cap=daily_cap, **sender_extra)
        config = Config(
            database_url=database_url,
            sequences=tuple(sequences or (REPO / "sequences",)),
            senders={"jane": sender},
            **(config_extra or {}),
        )
        clock = SimulatedClock(MONDAY)
        engine = Engine(config, clock=clock, channels=channels)
        made.append(engine)
        return Rig(tmp=tmp_path, smtp=smtp, clock=clock, engine=engine)

    yield make
    for engine in made:
        asyncio.run(engine.aclose())


@pytest.fixture
def rig(rig_factory: Callable[..., Rig]) -> Rig:
    return rig_factory()
