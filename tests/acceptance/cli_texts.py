"""What the CLI tests share: a configuration with one sender (and its IMAP table), and a way to run
``python -m sequencer`` as a subprocess in a folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CONFIG = """\
database = "sqlite:///db.sqlite"
sequences = ["{sequences}"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
timezone = "Europe/Helsinki"
"""

IMAP = """
[senders.imap]
host = "{host}"
port = {port}
security = "none"
username = "sender"
password_env = "TEST_IMAP_PASSWORD"
"""


def run(cwd: Path, *args: str, columns: int = 200) -> subprocess.CompletedProcess[str]:
    """``sequencer ARGS`` in ``cwd``, without colour, ``columns`` wide, the test IMAP
    password set.
    """
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1", "TEST_IMAP_PASSWORD": "secret"}
    env.pop("SEQUENCER_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )
