"""Variant families and their assignment: balanced across the live variants of a factor. Pure."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence

from sequencer import model


def families(sequence: model.Sequence) -> list[tuple[model.Step, str, list[str]]]:
    """(step, factor, keys in YAML order) for every factor with more than one variant: what a look
    scores.

    A factor is ``subject`` or ``body`` of an email step; a ``thread: true`` step has no subjects of
    its own (it reuses message 1's), so only its bodies can form a family.
    """
    out = []
    for step in sequence.steps:
        if step.channel is not model.Channel.EMAIL:
            continue
        for factor, options in (("subject", step.subjects), ("body", step.bodies)):
            if len(options) > 1:
                out.append((step, factor, [v.key for v in options]))
    return out


def choose(
    keys: Sequence[str], counts: Mapping[str, int], *, retired: Collection[str] = (), salt: str = ""
) -> str:
    """The live key assigned least so far; ties broken by a stable hash of ``salt`` and the key.

    ``keys`` are in YAML order. A retired key is never chosen unless every key is retired,
    in which case the first key is (a factor always has one live variant).
    """
    live = [k for k in keys if k not in retired] or list(keys[:1])
    if not live:
        raise ValueError("a factor needs at least one variant")
    least = min(counts.get(k, 0) for k in live)
    tied = [k for k in live if counts.get(k, 0) == least]
    return min(tied, key=lambda k: hashlib.blake2b(f"{salt}:{k}".encode(), digest_size=8).digest())
