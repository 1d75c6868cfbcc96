"""RFC 8058 (issue 14): ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` goes out only when
the List-Unsubscribe header carries an https link (or the loopback http link of a local test
deployment); with a ``mailto:`` alone, or a plain http link elsewhere, it never does."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer import messages


def draft(*, url: str | None, mailto: str | None) -> messages.Draft:
    return messages.Draft(
        from_name="Jane Doe",
        from_email="jane@acme.example",
        to_name="Kiri Ngata",
        to_email="kiri@tasman.example",
        subject="Hello",
        body="A plain note.",
        date=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        message_id="<abc@acme.example>",
        unsubscribe_url=url,
        unsubscribe_mailto=mailto,
    )


def headers(d: messages.Draft) -> email.message.Message:
    return email.message_from_bytes(messages.to_bytes(d), policy=email.policy.default)


def test_mailto_only_has_no_post_header() -> None:
    msg = headers(draft(url=None, mailto="jane@acme.example"))
    assert msg["List-Unsubscribe"] == "<mailto:jane@acme.example?subject=unsubscribe>"
    assert msg["List-Unsubscribe-Post"] is None


def test_https_link_has_the_post_header() -> None:
    msg = headers(draft(url="https://links.acme.example/u/abc", mailto="jane@acme.example"))
    assert "<https://links.acme.example/u/abc>" in msg["List-Unsubscribe"]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_plain_http_off_loopback_has_no_post_header() -> None:
    msg = headers(draft(url="http://links.acme.example/u/abc", mailto=None))
    assert msg["List-Unsubscribe"] == "<http://links.acme.example/u/abc>"
    assert msg["List-Unsubscribe-Post"] is None


_HOSTS = st.sampled_from(
    ["links.acme.example", "127.0.0.1", "localhost", "[::1]", "127.0.0.1:8080", "xn--strae-oqa.de"]
)
_URLS = st.one_of(
    st.none(),
    st.builds(
        lambda scheme, host, path: f"{scheme}://{host}/{path}",
        st.sampled_from(["https", "HTTPS", "http", "ftp", "mailto"]),
        _HOSTS,
        st.from_regex(r"u/[a-z0-9]{1,12}", fullmatch=True),
    ),
)
_MAILTOS = st.one_of(st.none(), st.just("jane@acme.example"))


@settings(max_examples=200, deadline=None)
@given(url=_URLS, mailto=_MAILTOS)
def test_post_header_iff_an_https_link(url: str | None, mailto: str | None) -> None:
    msg = headers(draft(url=url, mailto=mailto))
    links = re.findall(r"<([^>]+)>", msg["List-Unsubscribe"] or "")
    https = any(link.lower().startswith("https://") for link in links)
    loopback = any(
        re.match(r"(?i)http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/", link) for link in links
    )
    assert (msg["List-Unsubscribe-Post"] is not None) == (https or loopback)
    if msg["List-Unsubscribe-Post"] is not None:
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (msg["List-Unsubscribe"] is not None) == bool(url or mailto)
