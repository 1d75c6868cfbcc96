"""SMTP replies and the retry settings: what each reply means for a send, and `[worker]
max_attempts` / `retry_base` in the config file (mistakes name the setting)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sequencer.channels.base import Outcome
from sequencer.channels.smtp import (
    MAILBOX_RETRY,
    RATE_PAUSE,
    _result,
    _sender_refused,
    classify,
)
from sequencer.config import load_config, parse_config
from sequencer.dispatch import MAX_ATTEMPTS
from sequencer.errors import ConfigError
from sequencer.refusals import Refusal, what_to_fix

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("code", "message", "outcome"),
    [
        (421, "4.7.0 Service not available, closing transmission channel", Outcome.RETRY),
        (450, "4.2.1 Mailbox busy", Outcome.RETRY),
        (451, "4.3.0 Local error in processing", Outcome.RETRY),
        (452, "4.3.1 Insufficient system storage", Outcome.RETRY),
        (
            450,
            "4.7.1 Too many messages from your IP, slow down",
            Outcome.PAUSE_SENDER,
        ),  # a rate limit: the whole mailbox slows down (RATE_PAUSE)
        (451, "4.7.1 Greylisted, please try again in 300 seconds", Outcome.RETRY),
        (451, "4.7.1 Service unavailable - try again later", Outcome.PAUSE_SENDER),
        (
            452,
            "4.2.2 The email account that you tried to reach is over quota",
            Outcome.RETRY,
        ),  # recipient's mailbox
        (550, "5.1.1 <x@example.com>: Recipient address rejected: User unknown", Outcome.BOUNCE),
        (553, "5.1.3 Bad recipient address syntax", Outcome.BOUNCE),
        (550, "5.1.10 RESOLVER.ADR.RecipientNotFound", Outcome.BOUNCE),
        (550, "5.1.2 Host unknown", Outcome.BOUNCE),
        (550, "5.2.1 Mailbox disabled", Outcome.BOUNCE),
        # the sender's domain, its policy, the content: refused, nobody suppressed
        (554, "5.7.1 Relay access denied", Outcome.REFUSED),
        (550, "5.7.26 Unauthenticated email is not accepted due to DMARC", Outcome.REFUSED),
        (550, "5.7.515 Access denied, sending domain does not meet", Outcome.REFUSED),
        (554, "5.7.1 Message rejected as spam", Outcome.REFUSED),
        (552, "5.3.4 Message size exceeds fixed limit", Outcome.REFUSED),
        (501, "5.5.4 Invalid arguments", Outcome.REFUSED),
        (550, "Rejected", Outcome.REFUSED),  # no enhanced status: no suppression
        (
            552,
            "5.2.2 The email account that you tried to reach is over quota",
            Outcome.REFUSED,
        ),  # recipient's mailbox full: retried, a bounce only after repeats
        (550, "5.4.5 Daily user sending quota exceeded", Outcome.PAUSE_SENDER),
        (452, "4.5.3 Daily sending quota exceeded", Outcome.PAUSE_SENDER),
        (451, "4.7.0 Sending limit reached for today", Outcome.PAUSE_SENDER),
        (550, "5.7.1 Too many messages sent today", Outcome.PAUSE_SENDER),
        # a refused login, or TLS wanted first: held for a person, never tried every few minutes
        (535, "5.7.8 Authentication credentials invalid", Outcome.REFUSED),
        (534, "5.7.9 Application-specific password required.", Outcome.REFUSED),
        (530, "5.7.0 Must issue a STARTTLS command first.", Outcome.REFUSED),
        # Google Workspace and Microsoft 365 as they answer
        (
            554,
            "5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceededException; "
            "Failed to process message due to a permanent exception with message",
            Outcome.PAUSE_SENDER,
        ),  # the sender's submission quota, whatever its status says: nobody is suppressed
        (452, "Mailbox quota exceeded for this recipient", Outcome.RETRY),  # theirs, not ours
        (
            421,
            "4.7.28 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail "
            "originating from your IP address. To protect our users from spam, mail sent from "
            "your IP address has been temporarily rate limited.",
            Outcome.PAUSE_SENDER,
        ),
        (
            451,
            "4.7.500 Server busy. Please try again later from [192.0.2.1].",
            Outcome.PAUSE_SENDER,
        ),
        (
            450,
            "4.2.1 The user you are trying to contact is receiving mail at a rate that prevents "
            "additional messages from being delivered. Please resend your message at a later time.",
            Outcome.RETRY,
        ),  # the recipient's mailbox: retried hours apart (MAILBOX_RETRY)
        (452, "4.3.1 Insufficient system resources", Outcome.RETRY),
        # an IP address is no enhanced status: nobody's address is refused
        (550, "Client host [5.1.1.7] blocked by local policy", Outcome.REFUSED),
        (552, "Message size exceeds fixed maximum message size", Outcome.REFUSED),
    ],
)
def test_what_a_reply_means(code: int, message: str, outcome: Outcome) -> None:
    assert classify(code, message) is outcome


@pytest.mark.parametrize(
    ("code", "message", "refusal", "pause"),
    [
        (550, "Client host [5.1.1.7] blocked by local policy", Refusal.UNCLASSIFIED, None),
        (552, "Message size exceeds fixed maximum message size", Refusal.SENDER, None),
        (552, "Mailbox full", Refusal.MAILBOX_FULL, None),
        (535, "5.7.8 Username and Password not accepted.", Refusal.SENDER, None),
        (421, "4.7.28 unusual rate of unsolicited mail", None, RATE_PAUSE),
        (452, "4.2.2 The recipient's inbox is out of storage space.", None, MAILBOX_RETRY),
        (451, "4.3.0 Local error in processing", None, None),
    ],
)
def test_whose_refusal_and_how_long(
    code: int, message: str, refusal: Refusal | None, pause: timedelta | None
) -> None:
    """The class a refusal is read as (who pays for it), and how long its wait is."""
    result = _result(code, message)
    assert (result.refusal, result.pause) == (refusal, pause)


def test_a_refused_login_says_what_to_fix() -> None:
    result = _result(534, "5.7.9 Application-specific password required.")
    assert result.detail.startswith("login refused: ")
    words = f"{result.code} {result.detail}"
    assert "app password" in what_to_fix(Refusal.SENDER, words)


def test_a_refused_sender_is_never_the_recipients_bounce() -> None:
    """MAIL FROM refused: the sender's problem. Bouncing would suppress every recipient it tries."""
    refused = _sender_refused(553, "5.7.1 Sender address rejected: not owned by user")
    assert (refused.outcome, refused.refusal) == (Outcome.REFUSED, Refusal.SENDER)
    unknown = _sender_refused(550, "5.1.1 sender unknown")  # about our sender, not a recipient
    assert (unknown.outcome, unknown.refusal) == (Outcome.REFUSED, Refusal.SENDER)
    quota = _sender_refused(550, "5.4.5 Daily user sending quota exceeded")
    assert (quota.outcome, quota.pause) == (
        Outcome.PAUSE_SENDER,
        None,
    )  # None: until the sender's next day
    assert _sender_refused(451, "4.3.0 try later").outcome is Outcome.RETRY


def test_retry_settings_default_and_parse() -> None:
    config = parse_config({})
    assert (config.max_attempts, config.retry_base) == (MAX_ATTEMPTS, timedelta(minutes=1))
    config = parse_config({"worker": {"max_attempts": 8, "retry_base": "30s"}})
    assert (config.max_attempts, config.retry_base) == (8, timedelta(seconds=30))
    example = load_config(REPO / "examples" / "sequencer.toml")
    assert (example.max_attempts, example.retry_base) == (5, timedelta(minutes=1))


@pytest.mark.parametrize(
    ("worker", "message"),
    [
        ({"max_attempts": 0}, "worker.max_attempts: should be a whole number of at least 1"),
        ({"max_attempts": 2.5}, "worker.max_attempts: should be a whole number of at least 1"),
        ({"max_attempts": "5"}, "worker.max_attempts: should be a whole number of at least 1"),
        ({"max_attempts": True}, "worker.max_attempts: should be a whole number of at least 1"),
        ({"retry_base": "soon"}, "worker.retry_base"),
        ({"retry_base": 0}, "worker.retry_base: should be longer than 0"),
        ({"max_attempt": 3}, "unknown setting 'max_attempt' (did you mean 'max_attempts'?)"),
    ],
)
def test_retry_setting_mistakes_name_the_setting(worker: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"worker": worker})
    assert message in caught.value.message


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from([421, 450, 451, 452, 550, 552, 553, 554]),
    words=st.lists(
        st.sampled_from(
            [
                "blocked",
                "client",
                "host",
                "policy",
                "rejected",
                "user",
                "unknown",
                "quota",
                "busy",
                "said:",
                "5.1.1",
                "4.2.2",
                "5.7.1",
                "over",
                "sending",
                "today",
                "full",
            ]
        ),
        max_size=6,
    ),
    # octets that make statuses (5.1.1, 5.4.5, 4.2.2, 5.7.1 ...) often
    ip=st.tuples(*[st.sampled_from([1, 2, 4, 5, 7, 10, 85, 185, 192])] * 4),
)
@example(code=550, words=["said:", "user", "unknown"], ip=(85, 4, 5, 20))  # Gmail's quota, 5.4.5
@example(code=550, words=["client", "host", "blocked"], ip=(5, 1, 1, 7))  # a recipient's 5.1.1
def test_an_ip_address_never_changes_how_a_reply_is_read(
    code: int, words: list[str], ip: tuple[int, ...]
) -> None:
    """A mail server quotes host addresses ("Client host [5.1.1.7] blocked", "host
    mx.example.com[85.4.5.20] said: 550 5.1.1 ..."): whatever their octets, the reply is read as
    it would be without them, never as a status or a quota they spell."""
    plain = " ".join(words)
    address = f"[{'.'.join(map(str, ip))}]"
    # before or after the words (inside a phrase it could split one: "over [1.1.1.1] quota")
    for quoted in (f"{address} {plain}", f"{plain} {address}", f"{plain} from {address}."):
        assert (classify(code, quoted), _result(code, quoted).pause) == (
            classify(code, plain),
            _result(code, plain).pause,
        ), quoted
