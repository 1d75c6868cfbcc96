"""The ``[verify]`` table: address checks on import (off unless ``enabled = true`` or ``import
--verify``), the DNS servers they and ``senders check --dns`` ask, how long a domain's verdict is
kept, and how long and how many look-ups at once.

    [verify]
    enabled = true                    # every import checks its domains (--no-verify: not one)
    nameservers = ["127.0.0.1:5353"]  # default: the system's (/etc/resolv.conf)
    ttl = "7d"                        # a domain's verdict is reused this long
    timeout = "5s"                    # a domain not answered by then is "unknown": kept, flagged
    concurrency = 16                  # look-ups at once
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sequencer.config.fields import check_keys, parse_duration
from sequencer.errors import ConfigError

_KEYS = {"enabled", "nameservers", "ttl", "timeout", "concurrency"}


@dataclass(frozen=True, kw_only=True)
class VerifySettings:
    """``[verify]``: address checks before sending; nothing is looked up unless asked."""

    #: Check every import's domains (``import --verify`` checks one import).
    enabled: bool = False
    #: DNS servers as (address, port); empty: the system's resolver configuration.
    nameservers: tuple[tuple[str, int], ...] = ()
    #: How long a domain's verdict is reused (a domain whose look-up failed is never kept).
    ttl: timedelta = timedelta(days=7)
    #: How long one domain's look-ups may take before it is "unknown".
    timeout: timedelta = timedelta(seconds=5)
    #: Domains looked up at once.
    concurrency: int = 16


def parse_verify(raw: Any, where: str) -> VerifySettings:
    """``[verify]``, checked; ConfigError naming the key otherwise."""
    check_keys(raw, _KEYS, where)
    enabled = raw.get("enabled", False)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{where}.enabled: should be true or false, not {enabled!r}")
    servers = raw.get("nameservers", [])
    if not isinstance(servers, list) or not all(isinstance(s, str) for s in servers):
        raise ConfigError(f'{where}.nameservers: should be a list like ["127.0.0.1:5353"]')
    concurrency = raw.get("concurrency", 16)
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise ConfigError(
            f"{where}.concurrency: should be a whole number of at least 1, not {concurrency!r}"
        )
    ttl = parse_duration(raw.get("ttl", "7d"), f"{where}.ttl")
    timeout = parse_duration(raw.get("timeout", "5s"), f"{where}.timeout")
    if timeout <= timedelta(0):
        raise ConfigError(f"{where}.timeout: should be longer than 0, like 5s")
    return VerifySettings(
        enabled=enabled,
        nameservers=tuple(_server(s, f"{where}.nameservers") for s in servers),
        ttl=ttl,
        timeout=timeout,
        concurrency=concurrency,
    )


def _server(text: str, where: str) -> tuple[str, int]:
    """``"127.0.0.1"``, ``"127.0.0.1:5353"``, ``"[::1]:5353"`` or ``"::1"`` → (address, port)."""
    value = text.strip()
    host, port = value, "53"
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest.removeprefix(":") or "53"
    elif value.count(":") == 1:
        host, port = value.split(":")
    try:
        ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        raise ConfigError(
            f"{where}: '{text}' should be an IP address with an optional port, like 127.0.0.1:5353"
        ) from None
    if not 0 < number < 65536:
        raise ConfigError(f"{where}: '{text}': the port should be 1 to 65535")
    return host, number
