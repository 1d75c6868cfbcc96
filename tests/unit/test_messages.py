"""The email builder and variant choice: pure functions, checked on their output."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sequencer import messages, variants


def draft(**overrides: object) -> messages.Draft:
    values: dict[str, object] = {
        "from_name": "Jane Doe", "from_email": "jane@acme.example", "to_name": "Kiri Ngata",
        "to_email": "kiri@tasman.example", "subject": "Question", "body": "Hi Kiri,\n\nA plain note.",
        "signature": "Jane Doe\nAcme", "date": datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        "message_id": "<abc@acme.example>", "unsubscribe_mailto": "jane@acme.example",
    }
    values.update(overrides)
    return messages.Draft(**values)  # type: ignore[arg-type]


def test_plain_body_is_text_only_with_signature() -> None:
    msg = messages.build(draft())
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().endswith("A plain note.\n\nJane Doe\nAcme\n")
    assert msg["From"] == "Jane Doe <jane@acme.example>" and msg["To"] == "Kiri Ngata <kiri@tasman.example>"
    assert msg["Date"] == "Mon, 23 Nov 2026 09:00:00 +0000"
    assert msg["List-Unsubscribe"] == "<mailto:jane@acme.example?subject=unsubscribe>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_formatting_adds_an_html_alternative() -> None:
    msg = messages.build(draft(body="Hi,\n\nSee **the case** at [our site](https://example.com/case?a=1&b=2)."))
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert "See the case at our site <https://example.com/case?a=1&b=2>." in plain.get_content()
    assert '<strong>the case</strong>' in html.get_content()
    assert '<a href="https://example.com/case?a=1&amp;b=2">our site</a>' in html.get_content()


def test_html_escapes_everything_else() -> None:
    html = messages.to_html("**<script>alert(1)</script>**")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_thread_headers_and_subject() -> None:
    msg = messages.build(draft(subject=messages.thread_subject("Question"), in_reply_to="<one@acme.example>",
                               references=("<one@acme.example>",)))
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
    assert out == "See T(https://acme.example/case?x=1). Or [book](T(https://cal.example/jane)), thanks."


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
