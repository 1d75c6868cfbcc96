"""Forgetting a person (GDPR): what is erased and what is kept (:class:`ForgetReport`), and
masking an address for display.
"""

from __future__ import annotations

from dataclasses import dataclass

from sequencer.contacts import erasure_key, suppression_key
from sequencer.errors import ContactNotFound, SequencerError
from sequencer.services.deps import Deps


@dataclass(frozen=True, kw_only=True)
class ForgetReport:
    """What :func:`forget` erased, and what it kept."""

    #: The address as given (it is stored nowhere any more).
    address: str
    #: The anonymised contact (``forgotten``); None when the address was not a contact.
    contact_id: int | None
    #: Rows whose text about the person was cleared; the rows stay, for the counts.
    sends: int
    events: int
    tasks: int
    enrollments: int
    inbound: int
    #: Open enrollments stopped, and pending steps cancelled, by the erasure.
    stopped: int
    cancelled: int
    #: Records about someone else in which the address was written, now ``[erased]``.
    mentions: int
    #: Plaintext suppression entries of the address, replaced by its hash.
    unsuppressed: int
    #: The suppression key kept: ``sha256:`` and the SHA-256 of the normalised address.
    suppression_key: str
    #: SQLite: whether the write-ahead log was checkpointed and truncated (False: another process
    #: kept reading; old page copies stay in it until its next checkpoint). None on PostgreSQL.
    wal_truncated: bool | None
    #: The VACUUM statement run afterwards, if any.
    vacuum: str | None
    compact_seconds: float


def mask_address(address: str) -> str:
    """``jane.doe@example.com`` → ``j***@example.com``."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _person_address(email: str) -> str:
    """The normalised key of one address, as contacts are stored under; a domain or a typo is
    refused.
    """
    try:
        key = suppression_key(email)
    except ValueError as exc:
        raise SequencerError(f"nothing was erased: {exc}") from None
    if key.startswith("@"):
        raise SequencerError(
            f"nothing was erased: '{email}' is a domain; forget takes one person's address"
        )
    return key


def forget(deps: Deps, email: str, *, unknown_ok: bool, rewrite: bool) -> ForgetReport:
    """Erase a person (GDPR), in one transaction: the contact's fields and every text about them
    (rendered subjects, event details, task messages, inbound messages...) go; the anonymous
    counts stay, attached to an anonymised contact, so reports and A/B statistics do not
    change. A SHA-256 of the normalised address stays on the suppression list, so the address
    is never imported or mailed again. Then the old copies are pushed out of the database
    files (SQLite: checkpoint and truncate the write-ahead log, and with ``rewrite`` VACUUM;
    PostgreSQL: VACUUM the touched tables, with ``rewrite`` VACUUM FULL).

    An address that is no contact raises :class:`ContactNotFound` and changes nothing, unless
    ``unknown_ok``: then its hash is added to the suppression list (and any inbound message
    from it cleared).
    """
    store = deps.store
    key = _person_address(email)
    hashed = erasure_key(key)
    if not unknown_ok and store.contact(key) is None:
        before = (
            " (it was erased before: its hash is on the suppression list)"
            if store.suppressed([hashed])
            else ""
        )
        raise ContactNotFound(f"no contact with the address {email}{before}; nothing was changed")
    erased = store.forget(key, erased_key=hashed, at=deps.clock.now())
    compaction = store.compact_after_erasure(rewrite=rewrite)
    deps.log.info(
        "contact.forgotten",
        contact_id=erased.contact_id,
        sends=erased.sends,
        events=erased.events,
        tasks=erased.tasks,
        wal_truncated=compaction.wal_truncated,
        vacuum=compaction.vacuum,
    )
    return ForgetReport(
        address=email,
        contact_id=erased.contact_id,
        sends=erased.sends,
        events=erased.events,
        tasks=erased.tasks,
        enrollments=erased.enrollments,
        inbound=erased.inbound,
        stopped=erased.stopped,
        cancelled=erased.cancelled,
        mentions=erased.mentions,
        unsuppressed=erased.unsuppressed,
        suppression_key=hashed,
        wal_truncated=compaction.wal_truncated,
        vacuum=compaction.vacuum,
        compact_seconds=compaction.seconds,
    )
