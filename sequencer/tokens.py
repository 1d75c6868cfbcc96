"""Signed link tokens for the HTTP app: unsubscribe, open pixel, click redirect.

Pure. A token names one send and one purpose, and carries an HMAC-SHA256 tag over both
(and, for a click, over the target URL), so it cannot be forged, moved to another send or
turned into a link to anywhere else. It holds no address or name: a token alone tells
nobody who it belongs to.

    token = <send id, base 36> "." <first 16 bytes of the tag, base64url>
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import quote

_SHAPE = re.compile(
    r"([0-9a-z]{1,13})\.([A-Za-z0-9_-]{22})"
)  # matched whole (fullmatch): no "\n" after
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"

UNSUBSCRIBE = "unsubscribe"
OPEN = "open"
CLICK = "click"


def make(secret: bytes, purpose: str, send_id: int, *, target: str = "") -> str:
    """A token for ``purpose`` on send ``send_id`` (and ``target``, the URL of a click)."""
    if send_id < 1:
        raise ValueError("a token names a stored send (id ≥ 1)")
    ident = _base36(send_id)
    return f"{ident}.{_tag(secret, purpose, ident, target)}"


def read(secret: bytes, purpose: str, token: str, *, target: str = "") -> int | None:
    """The send id a genuine token names; None for anything forged, altered or malformed."""
    match = _SHAPE.fullmatch(token)
    if match is None:
        return None
    ident, tag = match.groups()
    if not hmac.compare_digest(tag, _tag(secret, purpose, ident, target)):
        return None
    return int(ident, 36)


def _tag(secret: bytes, purpose: str, ident: str, target: str) -> str:
    mac = hmac.new(
        secret, f"sequencer/{purpose}/{ident}/{target}".encode(), hashlib.sha256
    ).digest()[:16]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def _base36(number: int) -> str:
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
    return out or "0"


#: What follows a link route in a request line, for logs (see :func:`redact`): the token, genuine
#: or not, up to the query string or the end of the path.
_IN_TEXT = re.compile(r"(/[uoc]/)[^\s/?#\"]+")


def redact(text: str) -> str:
    """``text`` (an access-log line, a path) with whatever stands in a link's token place
    (``/u/…``, ``/o/…``, ``/c/…``) replaced by ``…``."""
    return _IN_TEXT.sub(r"\1…", text)


@dataclass(frozen=True)
class Links:
    """The app's public links for one deployment: ``public_url`` plus signed tokens.

    ``trackable`` holds the URLs written in the sequence files: only those become click links.
    A URL that came from a contact field (a ``website``) stays as written, so it never turns
    into a signed redirect.
    """

    public_url: str
    secret: bytes
    track_opens: bool = False
    track_clicks: bool = False
    trackable: frozenset[str] = frozenset()

    def unsubscribe(self, send_id: int) -> str:
        return f"{self.public_url}/u/{make(self.secret, UNSUBSCRIBE, send_id)}"

    def open_pixel(self, send_id: int) -> str:
        return f"{self.public_url}/o/{make(self.secret, OPEN, send_id)}.gif"

    def click(self, send_id: int, url: str) -> str:
        """The click link for ``url``, or ``url`` itself when the sequence files do not
        contain it.
        """
        if url not in self.trackable:
            return url
        signed = make(self.secret, CLICK, send_id, target=url)
        return f"{self.public_url}/c/{signed}?u={quote(url, safe='')}"
