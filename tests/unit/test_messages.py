"""The email builder and variant choice: pure functions, checked on their output."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.utils import getaddresses

import pytest
from aiosmtplib.email import quote_address
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer import messages, variants


def draft(**overrides: object) -> messages.Draft:
    values: dict[str, object] = {
        "from_name": "Jane Doe",
        "from_email": "jane@acme.example",
        "to_name": "Kiri Ngata",
        "to_email": "kiri@tasman.example",
        "subject": "Question",
        "body": "Hi Kiri,\n\nA plain note.",
        "signature": "Jane Doe\nAcme",
        "date": datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        "message_id": "<abc@acme.example>",
        "unsubscribe_mailto": "jane@acme.example",
    }
    values.update(overrides)
    return messages.Draft(**values)  # type: ignore[arg-type]


def test_plain_body_is_text_only_with_signature() -> None:
    msg = messages.build(draft())
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().endswith("A plain note.\n\nJane Doe\nAcme\n")
    assert (
        msg["From"] == "Jane Doe <jane@acme.example>"
        and msg["To"] == "Kiri Ngata <kiri@tasman.example>"
    )
    assert msg["Date"] == "Mon, 23 Nov 2026 09:00:00 +0000"
    assert msg["List-Unsubscribe"] == "<mailto:jane@acme.example?subject=unsubscribe>"
    assert msg["List-Unsubscribe-Post"] is None  # RFC 8058: a mailto: alone is no one-click


def test_formatting_adds_an_html_alternative() -> None:
    msg = messages.build(
        draft(body="Hi,\n\nSee **the case** at [our site](https://example.com/case?a=1&b=2).")
    )
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert "See the case at our site <https://example.com/case?a=1&b=2>." in plain.get_content()
    assert "<strong>the case</strong>" in html.get_content()
    assert '<a href="https://example.com/case?a=1&amp;b=2">our site</a>' in html.get_content()


def test_html_escapes_everything_else() -> None:
    html = messages.to_html("**<script>alert(1)</script>**")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_thread_headers_and_subject() -> None:
    msg = messages.build(
        draft(
            subject=messages.thread_subject("Question"),
            in_reply_to="<one@acme.example>",
            references=("<one@acme.example>",),
        )
    )
    assert msg["Subject"] == "Re: Question"
    assert msg["In-Reply-To"] == "<one@acme.example>" and msg["References"] == "<one@acme.example>"
    assert messages.thread_subject("Re: Question") == "Re: Question"


@pytest.mark.parametrize("field", ["subject", "to_name", "from_name"])
def test_line_breaks_cannot_start_a_header(field: str) -> None:
    msg = messages.build(draft(**{field: "Acme\r\nBcc: victim@evil.example"}))
    raw = msg.as_string()
    assert "\nBcc:" not in raw and msg["Bcc"] is None


def test_message_ids_are_unique_and_on_the_senders_domain() -> None:
    ids = {messages.make_message_id("acme.example") for _ in range(1000)}
    assert len(ids) == 1000 and all(i.startswith("<") and i.endswith("@acme.example>") for i in ids)


def test_choose_picks_the_least_used_live_variant() -> None:
    assert variants.choose(["a", "b", "c"], {"a": 3, "b": 1, "c": 2}) == "b"
    assert variants.choose(["a", "b", "c"], {"a": 3, "b": 1, "c": 2}, retired={"b"}) == "c"
    assert variants.choose(["a", "b"], {}, retired={"a", "b"}) == "a"
    counts: dict[str, int] = {}
    for n in range(300):
        key = variants.choose(["a", "b", "c"], counts, salt=str(n))
        counts[key] = counts.get(key, 0) + 1
    assert counts == {"a": 100, "b": 100, "c": 100}
    with pytest.raises(ValueError):
        variants.choose([], {})


def test_click_tracking_rewrites_every_link_and_keeps_trailing_punctuation() -> None:
    from sequencer.messages import track_links

    text = "See https://acme.example/case?x=1. Or [book](https://cal.example/jane), thanks."
    out = track_links(text, lambda url: f"T({url})")
    assert (
        out
        == "See T(https://acme.example/case?x=1). Or [book](T(https://cal.example/jane)), thanks."
    )


def test_tokens_bind_purpose_send_and_target() -> None:
    from sequencer import tokens

    key = b"k" * 32
    token = tokens.make(key, tokens.CLICK, 42, target="https://a.example/")
    assert tokens.read(key, tokens.CLICK, token, target="https://a.example/") == 42
    assert tokens.read(key, tokens.CLICK, token, target="https://evil.example/") is None
    assert tokens.read(key, tokens.UNSUBSCRIBE, token) is None
    assert tokens.read(b"j" * 32, tokens.CLICK, token, target="https://a.example/") is None
    assert tokens.read(key, tokens.CLICK, "", target="https://a.example/") is None
    assert "42" not in token.split(".")[1] and "@" not in token


# -- hostile and messy input (issue 15) ------------------------------------------------------------


def head_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def display_name(raw: bytes, header: str) -> tuple[str, str]:
    """(display name, address) of a one-address header, decoded as RFC 2047 says: whitespace
    between adjacent encoded words is dropped. (CPython 3.11's header registry puts a space
    there in an address header, so it cannot be the judge of a name split into several words.)"""
    unfolded = re.sub(rb"\r\n(?=[ \t])", b"", raw.split(b"\r\n\r\n", 1)[0]).decode("ascii")
    [value] = [
        line.split(": ", 1)[1] for line in unfolded.split("\r\n") if line.startswith(f"{header}: ")
    ]
    [(name, address)] = getaddresses([value])
    return str(make_header(decode_header(name))), address


def test_an_idn_domain_goes_out_in_its_idna_2008_form() -> None:
    for address in ("x@straße.de", "q@ςοφία.gr", "kiri@Bücher.DE"):
        expected = validate_email(address, check_deliverability=False).ascii_email
        assert messages.ascii_address(address) == expected
    assert (
        messages.ascii_address("x@straße.de") == "x@xn--strae-oqa.de"
    )  # never x@strasse.de, another domain
    raw = messages.to_bytes(
        draft(to_email="x@straße.de", reply_to="jane@ςοφία.gr", unsubscribe_mailto="jane@ςοφία.gr")
    )
    sophia = validate_email("jane@ςοφία.gr", check_deliverability=False).ascii_email
    assert display_name(raw, "To") == ("Kiri Ngata", "x@xn--strae-oqa.de")
    msg = messages.build(
        draft(to_email="x@straße.de", reply_to="jane@ςοφία.gr", unsubscribe_mailto="jane@ςοφία.gr")
    )
    assert msg["Reply-To"] == sophia
    assert msg["List-Unsubscribe"] == f"<mailto:{sophia}?subject=unsubscribe>"
    with pytest.raises(ValueError, match="non-ASCII local part"):
        messages.ascii_address("jörg@example.com")
    # a non-ASCII local part goes out with SMTPUTF8: UTF-8 local part, IDNA 2008 domain, UTF-8
    # header
    assert messages.needs_smtputf8("jörg@bücher.de") and not messages.needs_smtputf8("x@straße.de")
    assert messages.wire_address("jörg@bücher.de") == "jörg@xn--bcher-kva.de"
    assert messages.wire_address("x@straße.de") == "x@xn--strae-oqa.de"
    raw = messages.to_bytes(draft(to_email="jörg@bücher.de"))
    assert "<jörg@xn--bcher-kva.de>".encode() in raw and raw.split(b"\r\n\r\n")[1].isascii()
    assert messages.to_bytes(draft(to_email="x@straße.de")).isascii()
    for unsendable in (
        "a\x00b@example.com",
        "a\r\nb@example.com",
        "a b@example.com",
        "a" * 250 + "@example.com",
    ):
        with pytest.raises(
            ValueError, match="cannot be sent"
        ):  # never altered into another address
            messages.ascii_address(unsendable)


NAMES = {
    "ascii words": "Kiri " * 400,
    "ascii, one word": "K" * 2000,
    "non-ascii": "Jörg Müller-Lüdenscheidt " * 80,
    "greek, no spaces": "ς" * 2000,
    "quotes and specials": 'O\'Brien, "The" (Jr.) <x@evil.example> \\ ' * 50,
    "looks encoded": "=?utf-8?q?Bcc=3A_victim=40evil.example?= " * 50,
}


@pytest.mark.parametrize("kind", NAMES)
def test_a_2000_character_name_is_folded_and_round_trips(kind: str) -> None:
    name = NAMES[kind][:2000]
    raw = messages.to_bytes(draft(to_name=name, from_name=name, subject=name))
    lines = head_lines(raw)
    assert all(len(line) <= 78 for line in lines), max(lines, key=len)
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    words = re.findall(rb"=\?[^?]+\?[bBqQ]\?[^?]*\?=", raw)
    assert all(len(word) <= 75 for word in words)
    expected = " ".join(name.split())
    assert display_name(raw, "To") == (expected, "kiri@tasman.example")
    assert display_name(raw, "From") == (expected, "jane@acme.example")
    msg = messages.build(draft(to_name=name, from_name=name, subject=name))
    assert msg["Subject"] == expected
    assert msg["Bcc"] is None and len(msg["To"].addresses) == 1


def test_control_characters_never_reach_a_header() -> None:
    dirty = "Ann\x00 \x1b]8;;https://evil.example\x07Acme\x1b[5m\x7f\x9b Oy\tLtd"
    raw = messages.to_bytes(draft(to_name=dirty, subject=dirty))
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]", head)
    assert display_name(raw, "To")[0] == "Ann ]8;;https://evil.exampleAcme[5m Oy Ltd"
    assert (
        messages.build(draft(subject=dirty))["Subject"]
        == "Ann ]8;;https://evil.exampleAcme[5m Oy Ltd"
    )


@settings(max_examples=1500, deadline=None)
@given(
    st.builds(
        "{}@{}.{}".format,
        st.text(st.sampled_from("aZ09.!#$%&'*+/=?^_`{|}~-ö"), min_size=1, max_size=16),
        st.text(st.sampled_from("az09-ä"), min_size=1, max_size=12),
        st.sampled_from(["fi", "com", "example"]),
    )
)
def test_the_envelope_gives_each_wire_address_as_aiosmtplib_would(text: str) -> None:
    """The SMTP channel writes MAIL FROM and RCPT TO itself (``<`` + wire form + ``>``); for
    every address that has a wire form, that is what aiosmtplib's own quoting gives."""
    try:
        address = messages.wire_address(validate_email(text, check_deliverability=False).normalized)
    except (ValueError, EmailNotValidError):
        return  # not an address the engine would send to
    assert quote_address(address) == f"<{address}>"
