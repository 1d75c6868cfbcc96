"""Subject and body variants: one look of the scoring job, the table of every variant
(:class:`VariantRow`), and putting a retired variant back into rotation by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sequencer import results
from sequencer.errors import SequencerError
from sequencer.looks import Family, families, run_look
from sequencer.services import public
from sequencer.services.deps import Deps
from sequencer.status import VariantStatus


@dataclass(frozen=True, kw_only=True)
class VariantRow:
    """One variant as `sequencer variants` shows it."""

    sequence: str
    step: str
    factor: str
    key: str
    status: str
    since: datetime | None
    reason: str
    latest: results.Decision | None


def score(deps: Deps, *, dry_run: bool) -> list[Family]:
    """One look of the scoring job over every variant family (what the worker runs twice a
    week).
    """
    return run_look(
        deps.store, deps.sequences(), now=deps.clock.now(), dry_run=dry_run, log=deps.log
    )


def rows(deps: Deps) -> list[VariantRow]:
    """Every variant of every family: live or retired, since when, why, and its latest look."""
    states = {(v.sequence, v.step_key, v.factor, v.key): v for v in deps.store.variant_states()}
    latest = deps.store.latest_decisions()
    found = []
    for sequence in deps.sequences().values():
        for step, factor, keys in families(sequence):
            for key in keys:
                ident = (sequence.name, step.key, factor, key)
                state = states.get(ident)
                found.append(
                    VariantRow(
                        sequence=sequence.name,
                        step=step.key,
                        factor=factor,
                        key=key,
                        status=state.status if state else VariantStatus.LIVE,
                        since=state.since if state else None,
                        reason=state.reason if state else "",
                        latest=public.decision(d) if (d := latest.get(ident)) else None,
                    )
                )
    return found


def revive(deps: Deps, sequence: str, step: str, factor: str, key: str) -> None:
    """Put a retired variant back into rotation by hand."""
    known = {(s.key, f, k) for s, f, keys in families(deps.sequence(sequence)) for k in keys}
    if (step, factor, key) not in known:
        raise SequencerError(f"no {factor} variant '{key}' in step '{step}' of '{sequence}'")
    deps.store.set_variant_status(
        sequence=sequence,
        step_key=step,
        factor=factor,
        key=key,
        status=VariantStatus.LIVE,
        reason="revived by hand",
        at=deps.clock.now(),
    )
    deps.log.info("variant.revived", sequence=sequence, step=step, factor=factor, key=key)
