"""A sales rep's first week, as subprocesses: the README's set-up run from the folder the
example config is copied to, a config path that does not exist named with its file and line,
``enroll --dry-run`` and the question a big enroll asks, bulk ``stop``, ``contacts list|show``
and ``queue``."""

from __future__ import annotations

import os
import pty
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: The environment variables the example config names (validate checks they are set).
SECRETS = {
    "SEQUENCER_HTTP_SECRET": "0123456789abcdef0123",
    "SEQUENCER_JANE_PASSWORD": "jane-secret",
    "SEQUENCER_MIKKO_PASSWORD": "mikko-secret",
    "SEQUENCER_TOKEN_KEY": "a-key-for-the-token-files",
    "SEQUENCER_GOOGLE_CLIENT_ID": "client-id",
    "SEQUENCER_GOOGLE_CLIENT_SECRET": "client-secret",
}

LEADS = (
    "email,Vorname,company,timezone,region\n"
    "kiri@tasman.example,Kiri,Tasman Foods,Pacific/Auckland,south\n"
    "aino@northwind.example,Aino,Northwind,Europe/Helsnki,north\n"
    "bo@acme.example,Bo,Acme,,north\n"
    "cy@acme.example,Cy,Acme,Europe/Berlin,west\n"
)


def run(
    cwd: Path, *args: str, stdin: int = subprocess.DEVNULL, columns: int = 200
) -> subprocess.CompletedProcess[str]:
    """``sequencer ARGS`` in ``cwd`` with no terminal on stdin (unless given), no colour."""
    env = {**os.environ, **SECRETS, "COLUMNS": str(columns), "NO_COLOR": "1"}
    env.pop("SEQUENCER_CONFIG", None)
    env.pop("SEQUENCER_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        env=env,
        stdin=stdin,
        text=True,
        capture_output=True,
        timeout=120,
    )


def answered(cwd: Path, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``sequencer ARGS`` with a terminal on stdin that types ``answer``."""
    parent, child = pty.openpty()
    try:
        os.write(parent, answer.encode() + b"\n")
        return run(cwd, *args, stdin=child)
    finally:
        os.close(child)
        os.close(parent)


def count(db: Path, table: str, where: str = "1 = 1") -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"select count(*) from {table} where {where}").fetchone()[0])


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the repository's layout: sequences/, and the example config copied to the
    root as the README says."""
    shutil.copytree(REPO / "sequences", tmp_path / "sequences")
    shutil.copy(REPO / "examples" / "sequencer.toml", tmp_path / "sequencer.toml")
    (tmp_path / "leads.csv").write_text(LEADS)
    return tmp_path


def test_the_readme_set_up_works_from_the_root(root: Path) -> None:
    validated = run(root, "validate")
    assert validated.returncode == 0, validated.stderr
    assert f"ok: {root / 'sequences'}" in validated.stdout

    imported = run(root, "import", "leads.csv", "--map", "Vorname=first_name")
    assert imported.returncode == 0, imported.stderr
    assert "4 new" in imported.stdout and "mapped: Vorname → first_name" in imported.stdout
    assert "row 3 (aino@northwind.example)" in imported.stderr
    assert "did you mean 'Europe/Helsinki'?" in imported.stderr
    db = root / "sequencer.db"  # relative to the config file's folder
    assert count(db, "contacts") == 4

    dry = run(root, "enroll", "--sequence", "cold", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "4 contact(s) to enroll in 'cold'" in dry.stdout
    assert "dry run: nothing written" in dry.stdout
    assert "│ jane   │ 4 " in dry.stdout  # message 1 per sender, first and last
    assert count(db, "enrollments") == 0 and count(db, "sends") == 0

    enrolled = run(root, "enroll", "--sequence", "cold")
    assert enrolled.returncode == 0, enrolled.stderr
    assert "4 enrolled in 'cold' from jane" in enrolled.stdout
    assert count(db, "enrollments", "status = 'active'") == 4

    listed = run(root, "contacts", "list")
    assert listed.returncode == 0, listed.stderr
    for address in ("kiri@tasman.example", "aino@northwind.example", "bo@acme.example"):
        assert address in listed.stdout
    assert "4 contact(s)" in listed.stdout

    shown = run(root, "contacts", "show", "kiri@tasman.example")
    assert shown.returncode == 0, shown.stderr
    assert "Kiri" in shown.stdout and "times in Pacific/Auckland" in shown.stdout
    assert "intro" in shown.stdout and "NZDT" in shown.stdout and "scheduled" in shown.stdout
    unknown = run(root, "contacts", "show", "nobody@x.example")
    assert unknown.returncode == 1 and "no contact with the address" in unknown.stderr

    queued = run(root, "queue", "--sender", "jane")
    assert queued.returncode == 0, queued.stderr
    kiri = next(line for line in queued.stdout.splitlines() if "kiri@tasman.example" in line)
    assert "intro" in kiri and "EET" in kiri and "NZDT" in kiri  # sender's zone, recipient's


def test_a_config_path_that_does_not_exist_names_the_file_key_and_line(root: Path) -> None:
    config = root / "sequencer.toml"
    text = config.read_text()
    config.write_text(text.replace('sequences = ["sequences"]', 'sequences = ["../sequences"]'))
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("sequences ="))
    said = (
        f"sequencer.toml:{line}: sequences[0]: '../sequences' is {root.parent / 'sequences'}, "
        "which does not exist"
    )
    for args in (["validate"], ["validate", "sequences"], ["enroll", "--sequence", "cold"]):
        result = run(root, *args)
        assert result.returncode == 1, result.stdout
        assert said in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr

    config.write_text(text.replace('"sqlite:///sequencer.db"', '"sqlite:///data/sequencer.db"'))
    result = run(root, "import", "leads.csv")
    assert result.returncode == 1
    assert "sequencer.toml:" in result.stderr and "database" in result.stderr
    assert f"the folder {root / 'data'} does not exist" in result.stderr


SMALL = """\
database = "sqlite:///db.sqlite"
sequences = ["{sequences}"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
timezone = "Europe/Helsinki"
daily_cap = {cap}
min_gap = "1s"
jitter = "0s"
"""


def _folder(tmp_path: Path, cap: int, contacts: int) -> Path:
    (tmp_path / "sequencer.toml").write_text(SMALL.format(sequences=REPO / "sequences", cap=cap))
    rows = "".join(f"p{i}@c{i % 7}.example,P{i}\n" for i in range(contacts))
    (tmp_path / "c.csv").write_text("email,first_name\n" + rows)
    assert run(tmp_path, "import", "c.csv").returncode == 0
    return tmp_path


def test_a_long_schedule_is_asked_about_and_refused_without_a_terminal(tmp_path: Path) -> None:
    folder = _folder(tmp_path, cap=2, contacts=50)  # 25 working days of message 1: > 4 weeks
    db = folder / "db.sqlite"
    refused = run(folder, "enroll", "--sequence", "cold")
    assert refused.returncode == 1
    assert "no terminal to ask on: nothing enrolled" in refused.stderr
    assert "--yes" in refused.stderr and "weeks" in refused.stdout
    assert "warning:" in refused.stderr and "spreads over" in refused.stderr
    assert count(db, "enrollments") == 0

    declined = answered(folder, "n", "enroll", "--sequence", "cold")
    assert declined.returncode == 0, declined.stderr
    assert "Enroll them (a schedule of" in declined.stderr
    assert "nothing enrolled" in declined.stderr
    assert count(db, "enrollments") == 0

    accepted = answered(folder, "y", "enroll", "--sequence", "cold")
    assert accepted.returncode == 0, accepted.stderr
    assert "50 enrolled" in accepted.stdout and "weeks" in accepted.stdout
    assert count(db, "enrollments") == 50


def test_more_than_a_thousand_contacts_needs_yes(tmp_path: Path) -> None:
    folder = _folder(tmp_path, cap=2000, contacts=1001)
    db = folder / "db.sqlite"
    refused = run(folder, "enroll", "--sequence", "cold")
    assert refused.returncode == 1
    assert "Enroll them (1,001 contacts)? needs an answer" in refused.stderr
    assert count(db, "enrollments") == 0
    done = run(folder, "enroll", "--sequence", "cold", "--yes")
    assert done.returncode == 0, done.stderr
    assert "1001 enrolled" in done.stdout
    assert count(db, "enrollments", "status = 'active'") == 1001


def test_bulk_stop_by_where_file_and_sequence(root: Path) -> None:
    assert run(root, "import", "leads.csv", "--map", "Vorname=first_name").returncode == 0
    assert run(root, "enroll", "--sequence", "cold").returncode == 0
    db = root / "sequencer.db"
    stopped = "status = 'stopped'"

    asked = run(root, "stop", "--where", "company=Acme")
    assert asked.returncode == 1
    assert "2 active or waiting enrollment(s) match: cold 2" in asked.stdout
    assert "no terminal to ask on: nothing stopped" in asked.stderr
    assert count(db, "enrollments", stopped) == 0

    by_field = run(root, "stop", "--where", "company=Acme", "--yes")
    assert by_field.returncode == 0, by_field.stderr
    assert "stopped 2 (manual)" in by_field.stdout
    assert count(db, "enrollments", stopped) == 2
    assert count(db, "sends", "status = 'cancelled'") == 2

    (root / "stop.csv").write_text("name,email\nKiri,kiri@tasman.example\nX,nobody@x.example\n")
    by_file = run(root, "stop", "--file", "stop.csv", "--reason", "unsubscribe", "--yes")
    assert by_file.returncode == 0, by_file.stderr
    assert "1 address(es) in stop.csv are no imported contact: nobody@x.example" in by_file.stderr
    assert "stopped 1 (unsubscribe)" in by_file.stdout
    assert count(db, "suppressions", "key = 'kiri@tasman.example'") == 1  # the stop policy's

    (root / "bad.txt").write_text("aino@northwind.example\n@acme.example\n")
    bad = run(root, "stop", "--file", "bad.txt", "--yes")
    assert bad.returncode == 1
    assert "bad.txt: row 2: '@acme.example' is a domain, not an address" in bad.stderr
    assert count(db, "enrollments", stopped) == 3

    by_custom = run(root, "stop", "--where", "region=north", "--sequence", "cold", "--yes")
    assert "1 active or waiting enrollment(s) match: cold 1" in by_custom.stdout  # bo: stopped
    assert count(db, "enrollments", stopped) == 4
    nothing = run(root, "stop", "--sequence", "cold", "--yes")
    assert nothing.returncode == 0 and "nothing to stop" in nothing.stdout

    listed = run(root, "contacts", "list", "--status", "stopped")
    assert "stopped (unsubscribe)" in listed.stdout and "4 contact(s)" in listed.stdout
    single = run(root, "stop", "bo@acme.example")
    assert single.returncode == 0 and "nothing to stop" in single.stdout
    both = run(root, "stop", "bo@acme.example", "--sequence", "cold")
    assert both.returncode == 2 and "not both" in both.stderr
