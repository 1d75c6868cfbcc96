"""One stop policy: every entry point turns the same event into the same plan, and does what
the plan says.

The sequence stops company-wide (``stop_scope: company``). Ada, Bob and Cy work at Northwind, Dee
at Southwind. Each test makes one thing happen to Ada through one entry point: the CLI's
``stop``, the signed goal hook, a reply read from the inbox, the unsubscribe link, an SMTP
refusal. The expected plan is :func:`sequencer.stops.decide` asked directly; the test checks
that the entry point asked the policy for exactly that plan (where it runs in this process), and
that the database holds what the plan says: who stopped and why, and who is suppressed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sending_rig import REPO, Rig, person, write_sequence
from test_inbox import first_messages, reply

from sequencer import Engine, SequenceInvalid, stops, tokens
from sequencer.channels import webhook
from sequencer.config import HttpSettings
from sequencer.model import StopReason
from sequencer.services import stopping
from sequencer.stops import StopEvent, StopPlan
from sequencer.store import enrollments as store_enrollments
from sequencer.testing import CaptureServer

ADA, BOB, CY, DEE = (
    "ada@northwind.example",
    "bob@northwind.example",
    "cy@northwind.example",
    "dee@southwind.example",
)
SECRET, HOOKS = "link-secret-for-tests", "hooks-secret-for-tests"


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[StopPlan]]:
    """Every plan the stop policy hands out in this process."""
    seen: list[StopPlan] = []
    real = stops.decide

    def spy(event: StopEvent, **facts: object) -> StopPlan:
        plan = real(event, **facts)  # type: ignore[arg-type]
        seen.append(plan)
        return plan

    monkeypatch.setattr(stopping, "decide", spy)
    yield seen


def run_cli(folder: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m sequencer ARGS`` on the rig's database and sequences, as a person runs it."""
    (folder / "sequencer.toml").write_text(
        f'database = "{database_url}"\nsequences = ["{folder / "seqs"}"]\n\n'
        '[[senders]]\nname = "jane"\ndisplay_name = "Jane Doe"\nemail = "jane@acme.example"\n'
        'timezone = "Europe/Helsinki"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("SEQUENCER_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=folder,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )


def company_rig(
    rig_factory: Callable[..., Rig],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    **extra: object,
) -> Rig:
    folder = tmp_path / "seqs"
    shutil.copytree(REPO / "sequences", folder)
    cold = (folder / "cold.yaml").read_text(encoding="utf-8")
    write_sequence(folder, "cold", cold.replace("stop_on:", "stop_scope: company\nstop_on:"))
    monkeypatch.setenv("SEQUENCER_HTTP_SECRET", SECRET)
    monkeypatch.setenv("SEQUENCER_HOOKS_SECRET", HOOKS)
    http = HttpSettings(public_url="https://links.acme.example")
    rig: Rig = rig_factory(sequences=[folder], config_extra={"http": http}, **extra)
    rig.import_rows([person(1, email=e) for e in (ADA, BOB, CY, DEE)])
    rig.engine.enroll("cold", sender="jane")
    return rig


def expected(rig: Rig, event: StopEvent) -> StopPlan:
    """The policy's plan for ``event`` of Ada, asked directly."""
    return stops.decide(
        event,
        email_key=ADA,
        active="cold",
        latest=None,
        sequences=rig.engine.sequences,
        free_mail=rig.engine.config.free_mail,
    )


def assert_applied(rig: Rig, plan: StopPlan) -> None:
    """The database holds what ``plan`` says, for Ada and for her colleagues."""
    ada = rig.enrollment(ADA)
    assert plan.stop is not None
    assert (ada.status, ada.stop_reason) == ("stopped", plan.stop.value)
    colleague = ("stopped", "company") if plan.company else ("active", None)
    for email in (BOB, CY):
        assert (rig.enrollment(email).status, rig.enrollment(email).stop_reason) == colleague
    assert rig.enrollment(DEE).status == "active"
    assert rig.engine.store.suppressed([ADA]) is (plan.suppress is not None)
    assert not rig.engine.store.suppressed([BOB])


def test_cli_stop_with_reason_reply(
    rig_factory: Callable[..., Rig],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    rig = company_rig(rig_factory, tmp_path, monkeypatch)
    rig.run(days=1)
    plan = expected(rig, StopEvent(StopReason.REPLY))
    assert (plan.stop, plan.company, plan.suppress) == (StopReason.REPLY, "northwind.example", None)

    refused = run_cli(tmp_path, database_url, "stop", ADA, "--reason", "company")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "use one of reply, bounce, unsubscribe, manual" in refused.stderr
    assert rig.enrollment(ADA).status == "active"

    done = run_cli(tmp_path, database_url, "stop", ADA, "--reason", "reply")

    assert done.returncode == 0, done.stderr
    assert_applied(rig, plan)


def test_goal_hook(
    rig_factory: Callable[..., Rig],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plans: list[StopPlan],
) -> None:
    rig = company_rig(rig_factory, tmp_path, monkeypatch)
    rig.run(days=1)
    plan = expected(rig, StopEvent(StopReason.GOAL, goal="meeting_booked"))
    assert (plan.stop, plan.company) == (StopReason.GOAL, "northwind.example")
    body = json.dumps({"email": ADA, "goal": "meeting_booked"}).encode()
    stamp = str(int(rig.clock.now().timestamp()))

    answer = rig.engine.hook(
        "goal", body, timestamp=stamp, signature=webhook.sign(HOOKS, stamp, body)
    )

    assert answer == {"recorded": "goal", "stopped": "cold"}
    assert plans == [plan]
    assert_applied(rig, plan)


def test_inbox_reply(
    rig_factory: Callable[..., Rig],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    imap: object,
    plans: list[StopPlan],
) -> None:
    rig = company_rig(rig_factory, tmp_path, monkeypatch, imap=imap.settings())  # type: ignore[attr-defined]
    rig.run(days=1)
    ids = first_messages(rig, [ADA])
    imap.append(  # type: ignore[attr-defined]
        reply(
            f"Ada <{ADA}>",
            "Re: Question",
            "Yes, let's talk.",
            in_reply_to=ids[ADA],
            message_id="<ada-1@northwind.example>",
        )
    )
    plan = expected(rig, StopEvent(StopReason.REPLY, sequence="cold"))

    report = rig.engine.poll_inbox_sync()

    assert [h.kind for h in report.handled] == ["reply"]
    assert plans == [plan]
    assert_applied(rig, plan)


def test_unsubscribe_link(
    rig_factory: Callable[..., Rig],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plans: list[StopPlan],
) -> None:
    rig = company_rig(rig_factory, tmp_path, monkeypatch)
    rig.run(days=1)
    (send,) = rig.sends(ADA, step="intro")
    assert send.id is not None
    plan = expected(rig, StopEvent(StopReason.UNSUBSCRIBE, sequence="cold"))
    assert (plan.suppress, plan.company) == (ADA, None)

    page = rig.engine.unsubscribe(tokens.make(SECRET.encode(), tokens.UNSUBSCRIBE, send.id))

    assert page is not None and not page.already
    assert plans == [plan]
    assert_applied(rig, plan)


def test_smtp_bounce(
    rig_factory: Callable[..., Rig],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    smtp: CaptureServer,
    plans: list[StopPlan],
) -> None:
    smtp.script = lambda rcpt: "550 5.1.1 no such user" if rcpt == ADA else None
    rig = company_rig(rig_factory, tmp_path, monkeypatch)
    plan = expected(rig, StopEvent(StopReason.BOUNCE, sequence="cold"))
    assert (plan.suppress, plan.company) == (ADA, None)

    report = rig.run(days=1)

    assert report.bounced == 1
    assert plans == [plan]
    assert_applied(rig, plan)
    (send,) = rig.sends(ADA, step="intro")
    assert send.status == "bounced" and (send.error or "").startswith("550")


@pytest.mark.parametrize("crash", ["after the suppression", "after the stop"])
def test_a_crash_between_stop_and_suppression_leaves_neither(
    rig_factory: Callable[..., Rig],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    crash: str,
) -> None:
    """The store writes a plan in one transaction: a crash inside it commits none of it."""
    rig = company_rig(rig_factory, tmp_path, monkeypatch)
    rig.run(days=1)
    real = store_enrollments.stop

    def crashing(*args: object, **kwargs: object) -> object:
        if crash == "after the stop":
            real(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("power cut")

    monkeypatch.setattr(store_enrollments, "stop", crashing)
    with pytest.raises(RuntimeError, match="power cut"):
        rig.engine.stop(ADA, reason=StopReason.UNSUBSCRIBE)
    monkeypatch.undo()

    assert rig.enrollment(ADA).status == "active"
    assert not rig.engine.store.suppressed([ADA])
    # and the same stop, uninterrupted, writes both
    rig.engine.stop(ADA, reason=StopReason.UNSUBSCRIBE)
    assert_applied(rig, expected(rig, StopEvent(StopReason.UNSUBSCRIBE)))


def test_the_unsubscribe_link_works_while_a_sequence_file_is_broken(
    rig_factory: Callable[..., Rig], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unsubscribe needs no sequence rule: the web app does not load the sequences for it."""
    rig = company_rig(rig_factory, tmp_path, monkeypatch)
    rig.run(days=1)
    (send,) = rig.sends(ADA, step="intro")
    assert send.id is not None
    write_sequence(tmp_path / "seqs", "broken", "name: broken\nsteps: [\n")
    fresh = Engine(rig.engine.config, clock=rig.clock)
    try:
        with pytest.raises(SequenceInvalid):
            fresh.sequences  # noqa: B018
        page = fresh.unsubscribe(tokens.make(SECRET.encode(), tokens.UNSUBSCRIBE, send.id))
    finally:
        fresh.close()

    assert page is not None and not page.already
    assert_applied(rig, expected(rig, StopEvent(StopReason.UNSUBSCRIBE)))
