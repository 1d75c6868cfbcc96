"""The inbound classifier fuzzed: random raw messages never make it raise (issue 15).

Hypothesis builds messages from random headers (broken encoded words, unknown charsets, folded
and unfolded lines, raw 8-bit bytes), random bodies and random MIME trees (multipart with
missing or wrong boundaries, delivery reports, returned messages, bad transfer encodings),
plus some wholly random bytes. Counts go to ``tests/fuzzcounts.py``: ``swallowed`` is how
many inputs the classifier's own last-resort guard had to catch (it answers ``other`` with
"unparseable: ..."); it is reported, not asserted, since the guard is part of the contract.
"""

from __future__ import annotations

import datetime
from collections import Counter

import fuzzcounts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequencer.inbound.classify import Inbound, Kind, classify

TODAY = datetime.date(2026, 12, 3)
_counts: Counter[str] = Counter()

HEADER_NAMES = (
    "From",
    "To",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Date",
    "Auto-Submitted",
    "Precedence",
    "X-Autoreply",
    "List-Id",
    "X-Failed-Recipients",
    "Content-Type",
    "Content-Transfer-Encoding",
    "MIME-Version",
    "Content-Disposition",
    "Return-Path",
)
CHARSETS = (
    "utf-8",
    "iso-8859-1",
    "windows-1252",
    "us-ascii",
    "utf-16",
    "x-unknown",
    "",
    "utf-8'en'",
    "koi8-r",
)
CTYPES = (
    "text/plain",
    "text/html",
    "message/delivery-status",
    "message/global-delivery-status",
    "message/rfc822",
    "message/global",
    "text/rfc822-headers",
    "application/octet-stream",
    "multipart/report",
    "x/y",
    "text",
)
ENCODINGS = ("7bit", "8bit", "base64", "quoted-printable", "binary", "x-uuencode", "bogus")
WORDS = (
    "unsubscribe",
    "remove me",
    "out of office",
    "lomalla",
    "poissa",
    "Re:",
    "Final-Recipient: rfc822; a@b.c",
    "Status: 5.1.1",
    "Action: failed",
    "wrote:",
    "> quoted",
    "550 5.1.1 user unknown",
    "back on 5 January",
    "<id@x>",
    "=?utf-8?b?",
    "?=",
    "mailer-daemon@x.example",
    "\t",
    "\r",
    "\x00",
    "\x1b]8;;",
    "é",
    "—",
)

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
snippet = st.one_of(
    text, st.sampled_from(WORDS), st.binary(max_size=40).map(lambda b: b.decode("latin-1"))
)
phrase = st.lists(snippet, max_size=6).map(" ".join)


@st.composite
def encoded_word(draw: st.DrawFn) -> str:
    charset = draw(st.sampled_from(CHARSETS))
    kind = draw(st.sampled_from("BQbqX"))
    payload = draw(
        st.one_of(st.text(alphabet="ABCDEFGHabcdefgh0123456789+/=_?", max_size=30), snippet)
    )
    return f"=?{charset}?{kind}?{payload}?="


header_value = st.lists(st.one_of(snippet, encoded_word()), max_size=5).map(" ".join)


@st.composite
def header_block(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 10))):
        name = draw(
            st.one_of(
                st.sampled_from(HEADER_NAMES), st.text(alphabet="abcXYZ-:", min_size=1, max_size=8)
            )
        )
        value = draw(header_value)
        fold = draw(st.sampled_from(("", "\r\n ", "\n\t", "\r\n")))
        lines.append(f"{name}: {value}{fold}{draw(phrase) if fold else ''}")
    raw = "\r\n".join(lines).encode("utf-8", "surrogateescape")
    return raw + draw(st.sampled_from((b"\r\n", b"\n", b"")))


@st.composite
def leaf(draw: st.DrawFn) -> bytes:
    ctype = draw(st.sampled_from(CTYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    body = draw(
        st.one_of(phrase.map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=200))
    )
    head = (
        f'Content-Type: {ctype}; charset="{charset}"\r\nContent-Transfer-Encoding: '
        f"{encoding}\r\n".encode()
    )
    return head + draw(header_block()) + b"\r\n" + body


def node(children: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    @st.composite
    def multipart(draw: st.DrawFn) -> bytes:
        boundary = draw(st.sampled_from(("b1", "b2", "", "x" * 80, "==", "b1 b2")))
        used = draw(st.sampled_from((boundary, "b1", "other")))
        subtype = draw(
            st.sampled_from(
                ("mixed", "report; report-type=delivery-status", "alternative", "related")
            )
        )
        parts = draw(st.lists(children, max_size=4))
        closing = draw(st.sampled_from((f"\r\n--{used}--\r\n", "", f"\r\n--{used}\r\n")))
        inner = b"".join(f"\r\n--{used}\r\n".encode() + part for part in parts)
        return (
            f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
            + inner
            + closing.encode()
        )

    return multipart()


mime = st.recursive(leaf(), node, max_leaves=8)


@st.composite
def raw_message(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=500))  # anything at all
    return draw(header_block()) + draw(mime)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(raw=raw_message())
def _never_raises(raw: bytes) -> None:
    _counts["tried"] += 1
    try:
        result = classify(raw, today=TODAY)
    except Exception:
        _counts["tracebacks"] += 1
        raise
    assert isinstance(result, Inbound) and isinstance(result.kind, Kind)
    if result.reason.startswith("unparseable:"):
        _counts["swallowed"] += 1


def test_random_raw_messages_never_make_the_classifier_raise() -> None:
    _counts.clear()
    try:
        _never_raises()
    finally:
        fuzzcounts.record(
            "inbound classifier",
            _counts["tried"],
            _counts["tracebacks"],
            swallowed=_counts["swallowed"],
        )
