"""The CLI as a user runs it: validate, import, enroll, preview, as subprocesses."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from cli_texts import run

REPO = Path(__file__).resolve().parents[2]

CONFIG = """\
database = "sqlite:///db.sqlite"
sequences = ["{sequences}"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
company = "Acme Growth"
timezone = "Europe/Helsinki"
daily_cap = 40
min_gap = "3m"
jitter = "1m"
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "sequencer.toml").write_text(CONFIG.format(sequences=REPO / "sequences"))
    return tmp_path


def test_validate_shipped_sequences_exits_zero(workdir: Path) -> None:
    result = run(workdir, "validate", str(REPO / "sequences"))
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_validate_broken_files_names_every_file_and_line(workdir: Path) -> None:
    broken = workdir / "broken"
    broken.mkdir()
    (broken / "one.yaml").write_text(
        "name: one\nsteps:\n  - key: a\n    day: 0\n    channel: pigeon\n"
    )
    (broken / "two.yaml").write_text("name: two\ndefaults:\n  timezone: Nowhere/City\nsteps: []\n")
    result = run(workdir, "validate", str(broken))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 3, result.stderr
    assert any(
        f"{broken / 'one.yaml'}:5: steps[0].channel: unknown channel 'pigeon'" in line
        for line in lines
    )
    assert any(f"{broken / 'two.yaml'}:3: defaults.timezone" in line for line in lines)
    assert any(f"{broken / 'two.yaml'}:4: steps" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_import_enroll_and_preview_for_an_auckland_contact(workdir: Path) -> None:
    (workdir / "leads.csv").write_text(
        "email,first_name,company,timezone\n"
        "kiri@tasman.example,Kiri,Tasman Foods,Pacific/Auckland\n"
        "bad-address,Nope,,\n"
        "noname@tasman.example,,Tasman Foods,Pacific/Auckland\n"
    )
    imported = run(workdir, "import", "leads.csv")
    assert imported.returncode == 0, imported.stderr
    assert "row 3 (bad-address)" in imported.stderr and "2 new" in imported.stdout

    enrolled = run(workdir, "enroll", "--sequence", "cold")
    assert enrolled.returncode == 0, enrolled.stderr
    assert "2 enrolled" in enrolled.stdout
    again = run(workdir, "enroll", "--sequence", "cold", "--email", "kiri@tasman.example")
    assert again.returncode == 1 and "already active in the 'cold' sequence" in again.stderr

    preview = run(workdir, "preview", "--sequence", "cold", "--email", "kiri@tasman.example")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "Pacific/Auckland" in preview.stdout
    rows = re.findall(
        r"│ (\w+)\s+│ (\w+)\s+│ (\d+)\s+│ (\w{3}) (\d{4}-\d\d-\d\d \d\d:\d\d) (NZ\wT)\s+│",
        preview.stdout,
    )
    assert [r[0] for r in rows] == ["intro", "bump", "linkedin"], preview.stdout
    for _key, _channel, _day, weekday, local, _zone in rows:
        moment = datetime.strptime(local, "%Y-%m-%d %H:%M")
        assert weekday not in ("Sat", "Sun") and moment.weekday() < 5
        assert 9 <= moment.hour < 17
    # every variant is rendered for Kiri; nothing is unresolved
    assert "subjects[question]: Question about Tasman Foods" in preview.stdout
    assert "error" not in preview.stdout


def test_preview_shows_unresolved_variables_as_errors(workdir: Path) -> None:
    seqs = workdir / "seqs"
    seqs.mkdir()
    (seqs / "plain.yaml").write_text(
        "name: plain\nsteps:\n  - key: a\n    day: 0\n    channel: email\n    subjects:\n"
        "      - key: s\n        text: 'Hi {{ first_name "
        "}}'\n    bodies:\n      - key: b\n        text: ok\n"
    )
    (workdir / "sequencer.toml").write_text(CONFIG.format(sequences=seqs))
    (workdir / "c.csv").write_text("email\nanon@x.example\n")
    assert run(workdir, "import", "c.csv").returncode == 0
    result = run(workdir, "preview", "--sequence", "plain", "--email", "anon@x.example")
    assert result.returncode == 1
    assert "subjects[s]: error: 'first_name' is undefined" in result.stdout


def test_import_stops_where_a_quote_is_left_open_and_says_so_or_skips_it(workdir: Path) -> None:
    (workdir / "leads.csv").write_text(
        "email,first_name,company\n"
        "u0@example.com,Zoe,Zeta\n"
        'u1@example.com,"Ann,Acme\n'
        "u2@example.com,Bob,Beta\n"
        "u3@example.com,Cy\x1b[5m,Gamma\n"
    )
    stopped = run(workdir, "import", "leads.csv")
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    assert (
        "broken leads.csv: row 3 (u1@example.com): a quote opened in this row is never closed"
        in stopped.stderr
    )
    assert "stopped at row 3" in stopped.stderr and "nothing from row 3 on was" in stopped.stderr
    assert (
        "--skip-bad" in stopped.stderr
        and "1 new" in stopped.stdout
        and "Traceback" not in stopped.stderr
    )

    skipped = run(workdir, "import", "--skip-bad", "leads.csv")
    assert skipped.returncode == 0, skipped.stderr
    assert "2 new, 1 updated, 1 skipped" in skipped.stdout
    assert "1 broken row(s) skipped (--skip-bad): rows 3" in skipped.stderr
    assert "\x1b" not in skipped.stdout + skipped.stderr


def test_connecting_a_password_sender_names_the_senders_table_with_its_brackets(
    workdir: Path,
) -> None:
    result = run(workdir, "senders", "connect", "jane")
    assert result.returncode == 1
    assert "in its [[senders]] table" in " ".join(result.stderr.split())  # not eaten as rich markup
