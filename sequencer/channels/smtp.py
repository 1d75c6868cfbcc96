"""Email over SMTP with aiosmtplib: one connection per sender, reused across a batch.

A connection that dropped is opened again before the next message. Replies are
classified: 4xx and dropped connections are transient, a quota reply pauses the sender,
authentication failures need a person, and other 5xx replies are read by their refusal class
(:mod:`sequencer.refusals`): only a refusal of the recipient's address is a bounce.

A dropped connection or a timeout is retried only while the message cannot have reached the
server yet (connecting, MAIL, RCPT). Once DATA is under way the server may have the whole
message and only its answer is missing: retrying could deliver it twice, so the send is
``UNCERTAIN`` and waits for a person (``sequencer doctor``). aiosmtplib sends the DATA command
and the message in one call, so a timeout waiting for the ``354`` counts as uncertain too:
rare, and the safe side of the line.

Certificates are always verified (the system's CAs, or the sender's ``ca_file``), and a sender
on ``starttls`` never sends AUTH before STARTTLS has succeeded. A sender with ``auth = "oauth2"``
logs in with SASL XOAUTH2 or OAUTHBEARER and an access token from :mod:`sequencer.oauth`; a
refresh token the provider refused pauses the sender with "reconnect this sender".
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import ssl
from datetime import timedelta
from pathlib import Path

import aiosmtplib

from sequencer import oauth, refusals
from sequencer.channels.base import Delivery, Outcome, Result
from sequencer.config import Security, Sender, SmtpSettings
from sequencer.errors import ConfigError
from sequencer.messages import ascii_address, needs_smtputf8, wire_address

_AUTH_CODES = frozenset({530, 534, 535, 538})
#: How long a sender whose login is refused waits before trying again.
LOGIN_PAUSE = timedelta(minutes=15)
#: How long a sender whose server cannot be reached waits before trying again.
CONNECT_PAUSE = timedelta(minutes=2)
#: How long a sender whose server limits its rate waits (Gmail "421 4.7.28 ... unusual rate of
#: unsolicited mail", Microsoft 365 "451 4.7.500 Server busy"): the whole mailbox slows down,
#: rather than each send spending its attempts and its contact failing for the sender's standing.
RATE_PAUSE = timedelta(minutes=30)
#: The first wait before a send refused for a condition of the recipient's mailbox that may pass
#: (4.2.x: full, busy, receiving too fast) is tried again; it doubles after each try. RFC 5321
#: §4.5.4.1 asks for at least 30 minutes between tries.
MAILBOX_RETRY = timedelta(hours=1)
#: Words of a reply about the sender's own sending quota (Gmail: "550 5.4.5 Daily user sending
#: quota exceeded"; Microsoft 365: "554 5.2.2 mailbox full; ... SubmissionQuotaExceeded"), in any
#: 4xx or 5xx reply, whatever its status says.
_SENDER_QUOTA = re.compile(
    r"(?<![\w.])5\.4\.5(?!\.?\d)|submission\s*quota|sending\s+(?:quota|limit)|daily\s+(?:user\s+)?sending|"
    r"recipient\s*rate\s*limit|limit\s+reached\s+for\s+today|"
    r"sent\s+today"
)
#: The word "quota" alone is the sender's too, unless the reply names the recipient's mailbox
#: ("452 Mailbox quota exceeded for this recipient", "over quota") or has a 5.2.x / 4.2.x status.
_RECIPIENT_QUOTA = re.compile(r"recipient|mailbox|inbox|storage|over\s+quota|account\s+that\s+you")
#: ... and in a 5xx reply only (a 4xx "too many messages" is a rate limit that passes: retried).
_QUOTA_MARKERS_5XX = ("too many messages",)
#: A rate limit on the sender, said in so many words ...
_RATE_LIMITED = re.compile(
    r"unusual\s+rate|rate\s*limit|rate\s+of\s+unsolicited|too\s+many\s+(?:connections|"
    r"messages|recipients)|too\s+much\s+mail|slow\s+down"
)
#: ... or with a 4.7.x status (security or policy), a server busy or asking for a later try.
_BUSY = re.compile(r"busy|try\s+again\s+later|later\s+time|resources")


def classify(code: int, message: str) -> Outcome:
    """What an SMTP reply code means for the send.

    - the sender's quota (any 4xx/5xx reply that says so): pause the sender until its next day;
    - a refused login, or TLS or a login wanted first (530, 534, 535, 538): refused, the sender
      is held for a person (:func:`_login_refused`);
    - a 4xx that limits the sender's rate (:func:`_rate_limited`): pause the sender
      :data:`RATE_PAUSE`;
    - any other 5xx (550, 553, 554 ...) whose refusal class is the recipient's address (5.1.1,
      5.1.2, 5.1.10, 5.2.1 ...): a bounce;
    - any other 5xx (the sender's domain or policy, the content, a full mailbox, no enhanced
      status): refused, nobody suppressed (:mod:`sequencer.refusals` says what follows);
    - any other reply (421, 450, 451, 452 ...): a fault that may pass, retried later.

    A full mailbox ("552 5.2.2 ... over quota") is the recipient's quota, not the sender's:
    a 5.2.x status is never read as a sender quota.
    """
    if _sender_quota(code, message):
        return Outcome.PAUSE_SENDER
    if code in _AUTH_CODES:  # a login refused, TLS wanted first: a person fixes the account
        return Outcome.REFUSED
    if _rate_limited(code, message):
        return Outcome.PAUSE_SENDER
    if code >= 500:
        refusal = refusals.classify(code, message)
        return Outcome.BOUNCE if refusal is refusals.Refusal.RECIPIENT else Outcome.REFUSED
    return Outcome.RETRY


def _sender_quota(code: int, message: str) -> bool:
    if code < 400:
        return False
    text = message.lower()
    if _SENDER_QUOTA.search(text):
        return True
    status = refusals.STATUS.search(text)
    if status is not None and status.group(2) == "2":  # X.2.x: the recipient's mailbox
        return False
    if "quota" in text and not _RECIPIENT_QUOTA.search(text):
        return True
    return code >= 500 and any(m in text for m in _QUOTA_MARKERS_5XX)


def _rate_limited(code: int, message: str) -> bool:
    """A 4xx that limits the sender's rate: a 4.7.x status with words of a rate, or those words
    alone ("421 4.7.28 ... unusual rate of unsolicited mail", "451 4.7.500 Server busy. Please
    try again later", Postfix's "450 4.7.1 Error: too much mail from ..."); not greylisting
    ("451 4.7.1 Greylisted, please try again"), which passes for this one message; and Microsoft
    365's per-minute limit, which it answers with a 554."""
    text = message.lower()
    if code >= 500:  # Microsoft 365: "554 5.2.0 ... MessageRateLimitExceededException" (a minute's)
        return "ratelimitexceeded" in text and "recipientratelimit" not in text
    if code < 400 or "greylist" in text:
        return False
    status = refusals.enhanced_status(text)
    if status is not None and status[1] == 2:  # 4.2.x: the recipient's mailbox
        return False
    policy = status is not None and status[1] == 7
    return _RATE_LIMITED.search(text) is not None or (policy and _BUSY.search(text) is not None)


def _mailbox_busy(message: str) -> bool:
    """A 4.2.x status: the recipient's mailbox is full, busy or receiving too fast, for now."""
    status = refusals.enhanced_status(message)
    greylisted = "greylist" in message.lower()  # "450 4.2.0 Greylisted": minutes, as before
    return status is not None and status[:2] == (4, 2) and not greylisted


def _result(code: int, message: str) -> Result:
    outcome = classify(code, message)
    if code in _AUTH_CODES:
        return _login_refused(code, message)
    pause = None
    if outcome is Outcome.PAUSE_SENDER and not _sender_quota(code, message):
        pause = RATE_PAUSE  # a rate limit (a quota's pause lasts until the sender's next day)
    elif outcome is Outcome.RETRY and _mailbox_busy(message):
        pause = MAILBOX_RETRY
    refusal = (
        refusals.classify(code, message) if outcome in (Outcome.BOUNCE, Outcome.REFUSED) else None
    )
    return Result(outcome=outcome, detail=message, code=code, pause=pause, refusal=refusal)


def _login_refused(code: int, message: str) -> Result:
    """The server refused the sender's login, or wants TLS or a login first (530, 534, 535,
    538): it will say the same until a person fixes the password, the account or the settings,
    and retrying every few minutes could lock the account. A 5xx holds the sender (``sequencer
    doctor`` lists it); a 4xx (454: a fault on the server's side) pauses it a while."""
    detail = f"login refused: {message}"
    if code < 500:
        return Result(outcome=Outcome.PAUSE_SENDER, detail=detail, code=code, pause=LOGIN_PAUSE)
    refused = refusals.Refusal.SENDER
    return Result(outcome=Outcome.REFUSED, detail=detail, code=code, refusal=refused)


def _sender_refused(code: int, message: str) -> Result:
    """MAIL FROM refused: about the sender (quota, address not allowed), never the recipient's
    bounce.
    """
    outcome = classify(code, message)
    if outcome in (Outcome.BOUNCE, Outcome.REFUSED):
        # 5xx "sender not allowed": a person must fix the account, the sender is held
        return Result(
            outcome=Outcome.REFUSED,
            detail=f"sender refused: {message}",
            code=code,
            refusal=refusals.Refusal.SENDER,
        )
    return _result(code, message)


def _no_answer(data_started: bool, detail: str) -> Result:
    """The connection dropped or timed out: retry, unless the message may already be on the server.

    Before DATA nothing can have been delivered, so a retry is safe. From DATA on, the server
    may have received the whole message and lost or withheld only its "250": a retry could
    deliver it twice. Such a send is uncertain; a person decides (`sequencer doctor`).
    """
    if data_started:
        return Result(
            outcome=Outcome.UNCERTAIN, detail=f"no answer after the message was sent: {detail}"
        )
    return Result(outcome=Outcome.RETRY, detail=detail)


async def _envelope(
    smtp: aiosmtplib.SMTP, sender: str, recipient: str, options: list[str], encoding: str
) -> None:
    """MAIL FROM and RCPT TO, as aiosmtplib's ``mail`` and ``rcpt`` send them (and raising as
    they do), for addresses already in their wire form (:func:`ascii_address`,
    :func:`wire_address`): aiosmtplib would parse each one again only to put it in angle brackets.
    """
    extra = [option.encode("ascii") for option in options]
    answer = await smtp.execute_command(b"MAIL", b"FROM:<" + sender.encode(encoding) + b">", *extra)
    if answer.code != 250:
        raise aiosmtplib.SMTPSenderRefused(answer.code, answer.message, sender)
    answer = await smtp.execute_command(b"RCPT", b"TO:<" + recipient.encode(encoding) + b">")
    if answer.code not in (250, 251):
        raise aiosmtplib.SMTPRecipientRefused(answer.code, answer.message, recipient)


class SmtpChannel:
    """Sends each sender's mail through that sender's own SMTP account."""

    def __init__(self) -> None:
        # sender name -> (the event loop the connection belongs to, the connection)
        self._connections: dict[str, tuple[asyncio.AbstractEventLoop, aiosmtplib.SMTP]] = {}

    async def deliver(self, delivery: Delivery) -> Result:
        assert delivery.raw is not None, "an email delivery carries a message"
        name = delivery.sender.name
        try:
            smtp = await self._connection(delivery.sender)
        except aiosmtplib.SMTPAuthenticationError as exc:
            await self._drop(name)
            return _login_refused(exc.code, exc.message)
        except ConfigError as exc:  # a missing secret: the sender is held until it is set
            return Result(outcome=Outcome.CONFIG_FAULT, detail=exc.message)
        except oauth.ReconnectNeeded as exc:  # a refused refresh token
            return Result(outcome=Outcome.PAUSE_SENDER, detail=exc.message, pause=LOGIN_PAUSE)
        except ssl.SSLCertVerificationError as exc:
            await self._drop(name)
            return _untrusted(delivery.sender, exc)
        except oauth.TokenUnavailable as exc:
            return Result(outcome=Outcome.RETRY, detail=exc.message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop(name)
            return Result(outcome=Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}")
        # The transaction step by step (what sendmail does), to know whether a fault came before
        # the message could have reached the server (safe to retry) or after (uncertain).
        data_started = False
        try:
            if (
                smtp.last_ehlo_response is None
            ):  # no login, no STARTTLS: nothing has asked the server's extensions yet
                await smtp.ehlo()
            options = (
                [f"SIZE={len(delivery.raw)}"] if smtp.supports_extension("size") else []
            )  # raw is CRLF already
            encoding = "ascii"
            if needs_smtputf8(delivery.recipient):
                if not smtp.supports_extension("smtputf8"):
                    return Result(
                        outcome=Outcome.FAILED,
                        detail=f"{delivery.recipient} has a non-ASCII local part, "
                        "which needs SMTPUTF8, and the sender's SMTP server does not offer it",
                    )
                options.append("SMTPUTF8")
                encoding = "utf-8"
            sender, recipient = (
                ascii_address(delivery.sender.email),
                wire_address(delivery.recipient),
            )
            await _envelope(smtp, sender, recipient, options, encoding)
            data_started = True
            response = await smtp.data(delivery.raw)
        except aiosmtplib.SMTPSenderRefused as exc:
            await self._reset(name, smtp, exc.code)
            return _sender_refused(exc.code, exc.message)
        except aiosmtplib.SMTPResponseException as exc:
            if (
                exc.code >= 400
            ):  # a real refusal, at RCPT or DATA: the server did not take the message
                await self._reset(name, smtp, exc.code)
                return _result(exc.code, exc.message)
            await self._drop(name)  # an unreadable answer: as if none came
            return _no_answer(data_started, f"unreadable reply: {exc.message}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:  # dropped, timed out
            await self._drop(name)
            return _no_answer(data_started, f"{type(exc).__name__}: {exc}")
        return Result(outcome=Outcome.SENT, detail=response.message)

    async def _reset(self, name: str, smtp: aiosmtplib.SMTP, code: int) -> None:
        """After a refusal: clear the envelope so the connection can carry the next message."""
        if code == 421 or not smtp.is_connected:  # 421: the server is closing the connection
            await self._drop(name)
            return
        try:
            await smtp.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            await self._drop(name)

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
            return _login_refused(exc.code, exc.message)
        except ConfigError as exc:  # a missing secret: the sender is held until it is set
            return Result(outcome=Outcome.CONFIG_FAULT, detail=exc.message)
        except oauth.ReconnectNeeded as exc:
            return Result(outcome=Outcome.PAUSE_SENDER, detail=exc.message, pause=LOGIN_PAUSE)
        except ssl.SSLCertVerificationError as exc:
            await self._drop(sender.name)
            return _untrusted(sender, exc)
        except oauth.TokenUnavailable as exc:
            return Result(outcome=Outcome.PAUSE_SENDER, detail=exc.message, pause=CONNECT_PAUSE)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop(sender.name)
            # a greeting that limits the sender's rate ("421 4.7.0 ... unusual rate of unsolicited
            # mail"): the sender waits RATE_PAUSE, not a connection attempt every 2 minutes
            limited = isinstance(exc, aiosmtplib.SMTPResponseException) and _rate_limited(
                exc.code, exc.message
            )
            return Result(
                outcome=Outcome.PAUSE_SENDER,
                detail=f"cannot connect: {type(exc).__name__}: {exc}",
                pause=RATE_PAUSE if limited else CONNECT_PAUSE,
            )
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


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificates verified, host name checked: against ``ca_file`` when given, else the system's
    CAs.
    """
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


def _untrusted(sender: Sender, exc: ssl.SSLCertVerificationError) -> Result:
    """A certificate that does not verify: never sent to; a person fixes the server or
    ``ca_file``.
    """
    return Result(
        outcome=Outcome.PAUSE_SENDER,
        pause=LOGIN_PAUSE,
        detail=f"{sender.smtp.host}:{sender.smtp.port}: certificate "
        f"not trusted ({exc.verify_message}); "
        "nothing was sent (set smtp.ca_file for a private CA)",
    )


async def connect(sender: Sender) -> aiosmtplib.SMTP:
    """Open and log in to the sender's SMTP server.

    On ``starttls`` aiosmtplib upgrades the connection before anything else and fails if the
    server does not offer STARTTLS, so AUTH never goes out in clear text.
    """
    settings = sender.smtp
    smtp = aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        timeout=settings.timeout,
        use_tls=settings.security is Security.TLS,
        start_tls=settings.security is Security.STARTTLS,
        local_hostname=sender.domain or None,
        tls_context=tls_context(settings.ca_file)
        if settings.security is not Security.NONE
        else None,
    )
    try:
        await smtp.connect()
    except (
        aiosmtplib.SMTPConnectError
    ) as exc:  # TLS from the first byte: the certificate check is inside
        if isinstance(exc.__cause__, ssl.SSLCertVerificationError):
            raise exc.__cause__ from None
        raise
    try:
        if settings.oauth is not None:
            await _oauth_login(smtp, settings)
        elif settings.username:
            await smtp.login(settings.username, settings.password() or "")
    except (
        Exception
    ):  # a refused login: leave politely, so the TLS connection is closed, not abandoned
        with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
            await smtp.quit()
        smtp.close()
        raise
    return smtp


async def _oauth_login(smtp: aiosmtplib.SMTP, settings: SmtpSettings) -> None:
    """AUTH XOAUTH2 / OAUTHBEARER with the stored access token; once more with a fresh one if
    refused.

    Sent as plain commands: aiosmtplib knows XOAUTH2 only (from 5.0), and not OAUTHBEARER.
    """
    assert settings.oauth is not None
    mechanism = settings.oauth.mechanism.upper()
    if (
        not smtp.server_auth_methods
    ):  # after STARTTLS the server's extensions are forgotten until the next EHLO
        await smtp.ehlo()
    if settings.oauth.mechanism not in smtp.server_auth_methods:  # lower-cased by aiosmtplib
        raise aiosmtplib.SMTPAuthenticationError(504, f"the server does not offer AUTH {mechanism}")
    for force in (False, True):
        token = await asyncio.to_thread(oauth.access_token, settings.oauth, force=force)
        initial = oauth.sasl(
            settings.oauth.mechanism,
            settings.username or "",
            token,
            host=settings.host,
            port=settings.port,
        )
        response = await smtp.execute_command(
            b"AUTH", mechanism.encode(), base64.b64encode(initial)
        )
        if (
            response.code == 334
        ):  # the server's error, as a challenge: an empty line ends the exchange
            response = await smtp.execute_command(b"")
        if response.code == 235:
            return
    raise aiosmtplib.SMTPAuthenticationError(
        response.code,
        f"{response.message} (with a freshly refreshed token: "
        "is SMTP AUTH enabled for this mailbox, and the scope granted?)",
    )


async def check(sender: Sender) -> str | None:
    """Try the sender's login; None when it works, else what failed, in plain words."""
    where = f"{sender.smtp.host}:{sender.smtp.port} ({sender.smtp.security.value})"
    try:
        smtp = await connect(sender)
    except (ConfigError, oauth.ReconnectNeeded, oauth.TokenUnavailable) as exc:
        return exc.message
    except ssl.SSLCertVerificationError as exc:
        return _untrusted(sender, exc).detail
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
