"""The DNS server ``tests/services.sh`` starts (dnsmasq on loopback, $SEQUENCER_TEST_DNS), and
the queries it logged: a test reads them to see what a command asked, and what it did not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_QUERY = re.compile(r"query\[(\w+)\] (\S+) from ")


@dataclass(frozen=True)
class DnsServer:
    """dnsmasq answering for the .test zones, each query written to ``log``."""

    host: str
    port: int
    log: Path

    @classmethod
    def parse(cls, text: str) -> DnsServer:
        """``127.0.0.1:PORT,/path/queries.log``."""
        address, _, log = text.partition(",")
        host, _, port = address.rpartition(":")
        return cls(host=host, port=int(port), log=Path(log))

    @property
    def address(self) -> str:
        """As ``[verify] nameservers`` takes it."""
        return f"{self.host}:{self.port}"

    def position(self) -> int:
        """Where the log ends now: :meth:`queries` after it are the ones asked since."""
        return self.log.stat().st_size

    def queries(self, since: int = 0) -> list[tuple[str, str]]:
        """(type, name) of each query logged after ``since`` (a :meth:`position`), in order.
        dnsmasq writes a query's line before it answers, so a command that has returned has
        all of its queries here."""
        with self.log.open("rb") as fh:
            fh.seek(since)
            text = fh.read().decode("utf-8", "replace")
        return [(m.group(1), m.group(2).lower()) for m in _QUERY.finditer(text)]
