"""structlog set-up: JSON lines with stable event names, pretty output on a terminal.

Event names are part of the interface (``send.sent``, ``send.failed``, ``send.bounced``,
``send.retry``, ``send.cancelled``, ``send.deferred``, ``send.uncertain``, ``send.requeued``,
``send.marked_sent``, ``enrollment.stopped``,
``sender.paused``, ``oauth.refreshed``, ``oauth.refused``, ``worker.started``, ``worker.stopping``,
``worker.stopped``,
``tick.done``). Secrets are never logged: no log call is given a password or an OAuth token.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog


def configure(*, json: bool | None = None, level: str = "info", stream: Any = None) -> None:
    """JSON when ``json`` (default: when stderr is not a terminal), else coloured console lines."""
    stream = stream or sys.stderr
    as_json = (not stream.isatty()) if json is None else json
    renderer: Any = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


def get_logger(**context: Any) -> Any:
    return structlog.get_logger("sequencer").bind(**context)
