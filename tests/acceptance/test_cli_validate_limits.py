"""`sequencer validate` on hostile sequence files, as a user runs it: a located error, never a
crash.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from sequence_texts import alias_bomb

TWO_GB = 2 * 1024**3


def _two_gb_limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (TWO_GB, TWO_GB))


def test_alias_bomb_validates_to_a_located_error_under_a_2gb_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb())
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("SEQUENCER_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "sequencer", "validate", str(bomb)],
        cwd=tmp_path,
        env=env,
        text=True,
        capture_output=True,
        timeout=60,
        preexec_fn=_two_gb_limit,
    )
    assert result.returncode == 1, (
        result.stderr
    )  # 1 is "errors found"; a MemoryError traceback exits 1 too, so:
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert f"error: {bomb}:7: expands to more than 20,000 values" in result.stderr
