"""The library as a host program sees it: ``examples/library.py`` type-checks under
``mypy --strict`` and runs (real SMTP capture server, SQLite, a simulated clock), and the
facade keeps its promises: ``async with``, ``channels`` as any mapping and through
``from_config`` (the example's own ``slack`` channel among them), event hooks, a clear
:class:`InvalidReason`, a docstring on every public member.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType, ModuleType

import pytest

from sequencer import Engine, SequencerError, SimulatedClock
from sequencer.errors import InvalidReason
from sequencer.model import StopReason
from sequencer.stops import STOP_REASONS, stop_reason
from sequencer.testing import CaptureServer, RecordingChannel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "library.py"
DOC = ROOT / "docs" / "library.md"
START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # a Monday morning


def _env() -> dict[str, str]:
    """The environment of a host process that imports this checkout's ``sequencer``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("library_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _setup(tmp_path: Path, port: int = 2525) -> tuple[ModuleType, Path]:
    """The example's sequence and contacts in ``tmp_path``; its config, for ``port``."""
    example = _example()
    (tmp_path / "sequences").mkdir()
    (tmp_path / "sequences" / "welcome.yaml").write_text(example.SEQUENCE, encoding="utf-8")
    (tmp_path / "contacts.csv").write_text(example.CONTACTS, encoding="utf-8")
    return example, tmp_path


def test_the_example_passes_mypy_strict() -> None:
    """Run from the repository root, as CI does: mypy finds ``sequencer/`` (and its py.typed)
    on its search path, not through the editable install's import hook, which it cannot follow.
    """
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "examples/library.py"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Success" in done.stdout


def test_the_example_runs_and_sends_what_it_says(tmp_path: Path) -> None:
    """Three contacts get message 1; Bo replies and Cy books a meeting, so only Ada gets the
    slack heads-up and the bump: four emails reach the SMTP server, one message the host's
    slack channel, the hooks hear each send, reply and stop, and the bad reason is refused by
    name."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        cwd=tmp_path,  # a host's own folder: the example needs nothing from the checkout's cwd
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "imported 3, enrolled 3" in out
    assert "day 1: sent 3" in out
    assert "next two weeks: sent 2" in out
    assert "welcome/hello: sent 3, replied 1" in out
    assert "welcome/heads_up: sent 1, replied 0" in out
    assert "welcome/bump: sent 1, replied 0" in out
    assert "the SMTP server received 4 emails" in out
    assert "to ada@analytical.example     Re: Hello Ada" in out
    assert "refused: reason 'replied' is not a stop reason (did you mean 'reply'?)" in out
    assert "hook: bo@northwind.example replied\n" in out
    assert "hook: welcome stopped for bo@northwind.example (reply)\n" in out
    assert "hook: welcome stopped for cy@bluefin.example (goal)\n" in out
    assert "goal recorded: welcome is stopped for Cy" in out
    assert "slack: ['Ada at Analytical Engines got our first email']" in out
    assert "hooks heard sends: {'email': 4, 'slack': 1}" in out
    assert "Traceback" not in done.stderr
    printed = DOC.read_text(encoding="utf-8").split("It prints:\n\n```\n", 1)[1].split("```", 1)[0]
    assert out == printed  # what docs/library.md says it prints


def test_the_doc_holds_the_example_verbatim() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert f"```python\n{EXAMPLE.read_text(encoding='utf-8')}```\n" in doc


def test_a_bad_stop_reason_names_the_value_and_the_valid_ones(tmp_path: Path) -> None:
    example, folder = _setup(tmp_path)
    config, slack = example.make_config(folder, 2525), {"slack": example.SlackChannel()}
    with Engine(config, clock=SimulatedClock(START), channels=slack) as engine:
        engine.import_contacts(folder / "contacts.csv")
        engine.enroll("welcome", sender="jane")
        for bad in ("replied", "goal", "later", StopReason.GOAL, StopReason.COMPANY):
            with pytest.raises(InvalidReason) as caught:
                engine.stop("bo@northwind.example", reason=bad)
            message = str(caught.value)
            assert repr(str(bad)) in message
            assert message.endswith("use one of reply, bounce, unsubscribe, manual")
            assert isinstance(caught.value, SequencerError)
        assert engine.step_report()[0].events == {}  # nothing was recorded
        stopped = engine.stop("bo@northwind.example", reason="reply")  # a valid string still works
        assert stopped is not None and stopped.stop_reason == StopReason.REPLY


def test_stop_reason_helper() -> None:
    assert [r.value for r in STOP_REASONS] == ["reply", "bounce", "unsubscribe", "manual"]
    assert stop_reason("bounce") is StopReason.BOUNCE
    assert stop_reason(StopReason.MANUAL) is StopReason.MANUAL
    with pytest.raises(InvalidReason, match=r"'goal' is not a stop reason \(record a goal"):
        stop_reason("goal")


def test_async_with_closes_through_aclose(tmp_path: Path) -> None:
    example, folder = _setup(tmp_path)
    closed: list[str] = []

    class Host(Engine):
        async def aclose(self) -> None:
            closed.append("aclose")
            await super().aclose()

    async def run() -> None:
        with CaptureServer() as smtp:
            clock = SimulatedClock(START)
            config, slack = (
                example.make_config(folder, smtp.port),
                {"slack": example.SlackChannel()},
            )
            async with Host(config, clock=clock, channels=slack) as engine:
                assert isinstance(engine, Host)
                engine.import_contacts(folder / "contacts.csv")
                engine.enroll("welcome", sender="jane")
                report = await engine.run_until(clock.now() + timedelta(days=1))
                assert report.sent == 3
                assert closed == []
            assert closed == ["aclose"]
            with pytest.raises(RuntimeError, match="host failed"):
                async with Host(config, clock=clock, channels=slack):
                    raise RuntimeError("host failed")  # not swallowed, and still closed
            assert closed == ["aclose", "aclose"]

    asyncio.run(run())


def test_from_config_takes_channels_as_any_mapping(tmp_path: Path) -> None:
    """A host's channel, passed as a read-only mapping through ``from_config``, gets the sends."""
    example, _ = _setup(tmp_path)
    toml = tmp_path / "sequencer.toml"
    toml.write_text(
        'database = "sqlite:///engine.db"\nsequences = ["sequences"]\n\n[[senders]]\n'
        'name = "jane"\ndisplay_name = "Jane Doe"\nemail = "jane@acme.example"\n'
        'timezone = "Europe/Helsinki"\n',
        encoding="utf-8",
    )
    outbox = RecordingChannel()
    clock = SimulatedClock(START)

    async def run() -> int:
        channels = MappingProxyType({"email": outbox, "slack": example.SlackChannel()})
        async with Engine.from_config(toml, clock=clock, channels=channels) as engine:
            engine.import_contacts(tmp_path / "contacts.csv")
            engine.enroll("welcome", sender="jane")
            return (await engine.run_until(clock.now() + timedelta(days=1))).sent

    assert asyncio.run(run()) == 3
    assert sorted(d.recipient for d in outbox.deliveries) == [
        "ada@analytical.example",
        "bo@northwind.example",
        "cy@bluefin.example",
    ]


def test_every_public_member_of_the_engine_has_a_docstring() -> None:
    missing = []
    for name, member in vars(Engine).items():
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
            continue
        if not callable(member) and not isinstance(member, property | staticmethod | classmethod):
            continue
        target = member.fget if isinstance(member, property) else member
        if not inspect.getdoc(target):
            missing.append(name)
    assert missing == []
