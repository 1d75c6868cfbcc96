"""OAuth2 for mailboxes: access tokens for SASL XOAUTH2 and OAUTHBEARER (RFC 7628).

A sender with ``auth = "oauth2"`` is connected once by a person (``sequencer senders connect
NAME``: Microsoft's device-code flow, or Google's loopback redirect with PKCE). That stores its
refresh token, encrypted with the key in ``$SEQUENCER_TOKEN_KEY`` (``[oauth] key_env``), in a
0600 file of its own. Before each login :func:`access_token` hands out the stored access token,
refreshed at the provider's token endpoint (RFC 6749 §6) when it has less than
:data:`REFRESH_MARGIN` left. Several workers share the file; a lock makes one of them refresh.

When the provider answers the refresh with ``invalid_grant`` (revoked, expired, password changed,
consent withdrawn) or a 401, no retry can help: the file is marked and every login raises
:class:`ReconnectNeeded` ("reconnect this sender") until a person connects it again.

Tokens are never logged, never printed, and never leave this module except as a SASL string.
The HTTP work is authlib's (``OAuth2Session`` over requests): it builds the token requests,
PKCE and client authentication, and turns an error answer into :class:`OAuthError`.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import http.server
import json
import os
import secrets
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import requests
import structlog
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from cryptography.fernet import Fernet, InvalidToken

from sequencer.config import OAuthSettings
from sequencer.errors import ConfigError, SequencerError

#: An access token with less than this left is refreshed before it is used.
REFRESH_MARGIN = 300.0
#: Seconds to wait for the token endpoint.
HTTP_TIMEOUT = 30.0
#: Errors of a refresh that no retry can mend: the person must connect the sender again.
_REVOKED = frozenset(
    {
        "invalid_grant",
        "invalid_client",
        "unauthorized_client",
        "interaction_required",
        "consent_required",
        "access_denied",
    }
)
_DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
#: ``oauth.refreshed`` and ``oauth.refused``: the sender and why, never a token.
log = structlog.get_logger("sequencer.oauth")


class ReconnectNeeded(SequencerError):
    """reconnect this sender: its refresh token was refused (``sequencer senders connect NAME``)"""


class TokenUnavailable(SequencerError):
    """the token endpoint could not be reached; the next login tries again"""


class ConnectFailed(SequencerError):
    """connecting the sender failed"""


@dataclass(frozen=True, kw_only=True)
class Tokens:
    """What the token file holds (encrypted)."""

    refresh_token: str
    access_token: str | None = None
    #: Unix time at which the access token expires.
    expires_at: float = 0.0
    #: Why the sender must be connected again (None: it works).
    reconnect: str | None = None
    #: When it was connected (Unix time).
    connected_at: float = 0.0

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Tokens:
        raw = json.loads(data)
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


def reconnect_message(settings: OAuthSettings, why: str) -> str:
    return f"reconnect this sender: {why}; run `sequencer senders connect {settings.sender}`"


class TokenStore:
    """One sender's encrypted token file (mode 0600), with a lock file beside it."""

    def __init__(self, settings: OAuthSettings) -> None:
        self.settings = settings
        self.path = settings.token_file

    def _fernet(self) -> Fernet:
        env = self.settings.key_env
        value = os.environ.get(env)
        if not value or len(value) < 16:
            raise ConfigError(
                f"environment variable {env} (the key that encrypts "
                "OAuth tokens) is not set or is shorter "
                "than 16 characters; `python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'` makes one"
            )
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(value.encode()).digest()))

    def load(self) -> Tokens | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return Tokens.from_json(self._fernet().decrypt(data))
        except InvalidToken:
            raise ConfigError(
                f"{self.path}: cannot be decrypted with ${self.settings.key_env} (another key?); "
                f"`sequencer senders connect {self.settings.sender}` writes it again"
            ) from None

    def save(self, tokens: Tokens) -> None:
        """Write atomically: a new 0600 file renamed over the old one."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(self._fernet().encrypt(tokens.to_json()))
        os.replace(temp, self.path)

    def forget(self) -> bool:
        """Delete the token file; True when there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Held while a token is read and refreshed: one worker refreshes, the others then read its
        token.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def status(settings: OAuthSettings) -> str | None:
    """Why the sender cannot log in, read from its token file alone (no network); None when
    it can.
    """
    tokens = TokenStore(settings).load()
    if tokens is None:
        return f"not connected: run `sequencer senders connect {settings.sender}`"
    if tokens.reconnect:
        return reconnect_message(settings, tokens.reconnect)
    return None


def access_token(
    settings: OAuthSettings, *, force: bool = False, now: Callable[[], float] = time.time
) -> str:
    """A valid access token: the stored one, or a fresh one from the refresh grant.

    ``force`` refreshes even a token that has not expired (the server refused it).
    Raises :class:`ReconnectNeeded` when only a person can mend it, :class:`TokenUnavailable`
    when the token endpoint could not answer (try again later).
    """
    store = TokenStore(settings)
    with store.lock():
        tokens = store.load()
        if tokens is None:
            raise ReconnectNeeded(
                f"sender {settings.sender} is not connected: run "
                f"`sequencer senders connect {settings.sender}`"
            )
        if tokens.reconnect:
            raise ReconnectNeeded(reconnect_message(settings, tokens.reconnect))
        if not force and tokens.access_token and tokens.expires_at - REFRESH_MARGIN > now():
            return tokens.access_token
        try:
            answer = _refresh(settings, tokens.refresh_token)
        except _Refused as exc:
            store.save(replace(tokens, access_token=None, expires_at=0.0, reconnect=exc.why))
            log.warning("oauth.refused", sender=settings.sender, why=exc.why)
            raise ReconnectNeeded(reconnect_message(settings, exc.why)) from None
        fresh = _tokens(answer, now(), previous=tokens)
        store.save(fresh)
        log.info(
            "oauth.refreshed",
            sender=settings.sender,
            expires_in=round(fresh.expires_at - now()),
            rotated=fresh.refresh_token != tokens.refresh_token,
        )
        assert fresh.access_token is not None
        return fresh.access_token


class _Refused(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _session(settings: OAuthSettings, **extra: Any) -> OAuth2Session:
    secret = settings.client_secret()
    return OAuth2Session(
        client_id=settings.client(),
        client_secret=secret,
        scope=" ".join(settings.scopes),
        token_endpoint_auth_method="client_secret_post" if secret else "none",
        **extra,
    )


def _refresh(settings: OAuthSettings, refresh_token: str) -> dict[str, Any]:
    session = _session(settings)

    def refused_on_401(response: requests.Response) -> requests.Response:
        if response.status_code == 401:
            raise _Refused(f"the token endpoint answered 401 ({_error_of(response)})")
        return response

    session.register_compliance_hook("refresh_token_response", refused_on_401)
    try:
        with session:
            answer: dict[str, Any] = session.refresh_token(
                settings.token_url, refresh_token=refresh_token, timeout=HTTP_TIMEOUT
            )
    except OAuthError as exc:
        why = f"{exc.error}: {exc.description}" if exc.description else str(exc.error)
        if exc.error in _REVOKED:
            raise _Refused(f"the provider refused the refresh token ({why})") from None
        raise TokenUnavailable(f"token refresh for {settings.sender} failed: {why}") from None
    except (requests.RequestException, ValueError) as exc:
        raise TokenUnavailable(
            f"token endpoint {settings.token_url} unreachable: {type(exc).__name__}"
        ) from None
    return answer


def _error_of(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no error given"
    return str(body.get("error", "no error given")) if isinstance(body, dict) else "no error given"


def _tokens(answer: dict[str, Any], now: float, *, previous: Tokens | None = None) -> Tokens:
    """Tokens from a token endpoint's answer; a refresh that returns no new refresh token keeps the
    old one.
    """
    access = answer.get("access_token")
    refresh = answer.get("refresh_token") or (previous.refresh_token if previous else None)
    if not access or not refresh:
        missing = (
            "an access token" if not access else "a refresh token (is offline access granted?)"
        )
        raise ConnectFailed(f"the token endpoint returned no {missing}")
    expires_in = float(answer.get("expires_in") or 3600)
    return Tokens(
        refresh_token=str(refresh),
        access_token=str(access),
        expires_at=now + expires_in,
        connected_at=previous.connected_at if previous else now,
    )


# -- SASL ----------------------------------------------------------------------------------------


def sasl(mechanism: str, user: str, token: str, *, host: str, port: int) -> bytes:
    """The initial client response of XOAUTH2 (Google's and Microsoft's) or OAUTHBEARER
    (RFC 7628).
    """
    if mechanism == "oauthbearer":
        name = user.replace("=", "=3D").replace(",", "=2C")
        return f"n,a={name},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01".encode()
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


# -- connecting a sender -------------------------------------------------------------------------


def connect_device(
    settings: OAuthSettings,
    *,
    show: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> Tokens:
    """The device-code flow (RFC 8628; Microsoft's for installed apps): the person enters a code in
    any browser, this polls the token endpoint until they have. Stores and returns the tokens."""
    if not settings.device_url:
        raise ConfigError(f"sender {settings.sender}: no oauth.device_url for the device-code flow")
    with _session(settings) as session:
        try:
            answer = session.post(
                settings.device_url,
                data={"client_id": settings.client(), "scope": " ".join(settings.scopes)},
                timeout=HTTP_TIMEOUT,
                withhold_token=True,
            )
            grant = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise ConnectFailed(
                f"device endpoint {settings.device_url}: {type(exc).__name__}: {exc}"
            ) from None
        if answer.status_code != 200 or "device_code" not in grant:
            raise ConnectFailed(
                f"device endpoint {settings.device_url} answered {answer.status_code}: "
                f"{grant.get('error_description') or grant.get('error')}"
            )
        show(
            str(
                grant.get("message")
                or f"open {grant['verification_uri']} and enter the code {grant['user_code']}"
            )
        )
        interval = float(grant.get("interval", 5))
        deadline = time.monotonic() + float(grant.get("expires_in", 900))
        while time.monotonic() < deadline:
            sleep(interval)
            try:
                token = session.fetch_token(
                    settings.token_url,
                    grant_type=_DEVICE_GRANT,
                    device_code=grant["device_code"],
                    timeout=HTTP_TIMEOUT,
                )
            except OAuthError as exc:
                if exc.error == "authorization_pending":
                    continue
                if exc.error == "slow_down":
                    interval += 5
                    continue
                raise ConnectFailed(
                    f"{exc.error}: {exc.description or 'the sign-in was not completed'}"
                ) from None
            return _store(settings, dict(token))
    raise ConnectFailed("the code expired before the sign-in was completed; run the command again")


def connect_loopback(
    settings: OAuthSettings,
    *,
    open_url: Callable[[str], None],
    login_hint: str | None = None,
    wait: float = 600.0,
) -> Tokens:
    """The authorization-code flow with PKCE and a loopback redirect (Google's for installed apps).

    A one-request HTTP server listens on 127.0.0.1 on a free port; the browser opened at the
    provider's consent page comes back to it with the code, which is exchanged (with the PKCE
    verifier) for the tokens. Stores and returns them.
    """
    if not settings.authorize_url:
        raise ConfigError(f"sender {settings.sender}: no oauth.authorize_url for the loopback flow")
    answer: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the browser coming back from the consent page
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            if "code" not in query and "error" not in query:
                self.send_error(404)
                return
            answer.update(query)
            ok = "code" in query
            body = (
                "sequencer: the sender is connected; you can close this tab."
                if ok
                else f"sequencer: the sender was not connected ({query.get('error')})."
            ).encode()
            self.send_response(200 if ok else 400)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(
            self, format: str, *args: Any
        ) -> None:  # the query holds the code: never logged
            pass

    with http.server.HTTPServer(("127.0.0.1", 0), Handler) as server:
        server.timeout = wait
        redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/"
        verifier = secrets.token_urlsafe(64)
        with _session(settings, redirect_uri=redirect_uri, code_challenge_method="S256") as session:
            extra = {"access_type": "offline", "prompt": "consent"}
            if login_hint:
                extra["login_hint"] = login_hint
            url, state = session.create_authorization_url(
                settings.authorize_url, code_verifier=verifier, **extra
            )
            open_url(url)
            deadline = time.monotonic() + wait
            while not answer and time.monotonic() < deadline:
                server.handle_request()
            if not answer:
                raise ConnectFailed("no answer from the browser; run the command again")
            if answer.get("state") != state:
                raise ConnectFailed(
                    "the answer's state does not match this sign-in; run the command again"
                )
            if "error" in answer:
                raise ConnectFailed(
                    f"{answer['error']}: {answer.get('error_description', 'consent was not given')}"
                )
            try:
                token = session.fetch_token(
                    settings.token_url,
                    code=answer["code"],
                    code_verifier=verifier,
                    timeout=HTTP_TIMEOUT,
                )
            except OAuthError as exc:
                raise ConnectFailed(
                    f"{exc.error}: {exc.description or 'the code was refused'}"
                ) from None
    return _store(settings, dict(token))


def _store(settings: OAuthSettings, answer: dict[str, Any]) -> Tokens:
    tokens = _tokens(answer, time.time())
    TokenStore(settings).save(tokens)
    return tokens


def disconnect(settings: OAuthSettings) -> bool:
    """Forget the sender's tokens (the provider's grant stays until revoked there); True when there
    were any.
    """
    store = TokenStore(settings)
    with store.lock():
        return store.forget()
