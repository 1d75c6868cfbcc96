"""Hostile and careless sequence files: each refusal is a located problem, never a traceback."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from sequence_texts import alias_bomb

from sequencer.errors import Problem
from sequencer.loader import MAX_BODY_FILE_BYTES, MAX_FILE_BYTES, load_file

STEP = """\
name: limits
steps:
  - key: intro
    day: 0
    channel: email
    subjects:
      - key: a
        text: "Hello"
    bodies:
      - key: one
        {body}
"""


ONE_STEP = "steps:\n  - key: li\n    day: 0\n    channel: linkedin\n    message: hi\n"


def write(folder: Path, text: str, name: str = "seq.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def only_error(path: Path) -> Problem:
    _, problems = load_file(path)
    found = [p for p in problems if p.severity == "error"]
    assert len(found) == 1, found
    return found[0]


def test_alias_bomb_used_as_a_key_is_refused_where_it_grows(tmp_path: Path) -> None:
    problem = only_error(write(tmp_path, alias_bomb()))
    assert problem.line == 7  # `e:`, the first level past the expansion cap (9**5 values)
    assert "expands to more than" in problem.message
    assert str(problem).startswith(f"{tmp_path / 'seq.yaml'}:7:")


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    text = (
        STEP.format(body="text: &hi \"Hi {{ first_name | default('there') }}\"")
        + "  - key: li\n    day: 3\n    channel: linkedin\n    message: *hi\n"
    )
    sequence, problems = load_file(write(tmp_path, text))
    assert sequence is not None, problems
    assert sequence.steps[1].message is not None and "Hi" in sequence.steps[1].message.source


def test_too_many_aliases_are_refused(tmp_path: Path) -> None:
    text = "name: many\nx: &x 1\nys: [" + ", ".join(["*x"] * 101) + "]\nsteps: []\n"
    problem = only_error(write(tmp_path, text))
    assert (problem.line, "more than 100 aliases") == (
        3,
        problem.message[: len("more than 100 aliases")],
    )


@pytest.mark.parametrize(
    "tag", ["!!python/name:os.system", "!!python/object/apply:os.system", "!custom", "!!str"]
)
def test_yaml_tags_are_refused_with_their_line(tmp_path: Path, tag: str) -> None:
    problem = only_error(write(tmp_path, f"name: tagged\nsteps:\n  - {tag} ['echo hi']\n"))
    assert problem.line == 3
    assert f"YAML tags such as '{tag}' are not allowed" in problem.message


@pytest.mark.parametrize("key", ["[a, b]", "{a: 1}"])
def test_non_scalar_keys_are_refused_with_their_line(tmp_path: Path, key: str) -> None:
    problem = only_error(write(tmp_path, f"name: keys\n? {key}\n: 1\n{ONE_STEP}"))
    assert problem.line == 2
    assert "a field name should be a plain word" in problem.message


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_very_deep_nesting_is_a_located_error(tmp_path: Path, opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    text = "name: deep\nsteps: " + opening * 100_000 + closing * 100_000 + "\n"
    problem = only_error(write(tmp_path, text))
    assert problem.line == 2
    assert "nested more than" in problem.message


def test_oversized_sequence_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "name: big\n# " + "x" * MAX_FILE_BYTES + "\nsteps: []\n")
    problem = only_error(path)
    assert "larger than the 1,048,576-byte limit" in problem.message


def body_problem(folder: Path, name: str) -> Problem:
    problem = only_error(write(folder, STEP.format(body=f"file: {name}")))
    assert problem.line == 11 and problem.path == "steps[0].bodies[0].file", problem
    return problem


def test_body_file_outside_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sequences"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("the neighbour's secret")
    problem = body_problem(folder, "../secret.txt")
    assert "must be inside the sequence's folder" in problem.message
    assert "must be inside" in body_problem(folder, "../../../../../../etc/hostname").message
    assert "must be inside" in body_problem(folder, "/etc/hostname").message


def test_body_file_symlink_pointing_outside_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sequences"
    (folder / "bodies").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("the neighbour's secret")
    os.symlink(tmp_path / "secret.txt", folder / "bodies" / "intro.txt")
    assert "must be inside" in body_problem(folder, "bodies/intro.txt").message


def test_body_file_symlink_inside_the_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "bodies").mkdir()
    (tmp_path / "bodies" / "real.txt").write_text("Hello from the real file.")
    os.symlink(tmp_path / "bodies" / "real.txt", tmp_path / "bodies" / "link.txt")
    sequence, problems = load_file(write(tmp_path, STEP.format(body="file: bodies/link.txt")))
    assert sequence is not None, problems
    assert sequence.steps[0].bodies[0].template.source == "Hello from the real file."


def test_body_file_must_be_a_regular_file(tmp_path: Path) -> None:
    os.symlink("/dev/zero", tmp_path / "zero.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # opening a FIFO to read would wait for a writer
    (tmp_path / "folder.txt").mkdir()
    assert (
        "must be inside" in body_problem(tmp_path, "zero.txt").message
    )  # it resolves to /dev/zero
    for name in ("pipe.txt", "folder.txt"):
        assert "not a regular file" in body_problem(tmp_path, name).message


def test_dev_zero_is_refused(tmp_path: Path) -> None:
    assert "must be inside" in body_problem(tmp_path, "/dev/zero").message


def test_oversized_body_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * (MAX_BODY_FILE_BYTES + 1))
    assert "larger than the 1,048,576-byte limit" in body_problem(tmp_path, "big.txt").message


def test_dates_yaml_cannot_convert_are_located_errors(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        name: 2026-02-30
        steps:
          - key: intro
            day: 2026-13-45
            channel: linkedin
            message: hi
        """)
    _, problems = load_file(write(tmp_path, text))
    assert [(p.line, p.path) for p in problems if p.severity == "error"] == [(4, "steps[0].day")]
