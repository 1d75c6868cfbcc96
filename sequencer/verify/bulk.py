"""What Gmail, Yahoo and Outlook require of a bulk sender's domain (Gmail and Yahoo since February
2024, Outlook since May 2025, which refuses with ``550 5.7.515``), held against what a sender's
DNS records and configuration say: SPF covering the SMTP host, a DKIM key, a DMARC record at
``p=none`` or stronger that SPF or DKIM aligns with, and one-click unsubscribe (RFC 8058, which
needs an https link). An MX is ours to ask for: replies and bounces come back through it.

Pure: :mod:`sequencer.verify.dns` reads the records into a :class:`SenderDomain`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sequencer.verify.records import Dmarc, SpfResult
from sequencer.verify.rules import DomainVerdict, Verdict

#: Who asks for each check.
ALL_THREE = "Gmail, Yahoo, Outlook"
UNSUBSCRIBE_BY = "Gmail, Yahoo (Outlook advises it)"
MX_BY = "sequencer: replies and bounces"


@dataclass(frozen=True, kw_only=True)
class SenderDomain:
    """A sender's domain as DNS and the configuration show it."""

    sender: str
    domain: str
    smtp_host: str
    #: The SPF result for each address of the SMTP host; empty when the host did not resolve.
    spf: list[tuple[str, SpfResult]]
    #: Why the SMTP host's addresses are unknown (None: they were found).
    host_problem: str | None = None
    #: The sender's ``dkim_selector`` (None: not configured).
    dkim_selector: str | None = None
    #: What is wrong with the DKIM key (None: a key is published).
    dkim_problem: str | None = None
    dmarc: Dmarc | None = None
    #: What is wrong with DMARC (no record, an invalid one, no answer); None when it is there.
    dmarc_problem: str | None = None
    mx: DomainVerdict
    #: ``[http] public_url``: the unsubscribe links' base (None: no link is sent).
    public_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Requirement:
    """One line of ``senders check --dns``."""

    check: str
    required_by: str
    met: bool
    detail: str
    #: A note beside a met requirement (DMARC ``p=none`` protects nothing yet).
    note: str = ""


def requirements(found: SenderDomain) -> list[Requirement]:
    """Each requirement, met or not, in the order they are printed."""
    return [
        _spf(found),
        _dkim(found),
        _dmarc(found),
        _alignment(found),
        _unsubscribe(found),
        _mx(found),
    ]


def _spf(found: SenderDomain) -> Requirement:
    if not found.spf:
        detail = found.host_problem or f"{found.smtp_host} has no address"
        return Requirement(check="SPF", required_by=ALL_THREE, met=False, detail=detail)
    failing = [(ip, result) for ip, result in found.spf if not result.covers]
    if failing:
        ip, result = failing[0]
        detail = (
            result.detail
            if result.record is None
            else f"{result.result} for {found.smtp_host} ({ip}): {result.detail}"
        )
        return Requirement(check="SPF", required_by=ALL_THREE, met=False, detail=detail)
    ip, result = found.spf[0]
    detail = f"covers {found.smtp_host} ({ip}) through {result.detail}"
    return Requirement(check="SPF", required_by=ALL_THREE, met=True, detail=detail)


def _dkim(found: SenderDomain) -> Requirement:
    if found.dkim_selector is None:
        return Requirement(
            check="DKIM",
            required_by=ALL_THREE,
            met=False,
            detail="no dkim_selector in this sender's configuration: set it to the selector "
            "its mail is signed with",
        )
    name = f"{found.dkim_selector}._domainkey.{found.domain}"
    if found.dkim_problem is not None:
        return Requirement(
            check="DKIM", required_by=ALL_THREE, met=False, detail=found.dkim_problem
        )
    return Requirement(
        check="DKIM", required_by=ALL_THREE, met=True, detail=f"{name} publishes a key"
    )


def _dmarc(found: SenderDomain) -> Requirement:
    if found.dmarc is None:
        detail = found.dmarc_problem or f"no DMARC record at _dmarc.{found.domain}"
        return Requirement(check="DMARC", required_by=ALL_THREE, met=False, detail=detail)
    note = (
        "p=none only monitors: receivers act on nothing; p=quarantine or p=reject protects the "
        "domain"
        if found.dmarc.policy == "none"
        else ""
    )
    return Requirement(
        check="DMARC",
        required_by=ALL_THREE,
        met=True,
        detail=f"p={found.dmarc.policy} at {found.dmarc.found_at}",
        note=note,
    )


def _alignment(found: SenderDomain) -> Requirement:
    """DMARC passes when SPF or DKIM passes for a domain aligned with the From domain. The
    envelope sender is the sender's own address and the DKIM key is read under its domain, so
    both align in either mode once they pass."""
    check = "DMARC alignment"
    if found.dmarc is None:
        return Requirement(check=check, required_by=ALL_THREE, met=False, detail="no DMARC record")
    spf_ok = bool(found.spf) and all(r.covers for _, r in found.spf)
    dkim_ok = found.dkim_selector is not None and found.dkim_problem is None
    aligned = [
        f"SPF (aspf={found.dmarc.aspf})" if spf_ok else "",
        f"DKIM (adkim={found.dmarc.adkim})" if dkim_ok else "",
    ]
    shown = " and ".join(a for a in aligned if a)
    if not shown:
        return Requirement(
            check=check,
            required_by=ALL_THREE,
            met=False,
            detail=f"neither SPF nor DKIM passes for {found.domain}, the From domain",
        )
    return Requirement(
        check=check,
        required_by=ALL_THREE,
        met=True,
        detail=f"{shown} align with the From domain {found.domain}",
    )


def _unsubscribe(found: SenderDomain) -> Requirement:
    check = "one-click unsubscribe"
    url = found.public_url or ""
    if url.startswith("https://"):
        return Requirement(
            check=check,
            required_by=UNSUBSCRIBE_BY,
            met=True,
            detail=f"List-Unsubscribe-Post with an https link under {url}",
        )
    why = "is http" if url else "is not set"
    return Requirement(
        check=check,
        required_by=UNSUBSCRIBE_BY,
        met=False,
        detail=f"[http] public_url {why}: RFC 8058 one-click unsubscribe needs an https link",
    )


def _mx(found: SenderDomain) -> Requirement:
    met = found.mx.verdict is Verdict.OK
    return Requirement(check="MX", required_by=MX_BY, met=met, detail=found.mx.detail)
