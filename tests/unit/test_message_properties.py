"""The message builder under random input (issue 15): any display name or subject (controls,
CR/LF, quotes, look-alike encoded words, 2,000 characters), any internationalised domain.

For every example: no line over 998 octets (header lines over 78 only for a long address),
exactly the headers the builder writes (no injected one), the names read back as written once
controls are dropped and spaces collapsed, and the address on the wire is email-validator's
``ascii_email``.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections import Counter
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import getaddresses

import fuzzcounts
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sequencer import messages

HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
]
PIECES = [
    "\r\nBcc: victim@evil.example",
    "\n",
    "\r",
    "\r\n\r\n",
    "=?utf-8?q?Bcc=3A_x?=",
    '"',
    "\\",
    "<a@b.example>",
    ",",
    "(",
    ")",
    ";",
    ":",
    " ",
    "  ",
    "\t",
    "\x00",
    "\x1b[5m",
    "\x85",
    "\u2028",
    "ß",
    "ς",
    "字",
    "😀",
]
text = st.one_of(
    st.text(max_size=120),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=40).map("".join),
    st.builds(
        lambda piece, n: (piece * n)[:2000], st.text(min_size=1, max_size=30), st.integers(1, 400)
    ),
)
label = st.text(alphabet="abcxyzßςοφίαäöüæçé漢字한국кир0-", min_size=1, max_size=15)
domains = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(label, min_size=1, max_size=3),
    st.sampled_from(["de", "gr", "fi", "com", "рф", "中国"]),
)
locals_ = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True)


def cleaned(value: str) -> str:
    """What a header shows of ``value``: breaks and tabs as spaces, controls gone, spaces
    collapsed.
    """
    value = re.sub(r"[\r\n\t\v\f\u2028\u2029\x85]+", " ", value)
    value = re.sub(r"[\x00-\x1f\x7f-\x9f]", "", value)
    return re.sub(r" {2,}", " ", value).strip()


def address_header(raw: bytes, name: str) -> tuple[str, str]:
    unfolded = re.sub(rb"\r\n(?=[ \t])", b"", raw.split(b"\r\n\r\n", 1)[0]).decode("ascii")
    [value] = [
        line.split(": ", 1)[1] for line in unfolded.split("\r\n") if line.startswith(f"{name}: ")
    ]
    [(display, address)] = getaddresses([value])
    return str(make_header(decode_header(display))), address


_counts: Counter[str] = Counter()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(to_name=text, from_name=text, subject=text, local=locals_, domain=domains)
def _well_formed(to_name: str, from_name: str, subject: str, local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    try:
        expected = validate_email(
            address, check_deliverability=False, allow_smtputf8=False
        ).ascii_email
    except EmailNotValidError:
        assume(False)
        return
    draft = messages.Draft(
        from_name=from_name,
        from_email="jane@acme.example",
        to_name=to_name,
        to_email=address,
        subject=subject,
        body="Hi,\n\nA plain note.",
        date=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        message_id="<abc@acme.example>",
        unsubscribe_mailto="jane@acme.example",
    )
    _counts["tried"] += 1
    try:
        raw = messages.to_bytes(draft)
    except Exception:
        _counts["tracebacks"] += 1
        raise
    _counts["long_lines"] += sum(len(line) > 998 for line in raw.split(b"\r\n"))
    _counts["misaddressed"] += messages.ascii_address(address) != expected

    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert all(len(line) <= 78 or b"@" in line for line in head)
    assert all(len(word) <= 75 for word in re.findall(rb"=\?utf-8\?b\?[^?]*\?=", raw))
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert list(parsed.keys()) == HEADERS
    assert messages.ascii_address(address) == expected  # what SmtpChannel gives RCPT TO
    assert address_header(raw, "To") == (cleaned(to_name), expected)
    assert address_header(raw, "From") == (cleaned(from_name), "jane@acme.example")
    assert parsed["Subject"] == cleaned(subject)


def test_any_name_subject_and_idn_domain_make_a_well_formed_message() -> None:
    """Every header line at most 998 octets (78 where words allow), encoded words at most 75, no
    header injected, the envelope address email-validator's ``ascii_email``; the counts go to the
    fuzz summary.
    """
    _counts.clear()
    try:
        _well_formed()
    finally:
        fuzzcounts.record(
            "message builder",
            _counts["tried"],
            _counts["tracebacks"],
            long_lines=_counts["long_lines"],
            misaddressed=_counts["misaddressed"],
        )
