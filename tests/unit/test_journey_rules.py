"""The pure rules behind chaining, rotation, company stop and frequency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sequencer.caps import Capacity, SenderBook
from sequencer.config import parse_config
from sequencer.contacts import company_domain
from sequencer.enrollment import (
    chain_delay,
    company_scope,
    frequency_opens,
    place_rotating,
    unmet_conditions,
)
from sequencer.errors import ConfigError
from sequencer.loader import load_file
from sequencer.model import Sequence, StopScope, Then

T = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 09:00 in Helsinki


def test_chain_delay_is_a_whole_day_in_range_stable_per_contact_and_spread() -> None:
    then = Then(sequence="reminder", after_days=(90, 180))
    days = [chain_delay(then, seed=str(i)) for i in range(500)]
    assert all(timedelta(days=90) <= d <= timedelta(days=180) and d.seconds == 0 for d in days)
    assert chain_delay(then, seed="7") == chain_delay(then, seed="7")
    assert min(days) <= timedelta(days=95) and max(days) >= timedelta(days=175)
    assert chain_delay(Then(sequence="x", after_days=(30, 30)), seed="1") == timedelta(days=30)


def test_only_if_conditions() -> None:
    then = Then(
        sequence="x", after_days=(1, 1), only_if=("not_replied", "opened", "field:title=CEO")
    )
    assert unmet_conditions(then, events={"open"}, fields={"title": " ceo "}) == []
    assert unmet_conditions(then, events={"open", "reply"}, fields={"title": "CEO"}) == [
        "not_replied"
    ]
    assert unmet_conditions(then, events=set(), fields={}) == ["opened", "field:title=CEO"]
    assert unmet_conditions(
        Then(sequence="x", after_days=(1, 1), only_if=("clicked",)), events={"open"}, fields={}
    ) == ["clicked"]


def test_company_domains_exclude_free_mail() -> None:
    assert company_domain("ada@northwind.example") == "northwind.example"
    assert company_domain("dee@gmail.com") is None and company_domain("x@luukku.com") is None
    assert company_domain("x@example-mail.fi", frozenset({"example-mail.fi"})) is None
    scoped = Sequence(name="s", stop_scope=StopScope.COMPANY)
    assert company_scope(scoped, "northwind.example") == "northwind.example"
    assert company_scope(Sequence(name="s"), "northwind.example") is None
    assert company_scope(scoped, None) is None


def test_frequency_rule_names_when_the_next_message_may_go() -> None:
    week = timedelta(days=7)
    assert frequency_opens([], max_messages=2, span=week, now=T) is None
    assert frequency_opens([T - timedelta(days=1)], max_messages=2, span=week, now=T) is None
    sent = [T - timedelta(days=3), T - timedelta(days=1), T - timedelta(days=20)]
    assert frequency_opens(sent, max_messages=2, span=week, now=T) == T - timedelta(days=3) + week
    assert frequency_opens(sent, max_messages=3, span=week, now=T) is None


def test_rotation_follows_free_capacity() -> None:
    helsinki = ZoneInfo("Europe/Helsinki")
    caps = {"a": 30, "b": 20, "c": 10}
    books = {
        name: SenderBook(
            Capacity(daily_cap=cap, min_gap=timedelta(minutes=2), zone=helsinki), seed=name
        )
        for name, cap in caps.items()
    }
    for minutes in range(30):  # a's first day is already full
        books["a"].record(T.replace(hour=0) + timedelta(minutes=minutes))
    seq = Sequence(name="s", timezone=helsinki)
    chosen = [place_rotating(seq, zone=helsinki, now=T, books=books)[0] for _ in range(90)]
    # day 1: b 20 + c 10; day 2: a 30, b 20, c 10 (all at once, in order of free slots)
    assert {name: chosen.count(name) for name in caps} == {"a": 30, "b": 40, "c": 20}
    assert chosen[:30].count("a") == 0
    with pytest.raises(ValueError):
        place_rotating(seq, zone=helsinki, now=T, books={})


def test_loader_reads_sender_lists_and_stop_scope(tmp_path: Path) -> None:
    text = """name: s
defaults:
  sender: [jane, mikko]
stop_scope: company
steps:
  - key: a
    day: 0
    channel: linkedin
    message: hi
"""
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    sequence, problems = load_file(tmp_path / "s.yaml", senders=["jane", "mikko"])
    assert problems == [] and sequence is not None
    assert (sequence.senders, sequence.sender, sequence.stop_scope) == (
        ("jane", "mikko"),
        "jane",
        StopScope.COMPANY,
    )

    bad = text.replace("[jane, mikko]", "[jane, mikk, jane]").replace(
        "stop_scope: company", "stop_scope: companies"
    )
    (tmp_path / "s.yaml").write_text(bad, encoding="utf-8")
    _, problems = load_file(tmp_path / "s.yaml", senders=["jane", "mikko"])
    messages = [f"{p.line} {p.path}: {p.message}" for p in problems]
    assert any(
        m.startswith("3 defaults.sender[1]: no sender named 'mikk'") and "mikko" in m
        for m in messages
    ), messages
    assert any(
        m.startswith("3 defaults.sender[2]: sender 'jane' is listed twice") for m in messages
    ), messages
    assert any(m.startswith("4 stop_scope: 'companies' is not a stop scope") for m in messages), (
        messages
    )


def test_config_frequency_and_free_mail() -> None:
    config = parse_config(
        {
            "frequency": {"max_messages": 3, "days": 7},
            "companies": {"free_mail": ["@Example-Mail.fi"]},
        }
    )
    assert config.frequency is not None and (
        config.frequency.max_messages,
        config.frequency.span,
    ) == (3, timedelta(days=7))
    assert config.free_mail == frozenset({"example-mail.fi"})
    assert parse_config({}).frequency is None
    with pytest.raises(ConfigError, match=r"frequency\.days: should be a whole number"):
        parse_config({"frequency": {"max_messages": 3, "days": 0}})
    with pytest.raises(ConfigError, match=r"frequency: unknown key 'per_days'|per_days"):
        parse_config({"frequency": {"max_messages": 3, "days": 2, "per_days": 7}})
    with pytest.raises(ConfigError, match=r"companies\.free_mail"):
        parse_config({"companies": {"free_mail": "gmail"}})
