"""The HTTP app (``sequencer serve``): one-click unsubscribe, inbound hooks, tracking, health.

Routes:

- ``GET /u/{token}``: a confirmation page with one button; ``POST /u/{token}``: the RFC 8058
  one-click unsubscribe (mail providers POST ``List-Unsubscribe=One-Click`` to it).
- ``POST /hooks/goal`` and ``POST /hooks/reply``: JSON ``{"email": ..., "goal": ...}`` from a
  booking tool or a CRM, signed like sequencer's own webhooks (``X-Sequencer-Timestamp``,
  ``X-Sequencer-Signature: sha256=HMAC(secret, "<timestamp>.<body>")``), accepted once.
- ``GET /o/{token}.gif`` (open pixel) and ``GET /c/{token}?u=URL`` (click), only when tracking
  is switched on; a click goes only to a URL that was signed into that very message.
- ``GET /healthz``.

A link that is not genuine gets the same short error page whatever is wrong with it: it
reveals nothing about any contact.
"""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sequencer import tokens
from sequencer.app import Engine, HookRejected
from sequencer.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER
from sequencer.errors import SequencerError

# A transparent 1×1 GIF.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
_NO_STORE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_MAX_BODY = 64 * 1024


def create_app(engine: Engine) -> Starlette:
    """The ASGI app over one engine (its database and config)."""
    http = engine.config.http

    async def unsubscribe_form(request: Request) -> Response:
        token = request.path_params["token"]
        page = await run_in_threadpool(engine.unsubscribe_page, token)
        if page is None:
            return _invalid()
        if page.already:
            return _page(
                "Unsubscribed",
                f"<p><b>{_e(page.address)}</b> is already unsubscribed. "
                "You will not get more messages from us.</p>",
            )
        return _page(
            "Unsubscribe",
            f"""<p>Stop messages from {_e(page.sender)} to <b>{_e(page.address)}</b>?</p>
<form method="post" action="">
  <input type="hidden" name="List-Unsubscribe" value="One-Click">
  <button type="submit" id="confirm">Unsubscribe</button>
</form>""",
        )

    async def unsubscribe(request: Request) -> Response:
        if (
            await _read_capped(request) is None
        ):  # RFC 8058: the body is "List-Unsubscribe=One-Click"
            return _invalid()
        page = await run_in_threadpool(engine.unsubscribe, request.path_params["token"])
        if page is None:
            return _invalid()
        state = "already unsubscribed" if page.already else "unsubscribed"
        return _page(
            "Unsubscribed",
            f'<p id="done"><b>{_e(page.address)}</b> is {state}. '
            "You will not get more messages from us.</p>",
        )

    async def hook(request: Request) -> Response:
        body = await _read_capped(request)
        if body is None:
            return JSONResponse(
                {"error": f"body too large (at most {_MAX_BODY} bytes)"}, status_code=413
            )
        try:
            result = await run_in_threadpool(
                engine.hook,
                request.path_params["kind"],
                body,
                timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
                signature=request.headers.get(SIGNATURE_HEADER, ""),
            )
        except HookRejected as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        except SequencerError as exc:
            return JSONResponse({"error": exc.message}, status_code=400)
        return JSONResponse(result)

    async def pixel(request: Request) -> Response:
        if http.track_opens:
            await run_in_threadpool(engine.record_open, request.path_params["token"])
        return Response(PIXEL, media_type="image/gif", headers=_NO_STORE)

    async def click(request: Request) -> Response:
        url = request.query_params.get("u", "")
        target = (
            await run_in_threadpool(engine.click, request.path_params["token"], url)
            if http.track_clicks
            else None
        )
        if target is None:
            return _invalid()
        return RedirectResponse(target, status_code=302, headers=_NO_STORE)

    async def healthz(_: Request) -> Response:
        try:
            await run_in_threadpool(engine.store.count_contacts)
        except Exception as exc:  # the database is what can be down
            return JSONResponse(
                {"status": "error", "database": type(exc).__name__}, status_code=503
            )
        return JSONResponse({"status": "ok"})

    routes = [
        Route("/u/{token}", unsubscribe_form, methods=["GET"]),
        Route("/u/{token}", unsubscribe, methods=["POST"]),
        Route("/hooks/{kind}", hook, methods=["POST"]),
        Route("/o/{token}.gif", pixel, methods=["GET"]),
        Route("/c/{token}", click, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes)


class RedactTokens(logging.Filter):
    """Cuts link tokens out of log records (uvicorn's access log prints every request path, and
    an unsubscribe token in a log is an unsubscribe link for anyone who reads the log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                tokens.redact(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = tokens.redact(record.msg)
        return True


def log_config(base: Mapping[str, Any]) -> dict[str, Any]:
    """uvicorn's logging configuration (``base``: ``uvicorn.config.LOGGING_CONFIG``) with
    :class:`RedactTokens` on every handler."""
    config = copy.deepcopy(dict(base))
    config.setdefault("filters", {})["redact_tokens"] = {"()": f"{__name__}.RedactTokens"}
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), "redact_tokens"]
    return config


async def _read_capped(request: Request) -> bytes | None:
    """The request body, or None once it exceeds ``_MAX_BODY`` (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _MAX_BODY:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY:
            return None
    return bytes(body)


def _e(value: Any) -> str:
    return html.escape(str(value))


def _invalid() -> Response:
    return _page(
        "Link not valid",
        "<p>This link is not valid. If you copied it, check that it is complete.</p>",
        status=400,
    )


def _page(title: str, content: str, *, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{_e(title)}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; color: #1f2933; background: #f5f7fa; margin: 0; }}
main {{ max-width: 28rem; margin: 12vh auto; background: #fff; padding: 2rem; border-radius: 8px;
        box-shadow: 0 1px 3px rgba(0,0,0,.12); }}
h1 {{ font-size: 1.3rem; margin-top: 0; }}
button {{ font: inherit; padding: .6rem 1.4rem; border: 0; border-radius: 6px;
          background: #c0392b; color: #fff;
          cursor: pointer; }}
</style></head>
<body><main><h1>{_e(title)}</h1>
{content}
</main></body></html>
""",
        status_code=status,
        headers=_NO_STORE,
    )
