"""Helpers for tests, demos and host programs: a real SMTP capture server, a recording channel.

``CaptureServer`` is aiosmtpd on a free loopback port, keeping every message it accepts
(and, given a folder, writing each as an ``.eml`` file). A ``script`` can answer chosen
recipients with an SMTP error, to rehearse faults::

    with CaptureServer(script=lambda rcpt: "550 5.1.1 no such user" if "bad" in rcpt else None) as smtp:
        ...
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from sequencer.channels.base import Delivery, Outcome, Result
from sequencer.clock import SimulatedClock

__all__ = ["CaptureServer", "Captured", "LiveApp", "MemoryMailbox", "RecordingChannel", "SimulatedClock", "free_port"]


@dataclass(frozen=True, kw_only=True)
class Captured:
    """One message as the SMTP server received it."""

    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes
    message: EmailMessage

    def __getitem__(self, header: str) -> str | None:
        value = self.message[header]
        return None if value is None else str(value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Handler:
    def __init__(self, server: CaptureServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        answer = self.server.script(address) if self.server.script else None
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.server.keep(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class CaptureServer:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""

    def __init__(self, *, folder: Path | None = None, script: Callable[[str], str | None] | None = None,
                 port: int | None = None, delay: float = 0.0) -> None:
        self.folder = folder
        #: Seconds to wait before accepting each message (a slow server, for shutdown tests).
        self.delay = delay
        self.script = script
        self.port = port or free_port()
        self.messages: list[Captured] = []
        self._lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def keep(self, mail_from: str, recipients: tuple[str, ...], raw: bytes) -> None:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(Captured(mail_from=mail_from, recipients=recipients, raw=raw, message=message))
            if self.folder is not None:
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / f"{len(self.messages):05d}.eml").write_bytes(raw)

    def to(self, address: str) -> list[Captured]:
        """Messages whose envelope went to ``address`` (case-insensitive)."""
        with self._lock:
            return [m for m in self.messages if address.lower() in (r.lower() for r in m.recipients)]

    def start(self) -> CaptureServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> CaptureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RecordingChannel:
    """A channel that delivers nothing and remembers everything, for host programs' tests."""

    def __init__(self, outcome: Outcome = Outcome.SENT) -> None:
        self.outcome = outcome
        self.deliveries: list[Delivery] = []

    async def deliver(self, delivery: Delivery) -> Result:
        self.deliveries.append(delivery)
        return Result(outcome=self.outcome, detail="recorded")

    async def close(self) -> None:
        return None


class LiveApp:
    """An ASGI app served by uvicorn on a free loopback port, in a thread (a real socket, real HTTP)::

        with LiveApp(create_app(engine)) as live:
            urllib.request.urlopen(live.url + "/healthz")
    """

    def __init__(self, app: Any, *, port: int | None = None) -> None:
        import uvicorn

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="live-app", daemon=True)

    def __enter__(self) -> LiveApp:
        self._thread.start()
        for _ in range(500):
            if self._server.started or not self._thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not self._server.started:
            raise RuntimeError(f"the app did not start on port {self.port}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


class MemoryMailbox:
    """A mailbox folder held in memory, for demos and host programs' tests of the inbox logic.

    It speaks the :class:`~sequencer.inbound.imap.Mailbox` protocol with UIDs and a
    UIDVALIDITY like a server's. (sequencer's own tests use a real Dovecot server instead.)::

        inbox = MemoryMailbox()
        engine = Engine(config, mailbox=lambda settings: inbox)
        inbox.deliver(raw_reply)
        engine.poll_inbox_sync()
    """

    def __init__(self, uidvalidity: int = 1) -> None:
        self.uidvalidity = uidvalidity
        self.messages: list[tuple[int, bytes]] = []

    def deliver(self, raw: bytes) -> int:
        uid = (self.messages[-1][0] if self.messages else 0) + 1
        self.messages.append((uid, raw))
        return uid

    def fetch(self, *, uidvalidity: int | None, after_uid: int, limit: int, since: Any = None) -> Any:
        from sequencer.inbound.imap import Fetched

        start = after_uid if uidvalidity == self.uidvalidity else 0
        new = [(uid, raw) for uid, raw in self.messages if uid > start]
        return Fetched(uidvalidity=self.uidvalidity, messages=new[:limit], more=len(new) > limit)
