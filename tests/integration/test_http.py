"""The HTTP app on a real socket (uvicorn in a thread): unsubscribe links, hooks, tracking, health.

Emails go out through a real SMTP capture server; the links are read from what it received.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from browser import Browser
from sending_rig import Rig, body_text, person, write_sequence
from sqlmodel import col, select

from sequencer import tokens
from sequencer.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from sequencer.config import HttpSettings
from sequencer.store import Event, Suppression
from sequencer.testing import LiveApp, free_port
from sequencer.web import PIXEL, create_app

SECRET = "link-secret-for-tests-0123456789"
HOOKS = "hooks-secret-for-tests-0123456789"


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def request(
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with opener.open(req, timeout=10) as response:
            return Reply(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read(), dict(exc.headers))


@dataclass
class Site:
    rig: Rig
    live: LiveApp

    @property
    def url(self) -> str:
        return self.live.url

    def events(self, kind: str | None = None) -> list[Event]:
        with self.rig.engine.store.session() as s:
            query = select(Event).order_by(col(Event.id))
            if kind:
                query = query.where(Event.kind == kind)
            return list(s.exec(query))

    def suppressions(self) -> list[str]:
        with self.rig.engine.store.session() as s:
            return [row.key for row in s.exec(select(Suppression))]


@pytest.fixture
def site_factory(
    rig_factory: Callable[..., Rig], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Site]]:
    monkeypatch.setenv("SEQUENCER_HTTP_SECRET", SECRET)
    monkeypatch.setenv("SEQUENCER_HOOKS_SECRET", HOOKS)
    lives: list[LiveApp] = []

    def make(*, contacts: int = 3, track: bool = False, **rig_options: Any) -> Site:
        port = free_port()
        http = HttpSettings(
            public_url=f"http://127.0.0.1:{port}", track_opens=track, track_clicks=track
        )
        rig = rig_factory(config_extra={"http": http}, **rig_options)
        rig.import_rows([person(i) for i in range(1, contacts + 1)])
        live = LiveApp(create_app(rig.engine), port=port).__enter__()
        lives.append(live)
        return Site(rig=rig, live=live)

    yield make
    for live in lives:
        live.__exit__(None, None, None)


@pytest.fixture
def site(site_factory: Callable[..., Site]) -> Site:
    site = site_factory()
    site.rig.engine.enroll("cold", sender="jane")
    site.rig.run(days=1)
    return site


def unsubscribe_link(site: Site, email: str) -> str:
    header = site.rig.received(email)[0]["List-Unsubscribe"] or ""
    links = re.findall(r"<([^>]+)>", header)
    https = [link for link in links if link.startswith(site.url)]
    assert len(https) == 1, header
    return https[0]


# -- unsubscribe
# ------------------------------------------------------------------------------------


def test_every_email_carries_one_click_unsubscribe_headers(site: Site) -> None:
    received = [m for i in (1, 2, 3) for m in site.rig.received(f"p{i}@example.com")]
    assert len(received) == 3
    for message in received:
        header = message["List-Unsubscribe"] or ""
        assert re.search(r"<http://127\.0\.0\.1:\d+/u/[0-9a-z]+\.[\w-]{22}>", header), header
        assert "<mailto:jane@acme.example?subject=unsubscribe>" in header
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # each message has its own link
    assert len({unsubscribe_link(site, f"p{i}@example.com") for i in (1, 2, 3)}) == 3


def test_the_link_shows_a_confirmation_page_and_the_one_click_post_unsubscribes(site: Site) -> None:
    link = unsubscribe_link(site, "p1@example.com")
    page = request(link)
    assert page.status == 200
    assert "p***@example.com" in page.text and "p1@example.com" not in page.text
    assert 'method="post"' in page.text
    assert (
        site.suppressions() == [] and site.rig.enrollment("p1@example.com").status == "active"
    )  # GET changes nothing

    done = request(
        link,
        method="POST",
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert done.status == 200 and "unsubscribed" in done.text
    assert site.suppressions() == ["p1@example.com"]
    enrollment = site.rig.enrollment("p1@example.com")
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", "unsubscribe")
    [event] = site.events("unsubscribe")
    assert event.send_id == site.rig.sends("p1@example.com")[0].id
    # a second click is harmless and records nothing more
    assert request(link, method="POST", data=b"List-Unsubscribe=One-Click").status == 200
    assert len(site.events("unsubscribe")) == 1
    site.rig.run(days=40)
    assert len(site.rig.received("p1@example.com")) == 1
    assert len(site.rig.received("p2@example.com")) == 2


def test_a_person_unsubscribes_in_a_real_browser(site: Site, browser: Browser) -> None:
    browser.open(unsubscribe_link(site, "p1@example.com"))
    assert "Stop messages from Jane Doe to p***@example.com?" in browser.text()
    button = browser.evaluate(
        "(() => { const r = document.querySelector('#confirm').getBoundingClientRect();"
        " return [r.width, r.height]; })()"
    )
    assert button[0] > 40 and button[1] > 20  # laid out and visible, not an empty page
    assert browser.screenshot().startswith(b"\x89PNG")
    assert site.suppressions() == []

    browser.click("#confirm")

    assert "p***@example.com is unsubscribed" in browser.text()
    assert site.suppressions() == ["p1@example.com"]
    assert site.rig.enrollment("p1@example.com").stop_reason == "unsubscribe"


def test_a_forged_token_gets_an_error_changes_nothing_and_reveals_nothing(site: Site) -> None:
    link = unsubscribe_link(site, "p1@example.com")
    token = link.rsplit("/", 1)[1]
    ident, tag = token.split(".")
    other_send = site.rig.sends("p2@example.com")[0].id
    assert other_send is not None
    forged = [
        f"{ident}.{('A' if tag[0] != 'A' else 'B') + tag[1:]}",  # altered tag
        f"{tokens._base36(other_send)}.{tag}",  # another send's id with this tag
        tokens.make(
            b"not-the-secret-at-all-0123456789", tokens.UNSUBSCRIBE, other_send
        ),  # wrong key
        tokens.make(SECRET.encode(), tokens.OPEN, other_send),  # a real token for another purpose
        "nonsense",
        "1.2",
        "zzzzzzzzzzzzz." + "A" * 22,  # malformed, huge id
    ]
    before = (site.events(), site.suppressions())
    bodies = set()
    for bad in forged:
        for method in ("GET", "POST"):
            answer = request(
                f"{site.url}/u/{bad}",
                method=method,
                data=b"List-Unsubscribe=One-Click" if method == "POST" else None,
            )
            assert answer.status == 400, (bad, method)
            assert "example.com" not in answer.text and "Jane" not in answer.text
            bodies.add(answer.body)
    assert len(bodies) == 1  # the same answer whatever is wrong
    assert (site.events(), site.suppressions()) == before
    assert all(site.rig.enrollment(f"p{i}@example.com").status == "active" for i in (1, 2, 3))


def test_concurrent_one_click_posts_unsubscribe_once(site: Site) -> None:
    from concurrent.futures import ThreadPoolExecutor

    links = [unsubscribe_link(site, f"p{i}@example.com") for i in (1, 2, 3)]
    with ThreadPoolExecutor(
        max_workers=8
    ) as pool:  # mail providers do POST twice, sometimes at once
        answers = list(
            pool.map(
                lambda link: request(link, method="POST", data=b"List-Unsubscribe=One-Click"),
                [link for link in links for _ in range(4)],
            )
        )
    assert [a.status for a in answers] == [200] * 12
    assert sorted(site.suppressions()) == ["p1@example.com", "p2@example.com", "p3@example.com"]
    events = site.events("unsubscribe")
    assert sorted(e.contact_id for e in events) == sorted(
        site.rig.contact_id(f"p{i}@example.com") for i in (1, 2, 3)
    )


def test_oversized_bodies_are_refused_before_they_are_read(site: Site) -> None:
    big = b"x" * (65 * 1024)
    assert (
        request(f"{site.url}/hooks/goal", method="POST", data=big, headers=signed({})[1]).status
        == 413
    )
    assert request(unsubscribe_link(site, "p1@example.com"), method="POST", data=big).status == 400
    assert site.suppressions() == []


def test_hooks_without_a_configured_secret_answer_503_and_reveal_nothing(
    hook_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SEQUENCER_HOOKS_SECRET")
    raw, headers = signed({"email": "p1@example.com", "goal": "meeting_booked"})
    answer = request(f"{hook_site.url}/hooks/goal", method="POST", data=raw, headers=headers)
    assert answer.status == 503
    assert "SEQUENCER_HOOKS_SECRET" not in answer.text and "environment" not in answer.text
    assert hook_site.events() == []


def test_a_send_after_suppression_is_refused_and_ends_the_enrollment(site: Site) -> None:
    site.rig.engine.suppress("@example.com")  # the whole domain
    site.rig.run(days=40)
    for i in (1, 2, 3):
        assert len(site.rig.received(f"p{i}@example.com")) == 1
        enrollment = site.rig.enrollment(f"p{i}@example.com")
        assert (enrollment.status, enrollment.stop_reason) == ("stopped", "suppressed")


# -- hooks
# ------------------------------------------------------------------------------------------


def signed(
    body: dict[str, Any], *, secret: str = HOOKS, at: float | None = None
) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    stamp = str(int(at if at is not None else time.time()))
    return raw, {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(secret, stamp, raw),
    }


@pytest.fixture
def hook_site(site_factory: Callable[..., Site]) -> Site:
    from sequencer.clock import SystemClock

    site = site_factory()
    site.rig.engine.clock = SystemClock()  # hooks carry real timestamps
    site.rig.engine.enroll("cold", sender="jane")
    return site


def test_a_signed_goal_hook_stops_the_sequence(hook_site: Site) -> None:
    raw, headers = signed({"email": "P1@example.com", "goal": "meeting_booked"})
    answer = request(f"{hook_site.url}/hooks/goal", method="POST", data=raw, headers=headers)
    assert answer.status == 200, answer.text
    assert json.loads(answer.body) == {"recorded": "goal", "stopped": "cold"}
    enrollment = hook_site.rig.enrollment("p1@example.com")
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", "goal")
    [event] = hook_site.events("goal")
    assert event.detail == "meeting_booked"


def test_a_signed_reply_hook_stops_the_sequence(hook_site: Site) -> None:
    raw, headers = signed({"email": "p2@example.com", "detail": "answered on the phone"})
    answer = request(f"{hook_site.url}/hooks/reply", method="POST", data=raw, headers=headers)
    assert answer.status == 200, answer.text
    assert hook_site.rig.enrollment("p2@example.com").stop_reason == "reply"


def test_hooks_refuse_bad_stale_and_replayed_signatures(hook_site: Site) -> None:
    url = f"{hook_site.url}/hooks/goal"
    body = {"email": "p1@example.com", "goal": "meeting_booked"}
    raw, headers = signed(body, secret="some-other-secret-entirely")
    assert request(url, method="POST", data=raw, headers=headers).status == 401
    raw, headers = signed(body, at=time.time() - 3600)
    assert request(url, method="POST", data=raw, headers=headers).status == 401
    raw, headers = signed(body)
    tampered = raw.replace(b"p1@", b"p2@")
    assert request(url, method="POST", data=tampered, headers=headers).status == 401
    assert (
        request(url, method="POST", data=raw, headers={"Content-Type": "application/json"}).status
        == 401
    )
    assert hook_site.events() == []  # nothing above was recorded

    assert request(url, method="POST", data=raw, headers=headers).status == 200
    replay = request(url, method="POST", data=raw, headers=headers)
    assert replay.status == 409 and "replay" in replay.text
    assert len(hook_site.events("goal")) == 1


def test_hooks_name_what_is_wrong_with_a_genuine_request(hook_site: Site) -> None:
    url = f"{hook_site.url}/hooks/goal"
    raw, headers = signed({"email": "nobody@example.com", "goal": "meeting_booked"})
    assert request(url, method="POST", data=raw, headers=headers).status == 404
    raw, headers = signed({"email": "p1@example.com"})
    answer = request(url, method="POST", data=raw, headers=headers)
    assert answer.status == 400 and "goal" in json.loads(answer.body)["error"]
    raw = b"not json"
    stamp = str(int(time.time()))
    answer = request(
        url,
        method="POST",
        data=raw,
        headers={TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(HOOKS, stamp, raw)},
    )
    assert answer.status == 400
    assert request(
        f"{hook_site.url}/hooks/other", method="POST", data=b"{}", headers=signed({})[1]
    ).status in (401, 404)
    assert hook_site.rig.enrollment("p1@example.com").status == "active"


# -- tracking and health
# ----------------------------------------------------------------------------


def test_tracking_is_off_by_default(site: Site) -> None:
    message = site.rig.received("p1@example.com")[0]
    assert "/c/" not in body_text(message.message) and "/o/" not in message.raw.decode()


def test_click_and_open_tracking_when_switched_on(
    site_factory: Callable[..., Site], tmp_path: Any
) -> None:
    folder = write_sequence(
        tmp_path / "seqs",
        "linked",
        """
name: linked
defaults:
  timezone: Europe/Helsinki
steps:
  - key: one
    day: 0
    channel: email
    subjects: [{key: a, text: "Hello {{ first_name }}"}]
    bodies: [{key: a, text: "Our case study: https://acme.example/case?x=1&y=2. Book at [my calendar](https://cal.example/jane)."}]
""",
    )
    site = site_factory(track=True, sequences=[folder], contacts=1)
    site.rig.engine.enroll("linked", sender="jane")
    site.rig.run(days=1)
    message = site.rig.received("p1@example.com")[0]
    text = body_text(message.message)
    tracked = re.findall(rf"{re.escape(site.url)}/c/\S+?(?=[\s>)]|$)", text)
    assert len(tracked) == 2, text
    assert "https://acme.example/case" not in text.replace("%3A", ":").split("/c/")[0]
    html_part = message.message.get_body(preferencelist=("html",))
    assert html_part is not None
    pixel = re.search(r'<img src="([^"]+)"', html_part.get_content())
    assert pixel is not None

    first = request(tracked[0].rstrip("."))
    assert first.status == 302 and first.headers["location"] == "https://acme.example/case?x=1&y=2"
    second = request(tracked[1])
    assert second.status == 302 and second.headers["location"] == "https://cal.example/jane"
    # the same token cannot send anyone anywhere else: no open redirect
    evil = re.sub(r"\?u=.*$", "?u=https%3A%2F%2Fevil.example%2F", tracked[0])
    assert request(evil).status == 400
    assert request(re.sub(r"\?u=.*$", "", tracked[0])).status == 400

    image = request(pixel.group(1).replace("&amp;", "&"))
    assert (
        image.status == 200 and image.body == PIXEL and image.headers["content-type"] == "image/gif"
    )
    assert [e.detail for e in site.events("click")] == [
        "https://acme.example/case?x=1&y=2",
        "https://cal.example/jane",
    ]
    assert len(site.events("open")) == 1
    assert {e.send_id for e in site.events()} == {site.rig.sends("p1@example.com")[0].id}


def test_healthz(site_factory: Callable[..., Site]) -> None:
    site = site_factory(contacts=1)
    answer = request(f"{site.url}/healthz")
    assert answer.status == 200 and json.loads(answer.body) == {"status": "ok"}


# -- hostile input (issue 15)
# -----------------------------------------------------------------------


def test_a_token_must_match_whole_a_trailing_newline_is_not_genuine(site: Site) -> None:
    link = unsubscribe_link(site, "p1@example.com")
    for altered in (link + "%0A", link + "%0D%0A", link + "%20"):
        assert request(altered).status == 400, altered
        assert request(altered, method="POST", data=b"List-Unsubscribe=One-Click").status == 400, (
            altered
        )
    assert site.suppressions() == [] and site.rig.enrollment("p1@example.com").status == "active"


def test_the_open_pixel_is_recorded_at_most_once_per_send_per_hour(
    site_factory: Callable[..., Site],
) -> None:
    from datetime import timedelta

    site = site_factory(track=True, contacts=1)
    site.rig.engine.enroll("cold", sender="jane")
    site.rig.run(days=1)
    html_part = site.rig.received("p1@example.com")[0].message.get_body(preferencelist=("html",))
    assert html_part is not None
    found = re.search(r'<img src="([^"]+)"', html_part.get_content())
    assert found is not None
    pixel = found.group(1).replace("&amp;", "&")
    for _ in range(5):  # a mail client, then a proxy, then the same client again...
        assert request(pixel).body == PIXEL
    assert len(site.events("open")) == 1
    site.rig.clock.advance(timedelta(minutes=59))
    assert request(pixel).status == 200 and len(site.events("open")) == 1
    site.rig.clock.advance(timedelta(minutes=2))
    assert request(pixel).status == 200 and len(site.events("open")) == 2


def test_urls_from_contact_fields_are_never_tracked_or_redirected_to(
    site_factory: Callable[..., Site], tmp_path: Any
) -> None:
    folder = write_sequence(
        tmp_path / "seqs",
        "profile",
        """
name: profile
defaults:
  timezone: Europe/Helsinki
steps:
  - key: one
    day: 0
    channel: email
    subjects: [{key: a, text: "Hello {{ first_name }}"}]
    bodies:
      - key: a
        text: "Our case study: https://acme.example/case. I saw your page {{ linkedin_url }} today."
""",
    )
    site = site_factory(track=True, sequences=[folder], contacts=1)
    site.rig.engine.enroll("profile", sender="jane")
    site.rig.run(days=1)
    text = body_text(site.rig.received("p1@example.com")[0].message)
    tracked = re.findall(rf"{re.escape(site.url)}/c/\S+?(?=[\s>)]|$)", text)
    assert len(tracked) == 1, text  # the URL written in the sequence file
    assert (
        "https://www.linkedin.com/in/person-1 today" in text
    )  # the contact's field: data, as written
    assert request(tracked[0].rstrip(".")).headers["location"] == "https://acme.example/case"
    # a click token signed for a URL that is in no sequence file (an old message) redirects nowhere
    send_id = site.rig.sends("p1@example.com")[0].id or 0
    for target in ("https://www.linkedin.com/in/person-1", "https://evil.example/"):
        token = tokens.make(SECRET.encode(), tokens.CLICK, send_id, target=target)
        answer = request(f"{site.url}/c/{token}?u={urllib.parse.quote(target, safe='')}")
        assert answer.status == 400 and "location" not in {k.lower() for k in answer.headers}, (
            target
        )
    assert [e.detail for e in site.events("click")] == ["https://acme.example/case"]


def test_an_old_unsubscribe_link_after_forget_adds_nothing(site: Site) -> None:
    link = unsubscribe_link(site, "p1@example.com")
    site.rig.engine.forget("p1@example.com")
    before = sorted(site.suppressions())
    assert len(before) == 1 and before[0].startswith("sha256:")

    page = request(link)
    assert (
        page.status == 200
        and "already unsubscribed" in page.text
        and 'method="post"' not in page.text
    )
    done = request(link, method="POST", data=b"List-Unsubscribe=One-Click")
    assert done.status == 200 and "already unsubscribed" in done.text
    assert sorted(site.suppressions()) == before
    assert site.events("unsubscribe") == []


def test_a_signed_hook_body_nested_too_deep_is_a_400(hook_site: Site) -> None:
    url = f"{hook_site.url}/hooks/goal"
    for raw in (b"[" * 60_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000):
        stamp = str(int(time.time()))
        answer = request(
            url,
            method="POST",
            data=raw,
            headers={
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: stamp,
                SIGNATURE_HEADER: sign(HOOKS, stamp, raw),
            },
        )
        assert answer.status == 400 and "JSON" in json.loads(answer.body)["error"]
    assert hook_site.events() == []
