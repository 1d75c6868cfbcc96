"""Hostile and messy input through the real aiosmtpd server (issue 15): internationalised
domains, 2,000-character names, a CSV with a quote left open.

What is checked is what the recipient's server sees: the envelope (MAIL FROM, RCPT TO), the
raw header lines and the decoded names, and what the store kept (no bounce, no suppression).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from email_validator import validate_email
from sending_rig import MONDAY, REPO, Rig, body_text, make_sender, person

from sequencer import Engine, SimulatedClock
from sequencer.config import Config
from sequencer.contacts import RowProblem
from sequencer.testing import Captured, CaptureServer

STRASSE, SOPHIA = "x@straße.de", "q@ςοφία.gr"


def ascii_email(address: str) -> str:
    ascii_form = validate_email(address, check_deliverability=False).ascii_email
    assert ascii_form is not None
    return ascii_form


def to_header(message: Captured) -> tuple[str, str]:
    """(display name, address) of ``To:``, decoded as RFC 2047 says (see
    tests/unit/test_messages.py).
    """
    from email.header import decode_header, make_header
    from email.utils import getaddresses

    head = re.sub(
        rb"\r\n(?=[ \t])",
        b"",
        message.raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n").split(b"\r\n\r\n")[0],
    )
    [value] = [line[4:] for line in head.decode("ascii").split("\r\n") if line.startswith("To: ")]
    [(name, address)] = getaddresses([value])
    return str(make_header(decode_header(name))), address


def test_an_idn_domain_is_sent_to_its_idna_2008_form_in_envelope_and_header(rig: Rig) -> None:
    rig.import_rows([person(0, email=STRASSE), person(1, email=SOPHIA)])
    rig.engine.enroll("cold")
    rig.run(days=30)

    assert (
        ascii_email(STRASSE) == "x@xn--strae-oqa.de"
    )  # IDNA 2008; Python's IDNA 2003 codec gives x@strasse.de
    assert len(rig.smtp.messages) == 4
    for address, first in ((STRASSE, "First0"), (SOPHIA, "First1")):
        wire = ascii_email(address)
        received = rig.received(wire)
        assert len(received) == 2, [m.recipients for m in rig.smtp.messages]
        for message in received:
            assert message.recipients == (wire,)
            assert to_header(message) == (f"{first} Last{first[-1]}", wire)
            assert message.message["To"].addresses[0].addr_spec == wire
    assert rig.smtp.to("x@strasse.de") == [] and b"strasse" not in b"".join(
        m.raw for m in rig.smtp.messages
    )
    assert rig.smtp.to("q@xn--kxae4bpq.gr") == []  # IDNA 2003 maps ς to σ: σοφία.gr, another domain
    assert ascii_email(SOPHIA) == "q@xn--kxae4blv.gr"


def test_a_suppressed_idn_domain_is_never_mailed(rig: Rig) -> None:
    rig.import_rows([person(0, email=STRASSE), person(1, email=SOPHIA), person(2)])
    rig.engine.suppress("@straße.de", "xn--kxae4blv.gr")
    rig.engine.enroll("cold")
    rig.run(days=30)

    assert [m.recipients for m in rig.smtp.messages] == [("p2@example.com",)] * 2
    assert rig.engine.store.suppressed(["@straße.de"]) and rig.engine.store.suppressed(
        ["@ςοφία.gr"]
    )


LONG_NAMES = {
    "p0@example.com": ("Kiri " * 400)[:2000],
    "p1@example.com": "K" * 2000,
    "p2@example.com": ("Jörg Müller-Lüdenscheidt " * 80)[:2000],
    "p3@example.com": "ς" * 2000,
}


def test_a_2000_character_name_is_sent_folded_never_bounced_or_suppressed(rig: Rig) -> None:
    rig.import_rows([person(i, last_name="") for i in range(4)])
    for address, name in LONG_NAMES.items():  # behind the importer's back: import cuts names to 200
        rig.update_contact(address, first_name=name)
    rig.engine.enroll("cold")
    report = rig.run(days=30)

    assert report.bounced == 0
    for address, name in LONG_NAMES.items():
        received = rig.received(address)
        assert len(received) == 2, address
        for message in received:
            assert all(len(line) <= 998 for line in message.raw.split(b"\r\n"))
            assert all(len(line) <= 78 for line in message.raw.split(b"\r\n\r\n")[0].split(b"\r\n"))
            assert to_header(message) == (" ".join(name.split()), address)
        assert not rig.engine.store.suppressed([address])
        assert rig.enrollment(address).stop_reason is None
        assert {s.status for s in rig.sends(address)} == {"sent"}


def test_a_2000_character_name_in_a_csv_is_cut_with_its_row_named(rig: Rig) -> None:
    from sending_rig import write_csv

    report = rig.engine.import_contacts(
        write_csv(rig.tmp / "long.csv", [person(0), person(1, first_name="Ä" * 2000)])
    )
    assert [(e.row, e.email, e.problem) for e in report.errors] == [
        (3, "p1@example.com", RowProblem.CHANGED)
    ]
    assert "2,000 characters" in report.errors[0].reason and (report.rows, report.inserted) == (
        2,
        2,
    )
    assert rig.engine.contact("p1@example.com").first_name == "Ä" * 200


HOSTILE = (
    "email,first_name,last_name,company,notes\n"
    "u0@example.com,Zoe,Zed,Zeta,ok\n"
    'u1@example.com,"Ann,Acme,x,y\n'  # a quote left open in first_name
    "u2@example.com,Bob,Byrne,Beta,fine\n"
    'u3@example.com,Cy,Cole,Gamma,"runs on\n'  # a quote left open in a custom column
    "u4@example.com,Di,Dunn,Delta,late\n"
    'u5@example.com,Ed,"Eve",Eps,"closed" later\n'  # a stray quote after a closing one
    'u6@example.com,Flo,Fay,Phi,"a real note\non two lines"\n'
    'u7@example.com,Gus,Gray,"Omega\n'  # the last row: never closed
)
ADDRESSES = {f"u{i}@example.com" for i in range(8)}


def test_a_quote_left_open_never_puts_one_rows_address_in_anothers_email(rig: Rig) -> None:
    file = rig.tmp / "hostile.csv"
    file.write_text(HOSTILE, encoding="utf-8")
    stopped = rig.engine.import_contacts(file)
    assert [(e.row, e.email, e.problem) for e in stopped.errors] == [
        (3, "u1@example.com", RowProblem.BROKEN)
    ]
    assert (stopped.inserted, rig.engine.store.count_contacts()) == (1, 1)

    report = rig.engine.import_contacts(file, skip_bad=True)
    assert [(e.row, e.problem) for e in report.errors] == [
        (3, RowProblem.BROKEN),
        (5, RowProblem.BROKEN),
        (7, RowProblem.SKIPPED),
        (9, RowProblem.BROKEN),
    ]
    imported = {c.email for c in rig.engine.store.contacts()}
    assert imported == {"u0@example.com", "u2@example.com", "u4@example.com", "u6@example.com"}
    assert rig.engine.contact("u6@example.com").fields["notes"] == "a real note\non two lines"
    rig.engine.enroll("cold")
    rig.run(days=30)

    assert len(rig.smtp.messages) == 2 * len(imported)
    for message in rig.smtp.messages:
        (recipient,) = message.recipients
        text = "\n".join(
            [message["To"] or "", message["Subject"] or "", body_text(message.message)]
        )
        assert {a for a in ADDRESSES if a in text} <= {recipient}, (recipient, text)


def test_a_non_ascii_local_part_goes_out_with_smtputf8_where_the_server_offers_it(rig: Rig) -> None:
    # jörg@bücher.de: the local part stays UTF-8 (RFC 6531/6532), the domain takes its IDNA 2008
    # form
    rig.import_rows([person(0, email="jörg@bücher.de"), person(1)])
    rig.engine.enroll("cold")
    rig.run(days=1)

    [message] = rig.received("jörg@xn--bcher-kva.de")
    assert message.recipients == ("jörg@xn--bcher-kva.de",)
    # the To: header carries the address in UTF-8 (RFC 6532), never as an encoded word
    head = message.raw.split(b"\r\n\r\n", 1)[0].decode("utf-8")
    [to] = [
        line for line in re.sub(r"\r\n(?=[ \t])", "", head).split("\r\n") if line.startswith("To: ")
    ]
    assert to.endswith("<jörg@xn--bcher-kva.de>"), to
    assert [s.status for s in rig.sends("jörg@bücher.de")] == ["sent", "scheduled"]


def test_a_non_ascii_local_part_fails_its_send_on_a_server_without_smtputf8(
    tmp_path: Path, database_url: str
) -> None:
    # The server cannot take the address: that send fails with the reason, and nobody is suppressed.
    with CaptureServer(smtputf8=False) as server:
        clock = SimulatedClock(MONDAY)
        engine = Engine(
            Config(
                database_url=database_url,
                sequences=(REPO / "sequences",),
                senders={"jane": make_sender(server.port)},
            ),
            clock=clock,
        )
        rig = Rig(tmp=tmp_path, smtp=server, clock=clock, engine=engine)
        try:
            rig.import_rows([person(0, email="jörg@example.com"), person(1)])
            rig.engine.enroll("cold")
            rig.run(days=1)
            [send] = rig.sends("jörg@example.com")
            assert send.status == "failed" and send.error is not None and "SMTPUTF8" in send.error
            assert rig.enrollment("jörg@example.com").status == "stopped"
            assert not rig.engine.store.suppressed(["jörg@example.com"])
            assert server.attempts["jörg@example.com"] == 0  # never offered to the server
            assert len(rig.received("p1@example.com")) == 1  # the others go on
        finally:
            asyncio.run(engine.aclose())
