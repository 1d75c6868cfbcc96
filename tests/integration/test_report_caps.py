"""The HTML report's charts read true: each day's bar stands against the cap in force that day
(recorded when the day began, not today's configuration), the cap's legend never covers a bar,
and the variant axis labels each gridline with its own value (2.5%, not 2%)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser import Browser
from sending_rig import Rig, person, write_sequence
from sequence_texts import ONE_EMAIL

from sequencer import reporting
from sequencer.reporting import Report, SenderDayLine, VariantLine
from sequencer.scoring import wilson_interval

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def cap_changed_run(rig_factory: Callable[..., Rig], tmp_path: Path) -> Rig:
    """15 message 1s at 5 a day (Mon, Tue, Wed); after Monday the sender's cap goes up to 8."""
    sequences = (write_sequence(tmp_path / "seqs", "single", ONE_EMAIL),)
    monday = rig_factory(
        daily_cap=5, sequences=sequences, min_gap=timedelta(0), jitter=timedelta(0)
    )
    monday.import_rows([person(i) for i in range(15)])
    assert monday.engine.enroll("single").enrolled == 15
    monday.run(days=1)
    later = rig_factory(daily_cap=8, sequences=sequences, min_gap=timedelta(0), jitter=timedelta(0))
    later.clock.set(monday.clock.now())
    later.run(days=3)
    return later


def test_each_day_keeps_the_cap_in_force_that_day(
    rig_factory: Callable[..., Rig], tmp_path: Path
) -> None:
    report = cap_changed_run(rig_factory, tmp_path).engine.report()
    assert [(d.day, d.sent, d.cap) for d in report.sender_days] == [
        ("2026-11-23", 5, 5),
        ("2026-11-24", 5, 8),
        ("2026-11-25", 5, 8),
    ]
    assert report.caps_today == {"jane": 8}
    (jane,) = report.sender_use()
    assert jane.at_cap == 1  # Monday used its cap of 5; the other days were under 8


def boxes(browser: Browser, figure: str) -> dict[str, Any]:
    """The legend's box, each bar's box and the cap line's box, in page pixels."""
    return browser.evaluate(f"""(() => {{
        const svg = document.querySelector('figure#{figure} svg');
        const box = el => {{ const b = el.getBoundingClientRect();
                            return [b.left, b.top, b.right, b.bottom]; }};
        return {{
            legend: box(svg.querySelector('[id$="legend_1"]')),
            bars: [...svg.querySelectorAll('g[id^="{figure}-day-"] path')].map(box),
            cap: box(svg.querySelector('#{figure}-cap-in-force path')),
            text: svg.textContent,
        }};
    }})()""")


def overlaps(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_cap_line_steps_from_one_days_cap_to_the_next(
    rig_factory: Callable[..., Rig], browser: Browser, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    report = cap_changed_run(rig_factory, tmp_path).engine.report()
    page.write_text(reporting.to_html(report), encoding="utf-8")
    browser.open(page.as_uri())
    drawn = boxes(browser, "sends-jane")
    assert "cap in force (5 to 8)" in drawn["text"]
    levels = browser.evaluate("""(() => {
        const path = document.querySelector('#sends-jane-cap-in-force path');
        const ys = [...path.getAttribute('d').matchAll(/[ML]\\s*[-\\d.]+\\s+([-\\d.]+)/g)]
            .map(m => +m[1]);
        return [...new Set(ys)];
    })()""")
    assert len(levels) == 2 and levels[0] > levels[1], levels  # 5, then 8 (SVG y grows down)
    assert len(drawn["bars"]) == 3
    assert not any(overlaps(drawn["legend"], bar) for bar in drawn["bars"])


def days_at_cap(count: int, cap: int) -> tuple[SenderDayLine, ...]:
    """``count`` days in a row, every one at the cap with a backlog, the last one too."""
    return tuple(
        SenderDayLine(sender="jane", day=f"2026-11-{day:02}", sent=cap, cap=cap, waiting=9)
        for day in range(1, count + 1)
    )


@pytest.mark.parametrize(("count", "width"), [(3, 1000), (28, 1000), (28, 420)])
def test_the_daily_cap_label_never_covers_a_bar(
    browser: Browser, tmp_path: Path, count: int, width: int
) -> None:
    report = Report(generated_at=NOW, sender_days=days_at_cap(count, 40), caps_today={"jane": 40})
    page = tmp_path / "report.html"
    page.write_text(reporting.to_html(report), encoding="utf-8")
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=900,
        deviceScaleFactor=1,
        mobile=False,
    )
    browser.open(page.as_uri())
    drawn = boxes(browser, "sends-jane")
    assert "daily cap 40" in drawn["text"] and len(drawn["bars"]) == count
    assert not any(overlaps(drawn["legend"], bar) for bar in drawn["bars"]), drawn
    assert not overlaps(drawn["legend"], drawn["cap"]), drawn
    last = drawn["bars"][-1]
    assert drawn["legend"][3] <= last[1]  # the label sits above the last bar, not on it


def variant(key: str, sends: int, successes: int) -> VariantLine:
    low, high = wilson_interval(successes, sends)
    return VariantLine(
        sequence="cold",
        step="intro",
        factor="subject",
        key=key,
        sends=sends,
        successes=successes,
        metric="reply",
        low=low,
        high=high,
        status="live",
        since=None,
        reason="",
    )


def test_the_variant_axis_labels_each_gridline_with_its_value(
    browser: Browser, tmp_path: Path
) -> None:
    report = Report(
        generated_at=NOW,
        variants=(variant("question", 400, 60), variant("idea", 400, 40), variant("hi", 400, 6)),
    )
    page = tmp_path / "report.html"
    page.write_text(reporting.to_html(report), encoding="utf-8")
    browser.open(page.as_uri())
    ticks = browser.evaluate("""[...document.querySelectorAll(
            'figure#variants svg g[id^="variants-xtick_"]')].map(g => {
        const b = g.querySelector('text').getBoundingClientRect();
        return [g.querySelector('text').textContent, (b.left + b.right) / 2];
    })""")
    labels = [label for label, _x in ticks]
    assert labels[:4] == ["0%", "2.5%", "5%", "7.5%"], labels
    values = [float(label.rstrip("%")) for label in labels]
    (v0, x0), (v1, x1) = (values[0], ticks[0][1]), (values[-1], ticks[-1][1])
    for value, (_label, x) in zip(values, ticks, strict=True):  # each label where its value is
        assert abs(x0 + (value - v0) * (x1 - x0) / (v1 - v0) - x) < 1.5, (labels, ticks)
