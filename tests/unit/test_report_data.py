"""The report's faces over a hand-built :class:`Report`: CSV, JSON, terminal tables and the HTML
page.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from rich.console import Console

from sequencer import reporting
from sequencer.reporting import (
    ReplyDelay,
    Report,
    SenderDayLine,
    SequenceStats,
    StepStats,
    VariantLine,
)
from sequencer.scoring import wilson_interval

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
NASTY = '<img src=x onerror="alert(1)">&'


def step(sequence: str, key: str, index: int, **counts: int) -> StepStats:
    return StepStats(sequence=sequence, step=key, index=index, channel="email", **counts)


def variant(
    key: str, sends: int, successes: int, *, status: str = "live", sequence: str = "cold"
) -> VariantLine:
    low, high = wilson_interval(successes, sends)
    return VariantLine(
        sequence=sequence,
        step="intro",
        factor="subject",
        key=key,
        sends=sends,
        successes=successes,
        metric="reply",
        low=low,
        high=high,
        status=status,
        since=NOW if status == "retired" else None,
        reason="worse" if status == "retired" else "",
    )


def sample(name: str = "cold", other: str = "reminder", key: str = "question") -> Report:
    cold = SequenceStats(
        name=name,
        enrolled=40,
        active=10,
        completed=20,
        deferred=3,
        stopped={"reply": 6, "bounce": 1, "weird": 3},
        steps=(
            step(
                name, "intro", 0, sent=40, replied=5, bounced=1, stopped={"reply": 5, "bounce": 1}
            ),
            step(
                name,
                "bump",
                1,
                sent=30,
                replied=1,
                goals=1,
                pending=4,
                stopped={"reply": 1, "weird": 3},
            ),
        ),
    )
    reminder = SequenceStats(name=other, deferred=12, steps=(step(other, "new_angle", 0),))
    return Report(
        generated_at=NOW,
        sequences=(cold, reminder),
        variants=(
            variant(key, 20, 4, sequence=name),
            variant("idea", 20, 0, status="retired", sequence=name),
        ),
        sender_days=(
            SenderDayLine(sender="jane", day="2026-11-23", sent=40, cap=40, waiting=30),
            SenderDayLine(sender="jane", day="2026-11-24", sent=30, cap=40, waiting=0),
            SenderDayLine(sender="old", day="2026-11-24", sent=2, cap=None, waiting=0),
        ),
        caps_today={"jane": 40},
        reply_delays=(
            ReplyDelay(hours=3, count=2),
            ReplyDelay(hours=20, count=3),
            ReplyDelay(hours=50, count=1),
        ),
    )


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_tables_have_a_header_and_one_row_per_item() -> None:
    report = sample()
    steps = rows(reporting.to_csv(report, "steps"))
    assert [(r["sequence"], r["step"], r["sent"], r["reply_rate"]) for r in steps] == [
        ("cold", "intro", "40", "0.1250"),
        ("cold", "bump", "30", "0.0333"),
        ("reminder", "new_angle", "0", ""),
    ]
    # every known stop reason has its column, an unknown one follows
    header = reporting.to_csv(report, "steps").splitlines()[0].split(",")
    assert header[-len(reporting.STOP_REASONS) - 1 :] == [
        f"stopped_{r}" for r in (*reporting.STOP_REASONS, "weird")
    ]
    assert (steps[1]["stopped_weird"], steps[1]["stopped_reply"], steps[0]["stopped_goal"]) == (
        "3",
        "1",
        "0",
    )
    sequences = rows(reporting.to_csv(report, "sequences"))
    assert [
        (r["sequence"], r["enrolled"], r["deferred"], r["stopped"], r["replied"]) for r in sequences
    ] == [("cold", "40", "3", "10", "6"), ("reminder", "0", "12", "0", "0")]
    variants = rows(reporting.to_csv(report, "variants"))
    assert [(v["variant"], v["rate"], v["ci_low"], v["status"], v["since"]) for v in variants] == [
        ("question", "0.2000", "0.0807", "live", ""),
        ("idea", "0.0000", "0.0000", "retired", NOW.isoformat()),
    ]
    assert rows(reporting.to_csv(report, "senders"))[0] == {
        "sender": "jane",
        "day": "2026-11-23",
        "sent": "40",
        "cap": "40",
        "waiting": "30",
    }
    assert rows(reporting.to_csv(report, "senders"))[2] == {
        "sender": "old",
        "day": "2026-11-24",
        "sent": "2",
        "cap": "",
        "waiting": "0",
    }
    assert rows(reporting.to_csv(report, "replies")) == [
        {"hours": "3", "replies": "2"},
        {"hours": "20", "replies": "3"},
        {"hours": "50", "replies": "1"},
    ]
    with pytest.raises(ValueError, match="choose one of"):
        reporting.to_csv(report, "everything")


def test_json_holds_every_table_and_the_totals() -> None:
    data = json.loads(reporting.to_json(sample()))
    assert data["generated_at"] == NOW.isoformat()
    assert data["totals"] == {
        "enrolled": 40,
        "deferred": 15,
        "sent": 70,
        "replied": 6,
        "median_reply_hours": 20.5,
    }
    cold = data["sequences"][0]
    assert cold["stopped"] == {"reply": 6, "bounce": 1, "weird": 3}
    assert [s["reply_rate"] for s in cold["steps"]] == [0.125, pytest.approx(1 / 30)]
    assert data["sequences"][1]["steps"][0]["reply_rate"] is None
    assert [v["rate"] for v in data["variants"]] == [0.2, 0.0]
    assert len(data["sender_days"]) == 3 and data["reply_delays"][0] == {"hours": 3, "count": 2}
    assert data["sender_days"][0] == {
        "sender": "jane",
        "day": "2026-11-23",
        "sent": 40,
        "cap": 40,
        "waiting": 30,
    }
    assert data["caps_today"] == {"jane": 40}


def test_summary_and_terminal_tables() -> None:
    report = sample(key="[red]q[/red]")
    assert reporting.summary(report) == (
        "40 enrolled in 2 sequences · 70 emails sent · 6 replied (8.6%) · "
        "median time to reply 20 h · 15 waiting to start (chained)"
    )
    console = Console(record=True, width=250, color_system=None)
    for part in reporting.to_rich(report):
        console.print(part)
    text = console.export_text()
    assert re.search(r"│ intro\s+│ email\s+│ 40\s+│ 5\s+│ 12\.5%", text), text
    assert "reply 1, weird 3" in text and "10 stopped (reply 6, bounce 1, weird 3)" in text
    assert "[red]q[/red]" in text  # a name is printed as it is, never read as markup
    # jane: one day at cap, with a backlog at its end, which used all its cap; old: no cap known
    assert re.search(
        r"│ jane\s+│ 2\s+│ 70\s+│ 2026-11-23: 40\s+│ 40\s+│ 1\s+│ 1\s+│ 100\.0%\s+│", text
    ), text
    assert re.search(r"│ old\s+│ 1\s+│ 2\s+│ 2026-11-24: 2\s+│ -\s+│ -\s+│ 0\s+│ -\s+│", text), text
    # a sequence nobody has started yet is one line, without an empty table
    assert (
        "reminder — 0 enrolled · 0 active · 0 completed · 0 stopped · 12 waiting to start" in text
    )
    assert "new_angle" not in text
    assert reporting.to_rich(Report(generated_at=NOW))[0].plain.startswith("nothing to report yet")  # type: ignore[union-attr]


class Figures(HTMLParser):
    """Each <figure>'s id and class, whether an <svg> is inside it, and every id on the page."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, tuple[str, int]] = {}
        self.ids: Counter[str] = Counter()
        self.current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids[values["id"] or ""] += 1
        if tag == "figure":
            self.current = values.get("id") or ""
            self.figures[self.current] = (values.get("class") or "", 0)
        elif tag == "svg" and self.current is not None:
            kind, count = self.figures[self.current]
            self.figures[self.current] = (kind, count + 1)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self.current = None


def test_html_page_has_one_svg_chart_per_figure_with_stable_unique_ids() -> None:
    report = sample(name="Cold!", other="cold?")
    page = reporting.to_html(report)
    parsed = Figures()
    parsed.feed(page)
    assert parsed.figures == {
        "funnel-cold": ("chart funnel", 1),
        "funnel-cold-2": ("chart funnel", 1),
        "variants": ("chart variants", 1),
        "sends-jane": ("chart sends-per-day", 1),
        "sends-old": ("chart sends-per-day", 1),
        "reply-times": ("chart reply-times", 1),
    }
    # the charts' own ids (clip paths, markers) are prefixed per figure: none repeats on the page
    assert [i for i, n in parsed.ids.items() if n > 1] == []
    assert any(i.startswith("funnel-cold-2-") for i in parsed.ids)
    refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', page))
    assert refs and refs <= set(parsed.ids)  # every internal reference still points at something
    assert reporting.to_html(report) == page  # the same report, the same page
    assert "<!DOCTYPE html>" in page and "40 enrolled in 2 sequences" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)


def test_html_escapes_every_name_it_shows() -> None:
    report = sample(name=NASTY, key=NASTY + "$x^2$")
    page = reporting.to_html(report)
    assert (
        "<img" not in page and NASTY not in page
    )  # no tag: every < of a name is escaped, in tables and charts
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;" in page
    # matplotlib drew the name as text, dollars and all (no math mode), escaped for the SVG too
    svg = page[page.index('<figure id="variants"') :]
    assert "&lt;img src=x onerror=" in svg and "$x^2$" in svg
    assert 'id="funnel-img-src-x-onerror-alert-1"' in page


def test_the_cli_does_not_load_matplotlib_for_the_tables() -> None:
    code = "import sys, sequencer.cli, sequencer.reporting; print('matplotlib' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert found.stdout.strip() == "False"


def test_the_summary_counts_emails_tasks_and_webhook_calls_apart() -> None:
    steps = tuple(
        StepStats(sequence="mixed", step=key, index=i, channel=channel, sent=sent, replied=replied)
        for i, (key, channel, sent, replied) in enumerate(
            [("intro", "email", 95, 5), ("linkedin", "linkedin", 20, 0), ("crm", "webhook", 9, 0)]
        )
    )
    report = Report(generated_at=NOW, sequences=(SequenceStats(name="mixed", steps=steps),))
    assert reporting.summary(report) == (
        "0 enrolled in 1 sequence · 95 emails sent · 20 tasks created · 9 webhook calls · "
        "5 replied (5.3%)"
    )
