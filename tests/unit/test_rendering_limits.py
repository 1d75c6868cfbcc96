"""Templates that would exhaust memory or time at send time are refused, at send and at validate."""

from __future__ import annotations

from pathlib import Path

import pytest

from sequencer import rendering
from sequencer.loader import load_file

CONTACT = rendering.sample_context(set())

HOSTILE = {
    "repeat": "{{ 'a' * 3000000000 }}",
    "power": "{{ 10 ** 100000000 }}",
    "nested loops": "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}"
    "{% endfor %}",
    "empty nested loops": "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}"
    "{% endfor %}",
    "big range": "{% for i in range(100000000) %}{% endfor %}",
    "doubling": "{% set ns = namespace(s='x') %}{% for i in range(64) "
    "%}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "padding": "{{ 'a'.center(3000000000) }}",
    "padding filter": "{{ 'a' | center(3000000000) }}",
    "format width": "{{ '{:>3000000000}'.format(1) }}",
    "replace": "{{ ('a' * 90000) | replace('a', 'a' * 90000) }}",
    "join": "{{ range(10000) | join('x' * 90000) }}",
    "json indent": "{{ range(10000) | list | tojson(indent=99999) }}",
    "exponential macro": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) "
    "}}{% endif %}{% endmacro %}{{ f(60) }}",
    "list mutation": "{% set xs = [1] %}{% for i in range(30) %}{{ xs.extend(xs) }}{% endfor %}",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_template_is_refused_naming_the_template(source: str) -> None:
    with pytest.raises(
        rendering.RenderRefused,
        match=r"^steps\[0\]\.bodies\[one\]: refused by the template sandbox",
    ):
        rendering.render(source, CONTACT, name="steps[0].bodies[one]")


def test_rendered_text_is_capped() -> None:
    long = "{% for i in range(5000) %}" + "x" * 30 + "{% endfor %}"  # 150,000 characters
    with pytest.raises(rendering.RenderRefused, match="longer than the 100,000-character limit"):
        rendering.render(long, CONTACT)
    assert len(rendering.render(long, CONTACT, limit=200_000)) == 150_000


def test_failures_of_the_authors_own_code_are_render_errors() -> None:
    for source in ("{{ 1 / 0 }}", "{{ 2.0 ** 100000 }}", "{{ 'a' - 1 }}"):
        with pytest.raises(rendering.RenderError, match="the template failed"):
            rendering.render(source, CONTACT)


def test_ordinary_templates_render_as_before() -> None:
    source = (
        "Hi {{ first_name | default('there') }} at {{ company | upper }}, "
        "{% for i in range(3) %}{{ i }}{% if not loop.last %}-{% endif %}{% endfor %} "
        "{{ '%s/%s' % (1, 2) }} {{ ', '.join(['a', 'b']) "
        "}} {{ 'ab' ~ title }} {{ 'x' * 3 }} {{ 2 ** 10 }} "
        "{{ '{} ok'.format(sender.first_name) }} {{ [1, 2] | join('+') }} "
        "{% macro price(n) %}<{{ n }}>{% endmacro %}{{ price(1500000) }}"
    )
    assert (
        rendering.render(
            source,
            {
                "first_name": "Kiri",
                "company": "Tasman",
                "title": "CTO",
                "sender": {"first_name": "Jane"},
            },
        )
        == "Hi Kiri at TASMAN, 0-1-2 1/2 a, b abCTO xxx 1024 Jane ok 1+2 <1500000>"
    )


SEQUENCE = """\
name: hostile
fields: [score]
steps:
  - key: intro
    day: 0
    channel: email
    subjects:
      - key: a
        text: "Hello {{{{ first_name | default('there') }}}}"
    bodies:
      - key: fine
        text: "Hi {{{{ score }}}}"
      - key: bad
        text: "{body}"
"""


def test_validate_refuses_a_variant_the_sandbox_would_refuse_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(SEQUENCE.format(body="{{ 'a' * 3000000000 }}"))
    sequence, problems = load_file(path)
    assert sequence is None
    [problem] = [p for p in problems if p.severity == "error"]
    assert (problem.line, problem.path) == (14, "steps[0].bodies[1].text")
    assert "the template cannot be sent" in problem.message and "3,000,000,000" in problem.message


def test_validate_renders_custom_fields_and_unsafe_attributes_fail(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(SEQUENCE.format(body="{{ score.__class__ }}"))
    _, problems = load_file(path)
    assert [(p.line, "unsafe" in p.message) for p in problems if p.severity == "error"] == [
        (14, True)
    ]


def test_validate_warns_when_a_template_fails_only_for_the_sample_contact(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(SEQUENCE.format(body="{{ 100 / (score | int) }}"))  # fine for a numeric score
    sequence, problems = load_file(path)
    assert sequence is not None
    assert [(p.line, p.severity) for p in problems if "sample contact" in p.message] == [
        (14, "warning")
    ]
