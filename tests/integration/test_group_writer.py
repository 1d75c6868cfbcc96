"""The group-commit writer's thread: on a database file or server, each group's transaction runs
off the event loop's thread, so the lanes go on talking SMTP while it commits; on an in-memory
SQLite database, which another thread would not see, it runs on the loop's own thread. Either
way every message goes out once and is recorded ``sent``.
"""

from __future__ import annotations

import threading

import pytest
from sending_rig import Rig, person

from sequencer.store import Beginning, Begun, SentRecord


def _watch_threads(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each group the writer writes from now on: whether it ran on the main thread (the one
    the rig's event loop runs on)."""
    original = rig.engine.store.write_group
    on_main: list[bool] = []

    def watched(records: list[SentRecord], beginnings: list[Beginning]) -> list[Begun]:
        on_main.append(threading.current_thread() is threading.main_thread())
        return original(records, beginnings)

    monkeypatch.setattr(rig.engine.store, "write_group", watched)
    return on_main


def _sends_everything(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    rig.import_rows([person(i) for i in range(4)])
    rig.engine.enroll("cold")
    on_main = _watch_threads(rig, monkeypatch)
    rig.run(days=30)
    for i in range(4):
        address = f"p{i}@example.com"
        assert len(rig.received(address)) == 2, address
        emails = [s for s in rig.sends(address) if s.channel == "email"]
        assert [s.status for s in emails] == ["sent", "sent"], address
    return on_main


def test_groups_are_committed_off_the_event_loop_thread(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_main = _sends_everything(rig, monkeypatch)
    assert on_main, "the writer wrote no group"
    assert not any(on_main)


@pytest.mark.parametrize("database_url", ["sqlite:///:memory:"])
def test_an_in_memory_database_is_written_on_the_loop_thread(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_main = _sends_everything(rig, monkeypatch)
    assert on_main, "the writer wrote no group"
    assert all(on_main)
