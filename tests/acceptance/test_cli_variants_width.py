"""`sequencer variants` and `score --dry-run` as a user reads them: the keys `variants revive`
needs are never cut short at any terminal width, a rate before the first send is "no data", and
each verdict says why."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_texts import CONFIG, run

from sequencer import Engine, SimulatedClock, load_config
from sequencer.cli.variants import _rate, _signed

SEQUENCE = "spring-outreach-to-finance-leaders"
STEP = "first-touch-long-intro"
KEYS = ("question-about-the-quarterly-planning-cycle", "idea-for-the-finance-team-offsite")
TEXT = f"""\
name: {SEQUENCE}
steps:
  - key: {STEP}
    day: 0
    channel: email
    subjects:
      - key: {KEYS[0]}
        text: "A question"
      - key: {KEYS[1]}
        text: "An idea"
      - key: hello
        text: "Hello"
    bodies:
      - key: short
        text: "A short note."
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "seqs").mkdir()
    (tmp_path / "seqs" / "spring.yaml").write_text(TEXT)
    (tmp_path / "sequencer.toml").write_text(CONFIG.format(sequences=tmp_path / "seqs"))
    clock = SimulatedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    engine = Engine(load_config(tmp_path / "sequencer.toml"), clock=clock)
    engine.store.set_variant_status(
        sequence=SEQUENCE,
        step_key=STEP,
        factor="subject",
        key=KEYS[1],
        status="retired",
        reason="reply rate below the best's",
        at=clock.now(),
    )
    engine.close()
    return tmp_path


@pytest.mark.parametrize("columns", [80, 60])
def test_variants_never_cut_the_keys_revive_needs(workdir: Path, columns: int) -> None:
    result = run(workdir, "variants", columns=columns)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for key in (SEQUENCE, STEP, *KEYS):
        assert key in result.stdout, result.stdout
    assert "…" not in result.stdout
    command = f"sequencer variants revive {SEQUENCE} {STEP} subject {KEYS[1]}"
    assert any(line.endswith(command) for line in lines), result.stdout
    revived = run(workdir, *command.split()[1:], columns=columns)
    assert revived.returncode == 0 and "is live again" in revived.stdout, revived.stderr


def test_a_wide_terminal_keeps_the_table(workdir: Path) -> None:
    result = run(workdir, "variants", columns=220)
    assert "┃ sequence" in result.stdout and "why" in result.stdout
    assert f"│ {SEQUENCE} │" in result.stdout


def test_score_dry_run_before_any_send_shows_no_data_and_why(workdir: Path) -> None:
    result = run(workdir, "score", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "why" in result.stdout and "0.0%" not in result.stdout, result.stdout
    rows = [line for line in result.stdout.splitlines() if KEYS[0][:20] in line]
    assert rows and "│ –" in rows[0], result.stdout


def test_z_is_signed_and_a_rate_needs_sends() -> None:
    assert (_signed(1.234), _signed(-0.85), _signed(0.0), _signed(None)) == (
        "+1.23",
        "-0.85",
        "+0.00",
        "-",
    )
    assert (_rate(0.0, 0), _rate(0.0, 10), _rate(0.125, 8)) == ("–", "0.0%", "12.5%")
