"""structlog set-up: JSON lines with stable event names, pretty output on a terminal.

Event names are part of the interface (``send.sent``, ``send.failed``, ``send.bounced``,
``send.retry``, ``send.cancelled``, ``send.deferred``, ``send.uncertain``, ``send.requeued``,
``send.marked_sent``, ``enrollment.stopped``,
``sender.paused``, ``oauth.refreshed``, ``oauth.refused``, ``worker.started``, ``worker.stopping``,
``worker.stopped``,
``tick.done``, ``worker.idle``). Secrets are never logged: no log call is given a password or an
OAuth token.

A log line about one person carries their address under the key ``address`` (beside the ids).
``configure(mask_addresses=True)`` (``sequencer worker --mask-addresses``, ``[worker]
mask_addresses = true``) masks it on every line: ``a***@example.com``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

#: The key of a log line's recipient address, masked when configured.
ADDRESS = "address"


def mask(address: str) -> str:
    """``alice@example.com`` -> ``a***@example.com``: enough to tell lines apart, not to mail."""
    local, at, domain = address.rpartition("@")
    if not at:
        return address[:1] + "***"
    return f"{local[:1]}***@{domain}"


class _Masking:
    on = False


_masking = _Masking()


def shown(address: str) -> str:
    """An address as log lines show it: masked when :func:`configure` was told to mask."""
    return mask(address) if _masking.on else address


def _mask_addresses(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    value = event.get(ADDRESS)
    if isinstance(value, str):
        event[ADDRESS] = mask(value)
    return event


def configure(
    *,
    json: bool | None = None,
    level: str = "info",
    stream: Any = None,
    mask_addresses: bool = False,
) -> None:
    """JSON when ``json`` (default: when stderr is not a terminal), else coloured console lines;
    ``mask_addresses`` masks every line's ``address``.
    """
    stream = stream or sys.stderr
    _masking.on = mask_addresses
    as_json = (not stream.isatty()) if json is None else json
    renderer: Any = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *([_mask_addresses] if mask_addresses else []),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


def get_logger(**context: Any) -> Any:
    return structlog.get_logger("sequencer").bind(**context)
