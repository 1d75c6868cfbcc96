"""A small OAuth2 provider for the tests: a real HTTP server on 127.0.0.1 in a thread.

It issues access tokens as JWTs signed (HS256) with the key the test Dovecot validates them
with (``tests/services.sh``), so a token it issued logs in to the test Postfix and Dovecot and
an expired or forged one does not. It honours the refresh grant (RFC 6749 §6), the
authorization-code grant with PKCE S256 (RFC 7636, Google's loopback flow) and the device-code
grant (RFC 8628, Microsoft's), and can revoke a refresh token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLIENT_ID = "sequencer-tests"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class MailHost:
    """The Postfix + Dovecot pair ``tests/services.sh`` starts ($SEQUENCER_TEST_MAILHOST)."""

    host: str
    submission: int
    imaps: int
    folder: Path

    @classmethod
    def parse(cls, value: str) -> MailHost:
        host, submission, imaps, folder = value.split(",", 3)
        return cls(host=host, submission=int(submission), imaps=int(imaps), folder=Path(folder))

    @property
    def ca_file(self) -> Path:
        return self.folder / "tls" / "ca.crt"

    @property
    def wrong_ca_file(self) -> Path:
        return self.folder / "tls" / "wrong-ca.crt"

    @property
    def signing_key(self) -> bytes:
        return base64.b64decode(
            (self.folder / "dovecot" / "keys" / "default" / "HS256" / "default").read_text()
        )

    def maildir(self, user: str) -> Path:
        return self.folder / "dovecot" / "mail" / user / "Maildir"


@dataclass
class Provider:
    key: bytes
    client_secret: str | None = None
    #: refresh token -> the address it was granted for
    grants: dict[str, str] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    #: How many refresh grants were answered with new tokens.
    refreshes: int = 0
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Every token request's form, for assertions (client authentication, PKCE verifier).
    requests: list[dict[str, str]] = field(default_factory=list)
    lifetime: int = 3600

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                pairs = urllib.parse.parse_qsl(
                    self.rfile.read(int(self.headers["Content-Length"] or 0)).decode()
                )
                form = dict(pairs)
                if len(form) != len(pairs):  # a parameter twice: real providers refuse the request
                    self._answer(
                        400,
                        {"error": "invalid_request", "error_description": "duplicate parameter"},
                    )
                    return
                path = urllib.parse.urlsplit(self.path).path
                status, body = provider.post(path, form)
                self._answer(status, body)

            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                location = provider.authorize(dict(urllib.parse.parse_qsl(parts.query)))
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # -- tokens ------------------------------------------------------------------------------------

    def access_token(self, email: str, *, expires_in: int | None = None) -> str:
        """A JWT the test Dovecot accepts for ``email`` until it expires (negative: already
        expired).
        """
        now = int(time.time())
        lifetime = self.lifetime if expires_in is None else expires_in
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = {
            "sub": email,
            "email": email,
            "iat": min(now, now + lifetime) - 1,
            "exp": now + lifetime,
        }
        payload = _b64(json.dumps(claims).encode())
        signature = _b64(
            hmac.new(self.key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        )
        return f"{header}.{payload}.{signature}"

    def grant(self, email: str) -> str:
        """A refresh token for ``email``, as a finished consent would give."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.grants[token] = email
        return token

    def revoke(self, refresh_token: str) -> None:
        with self._lock:
            self.revoked.add(refresh_token)

    def approve(self, user_code: str, email: str) -> None:
        """The person signs in and enters the device code."""
        with self._lock:
            for device in self.devices.values():
                if device["user_code"] == user_code:
                    device["email"] = email

    def _issue(self, email: str) -> dict[str, Any]:
        return {
            "access_token": self.access_token(email),
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "refresh_token": self.grant(email),
            "scope": "mail",
        }

    # -- endpoints ---------------------------------------------------------------------------------

    def post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(form)
        if form.get("client_id") != CLIENT_ID or (
            self.client_secret and form.get("client_secret") != self.client_secret
        ):
            return 401, {"error": "invalid_client"}
        if path == "/devicecode":
            code = secrets.token_urlsafe(16)
            user_code = secrets.token_hex(4).upper()
            with self._lock:
                self.devices[code] = {"user_code": user_code, "email": None}
            return 200, {
                "device_code": code,
                "user_code": user_code,
                "verification_uri": f"{self.url}/device",
                "expires_in": 900,
                "interval": 0,
                "message": f"To sign in, open {self.url}/device and enter the code {user_code}.",
            }
        grant = form.get("grant_type")
        if grant == "refresh_token":
            return self._refresh(form.get("refresh_token", ""))
        if grant == "authorization_code":
            return self._code(form)
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            device = self.devices.get(form.get("device_code", ""))
            if device is None:
                return 400, {"error": "expired_token"}
            if device["email"] is None:
                return 400, {"error": "authorization_pending"}
            return 200, self._issue(device["email"])
        return 400, {"error": "unsupported_grant_type"}

    def _refresh(self, token: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            email = self.grants.get(token)
            if email is None or token in self.revoked:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                }
            self.refreshes += 1
        return 200, {
            "access_token": self.access_token(email),
            "token_type": "Bearer",
            "expires_in": self.lifetime,
        }

    def _code(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            issued = self.codes.pop(form.get("code", ""), None)
        if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        if _b64(hashlib.sha256(verifier.encode()).digest()) != issued["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        return 200, self._issue(issued["email"])

    def authorize(self, query: dict[str, str]) -> str:
        """The consent page, consented at once: back to the redirect URI with a code."""
        assert query.get("code_challenge_method") == "S256", query
        code = secrets.token_urlsafe(16)
        with self._lock:
            self.codes[code] = {
                "email": query.get("login_hint", ""),
                "challenge": query["code_challenge"],
                "redirect_uri": query["redirect_uri"],
            }
        back = urllib.parse.urlencode({"code": code, "state": query.get("state", "")})
        return f"{query['redirect_uri']}?{back}"
