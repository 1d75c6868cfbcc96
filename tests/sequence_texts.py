"""Sequence files the tests write: open every hour of every day, so real-time workers send at once,
whenever the suite runs; and one plain email step for tests of a sender's days."""

from __future__ import annotations

import itertools

_ALWAYS_OPEN = """\
name: {name}
defaults:
  timezone: UTC
  window:
    days: [mon, tue, wed, thu, fri, sat, sun]
    hours: "00:00-23:59"
  business_days: false
steps:
  - key: {step}
    day: 0
    channel: email
    subjects:
      - key: a
        text: "Hello {{{{ first_name | default('there') }}}}"
    bodies:
      - key: b
        text: "A short note."
"""

#: One email step, Helsinki time, the default window: for tests of a sender's days and caps.
ONE_EMAIL = """\
name: single
defaults:
  timezone: Europe/Helsinki
steps:
  - key: intro
    day: 0
    channel: email
    subjects:
      - key: hello
        text: "Hello {{ first_name | default('there') }}"
    bodies:
      - key: short
        text: "Hi {{ company | default('team') }}"
"""

_FOLLOW_UP = """\
  - key: bump
    day: {day}
    channel: email
    thread: true
    bodies:
      - key: n
        text: "Following up."
"""


def always_open(name: str = "always", step: str = "intro") -> str:
    """A one-step email sequence: subject a, body b."""
    return _ALWAYS_OPEN.format(name=name, step=step)


def follow_up(day: int) -> str:
    """A threaded ``bump`` email step ``day`` days after message 1, to append to
    :func:`always_open`.
    """
    return _FOLLOW_UP.format(day=day)


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": nine aliases per level, ``levels`` levels, the top one used as a
    mapping key (9**9 values once expanded). Level ``e`` (line 7) is the first over 20,000."""
    names = "abcdefghij"[:levels]
    lines = ['  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in itertools.pairwise(names):
        lines.append(f"  {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "name: bomb\nlol:\n" + "\n".join(lines) + f"\n? *{names[-1]}\n: 1\nsteps: []\n"
