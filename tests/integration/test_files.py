"""Files sequencer creates on disk are its owner's alone."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from sequencer.store import Store


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The common default umask (022), which leaves new files readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_sqlite_database_and_its_wal_are_created_0600(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "data" / "sequencer.db"
    store = Store(f"sqlite:///{path}")
    try:
        store.count_contacts()
        made = [p for p in path.parent.iterdir() if p.name.startswith("sequencer.db")]
        assert path in made and len(made) >= 2, made  # the database and its -wal / -shm
        for file in made:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, (file.name, oct(file.stat().st_mode))
    finally:
        store.close()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_leaves_no_file_behind(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = Store(url)
    try:
        assert store.count_contacts() == 0
    finally:
        store.close()
    assert list(tmp_path.iterdir()) == []  # "sqlite://" once made a file named "sqlite:"
