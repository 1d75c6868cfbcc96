"""Managing the suppression list (``sequencer suppress remove | list | undo``): removing entries,
listing them by reason and age, and reverting a mistaken batch. Every change is written to the
list's change log with its reason and source, in the same transaction as the change (see
:mod:`sequencer.store.suppressions`). Removing a suppression never restarts an enrollment it
stopped. Adding entries lives in :mod:`sequencer.services.contacts` (``suppress add | import``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sequencer.addresses import ERASED_PREFIX, erasure_key, suppression_key
from sequencer.errors import SequencerError
from sequencer.services.deps import Deps
from sequencer.store import Suppression, SuppressionChange

#: Reasons whose entries are people who asked not to be mailed: ``undo`` warns before removing.
ASKED = ("unsubscribe", "complaint")
#: Units of a relative ``--since`` (``7d``, ``12h``, ``30m``, ``2w``).
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_UNITS["w"] = 7 * _UNITS["d"]
_RELATIVE = re.compile(r"^(\d{1,5})\s*([mhdw])$", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class Removal:
    """What ``suppress remove`` or ``undo`` did."""

    #: The keys removed, in the order given.
    removed: tuple[str, ...]
    #: The keys given that were not on the list.
    absent: tuple[str, ...] = ()
    #: Of :attr:`absent`, the addresses ``forget`` erased: their hash stays on the list.
    erased: tuple[str, ...] = ()


def since_time(text: str, *, now: datetime, what: str = "--since") -> datetime:
    """``text`` as an aware moment: a date (``2026-12-01``, midnight UTC), an ISO time
    (``2026-12-01T09:30``, UTC unless it carries an offset) or a span back from ``now`` (``7d``,
    ``12h``, ``30m``, ``2w``). :class:`SequencerError` naming ``what`` otherwise."""
    value = text.strip()
    relative = _RELATIVE.match(value)
    if relative:
        return now - int(relative.group(1)) * _UNITS[relative.group(2).lower()]
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SequencerError(
            f"{what}: {value!r} is not a date (2026-12-01), an ISO time (2026-12-01T09:30) "
            "or a span back from now (7d, 12h, 30m, 2w)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def keys_of(entries: Iterable[str], *, verb: str = "changed") -> list[str]:
    """The suppression keys of addresses and ``@domain`` entries; all valid or
    :class:`SequencerError` naming every bad one ("nothing was ``verb``: entry 2: ..."), so
    nothing is half-applied."""
    keys, bad = [], []
    for number, entry in enumerate(entries, 1):
        try:
            keys.append(suppression_key(entry))
        except ValueError as exc:
            bad.append(f"entry {number}: {exc}")
    if bad:
        raise SequencerError(f"nothing was {verb}: " + "; ".join(bad))
    return keys


class SuppressionList:
    """The suppression list of one engine: what ``Engine.suppression_list`` returns."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def remove(self, *entries: str, reason: str = "manual", source: str = "cli") -> Removal:
        """Take addresses or ``@domain`` entries off the list, in one transaction; a malformed
        entry and nothing is removed. Each removal is logged with ``reason``."""
        keys = list(dict.fromkeys(keys_of(entries, verb="removed")))
        removed = self.deps.store.suppression_book.remove(
            keys, reason=reason, at=self.deps.clock.now(), source=source
        )
        absent = [k for k in keys if k not in removed]
        erased = [
            k for k in absent if "@" in k[1:] and self.deps.store.suppressed([erasure_key(k)])
        ]
        self.deps.log.info("suppressions.removed", count=len(removed), reason=reason)
        return Removal(removed=tuple(removed), absent=tuple(absent), erased=tuple(erased))

    def listed(
        self, *, reason: str | None = None, since: datetime | None = None
    ) -> list[Suppression]:
        """The entries, oldest first: only those added for ``reason``, at or after ``since``."""
        return self.deps.store.suppression_book.listed(reason=reason, since=since)

    def undoable(self, since: datetime, *, reason: str | None = None) -> list[Suppression]:
        """What :meth:`undo` would remove: the entries added since ``since`` (for ``reason``),
        except the hashes ``forget`` left (an erased person is never mailed again)."""
        rows = self.listed(reason=reason, since=since)
        return [r for r in rows if not r.key.startswith(ERASED_PREFIX)]

    def undo(self, rows: Sequence[Suppression], *, source: str = "cli") -> Removal:
        """Remove ``rows`` (from :meth:`undoable`), each logged with the reason ``undo``, in one
        transaction. An entry removed meanwhile is reported in :attr:`Removal.absent`."""
        keys = [r.key for r in rows]
        removed = self.deps.store.suppression_book.remove(
            keys, reason="undo", at=self.deps.clock.now(), source=source
        )
        self.deps.log.info("suppressions.undone", count=len(removed))
        return Removal(removed=tuple(removed), absent=tuple(k for k in keys if k not in removed))

    def changes(self, entry: str | None = None) -> list[SuppressionChange]:
        """The change log, oldest first; of one address or ``@domain`` when given."""
        key = keys_of([entry])[0] if entry is not None else None
        return self.deps.store.suppression_book.changes(key)


def by_reason(rows: Iterable[Suppression]) -> dict[str, int]:
    """How many entries per reason, most first."""
    return dict(Counter(r.reason for r in rows).most_common())
