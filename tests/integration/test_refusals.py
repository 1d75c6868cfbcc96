"""Refusal classes and the bounce guard against a real aiosmtpd server, on both databases.

A server that refuses our sender's domain (DMARC) suppresses nobody and holds the sender after
one attempt; a list where every 8th address does not exist holds the sender on its bounce rate
long before the list is used up; a full mailbox is tried again on later days and suppressed only
after repeats spanning two days; a DSN about the sender's policy suppresses nobody. ``doctor``
and ``senders resume`` are run as a user runs them, through the CLI.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from imap_account import ImapAccount
from sending_rig import MONDAY, REPO, Rig, person
from test_inbox import dsn, first_messages

from sequencer.testing import CaptureServer

DMARC = (
    "550 5.7.26 Unauthenticated email from acme.example is not accepted due to domain's "
    "DMARC policy"
)
UNKNOWN = "550 5.1.1 <{}>: Recipient address rejected: User unknown"
FULL = "552 5.2.2 The email account that you tried to reach is over quota"
MONDAY_EVENING = MONDAY + timedelta(hours=12)

CONFIG = """\
sequences = ["{sequences}"]

[[senders]]
name = "jane"
display_name = "Jane Doe"
email = "jane@acme.example"
timezone = "Europe/Helsinki"

[senders.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
"""


def cli(rig: Rig, *args: str) -> subprocess.CompletedProcess[str]:
    """``sequencer --db <the rig's database> ARGS`` in a folder with a config naming jane."""
    (rig.tmp / "sequencer.toml").write_text(
        CONFIG.format(sequences=REPO / "sequences", port=rig.smtp.port)
    )
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "sequencer", "--db", rig.engine.config.database_url, *args],
        cwd=rig.tmp,
        text=True,
        capture_output=True,
        timeout=120,
        env=env,
        check=False,
    )


def tried(rig: Rig) -> int:
    """RCPT commands the server saw, over every recipient."""
    return sum(rig.smtp.attempts.values())


def test_a_dmarc_refusal_suppresses_nobody_and_holds_the_sender(
    rig_factory: Callable[..., Rig],
) -> None:
    rig = rig_factory()
    rig.smtp.script = lambda rcpt, attempt: DMARC
    rig.import_rows([person(i) for i in range(10)])
    rig.engine.enroll("cold")
    rig.run(until=MONDAY + timedelta(days=2))

    store = rig.engine.store
    assert store.suppressions() == []
    assert 1 <= tried(rig) <= 3, rig.smtp.attempts
    (hold,) = store.holds.standing()
    assert (hold.scope, hold.sender, hold.reason) == ("sender", "jane", "policy_refusal")
    assert "5.7.26" in hold.detail and "DMARC" in hold.detail
    emails = [f"p{i}@example.com" for i in range(10)]
    assert {rig.enrollment(e).status for e in emails} == {"active"}, "nobody failed or bounced"
    assert {s.status for s in rig.sends()} == {"scheduled"}, "every send waits"
    print(f"\nfigures: DMARC 5.7.26 to 10 contacts: {tried(rig)} attempt(s), 0 suppressed, held")

    doctor = cli(rig, "doctor")
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    text = " ".join(doctor.stdout.split())
    assert "paused sender jane (policy_refusal" in text, text
    assert "DMARC" in text and "sequencer senders resume jane" in text, text


def test_the_bounce_guard_holds_a_bad_list_and_resume_lets_it_go_on(
    rig_factory: Callable[..., Rig],
) -> None:
    rig = rig_factory(daily_cap=300, min_gap=timedelta(seconds=20), jitter=timedelta(0))
    bad = {f"p{i}@example.com" for i in range(200) if i % 8 == 7}
    rig.smtp.script = lambda rcpt, attempt: UNKNOWN.format(rcpt) if rcpt in bad else None
    rig.import_rows([person(i) for i in range(200)])
    rig.engine.enroll("cold")
    rig.run(until=MONDAY_EVENING)

    store = rig.engine.store
    (hold,) = store.holds.standing()
    assert (hold.scope, hold.sender, hold.reason) == ("sender", "jane", "bounce_rate")
    first_run = tried(rig)
    bounced = [s for s in rig.sends() if s.status == "bounced"]
    assert first_run < 200 and len(bounced) >= 3
    assert len(store.suppressions()) == len(bounced), "only the refused addresses"
    print(
        f"\nfigures: every 8th refused 5.1.1, 200 enrolled: held after {first_run} tried, "
        f"{len(bounced)} bounced ({hold.detail.split(' (')[0]})"
    )

    doctor = cli(rig, "doctor")
    text = " ".join(doctor.stdout.split())
    assert doctor.returncode == 1 and "paused sender jane (bounce_rate" in text, text
    assert f"{len(bounced)} of the last {first_run} sends bounced" in text, text

    resumed = cli(rig, "senders", "resume", "jane")
    assert resumed.returncode == 0 and "resumed sender jane" in resumed.stdout, resumed.stderr
    assert store.holds.standing() == []
    rig.run(until=MONDAY_EVENING + timedelta(days=1))
    assert tried(rig) > first_run, "sending continues once resumed"
    again = cli(rig, "senders", "resume", "jane")
    assert again.returncode == 1 and "nothing is paused" in again.stderr


def test_a_full_mailbox_is_retried_on_later_days_then_suppressed(
    rig_factory: Callable[..., Rig],
) -> None:
    rig = rig_factory()
    rig.smtp.script = lambda rcpt, attempt: FULL if rcpt == "p0@example.com" else None
    rig.import_rows([person(0), person(1)])
    rig.engine.enroll("cold")
    store = rig.engine.store
    seen = []
    for day in range(3):
        rig.run(until=MONDAY_EVENING + timedelta(days=day))
        (intro,) = rig.sends("p0@example.com", step="intro")
        seen.append((rig.smtp.attempts["p0@example.com"], intro.status))
        if day < 2:
            assert not store.suppressed(["p0@example.com"]), f"suppressed on day {day}"
            assert rig.enrollment("p0@example.com").status == "active"
    assert seen == [(1, "scheduled"), (2, "scheduled"), (3, "bounced")], seen
    assert store.suppressed(["p0@example.com"]) and not store.holds.standing()
    enrollment = rig.enrollment("p0@example.com")
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", "bounce")
    assert [m["To"] for m in rig.received("p1@example.com")], "p1 was never held up"


def test_a_dsn_with_status_5_7_1_suppresses_nobody(
    rig_factory: Callable[..., Rig], imap: ImapAccount
) -> None:
    rig = rig_factory(imap=imap.settings())
    rig.import_rows([person(1), person(2)])
    rig.engine.enroll("cold", sender="jane")
    rig.run(days=1)
    ids = first_messages(rig, ["p1@example.com"])
    imap.append(dsn("p1@example.com", ids["p1@example.com"], status="5.7.1"))
    report = rig.engine.poll_inbox_sync()
    assert not report.errors
    assert rig.engine.store.suppressions() == []
    assert "not suppressed" in report.handled[0].action, report.handled[0].action


#: Microsoft 365's answer when the sending mailbox has used its daily recipients: a 5.2.2 status
#: (a full mailbox, by RFC 3463) about the sender's own submission quota.
SUBMISSION_QUOTA = (
    "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceededException; "
    "Failed to process message due to a permanent exception with message [BeginDiagnosticData]"
)
#: Gmail's rate limit on a sender's IP or domain, in its multi-line form.
RATE_LIMITED = (
    "421-4.7.28 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail\r\n"
    "421-4.7.28 originating from your IP address. To protect our users from spam, mail sent\r\n"
    "421 4.7.28 from your IP address has been temporarily rate limited. - gsmtp"
)


def test_microsoft_365s_submission_quota_pauses_the_sender_and_suppresses_nobody(
    rig_factory: Callable[..., Rig],
) -> None:
    """Read as its 5.2.2 status says (the recipient's full mailbox), this reply bounced every
    prospect the sender tried, after three days of trying, and suppressed them for good."""
    rig = rig_factory()
    rig.smtp.script = lambda rcpt, attempt: SUBMISSION_QUOTA
    rig.import_rows([person(i) for i in range(5)])
    rig.engine.enroll("cold")
    rig.run(until=MONDAY + timedelta(days=4))
    store = rig.engine.store
    assert store.suppressions() == []
    assert {e.status for e in map(rig.enrollment, (f"p{i}@example.com" for i in range(5)))} == {
        "active"
    }
    intros = [rig.sends(f"p{i}@example.com", step="intro")[0] for i in range(5)]
    assert {s.status for s in intros} == {"scheduled"} and {s.attempts for s in intros} == {0}
    assert 4 <= tried(rig) <= 8, rig.smtp.attempts  # about one try a day, not one per prospect


def test_a_rate_limit_slows_the_sender_and_fails_no_prospect(
    rig_factory: Callable[..., Rig],
) -> None:
    """Gmail's 4.7.28 was retried send by send: each spent its attempts within the hour and its
    prospect's sequence ended as failed because of the sender's standing."""
    rig = rig_factory()
    first: list[datetime] = []

    def limited(rcpt: str, attempt: int) -> str | None:
        """Refused for three hours from the first try, then let through."""
        first[:] = first or [rig.clock.now()]
        return RATE_LIMITED if rig.clock.now() < first[0] + timedelta(hours=3) else None

    rig.smtp.script = limited
    rig.import_rows([person(i) for i in range(10)])
    rig.engine.enroll("cold")
    rig.run(until=MONDAY + timedelta(days=2))
    store = rig.engine.store
    assert store.suppressions() == [] and not store.holds.standing()
    assert not [s for s in rig.sends() if s.status == "failed"]
    statuses = {rig.enrollment(f"p{i}@example.com").status for i in range(10)}
    assert statuses == {"active"}, statuses
    assert all(rig.received(f"p{i}@example.com") for i in range(10)), "all went out in the end"


def test_an_ip_address_in_a_refusal_is_no_recipients_status(
    rig_factory: Callable[..., Rig],
) -> None:
    """ "[5.1.1.7]" is the sending host; read as status 5.1.1 it suppressed the prospect."""
    rig = rig_factory()
    blocked = "550 Client host [5.1.1.7] blocked by local policy"
    rig.smtp.script = lambda rcpt, attempt: blocked if rcpt == "p0@example.com" else None
    rig.import_rows([person(0), person(1)])
    rig.engine.enroll("cold")
    rig.run(until=MONDAY_EVENING)
    assert rig.engine.store.suppressions() == []
    assert rig.sends("p0@example.com", step="intro")[0].status != "bounced"


RECIPIENT_POLICY = (
    "550-5.7.1 The user or domain that you are sending to (or from) has a policy that\r\n"
    "550 5.7.1 prohibited the mail that you sent. Please contact your domain administrator"
)


def test_a_recipient_domains_policy_fails_that_contact_and_holds_nothing(
    rig_factory: Callable[..., Rig],
) -> None:
    """Read as the sender's fault, this refusal held the sender; resumed, the sender met the same
    send first and was held again, day after day, and the other prospects got nothing. Now that
    contact's sequence ends, nobody is suppressed, and the rest go on, however many people at one
    company refuse so; a sender whose sends keep failing is held by the bounce guard, which
    counts from its last resume (10 in a row)."""
    rig = rig_factory()
    refusing = {"p0@example.com", "p1@example.com", "p2@example.com", "p3@example.com"}
    rig.smtp.script = lambda rcpt, attempt: RECIPIENT_POLICY if rcpt in refusing else None
    rig.import_rows([person(i) for i in range(10)])
    rig.engine.enroll("cold")
    rig.run(until=MONDAY_EVENING)
    store = rig.engine.store
    assert store.suppressions() == [] and store.holds.standing() == []
    for address in refusing:
        assert (rig.enrollment(address).status, rig.smtp.attempts[address]) == ("stopped", 1)
    assert all(rig.received(f"p{i}@example.com") for i in range(4, 10))

    refusing |= {f"p{i}@example.com" for i in range(10, 22)}
    rig.import_rows([person(i) for i in range(10, 22)])
    rig.engine.enroll("cold", emails=[f"p{i}@example.com" for i in range(10, 22)])
    rig.run(until=MONDAY_EVENING + timedelta(days=1))
    (hold,) = store.holds.standing()
    assert (hold.scope, hold.reason) == ("sender", "consecutive_failures"), hold
    assert store.suppressions() == []


class Greeter:
    """A real TCP server on 127.0.0.1 that answers every connection with ``reply`` at the
    greeting and closes it, as Gmail does for a sender it rate limits; it counts connections."""

    def __init__(self, reply: str) -> None:
        self.reply, self.connections = reply, 0
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:  # closed
                return
            self.connections += 1
            with conn:
                conn.sendall(self.reply.encode("ascii") + b"\r\n")

    def close(self) -> None:
        self._socket.close()


def test_a_greeting_that_rate_limits_the_sender_is_not_knocked_on_every_two_minutes(
    rig_factory: Callable[..., Rig], smtp: CaptureServer
) -> None:
    """A 421 at the greeting paused the sender CONNECT_PAUSE (2 minutes) and it came back: about
    240 connections in a window-day to a server that had said it was limiting the sender."""
    greeter = Greeter(
        "421-4.7.0 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail\r\n"
        "421 4.7.0 Try again later, closing connection."
    )
    try:
        smtp.port = greeter.port  # the sender's server, for the rig made next
        rig = rig_factory()
        rig.import_rows([person(i) for i in range(3)])
        rig.engine.enroll("cold")
        rig.run(until=MONDAY_EVENING)
    finally:
        greeter.close()
    assert 1 <= greeter.connections <= 20, greeter.connections  # 8 hours, one try each 30 min
    store = rig.engine.store
    assert store.suppressions() == [] and not [s for s in rig.sends() if s.status == "failed"]
