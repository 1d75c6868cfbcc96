"""`sequencer plan` as a user runs it: a subprocess over the shipped cold sequence, no database
touched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_texts import run

REPO = Path(__file__).resolve().parents[2]

CONFIG = """\
database = "sqlite:///db.sqlite"
sequences = ["{sequences}"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
timezone = "Europe/Helsinki"
daily_cap = 40
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "sequencer.toml").write_text(CONFIG.format(sequences=REPO / "sequences"))
    return tmp_path


def test_plan_prints_the_schedule_the_replies_and_the_retirement(workdir: Path) -> None:
    # 2 senders at 50 + 40 a day from Tuesday 1 December: Tue-Thu send 270 message 1s (jane 150,
    # mikko
    # 120), Friday the last 30, split between them. The follow-ups are due 4 days later, on the next
    # Monday at the earliest, so they do not compete with message 1 this week.
    result = run(
        workdir,
        "plan",
        "--sequence",
        "cold",
        "--contacts",
        "300",
        "--sender",
        "jane:50",
        "--sender",
        "mikko:40",
        "--runs",
        "20",
        "--seed",
        "3",
        "--start",
        "2026-12-01",
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Plan for cold: 300 contacts enrolled Tue 2026-12-01 00:00 EET" in text
    assert "jane 50/day, mikko 40/day (Europe/Helsinki)" in text
    assert "first message 1             Tue 2026-12-01 09:00 EET" in text
    assert "everyone has had message 1  after 0.5 weeks (4 sending days)" in text
    assert "last message 1              Fri 2026-12-04" in text
    split = re.search(r"message 1 by sender +jane (\d+), mikko (\d+)", text)
    assert split is not None
    jane, mikko = int(split[1]), int(split[2])
    assert jane + mikko == 300 and 150 <= jane <= 180 and 120 <= mikko <= 150
    assert "expected positive replies (mean of 20 runs)" in text  # cold's metric: the default
    assert "A variant 2x worse: intro / subject / first_name_hook at 2.0% against 4.0%" in text
    assert "all variants equal          one retired in" in text
    assert not (workdir / "db.sqlite").exists()


def test_plan_as_json_uses_the_configured_senders_and_is_repeatable(workdir: Path) -> None:
    args = (
        "plan",
        "--sequence",
        "cold",
        "--contacts",
        "200",
        "--runs",
        "10",
        "--start",
        "2026-12-01",
        "--json",
    )
    first, again = run(workdir, *args), run(workdir, *args)
    assert first.returncode == 0, first.stderr
    plan = json.loads(first.stdout)
    assert first.stdout == again.stdout
    assert [s["name"] for s in plan["input"]["senders"]] == ["jane"] and plan["input"]["senders"][
        0
    ]["daily_cap"] == 40
    assert plan["schedule"]["contacts_by_sender"] == {"jane": 200}
    assert plan["schedule"]["first_message_1"] == "2026-12-01T07:00:00Z"  # 09:00 in Helsinki
    assert [s["key"] for s in plan["steps"]] == ["intro", "bump", "linkedin"] and plan["steps"][0][
        "sends"
    ] == 200
    assert plan["retirement"]["runs"] == 10 and plan["retirement"]["key"] == "first_name_hook"
    advice = plan["recommendation"]
    assert advice["target"] == 0.8 and advice["runs"] == 10 and advice["contacts"] > 200
    assert plan["input"]["horizon_weeks"] == plan["covering_weeks"]  # the horizon covers it all


def test_plan_says_how_many_contacts_give_80_percent_power_and_that_300_are_too_few(
    workdir: Path,
) -> None:
    result = run(
        workdir,
        *("plan", "--sequence", "cold", "--contacts", "300", "--sender", "jane:50"),
        *("--runs", "20", "--seed", "3", "--start", "2026-12-01", "--weeks", "2"),
    )
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # the sentences, whatever the line breaks
    # the horizon asked for ends before the schedule does, and the plan says so
    covering = re.search(r"the schedule needs (\d+) weeks until every send is counted", text)
    assert covering is not None and int(covering[1]) > 2, text
    assert "within the 2-week horizon (too short:" in text
    # the recommendation: the planned campaign is too small, and how big would do
    assert "Recommendation (20 runs per audience tried," in text
    planned = re.search(
        r"300 contacts \((\d+) weeks until every send is counted\) retire a 2x "
        r"worse variant in (\d+)% of runs: too small for 80% power\.",
        text,
    )
    assert planned is not None and int(planned[2]) < 80, text
    advice = re.search(
        r"About ([\d,]+) contacts, which take (\d+) weeks at these senders' caps, "
        r"give 80% power \(retired in (\d+)% of runs\) at 4\.0% a message",
        text,
    )
    assert advice is not None, text
    contacts, weeks, power = int(advice[1].replace(",", "")), int(advice[2]), int(advice[3])
    assert contacts > 300 and weeks > int(planned[1]) and power >= 80


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--sequence", "cld", "--contacts", "10"),
            "error: no sequence named 'cld' (loaded: cold, network, reminder)",
        ),
        (
            ("--sequence", "cold", "--contacts", "10", "--sender", "jane:0"),
            "error: sender 'jane': daily_cap must be at least 1",
        ),
        (
            ("--sequence", "cold", "--contacts", "10", "--rate", "4"),
            "error: rate should be between 0 and 1 (0.04 is 4%), got 4",
        ),
    ],
)
def test_plan_mistakes_are_one_line_errors(
    workdir: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(workdir, "plan", *args)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
