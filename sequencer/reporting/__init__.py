"""What ``sequencer report`` shows, and its four faces: terminal tables, JSON, CSV and an HTML
page.

:func:`build` (:mod:`~sequencer.reporting.assembly`) gathers a :class:`Report`
(:mod:`~sequencer.reporting.data`) with a handful of GROUP BY queries; the renderers only read
it: :mod:`~sequencer.reporting.text` for the terminal, :mod:`~sequencer.reporting.export` for
JSON and CSV, and :mod:`~sequencer.reporting.page` for the HTML page with the charts of
:mod:`~sequencer.reporting.charts` (matplotlib, imported only when a page is made). The words
both the terminal and the page use are in :mod:`~sequencer.reporting.words`.
"""

from __future__ import annotations

from sequencer.reporting.assembly import NOT_STARTED, PENDING, build
from sequencer.reporting.data import (
    STOP_REASONS,
    ReplyDelay,
    Report,
    SenderDayLine,
    SenderUse,
    SequenceStats,
    StepStats,
    VariantLine,
)
from sequencer.reporting.export import TABLES, to_csv, to_json
from sequencer.reporting.page import to_html
from sequencer.reporting.text import steps_table, to_rich
from sequencer.reporting.words import sequence_line, summary

__all__ = [
    "NOT_STARTED",
    "PENDING",
    "STOP_REASONS",
    "TABLES",
    "ReplyDelay",
    "Report",
    "SenderDayLine",
    "SenderUse",
    "SequenceStats",
    "StepStats",
    "VariantLine",
    "build",
    "sequence_line",
    "steps_table",
    "summary",
    "to_csv",
    "to_html",
    "to_json",
    "to_rich",
]
