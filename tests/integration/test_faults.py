"""SMTP faults, one case per row of the matrix, against a real aiosmtpd server.

Requirement: 421, 450, 451, 452, dropped connections and timeouts are retried with exponential
back-off and jitter, up to ``[worker] max_attempts``; a refusal of the recipient's address (5.1.1,
5.1.2, 5.1.3, 5.1.10, 5.2.1) is a hard bounce (stop and suppress); a refusal on our side (5.7.x,
5.5.x, 5.3.4, relay denied) suppresses nobody, the send waits and the sender (or, for content,
the variant and so the step) is held; a full mailbox (5.2.2) is retried a day later; a 5xx
without an enhanced status is retried and suppresses nobody; a sender-quota reply pauses that
sender until its next day and is not a bounce; no fault ever loses a send silently.

Every case runs the same way: two contacts of sender jane (p0 gets the fault, p1 is behind it
in the same lane) and one of sender mikko (p2, another mailbox), through Monday and then
through Tuesday on the simulated clock. The server's script decides, per recipient and per
attempt, what p0's attempts meet. A drop or a hang *at DATA* happens after the server has
received and kept the whole message: the case no client can tell from a lost message, which
must end 'uncertain' and never be retried on its own.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sending_rig import HELSINKI, MONDAY, Rig, person

from sequencer.channels.smtp import MAILBOX_RETRY
from sequencer.clock import SimulatedClock
from sequencer.store import Send
from sequencer.testing import DROP, HANG, Fault

#: The client's SMTP timeout in these tests; a "hang" outlasts it.
TIMEOUT = 0.5
MAX_ATTEMPTS = 3
RETRY_BASE = timedelta(seconds=30)
#: Monday 20:00 in Helsinki: Monday's window (09:00-17:00) is over, Tuesday has not begun.
MONDAY_EVENING = MONDAY + timedelta(hours=12)
TUESDAY_EVENING = MONDAY_EVENING + timedelta(days=1)
QUOTA_550 = "550 5.4.5 Daily user sending quota exceeded"
QUOTA_452 = "452 4.5.3 Daily sending quota exceeded, try again tomorrow"

Answer = str | Fault | None


@dataclass(frozen=True, kw_only=True)
class Case:
    """One fault, and how p0's first message must end."""

    #: What the server does on p0's attempt n (None: accept).
    answer: Callable[[int], Answer]
    status: str
    #: Delivery attempts recorded on the send.
    attempts: int
    #: Messages the server kept for p0 (0 or 1: never a duplicate).
    delivered: int
    #: RCPT commands the server saw for p0: one per attempt that reached it.
    server_attempts: int
    enrollment: tuple[str, str | None] = ("active", None)
    suppressed: bool = False
    #: Words the send's error must keep.
    error: tuple[str, ...] = ()
    #: The sender was paused: nothing of jane's goes out on Monday after the fault.
    paused: bool = False
    #: The standing hold the fault leaves: (scope, reason).
    held: tuple[str, str] | None = None
    #: The back-off's first wait: ``[worker] retry_base``, or longer for a recipient's mailbox
    #: busy or full for now (a 4.2.x status: ``MAILBOX_RETRY``).
    base: timedelta = RETRY_BASE


def once(fault: Answer) -> Callable[[int], Answer]:
    return lambda attempt: fault if attempt == 1 else None


def always(fault: Answer) -> Callable[[int], Answer]:
    return lambda attempt: fault


def retried(fault: Answer) -> Case:
    """A transient fault once, then success: sent on the second attempt, delivered once."""
    return Case(answer=once(fault), status="sent", attempts=2, delivered=1, server_attempts=2)


def gives_up(fault: Answer, error: str) -> Case:
    """The same transient fault on every attempt: failed after max_attempts, the
    enrollment ended.
    """
    return Case(
        answer=always(fault),
        status="failed",
        attempts=MAX_ATTEMPTS,
        delivered=0,
        server_attempts=MAX_ATTEMPTS,
        enrollment=("stopped", "failed"),
        error=(f"gave up after {MAX_ATTEMPTS} attempts", error),
    )


def bounces(fault: Answer, error: str) -> Case:
    return Case(
        answer=always(fault),
        status="bounced",
        attempts=1,
        delivered=0,
        server_attempts=1,
        enrollment=("stopped", "bounce"),
        suppressed=True,
        error=(error,),
    )


def uncertain(fault: Fault) -> Case:
    """The server has the message but its answer never comes: held for a person, never retried."""
    return Case(
        answer=once(fault),
        status="uncertain",
        attempts=1,
        delivered=1,
        server_attempts=1,
        error=("no answer after the message was sent",),
    )


def held(fault: Answer, error: str, scope: str = "sender", reason: str = "policy_refusal") -> Case:
    """A refusal on our side: nobody suppressed, no attempt counted, the send waits for a person
    because its sender (or step) is held: one attempt reaches the server, never a second."""
    return Case(
        answer=always(fault),
        status="scheduled",
        attempts=0,
        delivered=0,
        server_attempts=1,
        error=(error,),
        held=(scope, reason),
    )


def quota(reply: str) -> Case:
    """The sender's quota: paused until its next local midnight, the attempt not counted, no
    bounce.
    """
    return Case(
        answer=once(reply), status="sent", attempts=1, delivered=1, server_attempts=2, paused=True
    )


CASES: dict[str, Case] = {
    # transient replies at RCPT, once then success
    "421-once": retried("421 4.7.0 Service not available, closing transmission channel"),
    "450-once": dataclasses.replace(
        retried("450 4.2.1 Mailbox busy, try again later"), base=MAILBOX_RETRY
    ),
    "451-once": retried("451 4.3.0 Local error in processing"),
    "452-once": retried("452 4.3.1 Insufficient system storage"),
    # a transient refusal at the end of DATA is a real answer: nothing was taken, safe to retry
    "451-at-data-once": retried(Fault.data("451 4.3.0 Try again later")),
    # dropped connection and timeout before DATA: nothing can have been delivered
    "drop-at-rcpt-once": retried(DROP),
    "hang-at-rcpt-once": retried(HANG),
    # the same fault on every attempt
    "421-always": gives_up("421 4.7.0 Service not available", "Service not available"),
    "450-always": dataclasses.replace(
        gives_up("450 4.2.1 Mailbox busy", "Mailbox busy"), base=MAILBOX_RETRY
    ),
    # a rate limit on the sender: the whole mailbox waits RATE_PAUSE, the attempt given back
    "421-4.7.28-rate-once": Case(
        answer=once(
            "421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating "
            "from your IP address.\r\n421 4.7.28 Mail has been temporarily rate limited."
        ),
        status="sent",
        attempts=1,
        delivered=1,
        server_attempts=2,
    ),
    "451-always": gives_up("451 4.3.0 Local error", "Local error"),
    "452-always": gives_up("452 4.3.1 Insufficient system storage", "Insufficient system storage"),
    "drop-at-rcpt-always": gives_up(DROP, "Disconnected"),
    "hang-at-rcpt-always": gives_up(HANG, "Timeout"),
    # after the message was sent: uncertain, exactly one copy on the server, never retried
    "hang-at-data": uncertain(Fault.data(HANG)),
    "drop-at-data": uncertain(Fault.data(DROP)),
    # hard bounces: stop, suppress, no retry
    "550-5.1.1": bounces(
        "550 5.1.1 <p0@example.com>: Recipient address rejected: User unknown", "550 5.1.1"
    ),
    "553-5.1.3": bounces("553 5.1.3 Bad recipient address syntax", "553 5.1.3"),
    "550-5.1.10": bounces("550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found", "5.1.10"),
    "550-5.1.2": bounces("550 5.1.2 <p0@example.com>: Host not found", "5.1.2"),
    "550-5.2.1-disabled": bounces("550 5.2.1 The email account is disabled", "5.2.1"),
    # our side: the sender's domain, its policy, its size: held, nobody suppressed
    "550-5.7.26-dmarc": held(
        "550 5.7.26 Unauthenticated email from acme.example is not accepted due to domain's "
        "DMARC policy",
        "5.7.26",
    ),
    "550-5.7.515-outlook": held(
        "550 5.7.515 Access denied, sending domain acme.example doesn't meet the required "
        "authentication level",
        "5.7.515",
    ),
    "554-5.7.1-relay": held("554 5.7.1 <p0@example.com>: Relay access denied", "Relay access"),
    "554-relay-no-status": held("554 Relay access denied", "Relay access"),
    "552-5.3.4-too-big": held(Fault.data("552 5.3.4 Message size exceeds fixed limit"), "5.3.4"),
    "550-5.5.0-policy": held("550 5.5.0 Requested action not taken: policy", "5.5.0"),
    # the recipient's domain refuses us by its own policy: this contact fails, nobody is held
    # (the sender would meet the same send first once resumed) or suppressed
    "550-5.7.1-recipient-policy": Case(
        answer=always(
            "550-5.7.1 The user or domain that you are sending to (or from) has a policy that\r\n"
            "550 5.7.1 prohibited the mail that you sent. Please contact your domain administrator"
        ),
        status="failed",
        attempts=1,
        delivered=0,
        server_attempts=1,
        enrollment=("stopped", "failed"),
        error=("has a policy",),
    ),
    # TLS or a login wanted first: a person fixes the sender's settings
    "530-5.7.0-starttls": held("530 5.7.0 Must issue a STARTTLS command first.", "STARTTLS"),
    # too big, said in words only
    "552-no-status-too-big": held(
        Fault.data("552 Message size exceeds fixed maximum message size"), "size"
    ),
    # the content judged spam: the body variant is held and the next try takes the other one;
    # refused too, every body of the step is held, so the step is (two attempts, no more)
    "554-5.7.1-spam-at-data": dataclasses.replace(
        held(Fault.data("554 5.7.1 Message rejected as spam"), "spam", "step", "content_refusal"),
        server_attempts=2,
    ),
    # the recipient's mailbox is full: not the sender's quota; tried again each day, no bounce yet
    "552-5.2.2-mailbox-full": Case(
        answer=always("552 5.2.2 The email account that you tried to reach is over quota"),
        status="scheduled",
        attempts=0,
        delivered=0,
        server_attempts=2,
        error=("5.2.2",),
    ),
    # a 552 without a status that names the mailbox (RFC 5321's own text for 552): the
    # recipient's full mailbox, not a message too big that would hold the whole sender
    "552-no-status-mailbox-size": Case(
        answer=always("552 Mailbox size limit exceeded"),
        status="scheduled",
        attempts=0,
        delivered=0,
        server_attempts=2,
        error=("Mailbox size limit",),
    ),
    # an address inside a reply is no status, and no quota: Postfix's recipient check quoting
    # the recipient's server ([85.4.5.20] spells Gmail's daily quota, 5.4.5)
    "550-5.1.1-via-85.4.5.20": bounces(
        "550 5.1.1 <p0@example.com>: Recipient address rejected: undeliverable address: host "
        "mx.example.com[85.4.5.20] said: 550 5.1.1 User unknown in virtual alias table",
        "5.1.1",
    ),
    # a 5xx that says nothing more: retried as a transient fault, nobody suppressed
    "550-no-status": gives_up("550 Rejected", "Rejected"),
    # the sender's quota: pause jane until her next midnight; mikko keeps sending
    "quota-550-5.4.5": quota(QUOTA_550),
    "quota-452-4.5.3": quota(QUOTA_452),
    # Microsoft 365's submission quota, though its status is a full mailbox's (5.2.2)
    "quota-554-5.2.2-submission": quota(
        "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceededException; "
        "Failed to process message due to a permanent exception"
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_an_smtp_fault_ends_as_it_must(rig_factory: Callable[..., Rig], case: Case) -> None:
    rig = faulty_rig(
        rig_factory,
        lambda rcpt, attempt: case.answer(attempt) if rcpt == "p0@example.com" else None,
    )
    log = LogSpy.install(rig)
    rig.import_rows([person(0), person(1), person(2)])
    rig.engine.enroll("cold", emails=["p0@example.com", "p1@example.com"])
    rig.engine.enroll("cold", sender="mikko", emails=["p2@example.com"])

    rig.run(until=MONDAY_EVENING)
    monday = MONDAY.astimezone(HELSINKI).date()
    intro = rig.sends("p0@example.com", step="intro")[0]
    # another sender's mailbox is never held up by jane's fault (a held step is held for both)
    if case.held is None or case.held[0] == "sender":
        assert [local_day(m) for m in rig.received("p2@example.com")] == [monday]
    if case.held is not None:
        # nothing of a held sender goes out; a held step's other contacts wait for it too
        assert case.held[0] != "sender" or rig.received("p1@example.com") == []
    elif case.paused:
        midnight = datetime(2026, 11, 24, tzinfo=HELSINKI)
        assert (intro.status, intro.attempts) == ("scheduled", 0), (
            "a pause of the sender costs no attempt"
        )
        assert intro.due_at >= midnight and intro.error is not None
        assert "quota" in intro.error.lower()
        assert rig.received("p0@example.com") == rig.received("p1@example.com") == []
        assert rig.engine.dispatcher.paused_until["jane"] == midnight
    else:
        assert [local_day(m) for m in rig.received("p1@example.com")] == [monday]

    rig.run(until=TUESDAY_EVENING)
    intro = rig.sends("p0@example.com", step="intro")[0]
    assert (intro.status, intro.attempts) == (case.status, case.attempts), intro.error
    assert rig.smtp.attempts["p0@example.com"] == case.server_attempts
    received = rig.received("p0@example.com")
    assert len(received) == case.delivered
    if received:
        assert received[0]["Message-ID"] == intro.message_id
    if case.paused:
        assert [local_day(m) for m in received + rig.received("p1@example.com")] == [
            monday + timedelta(days=1)
        ] * 2
    enrollment = rig.enrollment("p0@example.com")
    assert (enrollment.status, enrollment.stop_reason) == case.enrollment
    assert rig.engine.store.suppressed(["p0@example.com"]) is case.suppressed
    for words in case.error:
        assert intro.error is not None and words in intro.error, intro.error
    following = [s for s in rig.sends("p0@example.com") if s.step_key != "intro"]
    assert [s.status for s in following] == (["scheduled"] if case.status == "sent" else [])
    # the back-off: attempt n waits base · 2^(n-1) · (1 + jitter in [0, 1))
    delays = log.retry_delays(intro)
    assert len(delays) == (
        case.attempts - 1 if case.status in ("sent", "failed") and not case.paused else 0
    )
    for n, delay in enumerate(delays, start=1):
        low = case.base * 2 ** (n - 1)
        assert low <= delay < 2 * low, (n, delay)
    standing = {
        (h.scope, h.reason) for h in rig.engine.store.holds.standing() if h.scope != "variant"
    }
    assert standing == ({case.held} if case.held else set()), standing
    assert_no_send_lost(rig)


def test_a_quota_pause_resumes_after_midnight_with_every_attempt_left(
    rig_factory: Callable[..., Rig],
) -> None:
    """A pause, then a transient fault: the retry still has all its attempts (the pause
    cost none).
    """
    answers = {1: QUOTA_550, 2: "451 4.3.0 try later", 3: "451 4.3.0 try later"}
    rig = faulty_rig(
        rig_factory,
        lambda rcpt, attempt: answers.get(attempt) if rcpt == "p0@example.com" else None,
    )
    rig.import_rows([person(0)])
    rig.engine.enroll("cold")
    rig.run(until=TUESDAY_EVENING)

    intro = rig.sends("p0@example.com", step="intro")[0]
    assert (intro.status, intro.attempts) == ("sent", MAX_ATTEMPTS)
    assert [local_day(m) for m in rig.received("p0@example.com")] == [
        MONDAY.astimezone(HELSINKI).date() + timedelta(days=1)
    ]
    assert_no_send_lost(rig)


# -- helpers
# ------------------------------------------------------------------------------------------


def faulty_rig(rig_factory: Callable[..., Rig], script: Callable[[str, int], Answer]) -> Rig:
    """A rig whose sender jane (and a second sender, mikko) time out after TIMEOUT seconds, with
    ``[worker] max_attempts = 3`` and ``retry_base = 30s``, and the server answering by ``script``.
    """
    rig = rig_factory(config_extra={"max_attempts": MAX_ATTEMPTS, "retry_base": RETRY_BASE})
    jane = rig.engine.config.senders["jane"]
    jane = dataclasses.replace(jane, smtp=dataclasses.replace(jane.smtp, timeout=TIMEOUT))
    mikko = dataclasses.replace(
        jane, name="mikko", display_name="Mikko Virtanen", email="mikko@acme.example"
    )
    rig.engine.config = dataclasses.replace(
        rig.engine.config, senders={"jane": jane, "mikko": mikko}
    )
    rig.smtp.script = script
    rig.smtp.hang = 10 * TIMEOUT
    return rig


def local_day(message: Any) -> Any:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(message["Date"]).astimezone(HELSINKI).date()


def assert_no_send_lost(rig: Rig) -> None:
    """No fault ever loses a send silently.

    Every send is in exactly one end state (or waits in 'scheduled'); none is left claimed or
    sending. Every message the server holds belongs to exactly one send recorded 'sent' or
    'uncertain', once; every 'sent' email is on the server exactly once; every send that did
    not go out says why.
    """
    sends = rig.sends()
    assert sends
    done = {"sent", "bounced", "failed", "uncertain", "scheduled"}
    for send in sends:
        assert send.status in done, (send.id, send.step_key, send.status)
        if send.status in ("bounced", "failed", "uncertain"):
            assert send.error, (send.id, send.status)
    on_server = Counter(m["Message-ID"] for m in rig.smtp.messages)
    assert all(n == 1 for n in on_server.values()), f"a message was delivered twice: {on_server}"
    by_message_id = {s.message_id: s for s in sends if s.message_id}
    for message_id in on_server:
        assert message_id in by_message_id, f"{message_id} reached the server but no send says so"
        assert by_message_id[message_id].status in ("sent", "uncertain"), by_message_id[message_id]
    for send in sends:
        if send.channel == "email" and send.status == "sent":
            assert on_server[send.message_id] == 1, (send.id, "recorded sent but not on the server")


class LogSpy:
    """Wraps the dispatcher's logger: keeps every event with the simulated time it was logged at."""

    def __init__(self, inner: Any, clock: SimulatedClock) -> None:
        self.inner, self.clock = inner, clock
        self.events: list[tuple[str, datetime, dict[str, Any]]] = []

    @classmethod
    def install(cls, rig: Rig) -> LogSpy:
        spy = cls(rig.engine.dispatcher.log, rig.clock)
        rig.engine.dispatcher.log = spy
        return spy

    def __getattr__(self, level: str) -> Callable[..., Any]:
        method = getattr(self.inner, level)

        def record(event: str, **fields: Any) -> Any:
            self.events.append((event, self.clock.now(), fields))
            return method(event, **fields)

        return record

    def retry_delays(self, send: Send) -> list[timedelta]:
        """The back-off chosen after each failed attempt of ``send``, in attempt order."""
        found = [
            (fields["attempt"], datetime.fromisoformat(fields["retry_at"]) - at)
            for event, at, fields in self.events
            if event == "send.retry" and fields["send_id"] == send.id
        ]
        assert [n for n, _ in found] == list(range(1, len(found) + 1)), found
        return [delay for _, delay in found]
