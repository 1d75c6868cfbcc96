"""Fetching a folder's next batch while the current one is handled (``imap.FetchAhead``), on the
test Dovecot server: the answer fetched ahead is used only for the position it was asked from;
asked from another position, the folder is read again from there."""

from __future__ import annotations

import asyncio

from imap_account import ImapAccount

from sequencer.inbound.imap import FetchAhead, Fetched, ImapMailbox


def message(number: int) -> bytes:
    return (
        f"From: p{number}@x.example\r\nTo: jane@acme.example\r\nSubject: Re: Hello {number}\r\n"
        f"Message-ID: <ahead-{number}@x.example>\r\n\r\nNumber {number}.\r\n"
    ).encode()


def uids(fetched: Fetched) -> list[int]:
    return [uid for uid, _ in fetched.messages]


def test_an_answer_fetched_ahead_is_used_only_for_its_own_position(imap: ImapAccount) -> None:
    for number in range(3):
        imap.append(message(number))
    ahead = FetchAhead(ImapMailbox(imap.settings()), limit=1)

    async def scenario() -> list[Fetched]:
        first = await ahead.fetch(uidvalidity=None, after_uid=0, since=None)
        validity, (one,) = first.uidvalidity, uids(first)
        ahead.start(uidvalidity=validity, after_uid=one, since=None)
        second = await ahead.fetch(uidvalidity=validity, after_uid=one, since=None)
        (two,) = uids(second)
        ahead.start(uidvalidity=validity, after_uid=two, since=None)
        # the caller did not get past the first message after all: it is read from there again
        again = await ahead.fetch(uidvalidity=validity, after_uid=one, since=None)
        last = await ahead.fetch(uidvalidity=validity, after_uid=two, since=None)
        return [first, second, again, last]

    first, second, again, last = asyncio.run(scenario())
    assert first.more and second.more and not last.more
    assert uids(first) < uids(second) < uids(last)
    assert uids(again) == uids(second)
    assert b"Number 1." in again.messages[0][1]
    assert b"Number 2." in last.messages[0][1]
