"""Email over SMTP with aiosmtplib: one connection per sender, reused across a batch.

A connection that dropped is opened again before the next message. Replies are
classified: 4xx and dropped connections are transient, a quota reply pauses the sender,
authentication failures need a person, other 5xx replies are bounces.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import aiosmtplib

from sequencer.channels.base import Delivery, Outcome, Result
from sequencer.config import Security, Sender
from sequencer.errors import ConfigError
from sequencer.messages import ascii_address

_AUTH_CODES = frozenset({530, 534, 535, 538})
#: How long a sender whose login is refused waits before trying again.
LOGIN_PAUSE = timedelta(minutes=15)
#: How long a sender whose server cannot be reached waits before trying again.
CONNECT_PAUSE = timedelta(minutes=2)
_QUOTA_MARKERS = ("5.4.5", "quota", "too many messages", "sending limit")


def classify(code: int, message: str) -> Outcome:
    """What an SMTP reply code means for the send."""
    text = message.lower()
    if code >= 500 and any(marker in text for marker in _QUOTA_MARKERS):
        return Outcome.PAUSE_SENDER
    if code in _AUTH_CODES:
        return Outcome.PAUSE_SENDER
    if code >= 500:
        return Outcome.BOUNCE
    return Outcome.RETRY


def _result(code: int, message: str) -> Result:
    outcome = classify(code, message)
    pause = LOGIN_PAUSE if code in _AUTH_CODES else None
    return Result(outcome=outcome, detail=message, code=code, pause=pause)


class SmtpChannel:
    """Sends each sender's mail through that sender's own SMTP account."""

    def __init__(self) -> None:
        # sender name -> (the event loop the connection belongs to, the connection)
        self._connections: dict[str, tuple[asyncio.AbstractEventLoop, aiosmtplib.SMTP]] = {}

    async def deliver(self, delivery: Delivery) -> Result:
        assert delivery.raw is not None, "an email delivery carries a message"
        try:
            smtp = await self._connection(delivery.sender)
            envelope_to = [ascii_address(delivery.recipient)]
            refused, response = await smtp.sendmail(ascii_address(delivery.sender.email), envelope_to, delivery.raw)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0]
            return _result(first.code, first.message)
        except aiosmtplib.SMTPAuthenticationError as exc:
            await self._drop(delivery.sender.name)
            return Result(outcome=Outcome.PAUSE_SENDER, detail=f"login refused: {exc.message}", code=exc.code,
                          pause=LOGIN_PAUSE)
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code in (421,):
                await self._drop(delivery.sender.name)
            return _result(exc.code, exc.message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop(delivery.sender.name)
            return Result(outcome=Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}")
        except ConfigError as exc:  # the password variable is not set: the sender cannot send at all
            return Result(outcome=Outcome.PAUSE_SENDER, detail=exc.message, pause=LOGIN_PAUSE)
        if refused:
            code, message = next(iter(refused.values()))
            return _result(code, message)
        return Result(outcome=Outcome.SENT, detail=response)

    async def warm(self, sender: Sender) -> Result | None:
        """Open and log in to the sender's connection now, before the send is committed.

        Dispatch calls this before it marks a send ``sending``, so a slow connect or login
        never widens the window in which a stop can no longer prevent the send. Returns None
        when the connection is ready, else why the sender cannot send now.
        """
        try:
            await self._connection(sender)
        except aiosmtplib.SMTPAuthenticationError as exc:
            await self._drop(sender.name)
            return Result(outcome=Outcome.PAUSE_SENDER, detail=f"login refused: {exc.message}", code=exc.code,
                          pause=LOGIN_PAUSE)
        except ConfigError as exc:
            return Result(outcome=Outcome.PAUSE_SENDER, detail=exc.message, pause=LOGIN_PAUSE)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop(sender.name)
            return Result(outcome=Outcome.PAUSE_SENDER, detail=f"cannot connect: {type(exc).__name__}: {exc}",
                          pause=CONNECT_PAUSE)
        return None

    async def _connection(self, sender: Sender) -> aiosmtplib.SMTP:
        loop = asyncio.get_running_loop()
        known = self._connections.get(sender.name)
        if known is not None and known[0] is loop and known[1].is_connected:
            return known[1]
        if known is not None:
            await self._drop(sender.name)
        smtp = await connect(sender)
        self._connections[sender.name] = (loop, smtp)
        return smtp

    async def _drop(self, name: str) -> None:
        known = self._connections.pop(name, None)
        if known is not None:
            _abandon(*known)

    async def close(self) -> None:
        """QUIT every connection opened in this event loop; drop those of loops that are gone."""
        loop = asyncio.get_running_loop()
        for name, (owner, smtp) in list(self._connections.items()):
            self._connections.pop(name, None)
            if owner is not loop:
                _abandon(owner, smtp)
                continue
            try:
                if smtp.is_connected:
                    await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()


def _abandon(loop: asyncio.AbstractEventLoop, smtp: aiosmtplib.SMTP) -> None:
    """Close a connection without talking to the server.

    A connection whose event loop is already closed cannot be closed any more (its socket is
    reclaimed by the garbage collector, with a ResourceWarning): run one event loop per
    Engine and ``await engine.aclose()`` in it.
    """
    if not loop.is_closed():
        with contextlib.suppress(RuntimeError):  # the loop exists but no longer runs
            smtp.close()


async def connect(sender: Sender) -> aiosmtplib.SMTP:
    """Open and log in to the sender's SMTP server."""
    settings = sender.smtp
    smtp = aiosmtplib.SMTP(
        hostname=settings.host, port=settings.port, timeout=settings.timeout,
        use_tls=settings.security is Security.TLS,
        start_tls=settings.security is Security.STARTTLS,
        local_hostname=sender.domain or None,
    )
    await smtp.connect()
    if settings.username:
        await smtp.login(settings.username, settings.password() or "")
    return smtp


async def check(sender: Sender) -> str | None:
    """Try the sender's login; None when it works, else what failed, in plain words."""
    where = f"{sender.smtp.host}:{sender.smtp.port} ({sender.smtp.security.value})"
    try:
        smtp = await connect(sender)
    except ConfigError as exc:
        return exc.message
    except aiosmtplib.SMTPAuthenticationError as exc:
        return f"{where}: login as {sender.smtp.username} refused: {exc.code} {exc.message}"
    except aiosmtplib.SMTPConnectError as exc:
        return f"{where}: cannot connect: {exc}"
    except aiosmtplib.SMTPException as exc:
        return f"{where}: {type(exc).__name__}: {exc}"
    except OSError as exc:
        return f"{where}: cannot connect: {exc}"
    try:
        await smtp.quit()
    except aiosmtplib.SMTPException:
        smtp.close()
    return None
