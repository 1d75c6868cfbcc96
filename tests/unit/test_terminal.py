"""printable(): outside text made safe to print to a terminal."""

from __future__ import annotations

import pytest

from sequencer.terminal import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (
            "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
            "click",
        ),  # OSC 8 link, ST-terminated
        (
            "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
            "click",
        ),  # OSC 8 link, BEL-terminated
        ("\x1b[5mblink\x1b[0m", "blink"),  # SGR blink
        ("\x9b2Jwiped\x9d0;title\x9c", "wiped"),  # 8-bit CSI and OSC
        ("\x1b]0;retitled", ""),  # an unterminated OSC swallows the rest of the line it hides
        ("a\x00b\x07c\x08d\re\x7ff\x85g", "abcdefg"),  # C0, DEL and C1 controls
        ("line 1\n\tline 2", "line 1\n\tline 2"),  # newline and tab stay
        ("Hyvää päivää — ✓", "Hyvää päivää — ✓"),
    ],
)
def test_escape_sequences_and_controls_are_dropped(raw: str, shown: str) -> None:
    assert printable(raw) == shown
