"""Fuzzing the sequence loader: YAML-ish text from a grammar of keys, anchors, aliases, tags,
deep nesting and random unicode never escapes as a traceback, only as located problems.

The counts print at the end of the run (``tests/fuzzcounts.py``). The run is derandomized, so
CI tries the same 300 inputs each time; ``FUZZ_N=5000`` looks further, with fresh random inputs.
"""

from __future__ import annotations

import os
from pathlib import Path

import fuzzcounts
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequencer.loader import load_file

KEYS = (
    "name",
    "description",
    "steps",
    "key",
    "day",
    "channel",
    "subjects",
    "bodies",
    "text",
    "file",
    "message",
    "thread",
    "url",
    "defaults",
    "sender",
    "timezone",
    "timezone_from",
    "window",
    "days",
    "hours",
    "business_days",
    "holidays",
    "country",
    "subdivision",
    "dates",
    "stop_on",
    "reply",
    "goals",
    "stop_scope",
    "fields",
    "then",
    "sequence",
    "after_days",
    "only_if",
    "scoring",
    "metric",
    "alpha",
    "min_sends",
    "<<",
)
WORDS = (
    "0",
    "-1",
    "4",
    "18",
    "email",
    "linkedin",
    "call",
    "webhook",
    "true",
    "no",
    "null",
    "~",
    "2026-02-30",
    "2026-12-24",
    "'09:00-17:00'",
    "25:99-01:00",
    "Europe/Helsinki",
    "Nowhere/City",
    "FI",
    "US",
    "'CA'",
    "0.05",
    "1e400",
    ".nan",
    "0x1F",
    "0o17",
    "1_000",
    "190:20:30",
    "9" * 5000,
    "'{{ first_name }}'",
    "'{{ first_name | default(\"there\") }}'",
    "\"{{ 'a' * 3000000000 }}\"",
    "'{{ 10 ** 10 ** 10 }}'",
    "'{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}'",
    "'{{ x.__class__.__mro__ }}'",
    "'{{ sender.nope }}'",
    "'{{'",
    "'{% if %}'",
    "'{{ ((((((((((((1)))))))))))) }}'",
    "bodies/ok.txt",
    "bodies/link.txt",
    "bodies",
    "../outside.txt",
    "/dev/zero",
    "/etc/hostname",
    '"a\\0b"',
    "field:company=Acme",
    "not_replied",
    "[90, 180]",
    "https://example.com/hook",
    '"\\x07\\e[5m"',
    "|\n  block {{ first_name }}\n",
    "''",
    "[]",
    "{}",
)
DECORATIONS = (
    "&a",
    "&b",
    "&a &b",
    "!!python/name:os.system",
    "!!python/object/apply:os.system",
    "!x",
    "!!str",
    "!!binary",
    "!!set",
    "!!omap",
    "!",
    "!<tag:yaml.org,2002:int>",
)

printable = st.characters(blacklist_categories=("Cc", "Cs"))
words = st.one_of(
    st.sampled_from(WORDS),
    st.text(printable, max_size=12).map(repr),
    st.text(printable, max_size=8),
)
keys = st.one_of(
    st.sampled_from(KEYS),
    st.sampled_from(KEYS),
    st.text(printable, min_size=1, max_size=6),
    st.sampled_from(("[a, b]", "{a: 1}", "*a", "? x")),
)
leaves = st.one_of(*[words] * 8, st.sampled_from(("*a", "*b", "*missing")))


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(keys, children), max_size=4).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
        ),
        children,
        children,
        children,
        children,
        st.tuples(st.sampled_from(DECORATIONS), children).map(" ".join),
        st.tuples(keys, children).map(lambda kv: f"{{? {kv[0]} : {kv[1]}}}"),
    )


values = st.recursive(leaves, _flow, max_leaves=12)
deep = st.integers(1, 300).map(lambda n: "[" * n + "]" * n)
anything = st.one_of(*[words] * 10, *[values] * 4, deep)
variant = st.tuples(st.sampled_from(("text", "file", "text", "key")), anything).map(
    lambda kv: f"{{key: v{len(kv[1]) % 3}, {kv[0]}: {kv[1]}}}"
)
variants = st.lists(st.one_of(variant, variant, anything), max_size=3).map(
    lambda xs: "[" + ", ".join(xs) + "]"
)


@st.composite
def steps(draw: st.DrawFn) -> list[str]:
    """A step that is mostly well formed, with some of its parts replaced by anything."""
    fields = {
        "key": draw(st.sampled_from(("intro", "bump", "li"))),
        "day": draw(st.sampled_from(("0", "4", "-1"))),
        "channel": draw(st.sampled_from(("email", "linkedin", "call", "webhook"))),
        "subjects": draw(variants),
        "bodies": draw(variants),
        "message": draw(anything),
        "thread": draw(st.sampled_from(("true", "false"))),
    }
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=3)):
        fields[name] = draw(st.one_of(anything, st.just("")))
    chosen = ["key", "day", "channel"][draw(st.sampled_from((0, 0, 0, 1))) :]
    chosen += draw(
        st.lists(
            st.sampled_from(("subjects", "bodies", "message", "thread")), max_size=3, unique=True
        )
    )
    chosen += [f"{draw(keys)}" for _ in range(draw(st.integers(0, 1)))]
    return [
        f"  {'-' if i == 0 else ' '} {k}: {fields.get(k) or draw(anything)}"
        for i, k in enumerate(chosen)
    ]


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Anchors first, a few top-level fields, a block list of steps, then random unicode spliced
    in.
    """
    lines = (
        [f"shared: {{one: &a {draw(words)}, two: &b {draw(values)}}}"]
        if draw(st.booleans())
        else []
    )
    lines.append(f"name: {draw(words)}")
    lines += [f"{draw(keys)}: {draw(anything)}" for _ in range(draw(st.integers(0, 3)))]
    lines.append("steps:")
    for _ in range(draw(st.integers(0, 3))):
        lines += draw(steps())
    text = "\n".join(lines) + "\n"
    for _ in range(draw(st.sampled_from((0, 0, 0, 1, 2)))):  # splice random unicode in anywhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(min_size=1, max_size=4)) + text[at:]
    return text


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A sequences folder with a body file, a symlink leading out of it, and a file outside it."""
    inside = tmp_path / "sequences"
    (inside / "bodies").mkdir(parents=True)
    (inside / "bodies" / "ok.txt").write_text("Hi {{ first_name | default('there') }}")
    (tmp_path / "outside.txt").write_text("secret")
    os.symlink(tmp_path / "outside.txt", inside / "bodies" / "link.txt")
    return inside


def test_loader_never_raises_on_yaml_ish_text(
    folder: Path, record_property: pytest.RecordProperty
) -> None:
    path = folder / "fuzz.yaml"
    tried = tracebacks = unlocated = 0

    @settings(
        max_examples=int(os.environ.get("FUZZ_N", "300")),
        derandomize=not os.environ.get("FUZZ_N"),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(documents())
    def load(text: str) -> None:
        nonlocal tried, tracebacks, unlocated
        tried += 1
        path.write_text(text, encoding="utf-8")
        try:
            _, problems = load_file(path)
        except Exception:
            tracebacks += 1
            raise
        bad = [
            p
            for p in problems
            if p.file != str(path) or not p.message or p.line < 0 or p.line > text.count("\n") + 2
        ]
        unlocated += bool(bad)
        assert not bad, bad

    try:
        load()
    finally:
        fuzzcounts.record("yaml loader", tried, tracebacks, unlocated=unlocated)
        record_property(
            "fuzz_yaml_loader", f"tried={tried} tracebacks={tracebacks} unlocated={unlocated}"
        )
