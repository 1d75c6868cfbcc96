"""Webhook steps: POST JSON, signed with HMAC-SHA256, retried on failure.

The receiver checks ``X-Sequencer-Signature: sha256=<hex>``, the HMAC-SHA256 of
``<X-Sequencer-Timestamp>.<raw body>`` under the shared secret, and rejects stale timestamps.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable

from sequencer.channels.base import Delivery, Outcome, Result
from sequencer.errors import ConfigError

SIGNATURE_HEADER = "X-Sequencer-Signature"
TIMESTAMP_HEADER = "X-Sequencer-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float, tolerance: float = 300
) -> bool:
    """Check a signature and that the timestamp is within ``tolerance`` seconds of ``now``."""
    try:
        fresh = abs(now - float(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookChannel:
    """POSTs each webhook step; ``attempts`` tries with back-off before reporting RETRY.

    ``sleep`` waits between attempts (a simulated clock passes one that moves simulated time, so
    a receiver that is down costs no real time). Only a fault that may pass is tried again: a
    missing secret fails at once.
    """

    def __init__(
        self,
        secret: Callable[[], str],
        *,
        attempts: int = 3,
        timeout: float = 10.0,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._secret = secret
        self._attempts = attempts
        self._timeout = timeout
        self._backoff = backoff
        self._sleep = sleep

    async def deliver(self, delivery: Delivery) -> Result:
        assert delivery.url is not None, "a webhook delivery carries a URL"
        body = json.dumps(dict(delivery.payload), sort_keys=True, default=str).encode()
        last = Result(outcome=Outcome.RETRY, detail="not attempted")
        for attempt in range(self._attempts):
            if attempt:
                await self._sleep(self._backoff * 2 ** (attempt - 1))
            last = await asyncio.to_thread(self._post, delivery.url, body)
            if last.outcome is not Outcome.RETRY:
                return last
        return last

    def _post(self, url: str, body: bytes) -> Result:
        stamp = str(int(time.time()))
        try:
            secret = self._secret()
        except ConfigError as exc:  # the step is held until a person sets the variable
            return Result(outcome=Outcome.CONFIG_FAULT, detail=exc.message)
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: stamp,
                SIGNATURE_HEADER: sign(secret, stamp, body),
                "User-Agent": "sequencer-webhook/1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return Result(
                    outcome=Outcome.SENT, detail=f"HTTP {response.status}", code=response.status
                )
        except urllib.error.HTTPError as exc:
            return Result(outcome=Outcome.RETRY, detail=f"HTTP {exc.code}", code=exc.code)
        except (urllib.error.URLError, http.client.HTTPException, OSError, TimeoutError) as exc:
            return Result(outcome=Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}")

    async def close(self) -> None:
        return None
