"""Whether a recipient's domain takes mail, from its DNS answers, and which addresses deserve a
second look before a sequence mails them.

Refused: a null MX (RFC 7505: ``MX 0 .``, "this domain takes no mail") and a domain with no MX
and no A or AAAA record, or none at all. Flagged, and still imported: a role address (``info@``,
``sales@``…: a team's inbox, not a person), a throwaway domain from the maintained
``disposable-email-domains`` list, and a domain whose DNS did not answer in time (a look-up
that failed says nothing about the address). Pure: the answers are passed in.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from disposable_email_domains import allowlist, blocklist
from email_validator import EmailNotValidError, validate_email


class Verdict(enum.StrEnum):
    """What a domain's DNS says about mail to it (stored in ``domain_checks.verdict``)."""

    #: The domain names a mail host: an MX, or an A/AAAA record (RFC 5321's fallback).
    OK = "ok"
    #: A null MX (RFC 7505): the domain says it takes no mail. The row is refused.
    NULL_MX = "null_mx"
    #: No MX and no A or AAAA record, or no such name: nowhere to deliver. The row is refused.
    NO_MAIL_HOST = "no_mail_host"
    #: No answer in time, or no server answered: kept and flagged, never refused nor cached.
    UNKNOWN = "unknown"


#: The verdicts that keep a row out of the import.
REFUSED = frozenset({Verdict.NULL_MX, Verdict.NO_MAIL_HOST})


class Flag(enum.StrEnum):
    """Why an imported address is named in the import's summary."""

    #: A role address (``info@``, ``sales@``…): a shared inbox, filtered more, complained of more.
    ROLE = "role"
    #: A throwaway domain from the ``disposable-email-domains`` list.
    DISPOSABLE = "disposable"
    #: The domain's DNS did not answer: the address is kept, unchecked.
    UNKNOWN = "unknown"


#: Local parts that name a function, not a person (compared without ``-``, ``_``, ``.`` and a
#: ``+tag``: ``no-reply``, ``no_reply`` and ``noreply+x`` are all ``noreply``).
ROLE_NAMES = frozenset(
    {
        "abuse",
        "accounting",
        "accounts",
        "admin",
        "administrator",
        "billing",
        "careers",
        "compliance",
        "contact",
        "customerservice",
        "donotreply",
        "enquiries",
        "feedback",
        "finance",
        "hello",
        "help",
        "helpdesk",
        "hostmaster",
        "hr",
        "info",
        "inquiries",
        "jobs",
        "legal",
        "mail",
        "marketing",
        "media",
        "newsletter",
        "noreply",
        "office",
        "orders",
        "postmaster",
        "press",
        "privacy",
        "reception",
        "recruiting",
        "sales",
        "security",
        "service",
        "support",
        "team",
        "webmaster",
        # German, Finnish, Swedish, Spanish and French shared inboxes
        "anfrage",
        "anfragen",
        "buero",
        "einkauf",
        "kontakt",
        "vertrieb",
        "verkauf",
        "zentrale",
        "asiakaspalvelu",
        "laskutus",
        "myynti",
        "tilaukset",
        "toimisto",
        "forsaljning",
        "kontor",
        "kundservice",
        "kundtjanst",
        "contacto",
        "ventas",
        "bonjour",
        "commercial",
        # more teams' inboxes
        "bookings",
        "events",
        "partners",
        "purchasing",
        "procurement",
    }
)


@dataclass(frozen=True, kw_only=True)
class DomainVerdict:
    """One domain's verdict and what it rests on (``MX 10 mx.example.com``, ``timeout``…)."""

    domain: str
    verdict: Verdict
    detail: str = ""

    @property
    def refused(self) -> bool:
        return self.verdict in REFUSED


def from_mx(domain: str, records: Iterable[tuple[int, str]]) -> DomainVerdict | None:
    """The verdict from a domain's MX records (preference, exchange); None when there are none
    (then the A and AAAA records decide: :func:`from_addresses`)."""
    found = sorted(records)
    if not found:
        return None
    hosts = [(pref, host.rstrip(".")) for pref, host in found if host.rstrip(".")]
    if not hosts:
        return DomainVerdict(
            domain=domain, verdict=Verdict.NULL_MX, detail="null MX (RFC 7505): takes no mail"
        )
    shown = ", ".join(f"MX {pref} {host}" for pref, host in hosts[:3])
    return DomainVerdict(domain=domain, verdict=Verdict.OK, detail=shown)


def from_addresses(domain: str, addresses: Iterable[str]) -> DomainVerdict:
    """The verdict of a domain with no MX, from its A and AAAA records: mail goes to the domain
    itself (RFC 5321 §5.1) only at an address the Internet can reach, as email-validator's
    deliverability check decides it (a loopback or private address is no mail host)."""
    reachable = [a for a in addresses if _is_global(a)]
    if reachable:
        return DomainVerdict(
            domain=domain, verdict=Verdict.OK, detail=f"no MX; mail goes to {reachable[0]}"
        )
    return DomainVerdict(
        domain=domain, verdict=Verdict.NO_MAIL_HOST, detail="no MX and no A or AAAA record"
    )


def unknown(domain: str, why: str) -> DomainVerdict:
    """A domain whose look-up failed (``timeout``, ``no server answered``)."""
    return DomainVerdict(domain=domain, verdict=Verdict.UNKNOWN, detail=why)


def refusal(verdict: DomainVerdict) -> str:
    """The reason printed for a refused row."""
    if verdict.verdict is Verdict.NULL_MX:
        return f"{verdict.domain} takes no mail (null MX, RFC 7505); not imported"
    return f"{verdict.domain} has no mail host ({verdict.detail}); not imported"


def _is_global(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def lookup_domain(email_key: str) -> str:
    """The domain of an address as DNS knows it: IDNA 2008 ASCII (``straße.de`` →
    ``xn--strae-oqa.de``), lower-cased."""
    domain = email_key.rpartition("@")[2]
    try:
        checked = validate_email(f"x@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return domain.lower()
    return checked.ascii_domain.lower()


def is_role(email_key: str) -> bool:
    """Whether the address names a function (``info@``, ``no-reply@``), not a person."""
    local = email_key.rpartition("@")[0].partition("+")[0].lower()
    return local.replace("-", "").replace("_", "").replace(".", "") in ROLE_NAMES


def is_disposable(domain: str) -> bool:
    """Whether ``domain`` (or a domain above it) is on the disposable-email-domains list."""
    labels = domain.lower().rstrip(".").split(".")
    for start in range(len(labels) - 1):
        name = ".".join(labels[start:])
        if name in allowlist:
            return False
        if name in blocklist:
            return True
    return False


def flags(email_key: str, domain: str, verdict: DomainVerdict | None) -> list[Flag]:
    """What the import names about an address it keeps."""
    found = []
    if is_role(email_key):
        found.append(Flag.ROLE)
    if is_disposable(domain):
        found.append(Flag.DISPOSABLE)
    if verdict is not None and verdict.verdict is Verdict.UNKNOWN:
        found.append(Flag.UNKNOWN)
    return found
