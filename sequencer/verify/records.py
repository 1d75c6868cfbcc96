"""A sender domain's authentication records, read: SPF evaluated for one IP address (RFC 7208:
``ip4``, ``ip6``, ``a``, ``mx``, ``include``, ``all`` and ``redirect``, within the limit of 10
DNS look-ups), a DMARC record's policy and alignment modes (RFC 7489), and a DKIM key record.

Pure: DNS answers come through a :class:`Lookups` object (:mod:`sequencer.verify.dns` is the
real one); a look-up that could not be answered raises :class:`LookupFailed`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Protocol

#: RFC 7208 §4.6.4: the DNS look-ups one SPF evaluation may cause.
SPF_LOOKUP_LIMIT = 10
_QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
_HOST_MECHANISM = re.compile(r"^(a|mx)(?::([^/]+))?(?:/(\d+))?(?://(\d+))?$")


class LookupFailed(Exception):
    """A DNS look-up got no answer (a timeout, no server answered): nothing can be concluded."""


class Lookups(Protocol):
    """The DNS answers the checks need; a name with no such record gives an empty list."""

    def txt(self, name: str) -> list[str]:
        """The TXT records of ``name``, each joined into one string."""
        ...

    def addresses(self, name: str) -> list[str]:
        """The A and AAAA records of ``name``."""
        ...

    def mx_hosts(self, name: str) -> list[str]:
        """The exchanges named by the MX records of ``name`` (a null MX gives none)."""
        ...


@dataclass(frozen=True, kw_only=True)
class SpfResult:
    """What a domain's SPF record says of one IP address."""

    #: The domain's SPF record, or None when it has none.
    record: str | None
    #: pass | fail | softfail | neutral | none | permerror | temperror (RFC 7208 §2.6).
    result: str
    #: The term that decided, or what went wrong.
    detail: str

    @property
    def covers(self) -> bool:
        return self.result == "pass"


class _PermError(Exception):
    """The record cannot be evaluated (a syntax error, too many look-ups)."""


def spf_record(texts: list[str]) -> str | None:
    """The one SPF record among a name's TXT records; two of them are an error (RFC 7208 §4.5)."""
    found = [t for t in texts if t.lower() == "v=spf1" or t.lower().startswith("v=spf1 ")]
    if len(found) > 1:
        raise _PermError("more than one SPF record")
    return found[0] if found else None


def check_spf(domain: str, address: str, lookups: Lookups) -> SpfResult:
    """Whether ``domain``'s SPF record lets ``address`` send for it."""
    record = None
    try:
        record = spf_record(lookups.txt(domain))
        if record is None:
            return SpfResult(record=None, result="none", detail=f"{domain} has no SPF record")
        result, detail = _Evaluation(address, lookups).run(domain, record)
    except _PermError as exc:
        return SpfResult(record=record, result="permerror", detail=str(exc))
    except LookupFailed as exc:
        return SpfResult(record=record, result="temperror", detail=f"DNS did not answer: {exc}")
    return SpfResult(record=record, result=result, detail=detail)


class _Evaluation:
    """One SPF evaluation for one address, counting the look-ups its terms cause."""

    def __init__(self, address: str, lookups: Lookups) -> None:
        self.ip = ipaddress.ip_address(address)
        self.lookups = lookups
        self.count = 0
        #: The term that matched inside the latest ``include:``.
        self.inner = ""

    def _lookup(self) -> None:
        self.count += 1
        if self.count > SPF_LOOKUP_LIMIT:
            raise _PermError(f"more than {SPF_LOOKUP_LIMIT} DNS look-ups (RFC 7208 §4.6.4)")

    def run(self, domain: str, record: str) -> tuple[str, str]:
        redirect = None
        for term in record.split()[1:]:
            name, eq, value = term.partition("=")
            if eq and ":" not in name and "/" not in name:
                if name.lower() == "redirect":
                    redirect = value
                continue
            qualifier = term[0] if term[0] in _QUALIFIERS else "+"
            mechanism = term[1:] if term[0] in _QUALIFIERS else term
            if self._matches(mechanism, domain):
                inner = f" ({self.inner})" if mechanism.lower().startswith("include:") else ""
                return _QUALIFIERS[qualifier], f"{term} in {domain}{inner}"
        if redirect:
            self._lookup()
            target = spf_record(self.lookups.txt(redirect))
            if target is None:
                raise _PermError(f"redirect={redirect}: {redirect} has no SPF record")
            return self.run(redirect, target)
        return "neutral", f"no term of {domain}'s record matched"

    def _matches(self, mechanism: str, domain: str) -> bool:
        name, _, arg = mechanism.partition(":")
        name = name.lower()
        if name == "all":
            return True
        if name in ("ip4", "ip6"):
            try:
                network = ipaddress.ip_network(arg, strict=False)
            except ValueError:
                raise _PermError(f"{mechanism}: not an address or network") from None
            return self.ip.version == network.version and self.ip in network
        if name == "include":
            return self._include(arg)
        host = _HOST_MECHANISM.match(mechanism.lower())
        if host is not None:
            return self._host(host, domain)
        if name in ("exists", "ptr"):  # not evaluated here: counted, never a match
            self._lookup()
            return False
        raise _PermError(f"unknown mechanism '{mechanism}'")

    def _include(self, target: str) -> bool:
        self._lookup()
        record = spf_record(self.lookups.txt(target))
        if record is None:
            raise _PermError(f"include:{target}: {target} has no SPF record")
        result, self.inner = self.run(target, record)  # an error inside raises through
        return result == "pass"

    def _host(self, match: re.Match[str], domain: str) -> bool:
        kind, target, cidr4, cidr6 = match.groups()
        target = target or domain
        self._lookup()
        hosts = [target] if kind == "a" else self.lookups.mx_hosts(target)[:10]
        if self.ip.version == 4:
            prefix = int(cidr4) if cidr4 else 32
        else:
            prefix = int(cidr6) if cidr6 else 128
        for host in hosts:
            for found in self.lookups.addresses(host):
                address = ipaddress.ip_address(found)
                if address.version != self.ip.version:
                    continue
                if self.ip in ipaddress.ip_network(f"{address}/{prefix}", strict=False):
                    return True
        return False


@dataclass(frozen=True, kw_only=True)
class Dmarc:
    """A domain's DMARC record (RFC 7489 §6.3)."""

    record: str
    #: none | quarantine | reject
    policy: str
    #: Alignment modes: "r" (relaxed: the same organisational domain) or "s" (strict: the same).
    adkim: str = "r"
    aspf: str = "r"
    #: The name it was found at (``_dmarc.`` and the domain, or its organisational domain).
    found_at: str = ""


def parse_dmarc(texts: list[str], found_at: str) -> Dmarc | None:
    """The DMARC record among the TXT records of ``_dmarc.<domain>``; None when there is none.

    A record without a valid ``p=`` is a ValueError saying so."""
    records = [t for t in texts if re.match(r"^v\s*=\s*DMARC1\s*(;|$)", t, re.IGNORECASE)]
    if not records:
        return None
    if len(records) > 1:
        raise ValueError(f"{found_at} has {len(records)} DMARC records; receivers ignore them all")
    tags = {}
    for part in records[0].split(";"):
        key, _, value = part.partition("=")
        tags[key.strip().lower()] = value.strip().lower()
    policy = tags.get("p", "")
    if policy not in ("none", "quarantine", "reject"):
        raise ValueError(f"{found_at}: p={policy or '(missing)'}; use none, quarantine or reject")
    return Dmarc(
        record=records[0],
        policy=policy,
        adkim="s" if tags.get("adkim") == "s" else "r",
        aspf="s" if tags.get("aspf") == "s" else "r",
        found_at=found_at,
    )


def dkim_problem(texts: list[str], name: str) -> str | None:
    """What is wrong with the DKIM key record at ``name`` (``selector._domainkey.domain``), or
    None when it publishes a key."""
    keys = [t for t in texts if re.search(r"(^|;)\s*p\s*=", t)]
    if not keys:
        return f"no DKIM key at {name}"
    tags = {}
    for part in keys[0].split(";"):
        key, _, value = part.partition("=")
        tags[key.strip().lower()] = value.strip()
    if not tags.get("p"):
        return f"the DKIM key at {name} is revoked (empty p=)"
    return None
