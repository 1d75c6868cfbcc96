"""Sequence validation: every class of error is reported with its file, line and field path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sequencer.errors import Problem, SequenceInvalid
from sequencer.loader import load_file, load_paths, load_sequences
from sequencer.model import Channel

REPO = Path(__file__).resolve().parents[2]

GOOD = """\
name: good
defaults:
  timezone: Europe/Helsinki
  window:
    days: [mon, tue, wed, thu, fri]
    hours: "09:00-17:00"
steps:
  - key: intro
    day: 0
    channel: email
    subjects:
      - key: a
        text: "Hello {{ first_name | default('there') }}"
    bodies:
      - key: one
        text: "Hi {{ company | default('team') }}"
  - key: bump
    day: 4
    channel: email
    thread: true
    bodies:
      - key: nudge
        text: "Bumping this."
  - key: li
    day: 18
    channel: linkedin
    message: "Hi {{ first_name | default('there') }}"
"""


def write(tmp_path: Path, text: str, name: str = "seq.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors(path: Path) -> list[Problem]:
    _, problems = load_file(path)
    return [p for p in problems if p.severity == "error"]


def only_error(path: Path) -> Problem:
    found = errors(path)
    assert len(found) == 1, found
    return found[0]


def test_good_file_loads(tmp_path: Path) -> None:
    sequence, problems = load_file(write(tmp_path, GOOD))
    assert problems == []
    assert sequence is not None
    assert [s.key for s in sequence.steps] == ["intro", "bump", "li"]
    assert sequence.steps[1].thread and sequence.steps[2].channel is Channel.LINKEDIN


def test_shipped_sequences_are_valid() -> None:
    loaded, problems = load_paths([REPO / "sequences"])
    assert [p for p in problems if p.severity == "error"] == []
    assert set(loaded) == {"cold", "reminder", "network"}
    intro = loaded["cold"].steps[0]
    assert len(intro.subjects) >= 3 and len(intro.bodies) >= 2
    assert loaded["cold"].then is not None and loaded["cold"].then.sequence == "reminder"


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD.replace("  timezone: Europe/Helsinki", "  timezon: Europe/Helsinki")
    )
    problem = only_error(path)
    assert (problem.file, problem.line, problem.path) == (str(path), 3, "defaults.timezon")
    assert "did you mean 'timezone'" in problem.message


def test_duplicate_step_keys(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  - key: li", "  - key: bump"))
    problem = only_error(path)
    assert (problem.line, problem.path) == (24, "steps[2].key")
    assert "already used by steps[1]" in problem.message


def test_days_going_backwards(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("day: 18", "day: 2"))
    problem = only_error(path)
    assert (problem.line, problem.path) == (25, "steps[2].day")
    assert "cannot go backwards" in problem.message


def test_first_step_must_be_day_zero(tmp_path: Path) -> None:
    problem = only_error(write(tmp_path, GOOD.replace("day: 0", "day: 1")))
    assert (problem.line, problem.path) == (9, "steps[0].day")


def test_empty_variant_list(tmp_path: Path) -> None:
    text = GOOD.replace(
        """    bodies:
      - key: nudge
        text: "Bumping this."
""",
        "    bodies: []\n",
    )
    problem = only_error(write(tmp_path, text))
    assert (problem.line, problem.path) == (21, "steps[1].bodies")
    assert "empty" in problem.message


def test_unknown_channel(tmp_path: Path) -> None:
    problem = only_error(write(tmp_path, GOOD.replace("channel: linkedin", "channel: linkdin")))
    assert (problem.line, problem.path) == (26, "steps[2].channel")
    assert "did you mean 'linkedin'" in problem.message


def test_template_syntax_error_in_block_text_points_at_the_line(tmp_path: Path) -> None:
    text = GOOD.replace(
        '        text: "Bumping this."', "        text: |\n          Line one\n          {{ oops }"
    )
    problem = only_error(write(tmp_path, text))
    assert problem.path == "steps[1].bodies[0].text"
    assert problem.line == 25  # the '{{ oops }' line itself
    assert "template syntax error" in problem.message


def test_unknown_variable(tmp_path: Path) -> None:
    problem = only_error(
        write(tmp_path, GOOD.replace("Hello {{ first_name", "Hello {{ frist_name"))
    )
    assert (problem.line, problem.path) == (13, "steps[0].subjects[0].text")
    assert (
        "unknown variable 'frist_name'" in problem.message
        and "did you mean 'first_name'" in problem.message
    )


def test_custom_field_must_be_declared(tmp_path: Path) -> None:
    text = GOOD.replace("Bumping this.", "About {{ industry | default('your field') }}")
    problem = only_error(write(tmp_path, text))
    assert "unknown variable 'industry'" in problem.message
    declared = write(tmp_path, "fields: [industry]\n" + text, name="declared.yaml")
    assert errors(declared) == []


def test_unknown_sender_attribute(tmp_path: Path) -> None:
    problem = only_error(write(tmp_path, GOOD.replace("Bumping this.", "{{ sender.nickname }}")))
    assert "sender.nickname" in problem.message


def test_field_without_fallback_is_a_warning_not_an_error(tmp_path: Path) -> None:
    sequence, problems = load_file(
        write(tmp_path, GOOD.replace("Bumping this.", "Hi {{ first_name }}"))
    )
    assert sequence is not None
    assert [(p.severity, p.line) for p in problems] == [("warning", 23)]
    assert "fallback" in problems[0].message


def test_missing_body_file(tmp_path: Path) -> None:
    text = GOOD.replace(
        "        text: \"Hi {{ company | default('team') }}\"", "        file: bodies/nope.txt"
    )
    problem = only_error(write(tmp_path, text))
    assert (problem.line, problem.path) == (16, "steps[0].bodies[0].file")
    assert "not found" in problem.message


def test_body_file_is_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "bodies").mkdir()
    (tmp_path / "bodies" / "b.txt").write_text("Hi {{ first_name | default('x') }}\n{% if %}\n")
    text = GOOD.replace(
        "        text: \"Hi {{ company | default('team') }}\"", "        file: bodies/b.txt"
    )
    problem = only_error(write(tmp_path, text))
    assert problem.line == 16 and "in bodies/b.txt line 2" in problem.message


def test_bad_time_zone(tmp_path: Path) -> None:
    problem = only_error(write(tmp_path, GOOD.replace("Europe/Helsinki", "Europe/Helsinky")))
    assert (problem.line, problem.path) == (3, "defaults.timezone")
    assert "did you mean 'Europe/Helsinki'" in problem.message


def test_bad_window_hours(tmp_path: Path) -> None:
    problem = only_error(write(tmp_path, GOOD.replace('"09:00-17:00"', '"17:00-09:00"')))
    assert (problem.line, problem.path) == (6, "defaults.window.hours")


def test_thread_step_with_subjects_and_first_email_in_thread(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    thread: true\n", "    thread: true\n    subjects:\n      - key: x\n        text: y\n"
    )
    text = text.replace(
        "    channel: email\n    subjects:\n      - key: a",
        "    channel: email\n    thread: true\n    subjects:\n      - key: a",
        1,
    )
    found = errors(write(tmp_path, text))
    assert [p.path for p in found] == ["steps[0].thread", "steps[0].subjects", "steps[1].subjects"]


def test_bounce_cannot_be_turned_off(tmp_path: Path) -> None:
    problem = only_error(write(tmp_path, GOOD + "stop_on:\n  bounce: false\n"))
    assert (problem.line, problem.path) == (29, "stop_on.bounce")


def test_then_is_parsed_and_checked_across_files(tmp_path: Path) -> None:
    first = write(
        tmp_path,
        GOOD + "then:\n  sequence: gooder\n  after_days: [90, 180]\n  only_if: [not_replied]\n",
        name="a.yaml",
    )
    _, problems = load_paths([first])
    assert [p.path for p in problems] == ["then.sequence"] and problems[0].line == 29
    sequence, _ = load_file(first)
    assert sequence is not None and sequence.then is not None
    assert sequence.then.after_days == (90, 180) and sequence.then.only_if == ("not_replied",)


def test_every_error_in_one_run_and_load_sequences_raises(tmp_path: Path) -> None:
    text = GOOD.replace("Europe/Helsinki", "Mars/Base").replace("channel: linkedin", "channel: fax")
    text = text.replace("day: 18", "day: 1")
    path = write(tmp_path, text)
    assert [p.line for p in errors(path)] == [3, 25, 26]
    with pytest.raises(SequenceInvalid) as caught:
        load_sequences([path])
    assert f"{path}:3:" in str(caught.value) and f"{path}:26:" in str(caught.value)


def test_not_yaml(tmp_path: Path) -> None:
    problem = only_error(write(tmp_path, "steps: [\n  - key: a\n"))
    assert problem.line >= 2 and "not valid YAML" in problem.message


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    problem = only_error(write(tmp_path, GOOD.replace("name: good\n", "name: good\nname: again\n")))
    assert (problem.line, problem.path) == (2, "name")


def with_holidays(text: str) -> str:
    """GOOD with ``defaults.holidays`` set to ``text`` (its first line is line 4)."""
    return GOOD.replace(
        "  timezone: Europe/Helsinki\n", "  timezone: Europe/Helsinki\n  holidays:" + text
    )


def test_holidays_by_country_code_plus_listed_dates(tmp_path: Path) -> None:
    sequence, problems = load_file(
        write(tmp_path, with_holidays("\n    country: fi\n    dates: [2026-12-31]\n"))
    )
    assert problems == [] and sequence is not None
    holidays = sequence.holidays
    assert (holidays.country, holidays.subdivision, holidays.dates) == (
        "FI",
        None,
        frozenset({"2026-12-31"}),
    )
    # Christmas Eve, Independence Day (in any year: no range to run out of), the listed date.
    for day in ("2026-12-24", "2027-12-06", "2061-12-06", "2026-12-31"):
        assert day in holidays, day
    assert "2026-12-23" not in holidays and "2026-12-30" not in holidays


def test_a_list_of_holiday_dates_still_works(tmp_path: Path) -> None:
    sequence, problems = load_file(write(tmp_path, with_holidays(" [2026-12-24, 2026-12-28]\n")))
    assert problems == [] and sequence is not None
    assert sequence.holidays.country is None and sequence.holidays.dates == frozenset(
        {"2026-12-24", "2026-12-28"}
    )
    assert "2026-12-28" in sequence.holidays and "2027-12-06" not in sequence.holidays


def test_a_subdivision_adds_its_own_holidays(tmp_path: Path) -> None:
    sequence, problems = load_file(
        write(tmp_path, with_holidays("\n    country: US\n    subdivision: CA\n"))
    )
    assert problems == [] and sequence is not None
    nationwide, _ = load_file(write(tmp_path, with_holidays("\n    country: US\n"), name="us.yaml"))
    assert nationwide is not None
    # Wed 2027-03-31, César Chávez Day: a California holiday, not a federal one.
    assert "2027-03-31" in sequence.holidays and "2027-03-31" not in nationwide.holidays
    assert "2027-07-05" in nationwide.holidays  # Independence Day (Sun 07-04) observed on Monday


@pytest.mark.parametrize(
    ("text", "line", "path", "message"),
    [
        (
            "\n    country: FN\n",
            5,
            "defaults.holidays.country",
            "unknown country code 'FN' for public holidays; "
            "use a two-letter ISO 3166 code such as FI, SE, DE or US",
        ),
        (
            "\n    country: Finland\n",
            5,
            "defaults.holidays.country",
            "unknown country code 'Finland' for public holidays; "
            "use a two-letter ISO 3166 code such as FI, SE, DE or US (did you mean 'FI'?)",
        ),
        ("\n    country: FIN\n", 5, "defaults.holidays.country", "(did you mean 'FI'?)"),
        ("\n    country: UK\n", 5, "defaults.holidays.country", "(did you mean 'GB'?)"),
        (
            "\n    country: US\n    subdivision: CX\n",
            6,
            "defaults.holidays.subdivision",
            "'CX' is not a subdivision of US (known: AK, AL,",
        ),
        (
            "\n    country: FI\n    subdivision: 01\n",
            6,
            "defaults.holidays.subdivision",
            'in quotes, like "CA" or "01"',
        ),
        (
            "\n    subdivision: CA\n",
            5,
            "defaults.holidays.subdivision",
            "a subdivision needs a 'country'",
        ),
        (
            "\n    contry: FI\n",
            5,
            "defaults.holidays.contry",
            "unknown field 'contry' (did you mean 'country'?)",
        ),
        (
            "\n    country: FI\n    dates: [2026-12-32]\n",
            6,
            "defaults.holidays.dates[0]",
            "'2026-12-32' is not a date",
        ),
        (
            " [2026-12-24, soon]\n",
            4,
            "defaults.holidays[1]",
            "'soon' is not a date like 2026-12-24",
        ),
    ],
)
def test_a_bad_holiday_calendar_names_file_line_and_field(
    tmp_path: Path, text: str, line: int, path: str, message: str
) -> None:
    file = write(tmp_path, with_holidays(text))
    problem = only_error(file)
    assert (problem.file, problem.line, problem.path) == (str(file), line, path)
    assert message in problem.message
