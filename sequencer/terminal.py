"""Text from outside (inbound subjects, CSV cells, stored fields) made safe to print to a terminal.

A terminal obeys escape sequences in what it prints: an OSC 8 sequence turns text into a
hidden link, others blink, move the cursor, retitle the window or rewrite what was printed.
:func:`printable` drops every C0 and C1 control character except newline and tab; the ESC
that begins a sequence goes, and with it the whole sequence where its shape is known (CSI,
OSC, DCS and the other string commands), so no stray ``]8;;http://…`` is left behind.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

# ESC or the 8-bit C1 introducers, then a whole sequence: CSI (ESC [ or U+009B) with its
# parameters and final byte; OSC, DCS, SOS, PM, APC (ESC ] P X ^ _ or U+009D U+0090 ...) up to
# BEL or ST (ESC \ or U+009C), or to the end of the text when unterminated; any other
# two-character ESC sequence.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x20-\x3f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x7e]?"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (newline and tab stay)."""
    return _CONTROL.sub("", _SEQUENCE.sub("", text))
