"""`sequencer report` over a real run: the engine on a simulated clock sends through a real SMTP
capture server, recipients reply over four days, a look retires the weak subject, a few more
stop. The report must agree with the scoring look and with the rows, and its HTML page must
draw every chart in headless Chromium while fetching nothing."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from browser import Browser
from sending_rig import MONDAY, Rig, person, write_sequence
from sequence_texts import ONE_EMAIL

from sequencer import reporting
from sequencer.caps import Warmup
from sequencer.looks import Family
from sequencer.store import Send

SEQUENCE = """\
name: abtest
defaults:
  timezone: UTC
  window:
    days: [mon, tue, wed, thu, fri, sat, sun]
    hours: "00:00-23:59"
  business_days: false
stop_on:
  reply: true
  goals: [meeting_booked]
scoring:
  metric: replies
  reply_window_days: 1
  min_sends: 40
steps:
  - key: intro
    day: 0
    channel: email
    subjects:
      - key: strong
        text: "A question for you"
      - key: steady
        text: "An idea for you"
      - key: weak
        text: "Hello"
    bodies:
      - key: short
        text: "Hi {{ first_name | default('there') }}, a short note."
      - key: long
        text: "Hi {{ first_name | default('there') }}, a longer note with more words in it."
  - key: bump
    day: 2
    channel: email
    thread: true
    bodies:
      - key: nudge
        text: "Bumping this."
  - key: linkedin
    day: 6
    channel: linkedin
    message: "Hi {{ first_name | default('there') }}, connecting here too."
"""
RATES = {"strong": 0.35, "steady": 0.30, "weak": 0.02}
CAP = 120
PEOPLE = 300


@dataclass
class Campaign:
    rig: Rig
    look: list[Family]
    at_look: reporting.Report
    final: reporting.Report
    replied: set[str]


@pytest.fixture
def campaign(rig_factory: Callable[..., Rig], tmp_path: Path) -> Campaign:
    rig = rig_factory(
        daily_cap=CAP,
        min_gap=timedelta(0),
        jitter=timedelta(0),
        sequences=(write_sequence(tmp_path / "seqs", "abtest", SEQUENCE),),
        # the worker's own looks (which run_until runs) come after this test's look on Thursday
        config_extra={"score_days": "sun"},
    )
    engine = rig.engine
    rig.import_rows([person(i) for i in range(PEOPLE)])
    engine.enroll("abtest")
    rng = random.Random(8)
    decided: set[int] = set()
    replied: set[str] = set()
    # every 6 hours, recipients whose message 1 went out since decide whether to answer it
    for hours in range(6, 6 * 15, 6):
        rig.run(until=MONDAY + timedelta(hours=hours))
        fresh = [
            s for s in rig.sends(step="intro") if s.status == "sent" and s.contact_id not in decided
        ]
        contacts = engine.store.contacts_by_id({s.contact_id for s in fresh})
        for send in fresh:
            decided.add(send.contact_id)
            if rng.random() < RATES[send.subject_key or ""]:
                engine.stop(contacts[send.contact_id].email, reason="reply")
                replied.add(contacts[send.contact_id].email)
    look = engine.score()
    at_look = engine.report()
    # the rest of the story: a goal, an unsubscribe, a manual stop; the bumps go out
    active = [f"p{i}@example.com" for i in range(PEOPLE) if f"p{i}@example.com" not in replied]
    engine.goal(
        active[0], "meeting_booked"
    )  # the first ones had their bump by now, the last ones not
    engine.stop(active[-1], reason="unsubscribe")
    engine.stop(active[-2], reason="manual")
    rig.run(until=MONDAY + timedelta(days=7))
    return Campaign(rig=rig, look=look, at_look=at_look, final=engine.report(), replied=replied)


def test_report_agrees_with_the_scoring_look_and_the_rows(campaign: Campaign) -> None:
    subject = next(f for f in campaign.look if f.step == "intro" and f.factor == "subject")
    assert subject.retired == ["weak"], [(v.key, v.decision, v.p_holm) for v in subject.verdicts]
    # at the moment of the look, the report counts what the look counted
    lines = {(v.step, v.factor, v.key): v for v in campaign.at_look.variants}
    for family in campaign.look:
        for verdict in family.verdicts:
            line = lines[(family.step, family.factor, verdict.key)]
            assert (line.sends, line.successes) == (verdict.sends, verdict.successes)
            assert line.low <= verdict.rate <= line.high
    assert lines[("intro", "subject", "weak")].status == "retired"

    final = campaign.final
    (seq,) = final.sequences
    intro, bump, _linkedin = seq.steps
    sends = campaign.rig.sends()
    gone = [s for s in sends if s.status in ("sent", "bounced")]
    assert intro.sent == sum(s.step_key == "intro" for s in gone) == PEOPLE
    assert bump.sent == sum(s.step_key == "bump" for s in gone) > 0
    assert intro.replied == len(campaign.replied) and bump.replied == 0
    assert seq.stopped == {"reply": len(campaign.replied), "goal": 1, "unsubscribe": 1, "manual": 1}
    assert {s.step: s.stopped for s in seq.steps} == stopped_after(campaign.rig, sends)
    assert bump.stopped.get("goal") == 1 and intro.stopped["reply"] == len(campaign.replied)
    assert seq.enrolled == PEOPLE and seq.completed == PEOPLE - seq.stopped_total - seq.active
    # time to reply: one entry per reply event, each as long as its send had been out
    assert sum(d.count for d in final.reply_delays) == len(campaign.replied)
    assert (
        max(d.hours for d in final.reply_delays) <= 6
    )  # recipients answer at the end of the 6 hours their send went out in
    # sends per day: what the dispatcher counted against the cap, never above it
    assert sum(d.sent for d in final.sender_days) == sum(s.channel == "email" for s in gone)
    assert all(d.cap == CAP and d.sent <= CAP for d in final.sender_days)
    assert any(d.sent == CAP for d in final.sender_days)
    # the retired subject stays retired and got no new sends after the look
    weak = next(v for v in final.variants if v.key == "weak")
    assert weak.status == "retired" and weak.since is not None
    assert not [
        s
        for s in sends
        if s.subject_key == "weak"
        and s.sent_at
        and s.sent_at > weak.since
        and s.step_key == "intro"
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_html_report_draws_every_chart_in_chromium_and_fetches_nothing(
    campaign: Campaign, browser: Browser, tmp_path: Path
) -> None:
    page = reporting.to_html(campaign.final)
    # nothing to fetch: no URL in a src or href, no stylesheet or script from elsewhere
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"<link\b|<script\b|@import|url\(\s*['\"]?(?:https?:)?//", page, re.I)
    file = tmp_path / "report.html"
    file.write_text(page, encoding="utf-8")
    browser.open(file.as_uri())

    assert browser.evaluate("performance.getEntriesByType('resource').length") == 0
    for ident in ("funnel-abtest", "variants", "sends-jane", "reply-times"):
        drawn = browser.evaluate(f"""(() => {{
            const svg = document.querySelector('figure#{ident} svg');
            if (!svg) return null;
            const box = svg.getBoundingClientRect();
            return [svg.querySelectorAll('path, use, text').length,
                    Math.round(box.width), Math.round(box.height)];
        }})()""")
        assert drawn is not None, f"no <svg> in figure#{ident}"
        shapes, width, height = drawn
        assert shapes > 20 and width > 400 and height > 100, (ident, drawn)
    text = browser.text()
    assert "sequencer report" in text and f"{PEOPLE} enrolled" in text
    # the retired variant is marked in the chart and in the table
    assert "retired" in browser.evaluate(
        "document.querySelector('figure#variants svg').textContent"
    )
    assert (
        browser.evaluate(
            "[...document.querySelectorAll('table.variants "
            "tr.retired td')].map(td => td.textContent)"
        )[3]
        == "weak"
    )
    assert f"daily cap {CAP}" in browser.evaluate(
        "document.querySelector('figure#sends-jane svg').textContent"
    )
    # the legend (the cap's label with it) sits above the plot area: clear of every bar
    assert browser.evaluate("""(() => {
        const svg = document.querySelector('figure#sends-jane svg');
        const legend = svg.querySelector('#sends-jane-legend_1').getBoundingClientRect();
        const plot = svg.querySelector('#sends-jane-axes_1 > #sends-jane-patch_2')
            .getBoundingClientRect();
        const bars = [...svg.querySelectorAll('[id^="sends-jane-day-"] path')]
            .map(bar => bar.getBoundingClientRect());
        return bars.length > 0 && legend.bottom <= plot.top + 1
            && bars.every(b => b.top >= legend.bottom);
    })()""")

    # the funnel is really painted: its pixels hold the bar colours, not one flat colour
    pixels = screenshot_pixels(browser, "figure#funnel-abtest svg")
    colours = set(pixels)
    assert len(colours) > 20
    assert (0x1D, 0x4E, 0xD8) in colours and (
        0x16,
        0xA3,
        0x4A,
    ) in colours  # message 1's bar, the replies


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_report_prints_tables_csv_json_and_writes_the_page(
    campaign: Campaign, tmp_path: Path
) -> None:
    db = campaign.rig.engine.store.url
    (tmp_path / "sequencer.toml").write_text(
        f'database = "{db}"\nsequences = ["{tmp_path / "seqs"}"]\n\n[[senders]]\nname = "jane"\n'
        'display_name = "Jane Doe"\nemail = "jane@acme.example"\ntimezone '
        f'= "Europe/Helsinki"\ndaily_cap = {CAP}\n',
        encoding="utf-8",
    )

    def cli(*args: str) -> str:
        env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
        env.pop("SEQUENCER_CONFIG", None)
        env.pop("SEQUENCER_DB", None)
        result = subprocess.run(
            [sys.executable, "-m", "sequencer", *args],
            cwd=tmp_path,
            env=env,
            text=True,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    final = campaign.final
    intro = final.sequences[0].steps[0]
    table = cli("report")
    assert re.search(rf"│ intro\s+│ email\s+│ {intro.sent}\s+│ {intro.replied}\s+│", table), table
    assert "retired" in table and "abtest" in table
    rows = list(csv.DictReader(io.StringIO(cli("report", "--csv", "steps"))))
    assert [(r["step"], int(r["sent"]), int(r["replied"])) for r in rows] == [
        (s.step, s.sent, s.replied) for s in final.sequences[0].steps
    ]
    days = list(csv.DictReader(io.StringIO(cli("report", "--csv", "senders"))))
    assert [(d["day"], int(d["sent"]), int(d["cap"])) for d in days] == [
        (d.day, d.sent, CAP) for d in final.sender_days
    ]
    data = json.loads(cli("report", "--json", "--html", str(tmp_path / "out.html")))
    assert data["sequences"][0]["stopped"] == final.sequences[0].stopped
    assert 'id="funnel-abtest"' in (tmp_path / "out.html").read_text(encoding="utf-8")


def ramp_run(rig_factory: Callable[..., Rig], tmp_path: Path) -> Rig:
    """A new mailbox (5 on its first day, +5 a day, up to 20) with 40 message 1s to send: Mon 5,
    Tue 10, Wed 15 while the rest wait, Thu the last 10."""
    rig = rig_factory(
        daily_cap=20,
        sequences=(write_sequence(tmp_path / "seqs", "single", ONE_EMAIL),),
        min_gap=timedelta(0),
        jitter=timedelta(0),
        warmup=Warmup(start=5, step=5),
    )
    rig.import_rows([person(i) for i in range(40)])
    assert rig.engine.enroll("single").enrolled == 40
    rig.run(days=7)
    return rig


def test_report_shows_each_days_cap_on_the_warm_up_ramp_and_the_backlog(
    rig_factory: Callable[..., Rig], tmp_path: Path
) -> None:
    rig = ramp_run(rig_factory, tmp_path)
    report = rig.engine.report()
    assert [(d.day, d.sent, d.cap, d.waiting) for d in report.sender_days] == [
        ("2026-11-23", 5, 5, 35),
        ("2026-11-24", 10, 10, 25),
        ("2026-11-25", 15, 15, 10),
        ("2026-11-26", 10, 20, 0),
    ]
    assert report.caps_today == {"jane": 20}  # Mon Nov 30 (the clock's now) is past the ramp
    (jane,) = report.sender_use()
    assert (jane.at_cap, jane.backlog_days, jane.backlog_use) == (3, 3, 1.0)
    days = list(csv.DictReader(io.StringIO(reporting.to_csv(report, "senders"))))
    assert [(d["cap"], d["waiting"]) for d in days] == [
        ("5", "35"),
        ("10", "25"),
        ("15", "10"),
        ("20", "0"),
    ]
    data = json.loads(reporting.to_json(report))
    assert [(d["cap"], d["waiting"]) for d in data["sender_days"]] == [
        (5, 35),
        (10, 25),
        (15, 10),
        (20, 0),
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_html_draws_the_cap_in_force_as_a_step_line_and_marks_the_backlog_days(
    rig_factory: Callable[..., Rig], browser: Browser, tmp_path: Path
) -> None:
    rig = ramp_run(rig_factory, tmp_path)
    file = tmp_path / "report.html"
    file.write_text(reporting.to_html(rig.engine.report()), encoding="utf-8")
    browser.open(file.as_uri())
    # the cap line climbs the ramp: four levels, drawn from left to right, each above its day's bar
    line = browser.evaluate("""(() => {
        const path = document.querySelector('figure#sends-jane svg #sends-jane-cap-in-force path');
        const box = path.getBoundingClientRect();
        const ys = [...path.getAttribute('d').matchAll(/[ML]\\s*[-\\d.]+\\s+([-\\d.]+)/g)]
            .map(m => +m[1]);
        return {levels: [...new Set(ys)].length, falls: ys.some((y, i) => i && y > ys[i - 1]),
                height: box.height};
    })()""")
    assert line["levels"] == 4 and not line["falls"] and line["height"] > 50, (
        line
    )  # SVG y grows downwards
    text = browser.evaluate("document.querySelector('figure#sends-jane svg').textContent")
    assert "cap in force (5 to 20)" in text and "at the cap, backlog waiting" in text
    rows = browser.evaluate(
        "[...document.querySelectorAll('table.days tbody tr')]"
        ".map(tr => [tr.className, ...[...tr.cells].map(td => td.textContent)])"
    )
    assert rows == [
        ["at-cap backlog", "2026-11-23", "5", "5", "35"],
        ["at-cap backlog", "2026-11-24", "10", "10", "25"],
        ["at-cap backlog", "2026-11-25", "15", "15", "10"],
        ["under-cap", "2026-11-26", "10", "20", "0"],
    ]
    assert (
        "3 days at cap · 3 backlog days · 100.0% of the cap used on backlog days" in browser.text()
    )


def test_cli_report_refuses_an_unknown_csv_table(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sequencer",
            "--db",
            str(tmp_path / "db.sqlite"),
            "report",
            "--csv",
            "everything",
        ],
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert (
        result.returncode == 2
        and "choose one of sequences, steps, variants, senders, replies" in result.stderr
    )


def stopped_after(rig: Rig, sends: list[Send]) -> dict[str, dict[str, int]]:
    """Per step: stopped enrollments whose last send that went out was of that step, by reason (row
    by row).
    """
    last: dict[int, Send] = {}
    for send in sends:
        if send.status in ("sent", "bounced") and (
            send.enrollment_id not in last or send.step_index > last[send.enrollment_id].step_index
        ):
            last[send.enrollment_id] = send
    out: dict[str, dict[str, int]] = {"intro": {}, "bump": {}, "linkedin": {}}
    for enrollment in rig.engine.store.enrollments_by_id(last).values():
        if enrollment.status == "stopped" and enrollment.id is not None:
            cell = out[last[enrollment.id].step_key]
            cell[enrollment.stop_reason or ""] = cell.get(enrollment.stop_reason or "", 0) + 1
    return {
        step: dict(sorted(cell.items(), key=lambda kv: reporting.STOP_REASONS.index(kv[0])))
        for step, cell in out.items()
    }


# -- a PNG decoder, enough for Chromium's screenshots (8-bit RGB or RGBA, not interlaced)
# ------------


def screenshot_pixels(browser: Browser, selector: str) -> list[tuple[int, int, int]]:
    box: dict[str, Any] = browser.evaluate(f"""(() => {{
        const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();
        return {{x: r.left + window.scrollX, y: r.top + window.scrollY,
                 width: r.width, height: r.height}};
    }})()""")
    shot = browser.send(
        "Page.captureScreenshot", format="png", captureBeyondViewport=True, clip={**box, "scale": 1}
    )
    return decode_png(base64.b64decode(shot["data"]))


def decode_png(data: bytes) -> list[tuple[int, int, int]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks: dict[bytes, bytes] = {}
    at = 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        chunks[kind] = chunks.get(kind, b"") + data[at + 8 : at + 8 + length]
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    size = 4 if colour == 6 else 3
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * size
    previous = bytearray(stride)
    pixels: list[tuple[int, int, int]] = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                corner = previous[i - size] if i >= size else 0
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                line[i] = (
                    line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
                ) & 0xFF
        pixels.extend((line[x], line[x + 1], line[x + 2]) for x in range(0, stride, size))
        previous = line
    return pixels
