"""`sequencer forget` as a user runs it: asks first, erases, keeps the counts, refuses the address
later.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sequencer import Engine, SimulatedClock, load_config
from sequencer.testing import CaptureServer

REPO = Path(__file__).resolve().parents[2]
TARGET = "zebulon.quark@xylofirm.example"

CONFIG = """\
database = "sqlite:///db.sqlite"
sequences = ["{sequences}"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
timezone = "Europe/Helsinki"

[senders.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
"""

LEADS = (
    "email,first_name,company,linkedin_url\n"
    "aino@northwind.example,Aino,Northwind,https://www.linkedin.com/in/aino-example\n"
    f"{TARGET},Zebulon,Xylofirm,https://www.linkedin.com/in/zebulon-example\n"
    "kiri@tasman.example,Kiri,Tasman Foods,\n"
)


def cli(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("SEQUENCER_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        input=stdin,
        timeout=120,
        env=env,
        check=False,
    )


def database_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("db.sqlite*"))


def history(folder: Path, smtp: CaptureServer) -> None:
    """Three contacts through the cold sequence on a simulated clock; the target replied."""
    engine = Engine(
        load_config(folder / "sequencer.toml"),
        clock=SimulatedClock(datetime(2026, 11, 23, 6, tzinfo=UTC)),
    )

    async def four_weeks() -> None:
        try:
            await engine.run_until(datetime(2026, 12, 21, tzinfo=UTC))
        finally:
            await engine.dispatcher.close()

    with engine:
        engine.import_contacts(folder / "leads.csv")
        engine.enroll("cold", sender="jane")
        asyncio.run(four_weeks())
        engine.stop(TARGET, reason="reply", detail="Zebulon here: call me at Xylofirm")
    assert len(smtp.to(TARGET)) == 2


def test_forget_asks_erases_keeps_the_counts_and_refuses_the_address_later(tmp_path: Path) -> None:
    with CaptureServer() as smtp:
        (tmp_path / "sequencer.toml").write_text(
            CONFIG.format(sequences=REPO / "sequences", port=smtp.port)
        )
        (tmp_path / "leads.csv").write_text(LEADS)
        history(tmp_path, smtp)
        report, score = cli(tmp_path, "report"), cli(tmp_path, "score", "--dry-run")
        assert report.returncode == 0 and score.returncode == 0, report.stderr + score.stderr
        assert TARGET.encode() in database_bytes(tmp_path)

        declined = cli(tmp_path, "forget", TARGET, stdin="n\n")
        assert declined.returncode == 1 and "This cannot be undone" in declined.stdout
        assert TARGET.encode() in database_bytes(tmp_path)

        erased = cli(tmp_path, "forget", TARGET, "--yes")
        assert erased.returncode == 0, erased.stderr
        assert (
            f"erased {TARGET}" in erased.stdout
            and "3 send(s), 1 event(s), 1 task(s)" in erased.stdout
        )
        assert "hashed suppression sha256:" in erased.stdout
        assert "write-ahead log checkpointed and truncated" in erased.stdout

        assert cli(tmp_path, "report").stdout == report.stdout
        assert cli(tmp_path, "score", "--dry-run").stdout == score.stdout
        data = database_bytes(tmp_path).lower()
        assert not [w for w in (TARGET, "zebulon", "xylofirm") if w.encode() in data]
        assert b"aino@northwind.example" in data
        listed = cli(tmp_path, "suppress", "list").stdout
        assert "sha256:" in listed and TARGET not in listed

        reimport = cli(tmp_path, "import", "leads.csv")
        assert reimport.returncode == 0, reimport.stderr
        assert (
            "row 3: this address was erased" in reimport.stderr
            and "1 erased before (not imported)" in reimport.stdout
        )
        assert TARGET.encode() not in database_bytes(tmp_path).lower()


def test_forget_an_unknown_address(tmp_path: Path) -> None:
    (tmp_path / "sequencer.toml").write_text(CONFIG.format(sequences=REPO / "sequences", port=25))
    unknown = cli(tmp_path, "forget", "nobody@nowhere.example", "--yes")
    assert (
        unknown.returncode == 1
        and "no contact with the address nobody@nowhere.example" in unknown.stderr
    )
    assert "0 entries" in cli(tmp_path, "suppress", "list").stdout

    kept = cli(tmp_path, "forget", "nobody@nowhere.example", "--yes", "--unknown-ok")
    assert kept.returncode == 0, kept.stderr
    assert "is not a contact: nothing to erase but its hash" in kept.stdout
    assert "1 entry" in cli(tmp_path, "suppress", "list").stdout
    domain = cli(tmp_path, "forget", "@nowhere.example", "--yes")
    assert (
        domain.returncode == 1
        and "is a domain" in domain.stderr
        and "Traceback" not in domain.stderr
    )
