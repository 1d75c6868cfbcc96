"""Address checks on import (``import --verify``, or ``[verify] enabled = true``): each distinct
domain's verdict comes from the cache (``domain_checks``, younger than ``[verify] ttl``) or from
DNS, looked up concurrently. A row whose domain takes no mail (a null MX, no mail host) is refused
with its row number and the rest are imported; role and disposable addresses, and domains DNS
did not answer for, are kept and named (:class:`Verification`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sequencer.contacts import ContactRow, RowError
from sequencer.services.deps import Deps
from sequencer.verify import rules
from sequencer.verify.dns import Resolver
from sequencer.verify.rules import DomainVerdict, Flag, Verdict


@dataclass(frozen=True, kw_only=True)
class Flagged:
    """An imported row worth a second look."""

    row: int
    email: str
    flags: tuple[Flag, ...]
    #: The domain's verdict detail when DNS did not answer ("no answer in 5s").
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class Verification:
    """What the address checks of one import found."""

    #: Distinct domains checked (disposable ones are flagged without a look-up).
    domains: int
    #: Of those, answered from the cache without a DNS query.
    cached: int
    #: Of those, asked of DNS.
    looked_up: int
    #: Rows not imported: their domain takes no mail.
    refused: list[RowError]
    #: Rows imported and named: role addresses, disposable domains, unanswered domains.
    flagged: list[Flagged]

    def rows_with(self, flag: Flag) -> list[Flagged]:
        """The flagged rows carrying ``flag``."""
        return [f for f in self.flagged if flag in f.flags]


def verify_rows(
    deps: Deps, rows: Sequence[ContactRow], *, progress: Callable[[int, int], None] | None = None
) -> tuple[list[ContactRow], Verification]:
    """(the rows to import, what the checks found); ``progress(done, total)`` counts domains."""
    settings = deps.config.verify
    domain_of = {row.row: rules.lookup_domain(row.email_key) for row in rows}
    domains = {d for d in domain_of.values() if not rules.is_disposable(d)}
    now = deps.clock.now()
    stored = deps.store.domain_checks(sorted(domains), since=now - settings.ttl)
    cached = {
        d: DomainVerdict(domain=d, verdict=Verdict(verdict), detail=detail)
        for d, (verdict, detail) in stored.items()
    }
    missing = domains - set(cached)
    looked = Resolver(settings).mail_verdicts(missing, progress=progress) if missing else {}
    deps.store.save_domain_checks(
        [(v.domain, v.verdict.value, v.detail) for v in looked.values() if v.verdict in _KEPT],
        at=now,
    )
    verdicts = {**cached, **looked}
    kept: list[ContactRow] = []
    refused: list[RowError] = []
    flagged: list[Flagged] = []
    for row in rows:
        domain = domain_of[row.row]
        verdict = verdicts.get(domain)
        if verdict is not None and verdict.refused:
            refused.append(
                RowError(
                    row=row.row, email=row.email, reason=rules.refusal(verdict), column="email"
                )
            )
            continue
        kept.append(row)
        found = rules.flags(row.email_key, domain, verdict)
        if found:
            unknown = verdict is not None and Flag.UNKNOWN in found
            detail = f"{domain}: {verdict.detail}" if verdict is not None and unknown else ""
            flagged.append(Flagged(row=row.row, email=row.email, flags=tuple(found), detail=detail))
    deps.log.info(
        "import.verified",
        domains=len(domains),
        cached=len(cached),
        looked_up=len(looked),
        refused=len(refused),
        flagged=len(flagged),
    )
    report = Verification(
        domains=len(domains),
        cached=len(cached),
        looked_up=len(looked),
        refused=refused,
        flagged=flagged,
    )
    return kept, report


#: Verdicts kept in the cache: a look-up that failed is asked again next time.
_KEPT = frozenset({Verdict.OK, Verdict.NULL_MX, Verdict.NO_MAIL_HOST})
