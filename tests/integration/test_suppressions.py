"""Suppression management (issue 14, item 3), on SQLite and PostgreSQL: ``suppress remove``,
``suppress list --reason --since``, ``suppress undo`` of a mistaken batch, and the change log
that records every change to the list (a bounce, an unsubscribe, a manual add, an import, a
removal, an undo, ``forget``) in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import structlog
from click.testing import Result
from sending_rig import MONDAY, Rig, person, write_csv
from typer.testing import CliRunner

from sequencer.cli import app
from sequencer.errors import SequencerError
from sequencer.services.suppressions import since_time
from sequencer.testing import CaptureServer


def log(rig: Rig) -> list[tuple[str, str, str, str]]:
    return [(c.key, c.action, c.reason, c.source) for c in rig.engine.suppression_list.changes()]


def keys(rig: Rig, **filters: object) -> list[str]:
    return [s.key for s in rig.engine.suppression_list.listed(**filters)]  # type: ignore[arg-type]


def test_remove_says_what_it_removed_and_logs_each_change(rig: Rig) -> None:
    rig.engine.suppress("ann@example.com", "@rival.example")
    done = rig.engine.suppression_list.remove(
        "ANN@example.com", "bob@example.com", "rival.example", reason="asked back in"
    )
    assert done.removed == ("ann@example.com", "@rival.example")
    assert done.absent == ("bob@example.com",)
    assert keys(rig) == []
    assert log(rig) == [
        ("ann@example.com", "added", "manual", "add"),
        ("@rival.example", "added", "manual", "add"),
        ("ann@example.com", "removed", "asked back in", "cli"),
        ("@rival.example", "removed", "asked back in", "cli"),
    ]


def test_a_malformed_entry_removes_nothing_and_logs_nothing(rig: Rig) -> None:
    rig.engine.suppress("ann@example.com")
    before = log(rig)
    with pytest.raises(SequencerError) as raised:
        rig.engine.suppression_list.remove("ann@example.com", "not an address@")
    assert "nothing was removed" in raised.value.message
    assert "entry 2" in raised.value.message and "not an address@" in raised.value.message
    assert keys(rig) == ["ann@example.com"] and log(rig) == before
    with pytest.raises(SequencerError, match="nothing was added"):
        rig.engine.suppress("cy@example.com", "@@")
    assert keys(rig) == ["ann@example.com"] and log(rig) == before


def test_list_filters_by_reason_and_since(rig: Rig) -> None:
    clock = rig.clock
    rig.engine.suppress("old@example.com", reason="manual")
    clock.advance(timedelta(days=10))
    rig.engine.suppress("new@example.com", reason="manual")
    rig.engine.suppress_file(write_csv(rig.tmp / "optouts.csv", [{"email": "imp@example.com"}]))
    now = clock.now()
    assert keys(rig) == ["old@example.com", "new@example.com", "imp@example.com"]
    assert keys(rig, reason="manual") == ["old@example.com", "new@example.com"]
    assert keys(rig, since=since_time("7d", now=now)) == ["new@example.com", "imp@example.com"]
    assert keys(rig, reason="import", since=since_time("1d", now=now)) == ["imp@example.com"]
    day = (MONDAY + timedelta(days=1)).date().isoformat()
    assert keys(rig, since=since_time(day, now=now)) == ["new@example.com", "imp@example.com"]
    assert keys(rig, since=since_time(now.isoformat(), now=now)) == [
        "new@example.com",
        "imp@example.com",
    ]
    with pytest.raises(SequencerError, match="--since: 'last tuesday' is not a date"):
        since_time("last tuesday", now=now)


def test_undo_reverts_a_batch_and_leaves_stopped_enrollments_stopped(rig: Rig) -> None:
    clock = rig.clock
    rig.import_rows([person(i) for i in range(4)])
    rig.engine.suppress("keep@example.com", reason="manual")
    clock.advance(timedelta(hours=2))
    mistaken = [person(i)["email"] for i in range(3)]
    rig.engine.suppress_file(write_csv(rig.tmp / "oops.csv", [{"email": e} for e in mistaken]))
    rig.engine.suppress("also@example.com", reason="manual")
    rig.engine.enroll("cold")
    rig.run(days=1)  # the suppressed three are never mailed; their enrollments end
    stopped = {e: rig.enrollment(e).status for e in mistaken}
    assert set(stopped.values()) == {"stopped"}
    assert rig.received(person(3)["email"])

    batch = rig.engine.suppression_list.undoable(since_time("1h", now=MONDAY + timedelta(hours=2)))
    assert sorted(r.key for r in batch) == sorted([*mistaken, "also@example.com"])
    imports = rig.engine.suppression_list.undoable(MONDAY + timedelta(hours=1), reason="import")
    done = rig.engine.suppression_list.undo(imports)
    assert sorted(done.removed) == sorted(mistaken)
    assert keys(rig) == ["keep@example.com", "also@example.com"]
    undone = [c for c in log(rig) if c[1] == "removed"]
    assert sorted(undone) == sorted((e, "removed", "undo", "cli") for e in mistaken)
    # removing a suppression does not restart the enrollments it stopped
    assert {e: rig.enrollment(e).status for e in mistaken} == stopped
    rig.run(days=3)
    assert all(not rig.received(e) for e in mistaken)


def refuse_p0(recipient: str) -> str | None:
    return "550 5.1.1 <p0@example.com>: no such user" if recipient.startswith("p0@") else None


def test_every_writer_logs_its_change(rig_factory: Callable[..., Rig], smtp: CaptureServer) -> None:
    smtp.script = refuse_p0
    rig = rig_factory()
    rig.import_rows([person(i) for i in range(3)])
    rig.engine.enroll("cold")
    rig.run(days=1)
    rig.engine.stop(person(1)["email"], reason="unsubscribe")
    rig.engine.suppress("@rival.example")
    entries = {(k, a, r, s) for k, a, r, s in log(rig)}
    assert ("p0@example.com", "added", "bounce", "worker") in entries
    assert ("p1@example.com", "added", "unsubscribe", "stop") in entries
    assert ("@rival.example", "added", "manual", "add") in entries
    # the log and the list agree
    added = {k for k, a, _, _ in log(rig) if a == "added"}
    assert added == set(keys(rig))


def test_forget_leaves_no_plaintext_address_in_the_log(rig: Rig) -> None:
    rig.import_rows([person(0)])
    rig.engine.suppress(person(0)["email"])
    rig.engine.forget(person(0)["email"])
    entries = log(rig)
    assert all("@example.com" not in k for k, *_ in entries)
    assert [a for k, a, *_ in entries if k.startswith("sha256:")] == ["added", "added"]


@pytest.fixture
def keep_structlog() -> Iterator[None]:
    """The CLI points structlog at the runner's stream, which is closed after each command: the
    configuration is put back afterwards, or later tests' log lines fail on a closed file."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


def test_cli_remove_list_undo(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, keep_structlog: None
) -> None:
    """The commands themselves, in process (typer's runner: the same parsing, prompts and
    output as ``python -m sequencer``, without a subprocess start per command)."""

    monkeypatch.chdir(tmp_path)  # no sequencer.toml here: the defaults and --db
    monkeypatch.delenv("SEQUENCER_CONFIG", raising=False)

    def run(*args: str, input_: str | None = None) -> Result:
        return CliRunner().invoke(app, ["--db", database_url, *args], input=input_)

    assert (
        run("suppress", "add", "a@example.com", "b@example.com", "--reason", "bounce").exit_code
        == 0
    )
    assert run("suppress", "add", "c@example.com").exit_code == 0
    listed = run("suppress", "list", "--reason", "bounce", "--since", "1d").stdout
    assert "a@example.com" in listed and "c@example.com" not in listed and "2 entries" in listed
    bad = run("suppress", "list", "--since", "soon")
    assert bad.exit_code == 1 and "--since: 'soon' is not a date" in bad.stderr

    removed = run("suppress", "remove", "a@example.com", "zed@example.com")
    assert removed.exit_code == 0, removed.stderr
    assert "removed 1: a@example.com" in removed.stdout
    assert "not on the list: zed@example.com" in removed.stdout
    assert "stopped enrollments stay stopped" in removed.stdout
    malformed = run("suppress", "remove", "b@example.com", "x@@")
    assert malformed.exit_code == 1 and "nothing was removed: entry 2" in malformed.stderr

    refused = run("suppress", "undo", "--since", "1h", "--reason", "bounce", input_="n\n")
    assert refused.exit_code == 1
    assert "1 entry added since" in refused.stdout and "by reason: 1 bounce" in refused.stdout
    assert "b@example.com" in run("suppress", "list").stdout
    undone = run("suppress", "undo", "--since", "1h", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert "removed 2" in undone.stdout and "0 entries" in run("suppress", "list").stdout
    history = run("suppress", "history", "b@example.com").stdout
    assert "added" in history and "undo" in history and "2 changes" in history
