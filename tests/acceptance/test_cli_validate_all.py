"""`sequencer validate` and `senders check` report everything wrong in one run: every fault of
the config file, structural and template errors of every sequence file together, and each secret
a step needs that the environment lacks, each with its file, line and key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sequencer.testing import CaptureServer

CONFIG = """\
database = "sqlite:///db.sqlite"
sequences = ["seqs"]

[[senders]]
name = "jane"
email = "jane@acme.example"

[senders.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
"""
INTRO = """\
  - key: intro
    day: 0
    channel: email
    subjects:
      - key: hello
        text: "Hello {{ first_name | default('there') }}"
    bodies:
      - key: short
        text: "A short note."
"""
HOOKED = f"""\
name: hooked
steps:
{INTRO}  - key: notify
    day: 2
    channel: webhook
    url: https://crm.example/hooks/sequencer
"""


def cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "NO_COLOR": "1", "COLUMNS": "300"}
    for name in ("SEQUENCER_CONFIG", "SEQUENCER_DB", "SEQUENCER_WEBHOOK_SECRET"):
        environ.pop(name, None)
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        env=environ,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def project(tmp: Path, sequences: dict[str, str], *, port: int = 2525, extra: str = "") -> Path:
    (tmp / "seqs").mkdir()
    for name, text in sequences.items():
        (tmp / "seqs" / name).write_text(text)
    (tmp / "sequencer.toml").write_text(CONFIG.format(port=port) + extra)
    return tmp


def test_every_fault_of_the_config_file_is_named_with_its_line_and_key(tmp_path: Path) -> None:
    config = CONFIG.format(port=2525).replace(
        'email = "jane@acme.example"\n',
        'email = "jane@acme.example"\ntimezone = "Europe/Helsinky"\n',
    )
    config = config.replace('sequences = ["seqs"]\n', 'sequences = ["seqs"]\nsequence = "x"\n')
    (tmp_path / "sequencer.toml").write_text(config + "\n[worker]\nbatch = 0\n")
    (tmp_path / "seqs").mkdir()
    result = cli(tmp_path, "validate")
    assert result.returncode == 1
    err = result.stderr
    assert "3 errors in sequencer.toml" in err, err
    assert "sequencer.toml:3: unknown setting 'sequence' (did you mean 'sequences'?)" in err
    assert "sequencer.toml:8: senders[0].timezone: unknown time zone 'Europe/Helsinky'" in err
    assert "sequencer.toml:16: worker.batch: should be a whole number of at least 1" in err
    assert "Traceback" not in err


def test_structural_and_template_errors_of_every_file_come_together(tmp_path: Path) -> None:
    broken = (
        "name: broken\nsteps:\n"
        + INTRO.replace("day: 0", "day: soon")
        + "  - key: bump\n    day: 3\n    channel: email\n    thread: true\n"
        "    bodies:\n      - key: nudge\n        text: 'Hi {{ compnay }}'\n"
    )
    other = "name: other\nsteps:\n" + INTRO.replace("default('there')", "upper(")
    project(tmp_path, {"broken.yaml": broken, "other.yaml": other})
    result = cli(tmp_path, "validate")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    seqs = tmp_path / "seqs"
    assert any(f"{seqs / 'broken.yaml'}:4: steps[0].day" in line for line in errors), errors
    assert any(
        f"{seqs / 'broken.yaml'}:18: steps[1].bodies[0].text: unknown variable 'compnay'" in line
        for line in errors
    ), errors
    assert any(
        f"{seqs / 'other.yaml'}:8: steps[0].subjects[0].text: template syntax error" in line
        for line in errors
    ), errors
    assert len(errors) == 3, errors  # no made-up follow-on error ("no thread to continue")


def test_a_webhook_step_without_its_secret_is_caught_by_validate(tmp_path: Path) -> None:
    project(tmp_path, {"hooked.yaml": HOOKED})
    result = cli(tmp_path, "validate")
    assert result.returncode == 1
    assert re.search(
        rf"^error: {re.escape(str(tmp_path / 'seqs' / 'hooked.yaml'))}:12: steps\[1\]: webhook "
        r"step 'notify' cannot be sent: environment variable SEQUENCER_WEBHOOK_SECRET "
        r"\(the webhook signing secret\) is not set$",
        result.stderr,
        re.M,
    ), result.stderr
    assert "1 error(s)" in result.stderr
    ok = cli(tmp_path, "validate", SEQUENCER_WEBHOOK_SECRET="s" * 32)
    assert ok.returncode == 0, ok.stderr


def test_a_missing_secret_is_named_once_with_every_step_that_needs_it(tmp_path: Path) -> None:
    project(
        tmp_path,
        {"a.yaml": HOOKED, "b.yaml": HOOKED.replace("name: hooked", "name: again")},
        extra='\n[http]\npublic_url = "https://links.acme.example"\nsecret_env = "LINKS_KEY"\n',
    )
    result = cli(tmp_path, "validate", LINKS_KEY="short")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2, errors
    assert "LINKS_KEY (the link-signing secret) is too short" in errors[0]
    assert "(also needed by 'intro' in b.yaml)" in errors[0]
    assert "SEQUENCER_WEBHOOK_SECRET" in errors[1] and "'notify' in b.yaml" in errors[1]


def test_senders_check_names_the_secret_a_sequence_needs(tmp_path: Path) -> None:
    with CaptureServer() as smtp:
        project(tmp_path, {"hooked.yaml": HOOKED}, port=smtp.port)
        failed = cli(tmp_path, "senders", "check")
        fine = cli(tmp_path, "senders", "check", SEQUENCER_WEBHOOK_SECRET="s" * 32)
    assert failed.returncode == 1
    assert f"ok     jane <jane@acme.example> via 127.0.0.1:{smtp.port}" in failed.stdout
    assert re.search(
        r"^failed .*hooked\.yaml:12: steps\[1\]: webhook step 'notify' cannot be sent: "
        r"environment variable SEQUENCER_WEBHOOK_SECRET",
        failed.stdout,
        re.M,
    ), failed.stdout
    assert fine.returncode == 0, fine.stdout + fine.stderr
