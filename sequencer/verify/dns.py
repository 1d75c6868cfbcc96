"""The one place sequencer speaks DNS: dnspython's resolver, set up from ``[verify]`` (its
servers, its timeout), answering the look-ups of the address checks and of ``senders check
--dns``. Nothing here runs unless one of those is asked for.

A name with no such record (NXDOMAIN, an empty answer) gives an empty list; a look-up that got
no answer (a timeout, every server failing) raises :class:`~sequencer.verify.records.LookupFailed`,
which a check reports as "unknown", never as a fault of the domain.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

import dns.exception
import dns.nameserver
import dns.resolver

from sequencer.config import Sender, VerifySettings
from sequencer.errors import ConfigError
from sequencer.verify import rules
from sequencer.verify.bulk import SenderDomain
from sequencer.verify.records import Dmarc, LookupFailed, check_spf, dkim_problem, parse_dmarc
from sequencer.verify.rules import DomainVerdict

#: Called as ``progress(domains_done, domains_total)`` while domains are looked up.
Progress = Callable[[int, int], None]


class Resolver:
    """DNS answers for the checks (the :class:`~sequencer.verify.records.Lookups` protocol)."""

    def __init__(self, settings: VerifySettings) -> None:
        self.settings = settings
        try:
            resolver = dns.resolver.Resolver(configure=not settings.nameservers)
        except dns.resolver.NoResolverConfiguration:
            raise ConfigError(
                "no DNS server is configured on this machine: set [verify] nameservers "
                'in the config, like nameservers = ["127.0.0.1:53"]'
            ) from None
        if settings.nameservers:
            resolver.nameservers = [
                dns.nameserver.Do53Nameserver(host, port) for host, port in settings.nameservers
            ]
        resolver.lifetime = settings.timeout.total_seconds()
        resolver.timeout = min(2.0, resolver.lifetime)
        resolver.cache = None  # verdicts are kept in the database, with their TTL
        self._resolver = resolver

    def _answer(self, name: str, rdtype: str) -> list[Any]:
        try:
            return list(self._resolver.resolve(name, rdtype, search=False))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.exception.Timeout:
            raise LookupFailed(f"no answer in {self.settings.timeout.total_seconds():g}s") from None
        except dns.resolver.NoNameservers:
            raise LookupFailed("no DNS server answered") from None
        except dns.exception.DNSException as exc:
            raise LookupFailed(str(exc) or type(exc).__name__) from None

    def txt(self, name: str) -> list[str]:
        """The TXT records of ``name``, each joined into one string."""
        return [b"".join(r.strings).decode("utf-8", "replace") for r in self._answer(name, "TXT")]

    def addresses(self, name: str) -> list[str]:
        """The A and AAAA records of ``name``."""
        return [r.address for kind in ("A", "AAAA") for r in self._answer(name, kind)]

    def mx(self, name: str) -> list[tuple[int, str]]:
        """The MX records of ``name`` as (preference, exchange); a null MX's exchange is ``""``."""
        return [
            (int(r.preference), r.exchange.to_text(omit_final_dot=True))
            for r in self._answer(name, "MX")
        ]

    def mx_hosts(self, name: str) -> list[str]:
        """The mail hosts ``name``'s MX records name, best first (a null MX names none)."""
        return [host for _, host in sorted(self.mx(name)) if host.strip(".")]

    def mail_verdict(self, domain: str) -> DomainVerdict:
        """Whether ``domain`` (ASCII) takes mail: its MX, else its A and AAAA records."""
        try:
            verdict = rules.from_mx(domain, self.mx(domain))
            return verdict or rules.from_addresses(domain, self.addresses(domain))
        except LookupFailed as exc:
            return rules.unknown(domain, str(exc))

    def mail_verdicts(
        self, domains: Iterable[str], *, progress: Progress | None = None
    ) -> dict[str, DomainVerdict]:
        """:meth:`mail_verdict` of each domain, up to ``[verify] concurrency`` at once."""
        todo = sorted(set(domains))
        found: dict[str, DomainVerdict] = {}
        if not todo:
            return found
        workers = min(self.settings.concurrency, len(todo))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dns") as pool:
            futures = {pool.submit(self.mail_verdict, domain): domain for domain in todo}
            for future in as_completed(futures):
                found[futures[future]] = future.result()
                if progress is not None:
                    progress(len(found), len(todo))
        return found

    def sender_domain(self, sender: Sender, *, public_url: str | None) -> SenderDomain:
        """What ``senders check --dns`` holds against the bulk-sender requirements."""
        domain = rules.lookup_domain(sender.email)
        host = sender.smtp.host
        host_problem = None
        try:
            ips = self._host_addresses(host)
        except LookupFailed as exc:
            ips, host_problem = [], f"{host}: {exc}"
        if not ips and host_problem is None:
            host_problem = f"{host} has no A or AAAA record"
        dkim = None
        if sender.dkim_selector is not None:
            name = f"{sender.dkim_selector}._domainkey.{domain}"
            try:
                dkim = dkim_problem(self.txt(name), name)
            except LookupFailed as exc:
                dkim = f"{name}: {exc}"
        dmarc, dmarc_problem = self._dmarc(domain)
        return SenderDomain(
            sender=sender.name,
            domain=domain,
            smtp_host=host,
            spf=[(ip, check_spf(domain, ip, self)) for ip in ips],
            host_problem=host_problem,
            dkim_selector=sender.dkim_selector,
            dkim_problem=dkim,
            dmarc=dmarc,
            dmarc_problem=dmarc_problem,
            mx=self.mail_verdict(domain),
            public_url=public_url,
        )

    def _host_addresses(self, host: str) -> list[str]:
        name = host.strip("[]")
        try:
            return [str(ipaddress.ip_address(name))]
        except ValueError:
            pass
        if name.lower() == "localhost":
            return ["127.0.0.1"]
        return self.addresses(name)

    def _dmarc(self, domain: str) -> tuple[Dmarc | None, str | None]:
        """The DMARC record of ``domain``, else of the domain above it (a naive organisational
        domain: the last two labels), and what is wrong when there is none."""
        names = [domain]
        labels = domain.split(".")
        if len(labels) > 2:
            names.append(".".join(labels[-2:]))
        for name in names:
            where = f"_dmarc.{name}"
            try:
                found = parse_dmarc(self.txt(where), where)
            except LookupFailed as exc:
                return None, f"{where}: {exc}"
            except ValueError as exc:
                return None, str(exc)
            if found is not None:
                return found, None
        return None, f"no DMARC record at _dmarc.{domain}"
