"""Helpers for tests, demos and host programs: a real SMTP capture server, a recording channel.

``CaptureServer`` is aiosmtpd on a free loopback port, keeping every message it accepts
(and, given a folder, writing each as an ``.eml`` file). A ``script`` can answer chosen
recipients with an SMTP error, to rehearse faults::

    with CaptureServer(script=lambda rcpt: "550 5.1.1 no such user" if "bad" in rcpt else None) as
    smtp:
        ...

A script that takes two arguments also gets the attempt number (1 for the first RCPT of that
recipient, 2 for the next...), and may answer with a :class:`Fault` to act at the end of DATA
instead, or to drop the connection or hang::

    def script(rcpt: str, attempt: int) -> str | Fault | None:
        if attempt == 1:
            return "451 4.3.0 try later"        # a reply at RCPT
        if attempt == 2:
            return "drop"                       # close the connection at RCPT, without a reply
        if attempt == 3:
            return Fault.data("hang")           # take the whole message, then never answer
        return None                             # accept
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import functools
import inspect
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller

from sequencer.channels.base import Delivery, Outcome, Result
from sequencer.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookChannel, sign
from sequencer.clock import SimulatedClock
from sequencer.errors import ConfigError

__all__ = [
    "DROP",
    "HANG",
    "CaptureServer",
    "CaptureWebhook",
    "Captured",
    "Fault",
    "LiveApp",
    "MemoryMailbox",
    "RecordingChannel",
    "SimulatedClock",
    "free_port",
]

#: A scripted answer: close the TCP connection without replying.
DROP = "drop"
#: A scripted answer: say nothing (longer than a client's timeout), then close the connection.
HANG = "hang"


@dataclass(frozen=True)
class Fault:
    """What a :class:`CaptureServer` does for one attempt instead of accepting it.

    ``reply`` is an SMTP reply ("451 4.3.0 try later"), :data:`DROP` or :data:`HANG`; ``at``
    is when: at RCPT, or at the end of DATA. At DATA a reply refuses the message, while a
    drop or a hang happens after the server has received and kept the whole message: the
    answer is what gets lost, the case a client cannot tell from a lost message.
    """

    reply: str
    at: Literal["rcpt", "data"] = "rcpt"

    @classmethod
    def data(cls, reply: str) -> Fault:
        return cls(reply, at="data")


#: ``script(recipient)`` or ``script(recipient, attempt)`` → None (accept), a reply string
#: (at RCPT), "drop", "hang", or a :class:`Fault`.
Script = Callable[[str], str | Fault | None] | Callable[[str, int], str | Fault | None]


@dataclass(frozen=True, kw_only=True)
class Captured:
    """One message as the SMTP server received it (parsed when first looked at)."""

    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes

    @functools.cached_property
    def message(self) -> EmailMessage:
        """The message parsed (the server only keeps the bytes: a long simulation reads none)."""
        message = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message

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

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        fault = self.server.fault(address)
        if fault is not None and fault.at == "rcpt":
            return await self._act(server, fault.reply)
        if fault is not None:
            envelope.data_fault = fault  # acted on at the end of DATA
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        fault: Fault | None = getattr(envelope, "data_fault", None)
        if fault is not None and fault.reply not in (DROP, HANG):
            return fault.reply  # refused: not kept
        self.server.keep(
            envelope.mail_from,
            tuple(envelope.rcpt_tos),
            envelope.original_content or envelope.content,
        )
        if fault is not None:
            return await self._act(server, fault.reply)  # kept, but the answer never comes
        return "250 Message accepted for delivery"

    async def _act(self, server: Any, reply: str) -> str:
        if reply == HANG:
            await asyncio.sleep(self.server.hang)  # a client with a shorter timeout gives up first
        if reply in (DROP, HANG):
            server.transport.close()
            await asyncio.sleep(3600)  # closing the connection cancels this handler
        return reply


class CaptureServer:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""

    def __init__(
        self,
        *,
        folder: Path | None = None,
        script: Script | None = None,
        port: int | None = None,
        delay: float = 0.0,
        hang: float = 60.0,
        smtputf8: bool = True,
    ) -> None:
        self.folder = folder
        #: Seconds to wait before accepting each message (a slow server, for shutdown tests).
        self.delay = delay
        #: Seconds a scripted "hang" stays silent before closing the connection.
        self.hang = hang
        self.script: Script | None = script
        self.port = port or free_port()
        self.messages: list[Captured] = []
        #: RCPT commands seen per recipient (lower-case): the attempt number a script is given.
        self.attempts: Counter[str] = Counter()
        self._lock = threading.Lock()
        # smtputf8: whether the server offers SMTPUTF8 (RFC 6531), as most do; False for one that
        # does not
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8
        )

    def fault(self, recipient: str) -> Fault | None:
        """Count an attempt for ``recipient`` and ask the script what to do with it."""
        with self._lock:
            self.attempts[recipient.lower()] += 1
            attempt = self.attempts[recipient.lower()]
        script = self.script
        if script is None:
            return None
        answer = script(recipient, attempt) if _takes_attempt(script) else script(recipient)  # type: ignore[call-arg]
        if not answer:
            return None
        return answer if isinstance(answer, Fault) else Fault(answer)

    def keep(self, mail_from: str, recipients: tuple[str, ...], raw: bytes) -> None:
        with self._lock:
            self.messages.append(Captured(mail_from=mail_from, recipients=recipients, raw=raw))
            if self.folder is not None:
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / f"{len(self.messages):05d}.eml").write_bytes(raw)

    def to(self, address: str) -> list[Captured]:
        """Messages whose envelope went to ``address`` (case-insensitive)."""
        with self._lock:
            return [
                m for m in self.messages if address.lower() in (r.lower() for r in m.recipients)
            ]

    def start(self) -> CaptureServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> CaptureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _takes_attempt(script: Callable[..., Any]) -> bool:
    """Whether a script takes (recipient, attempt) rather than (recipient)."""
    try:
        params = list(inspect.signature(script).parameters.values())
    except (TypeError, ValueError):
        return False
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return True
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(p.kind in positional for p in params) >= 2


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


@dataclass(frozen=True, kw_only=True)
class WebhookCall:
    """One webhook POST as :class:`CaptureWebhook` kept it (signed, never sent)."""

    url: str
    body: bytes
    headers: dict[str, str]


class CaptureWebhook(WebhookChannel):
    """The webhook channel with every POST kept instead of sent: signed with the configured
    secret like a real one (a missing secret is answered the same way), answered 200.
    """

    def __init__(self, secret: Callable[[], str], **options: Any) -> None:
        super().__init__(secret, **options)
        self.calls: list[WebhookCall] = []
        #: Every attempt, kept or not (a missing secret is an attempt that fails).
        self.attempts = 0

    def _post(self, url: str, body: bytes) -> Result:
        self.attempts += 1
        try:
            secret = self._secret()
        except ConfigError as exc:  # as the real channel answers a missing secret
            return Result(outcome=Outcome.CONFIG_FAULT, detail=exc.message)
        stamp = "0"  # nothing checks it: the call never leaves the process
        headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(secret, stamp, body)}
        self.calls.append(WebhookCall(url=url, body=body, headers=headers))
        return Result(outcome=Outcome.SENT, detail="HTTP 200 (captured)", code=200)


class LiveApp:
    """An ASGI app served by uvicorn on a free loopback port, in a thread (a real socket, real
    HTTP)::

    with LiveApp(create_app(engine)) as live:
        urllib.request.urlopen(live.url + "/healthz")
    """

    def __init__(self, app: Any, *, port: int | None = None) -> None:
        import uvicorn

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
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

    def fetch(
        self, *, uidvalidity: int | None, after_uid: int, limit: int, since: Any = None
    ) -> Any:
        from sequencer.inbound.imap import Fetched

        start = after_uid if uidvalidity == self.uidvalidity else 0
        new = [(uid, raw) for uid, raw in self.messages if uid > start]
        return Fetched(uidvalidity=self.uidvalidity, messages=new[:limit], more=len(new) > limit)
