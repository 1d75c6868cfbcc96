"""The throwaway servers of tests/services.sh, for benchmarks that need PostgreSQL or Dovecot.

    from services import server, stop      # bench/ is sys.path[0] when a script in it runs
    url, started = server("SEQUENCER_TEST_PG", work)
    try: ...
    finally: stop(started)

A server named in the environment (as tests/run.sh exports them) is used as it is; otherwise
it is started in ``work/services`` (PostgreSQL alone, or all of the test servers for IMAP) and
``stop`` ends what was started (by their own pid files).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "tests" / "services.sh"


def server(name: str, work: Path) -> tuple[str, Path | None]:
    """The value of ``name`` (SEQUENCER_TEST_PG or SEQUENCER_TEST_IMAP), and the folder to stop, if
    started.
    """
    if os.environ.get(name):
        return os.environ[name], None
    folder = work / "services"
    folder.mkdir(exist_ok=True)
    command = "start-pg" if name == "SEQUENCER_TEST_PG" else "start"
    out = subprocess.run(
        ["bash", str(SCRIPT), command, str(folder)], check=True, text=True, capture_output=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith(f"{name}="))
    return line.split("=", 1)[1], folder


def stop(started: Path | None) -> None:
    if started is not None:
        subprocess.run(["bash", str(SCRIPT), "stop", str(started)], check=False)
