"""The inbound parsing policy's shortcut (:mod:`sequencer.inbound.policy`): a header value it
returns unparsed is exactly the text ``email.policy.default``'s header registry gives for it, and
a message parsed with it reads the same headers as with ``policy.default``."""

from __future__ import annotations

import email
import email.policy

from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer.inbound.policy import POLICY, plain_value

NAMES = (
    "Subject",
    "X-Anything",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "From",
    "To",
    "Reply-To",
    "Sender",
    "Message-ID",
    "Content-Type",
    "Content-Disposition",
    "Content-Transfer-Encoding",
    "MIME-Version",
    "Date",
)
# Pieces that make values near the shortcut's shapes, and the characters that break them.
PIECES = (
    "a", "Ann", "Ex", "x.y", "a_b", "a+b", "-", ".", "..", "@", "<", ">", " ", "  ", "\t", ";",
    "; ", "=", "/", '"', '"q r"', "(c)", ",", ":", "\\", "'", "*", "text", "plain", "charset",
    "utf-8", "1.0", "base64", "=?", "?=", "é", "\x00", "\x7f",
)  # fmt: skip
atom = st.text("abcXYZ019_+-", min_size=1, max_size=4)
dotted = st.lists(atom, min_size=1, max_size=3).map(".".join)
address = st.builds("{}@{}".format, dotted, dotted)
token = st.text("abcXYZ019!#$%&'*+.^_`{|}~-", min_size=1, max_size=5)
param = st.builds(
    "{}{}={}".format,
    st.sampled_from(("; ", ";", " ; ")),
    st.one_of(token, st.sampled_from(("charset", "Charset", "boundary", "format"))),
    st.one_of(token, st.text("ab 1._/:=+-", max_size=6).map('"{}"'.format)),
)
shaped = st.one_of(
    address,
    st.builds(
        "{} <{}>".format,
        st.lists(st.text("aZ0", min_size=1, max_size=3), min_size=1).map(" ".join),
        address,
    ),
    st.builds("<{}>".format, address),
    st.builds("{}/{}{}".format, token, token, st.lists(param, max_size=3).map("".join)),
    st.builds("{}{}".format, token, st.lists(param, max_size=3).map("".join)),
)
values = st.one_of(
    shaped,
    st.lists(st.one_of(shaped, st.sampled_from(PIECES)), max_size=6).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=30),
)


@settings(max_examples=3000, deadline=None)
@given(name=st.sampled_from(NAMES), value=values)
def test_a_plain_value_is_the_registrys_text(name: str, value: str) -> None:
    plain = plain_value(name, value)
    if plain is None:
        return
    assert plain == str(email.policy.default.header_factory(name, value))


def test_the_shortcut_takes_the_usual_shapes() -> None:
    assert plain_value("From", "Ann Example <ann.e@example.com>") is not None
    assert plain_value("From", "ann@example.com") is not None
    assert plain_value("From", "<ann@example.com>") is None  # shown without brackets
    assert plain_value("Subject", "=?utf-8?q?Hei?=") is None
    assert plain_value("Content-Type", 'text/plain; charset="utf-8"') is not None
    # bare parameters are written back quoted, as the registry does
    assert plain_value("Content-Type", "text/plain; charset=utf-8; format=flowed") == (
        'text/plain; charset="utf-8"; format="flowed"'
    )
    assert plain_value("Content-Type", "text/plain; charset=a; Charset=b") is None
    assert plain_value("Date", "Mon, 14 Dec 2026 09:02:00 +0200") is None


@settings(max_examples=300, deadline=None)
@given(
    headers=st.lists(st.tuples(st.sampled_from(NAMES), values), max_size=6),
    fold=st.sampled_from(("", "\r\n ", "\n\t")),
)
def test_a_message_reads_the_same_headers(headers: list[tuple[str, str]], fold: str) -> None:
    raw = "".join(f"{name}: {value[:3]}{fold}{value[3:]}\r\n" for name, value in headers)
    data = (raw + "\r\nbody\r\n").encode("utf-8", "surrogateescape")
    ours = email.message_from_bytes(data, policy=POLICY)
    theirs = email.message_from_bytes(data, policy=email.policy.default)
    for name in {name for name, _ in headers}:
        try:
            expected = [str(v) for v in theirs.get_all(name, [])]
        except Exception as exc:  # the registry raising on a value must raise with ours too
            expected = [type(exc).__name__]
        try:
            got = [str(v) for v in ours.get_all(name, [])]
        except Exception as exc:
            got = [type(exc).__name__]
        assert got == expected
    assert ours.get_content_type() == theirs.get_content_type()
    assert ours.get_content_charset() == theirs.get_content_charset()
