"""Webhook steps against a real local HTTP server that checks the HMAC signature."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sending_rig import MONDAY, Rig, person, write_sequence

from sequencer.channels.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookChannel,
    sign,
    verify,
)
from sequencer.services.holds import resume

SECRET = "s3cret-shared-with-the-crm"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Hook:
    """A CRM endpoint on 127.0.0.1: verifies every request and answers from ``statuses`` (then
    200).
    """

    secret: str
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    #: Answer with bytes that are not HTTP at all (a broken proxy, a misconfigured receiver).
    garbage: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/sequence"


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook(secret=SECRET)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            ok = verify(
                state.secret,
                self.headers.get(TIMESTAMP_HEADER, ""),
                body,
                self.headers.get(SIGNATURE_HEADER, ""),
                now=time.time(),
            )
            with state.lock:
                state.requests.append(
                    Received(path=self.path, headers=dict(self.headers), body=body, verified=ok)
                )
                status = (state.statuses.pop(0) if state.statuses else 200) if ok else 401
                garbage = state.garbage
            if garbage:
                self.wfile.write(b"this is not HTTP\r\n\r\n")
                self.close_connection = True
                return
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def hook_sequence(folder: Path, url: str) -> Path:
    return write_sequence(
        folder,
        "handoff",
        f"""\
name: handoff
description: One email, then the contact is handed to the CRM.
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
      - key: only
        text: "Hello {{{{ first_name | default('there') }}}}"
    bodies:
      - key: only
        text: "Hi {{{{ first_name | default('there') }}}}, a short note."
  - key: crm_sync
    day: 1
    channel: webhook
    url: {url}
""",
    )


@pytest.fixture
def webhook_rig(
    rig_factory: Callable[..., Rig], hook: Hook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Rig]:
    monkeypatch.setenv("SEQUENCER_WEBHOOK_SECRET", SECRET)
    folder = hook_sequence(tmp_path / "seqs", hook.url)

    def make(**kwargs: Any) -> Rig:
        return rig_factory(sequences=(folder,), **kwargs)

    return make


def run_first_attempt(rig: Rig) -> None:
    """Run until just after the webhook's first delivery (three HTTP attempts), before any retry."""
    rig.run(days=1)
    (send,) = rig.sends("p0@example.com", step="crm_sync")
    assert send.status == "scheduled" and send.due_at > MONDAY + timedelta(days=1)
    rig.run(until=send.due_at + timedelta(seconds=30))


def test_webhook_step_posts_signed_json_with_the_contact_and_step(
    webhook_rig: Callable[..., Rig], hook: Hook
) -> None:
    rig = webhook_rig()  # the engine's own webhook channel, secret from SEQUENCER_WEBHOOK_SECRET
    rig.import_rows([person(0), person(1)])
    rig.engine.enroll("handoff")
    rig.run(days=5)

    assert len(rig.smtp.messages) == 2
    assert len(hook.requests) == 2
    by_email = {r.json["contact"]["email"]: r for r in hook.requests}
    assert set(by_email) == {"p0@example.com", "p1@example.com"}
    for email, request in by_email.items():
        assert request.verified
        assert request.path == "/hooks/sequence"
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers[SIGNATURE_HEADER].startswith("sha256=")
        payload = request.json
        assert (payload["event"], payload["sequence"], payload["step"], payload["sender"]) == (
            "sequence.step",
            "handoff",
            "crm_sync",
            "jane",
        )
        assert payload["contact"]["first_name"] == f"First{email[1]}"
        (send,) = rig.sends(email, step="crm_sync")
        assert (payload["send_id"], send.status) == (send.id, "sent")
        assert rig.enrollment(email).status == "completed"
        # A day after message 1 went out.
        first = rig.sends(email, step="intro")[0]
        assert first.sent_at is not None and send.sent_at is not None
        assert send.sent_at - first.sent_at >= timedelta(days=1)


def test_webhook_retries_server_errors_until_it_is_accepted(
    webhook_rig: Callable[..., Rig], hook: Hook
) -> None:
    channel = WebhookChannel(lambda: SECRET, backoff=0.01)
    rig = webhook_rig(channels={"webhook": channel})
    hook.statuses = [500, 500]
    rig.import_rows([person(0)])
    rig.engine.enroll("handoff")
    rig.run(days=5)

    assert len(hook.requests) == 3
    assert all(r.verified for r in hook.requests)
    assert len({r.body for r in hook.requests}) == 1, "every retry carries the same JSON"
    (send,) = rig.sends("p0@example.com", step="crm_sync")
    assert (send.status, send.attempts) == ("sent", 1)


def test_webhook_that_keeps_failing_is_rescheduled_not_marked_sent(
    webhook_rig: Callable[..., Rig], hook: Hook
) -> None:
    channel = WebhookChannel(lambda: SECRET, backoff=0.01)
    rig = webhook_rig(channels={"webhook": channel})
    hook.statuses = [503] * 3
    rig.import_rows([person(0)])
    rig.engine.enroll("handoff")
    run_first_attempt(rig)

    assert len(hook.requests) == 3
    (send,) = rig.sends("p0@example.com", step="crm_sync")
    assert (send.status, send.attempts) == ("scheduled", 1)
    assert send.error == "HTTP 503"
    rig.run(days=5)
    assert len(hook.requests) == 4
    assert rig.sends("p0@example.com", step="crm_sync")[0].status == "sent"


def test_a_forged_secret_fails_verification(webhook_rig: Callable[..., Rig], hook: Hook) -> None:
    forged = WebhookChannel(lambda: "not-the-secret", backoff=0.01)
    rig = webhook_rig(channels={"webhook": forged})
    rig.import_rows([person(0)])
    rig.engine.enroll("handoff")
    run_first_attempt(rig)

    assert len(hook.requests) == 3
    assert not any(r.verified for r in hook.requests)
    (send,) = rig.sends("p0@example.com", step="crm_sync")
    assert send.status == "scheduled" and send.error == "HTTP 401"

    # The receiver's check, by hand: the genuine signature passes; a wrong secret, a changed body
    # or a stale timestamp do not.
    body = hook.requests[0].body
    stamp = hook.requests[0].headers[TIMESTAMP_HEADER]
    now = float(stamp)
    assert verify(SECRET, stamp, body, sign(SECRET, stamp, body), now=now)
    assert not verify(SECRET, stamp, body, hook.requests[0].headers[SIGNATURE_HEADER], now=now)
    assert not verify(SECRET, stamp, body + b" ", sign(SECRET, stamp, body), now=now)
    assert not verify(SECRET, stamp, body, sign(SECRET, stamp, body), now=now + 3600)
    assert not verify(SECRET, "yesterday", body, sign(SECRET, "yesterday", body), now=now)


def test_a_missing_webhook_secret_holds_the_step_and_fails_no_contact(
    rig_factory: Callable[..., Rig], hook: Hook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A configuration fault at send time: the step is held (naming the variable), every send
    of it waits, no enrollment fails; once the secret is set and the hold lifted, they go out."""
    monkeypatch.delenv("SEQUENCER_WEBHOOK_SECRET", raising=False)
    rig = rig_factory(sequences=(hook_sequence(tmp_path / "seqs", hook.url),))
    emails = [f"p{i}@example.com" for i in range(3)]
    rig.import_rows([person(i) for i in range(3)])
    rig.engine.enroll("handoff")
    rig.run(days=5)

    sends = [s for e in emails for s in rig.sends(e, step="crm_sync")]
    assert [s.status for s in sends] == ["scheduled"] * 3
    assert [rig.enrollment(e).status for e in emails] == ["active"] * 3
    assert rig.engine.store.failed_since(MONDAY) == 0
    (held,) = rig.engine.store.holds.standing()
    assert (held.scope, held.sequence, held.step_key, held.reason) == (
        "step",
        "handoff",
        "crm_sync",
        "config_fault",
    )
    assert "SEQUENCER_WEBHOOK_SECRET" in held.detail
    assert hook.requests == []

    monkeypatch.setenv("SEQUENCER_WEBHOOK_SECRET", SECRET)
    lifted = resume(rig.engine.store, "step", "handoff:crm_sync", by="test", at=rig.clock.now())
    assert [h.id for h in lifted] == [held.id]
    rig.run(days=7)
    assert sorted(r.json["contact"]["email"] for r in hook.requests) == emails
    assert [rig.enrollment(e).status for e in emails] == ["completed"] * 3


def test_a_receiver_that_answers_garbage_is_retried_later(
    webhook_rig: Callable[..., Rig], hook: Hook
) -> None:
    rig = webhook_rig(channels={"webhook": WebhookChannel(lambda: SECRET, backoff=0.01)})
    hook.garbage = True
    rig.import_rows([person(0)])
    rig.engine.enroll("handoff")
    run_first_attempt(rig)

    (send,) = rig.sends("p0@example.com", step="crm_sync")
    assert (send.status, send.attempts) == ("scheduled", 1)
    hook.garbage = False
    rig.run(days=5)
    assert rig.sends("p0@example.com", step="crm_sync")[0].status == "sent"
