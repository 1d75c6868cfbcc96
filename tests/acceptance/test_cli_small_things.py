"""Issue 19's small things, as a user meets them: ``$SEQUENCER_DB`` as a path, brackets printed as
they are, flags without ``<bool>`` in ``--help``, a mistyped goal refused, a second stop not
counted twice."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_texts import CONFIG, run

from sequencer import Engine, SimulatedClock, load_config
from sequencer.testing import CaptureServer

REPO = Path(__file__).resolve().parents[2]
ADA = "ada@example.com"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "sequencer.toml").write_text(CONFIG.format(sequences=REPO / "sequences"))
    (tmp_path / "c.csv").write_text(f"email,first_name\n{ADA},Ada\n")
    return tmp_path


def events(db: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("select kind, detail from events order by id"))


# -- $SEQUENCER_DB ------------------------------------------------------------------------------


def test_sequencer_db_takes_a_plain_file_path(
    workdir: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path_factory.mktemp("elsewhere") / "file.db"
    monkeypatch.setenv("SEQUENCER_DB", str(db))
    result = run(workdir, "import", "c.csv")
    assert result.returncode == 0, result.stderr
    assert "1 new" in result.stdout
    assert db.exists() and not (workdir / "db.sqlite").exists()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("http://db.example/x", "'http://db.example/x' is not a database URL sequencer can use"),
        ("postgres://u@h/db", "'postgres://u@h/db' is not a database URL"),
        ("   ", "is empty"),
    ],
)
def test_a_bad_sequencer_db_is_a_clear_error(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, value: str, says: str
) -> None:
    monkeypatch.setenv("SEQUENCER_DB", value)
    result = run(workdir, "import", "c.csv")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "$SEQUENCER_DB" in result.stderr and says in result.stderr


def test_db_option_that_names_a_folder_is_a_clear_error(workdir: Path) -> None:
    result = run(workdir, "--db", str(workdir), "import", "c.csv")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"--db: '{workdir}' is a folder" in result.stderr


# -- brackets -------------------------------------------------------------------------------------


def test_brackets_in_messages_are_printed_as_they_are(workdir: Path) -> None:
    (workdir / "sequencer.toml").write_text(
        f'database = "sqlite:///db.sqlite"\nsequences = ["{REPO / "sequences"}"]\n'
    )
    assert run(workdir, "import", "c.csv").returncode == 0
    result = run(workdir, "enroll", "-s", "cold")
    assert result.returncode == 1
    assert "add a [[senders]] table to sequencer.toml" in result.stderr

    goal = run(workdir, "goal", ADA, "[[senders]] [b]x[/b]", "--any")
    assert goal.returncode == 0, goal.stderr
    assert "recorded goal '[[senders]] [b]x[/b]'" in goal.stdout


# -- --help ---------------------------------------------------------------------------------------


def test_help_shows_no_type_for_a_flag(workdir: Path) -> None:
    stop = run(workdir, "stop", "--help")
    assert stop.returncode == 0
    assert "<bool>" not in stop.stdout and "<str>" in stop.stdout  # --reason takes a value
    enroll = run(workdir, "enroll", "--help")
    assert "<bool>" not in enroll.stdout
    again = next(line for line in enroll.stdout.splitlines() if "--again" in line)
    assert "<" not in again


# -- goal names -----------------------------------------------------------------------------------


def test_a_mistyped_goal_is_refused_with_a_suggestion(workdir: Path) -> None:
    assert run(workdir, "import", "c.csv").returncode == 0
    assert run(workdir, "enroll", "-s", "cold").returncode == 0

    typo = run(workdir, "goal", ADA, "meeting_bookd")
    assert typo.returncode == 1 and "Traceback" not in typo.stderr
    assert "unknown goal 'meeting_bookd'; did you mean 'meeting_booked'?" in typo.stderr
    assert events(workdir / "db.sqlite") == []

    unlike = run(workdir, "goal", ADA, "zzz")
    assert unlike.returncode == 1
    assert "the sequences stop on meeting_booked" in unlike.stderr

    free = run(workdir, "goal", ADA, "meeting_bookd", "--any")
    assert free.returncode == 0, free.stderr
    assert "recorded goal 'meeting_bookd'" in free.stdout
    assert events(workdir / "db.sqlite") == [("goal", "meeting_bookd")]

    booked = run(workdir, "goal", ADA, "meeting_booked")
    assert booked.returncode == 0, booked.stderr
    assert "stopped 'cold'" in booked.stdout


# -- a second stop --------------------------------------------------------------------------------


def test_a_second_stop_for_the_same_reason_records_nothing(tmp_path: Path) -> None:
    with CaptureServer() as smtp:
        config = CONFIG.format(sequences=REPO / "sequences") + (
            f'\n[senders.smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
        )
        (tmp_path / "sequencer.toml").write_text(config)
        (tmp_path / "c.csv").write_text(f"email,first_name\n{ADA},Ada\n")
        clock = SimulatedClock(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
        engine = Engine(load_config(tmp_path / "sequencer.toml"), clock=clock)
        engine.import_contacts(tmp_path / "c.csv")
        engine.enroll("cold")

        async def days() -> None:
            await engine.run_until(clock.now() + timedelta(days=2))
            await engine.aclose()

        asyncio.run(days())
    assert len(smtp.messages) == 1

    first = run(tmp_path, "stop", ADA, "--reason", "reply")
    assert first.returncode == 0, first.stderr
    assert "stopped 'cold'" in first.stdout
    second = run(tmp_path, "stop", ADA, "--reason", "reply")
    assert second.returncode == 0, second.stderr
    assert f"nothing to stop: {ADA} has no active sequence; nothing recorded" in second.stdout
    assert [kind for kind, _ in events(tmp_path / "db.sqlite")].count("reply") == 1

    report = json.loads(run(tmp_path, "report", "--json").stdout)
    assert report["totals"]["replied"] == 1
    (cold,) = report["sequences"]
    assert cold["steps"][0]["replied"] == 1

    # another reason is still recorded: it says something new
    manual = run(tmp_path, "stop", ADA, "--reason", "manual")
    assert manual.returncode == 0 and "recorded manual" in manual.stdout
