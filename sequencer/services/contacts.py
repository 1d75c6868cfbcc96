"""Contacts and the suppression list: importing a CSV (:class:`ImportReport`), finding one
contact, leaving out addresses ``forget`` erased, and suppressing addresses or domains by hand
or from a file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sequencer import enrollment as plan
from sequencer import timing
from sequencer.contacts import (
    FORGOTTEN,
    ContactRow,
    RowError,
    RowProblem,
    collapse,
    erasure_key,
    opted_out,
    parse_csv,
    read_columns,
    suppression_key,
)
from sequencer.contacts import ColumnMap as ColumnMap
from sequencer.errors import ContactNotFound, ImportFileError, SequencerError
from sequencer.services.deps import Deps
from sequencer.services.suppressions import keys_of
from sequencer.services.verifying import Verification, verify_rows
from sequencer.store import Contact, Store

#: Called as ``progress(rows_done, rows_total)`` while a long job runs.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True)
class ImportReport:
    file: str
    rows: int
    inserted: int
    updated: int
    errors: list[RowError]
    #: Rows whose address appeared earlier in the same file (merged into that contact).
    repeated: int = 0
    #: Row numbers of addresses erased by ``forget``: skipped, nothing of them stored.
    forgotten: list[int] = field(default_factory=list)
    #: Header → field, for the columns the mapping named.
    mapped: dict[str, str] = field(default_factory=dict)
    #: Active enrollments now timed in their contact's new time zone (a re-import changed it).
    rezoned: int = 0
    #: Why the active enrollments' zones could not be checked (the sequences do not load).
    rezone_error: str | None = None
    #: Contacts the file marks as opted out of email (an "Email Opt Out" column): suppressed.
    opted_out: int = 0
    #: Header → custom field name: the columns that are not standard fields, all kept.
    custom_columns: dict[str, str] = field(default_factory=dict)
    #: The columns not imported, because they have no name (``column 5``).
    ignored_columns: list[str] = field(default_factory=list)
    #: Rows imported with a blank time zone (or none, with no zone column): the sequence's zone
    #: is used for them (the sender's where the sequence has none). Rows whose zone was not
    #: valid are not counted here: each is a warning (:attr:`zone_fallbacks`).
    no_zone: int = 0
    #: What the address checks found (``verify``); None when the addresses were not checked.
    verification: Verification | None = None

    @property
    def warnings(self) -> list[RowError]:
        """Rows imported with a change (``RowProblem.CHANGED`` in :attr:`errors`)."""
        return [e for e in self.errors if e.problem is RowProblem.CHANGED]

    @property
    def zone_fallbacks(self) -> list[RowError]:
        """Rows imported without the time zone they gave, which was not an IANA name."""
        return [e for e in self.warnings if e.column == "timezone" and e.dropped]

    @property
    def skipped(self) -> list[RowError]:
        """Rows not imported (``SKIPPED`` and ``BROKEN`` in :attr:`errors`)."""
        return [e for e in self.errors if e.problem is not RowProblem.CHANGED]


def read_utf8(file: Path, what: str) -> str:
    """A UTF-8 text file (a BOM is dropped); a missing or mis-encoded file is an ImportFileError."""
    try:
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(f"{file}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{file}: not UTF-8 text (byte {exc.start}); save {what} as UTF-8"
        ) from None


def read_suppression_file(
    file: Path, *, key: Callable[[str], str] = suppression_key, verb: str = "added"
) -> list[str]:
    """Keys from a CSV with an ``email`` or ``domain`` column, or a plain list one per line;
    ``key`` makes each (a ValueError is the row's fault), ``verb`` says what did not happen."""
    text = read_utf8(file, "it")
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    column, start = 0, 0
    for name in ("email", "domain", "address", "e-mail"):
        if name in header:
            column, start = header.index(name), 1
            break
    keys, errors = [], []
    for number, row in enumerate(rows[start:], start=start + 1):
        value = row[column].strip() if len(row) > column else ""
        if not value or value.startswith("#"):
            continue
        try:
            keys.append(key(value))
        except ValueError as exc:
            errors.append(f"{file}: row {number}: {exc}")
    if errors:
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise ImportFileError(
            f"nothing was {verb}; fix these rows first:\n" + "\n".join(errors[:20]) + more
        )
    return keys


def read_address_file(file: Path) -> list[str]:
    """Addresses from a CSV with an ``email`` column, or a plain list one per line (``stop
    --file``); a row that is no address (a domain too) is an ImportFileError naming its row."""
    return read_suppression_file(file, key=_address_key, verb="stopped")


def _address_key(value: str) -> str:
    found = suppression_key(value)
    if found.startswith("@"):
        raise ValueError(f"'{value.strip()}' is a domain, not an address")
    return found


def import_contacts(
    deps: Deps,
    path: Path | str,
    *,
    progress: Progress | None = None,
    skip_bad: bool = False,
    mapping: ColumnMap | None = None,
    verify: bool | None = None,
) -> ImportReport:
    """Import a CSV: valid rows are stored (re-imports update), invalid rows are reported.

    ``verify`` (None: ``[verify] enabled``) checks each domain's DNS first
    (:mod:`sequencer.services.verifying`): a row whose domain takes no mail is refused like a
    bad row, and the report's ``verification`` names role, disposable and unanswered addresses.

    ``mapping`` sends columns to fields (``{"Vorname": "first_name"}``); one naming a column the
    file lacks, or no valid field, is an ImportFileError and nothing is stored. Every other
    column that is no standard field is kept as a custom field; the report names them.

    Strict (see :mod:`sequencer.contacts`): where the file's structure breaks (a quote left
    open), the rows before that row are stored and nothing from it on, and ``errors`` ends
    with that row as a ``RowProblem.BROKEN`` error saying so. With ``skip_bad`` that row is
    skipped and the rest is read. ``RowProblem.CHANGED`` entries in ``errors`` are rows stored
    with a change (a name cut short, a bad time zone left out); ``rows`` does not count them
    twice.
    """
    file = Path(path)
    text = read_utf8(file, "the CSV")
    columns = read_columns(text, file=str(file), mapping=mapping)
    total = max(text.count("\n"), 1)
    good: list[ContactRow] = []
    errors: list[RowError] = []
    for item in parse_csv(text, file=str(file), skip_bad=skip_bad, mapping=mapping):
        (errors if isinstance(item, RowError) else good).append(item)  # type: ignore[arg-type]
        if progress is not None and (len(good) + len(errors)) % 1000 == 0:
            progress(item.row, total)
    good, forgotten = _without_erased(deps.store, good)
    verification = None
    if deps.config.verify.enabled if verify is None else verify:
        good, verification = verify_rows(deps, good, progress=progress)
        errors = sorted([*errors, *verification.refused], key=lambda e: e.row)
    # one row per address over the whole file (the store merges batch by batch)
    unique, replaced = collapse(good)
    # people the file marks as opted out of email are suppressed before anything is stored, so
    # no sequence can mail them, whatever happens next
    optouts = [row for row in unique if opted_out(row) is not None]
    if optouts:
        deps.store.suppress_many(
            sorted({suppression_key(row.email) for row in optouts}),
            reason=f"opted out of email in {file.name}",
            at=deps.clock.now(),
            source="import",
        )
    counts = deps.store.upsert_contacts(unique, now=deps.clock.now())
    addresses = {row.row: row.email for row in unique}
    replaced += [
        RowError(
            row=row,
            email=addresses[row],
            problem=RowProblem.CHANGED,
            column="first_name",
            reason="this shared address was stored for another person: one contact per address, "
            "so this row replaces that contact whole",
        )
        for row in counts.replaced
    ]
    errors = sorted([*errors, *replaced], key=lambda e: e.row)
    rezoned, rezone_error = _follow_new_zones(deps, counts.zoned)
    if progress is not None:
        progress(total, total)
    repeated = len(good) - len({row.email_key for row in good})
    skipped = sum(e.problem is not RowProblem.CHANGED for e in errors)
    fallbacks = {e.row for e in errors if e.column == "timezone" and e.dropped}
    return ImportReport(
        file=str(file),
        rows=len(good) + skipped + len(forgotten),
        inserted=counts.inserted,
        updated=counts.updated,
        errors=errors,
        repeated=repeated,
        forgotten=forgotten,
        mapped=columns.mapped,
        custom_columns=columns.custom,
        ignored_columns=columns.ignored,
        no_zone=sum(row.timezone is None and row.row not in fallbacks for row in unique),
        verification=verification,
        rezoned=rezoned,
        rezone_error=rezone_error,
        opted_out=len(optouts),
    )


def _follow_new_zones(deps: Deps, contact_ids: Sequence[int]) -> tuple[int, str | None]:
    """The active enrollments of contacts an import gave a time zone, timed in the zone they now
    resolve to (the sequence's ``timezone_from``) where it differs from theirs, their scheduled
    sends moved into its window: a contact whose zone was fixed after enrolling is no longer
    mailed at night. Compared, not only when the zone changed now, so importing again mends an
    enrollment an earlier import left behind. How many enrollments changed zone, and why none
    could be looked at (the sequences do not load: the contacts are stored all the same)."""
    if not contact_ids:
        return 0, None
    active = deps.store.active_enrollments(contact_ids)
    if not active:
        return 0, None
    try:
        sequences = deps.sequences()
    except SequencerError as exc:
        return 0, f"the active enrollments' time zones were not checked: {exc}"
    people = deps.store.contacts_by_id(active)
    zones: dict[int, str] = {}
    fits: dict[int, Callable[[datetime], datetime]] = {}
    for contact_id, enrolled in active.items():
        sequence = sequences.get(enrolled.sequence)
        sender = deps.config.senders.get(enrolled.sender)
        own = people[contact_id].timezone
        if sequence is None or sender is None or enrolled.id is None or own is None:
            continue
        zone = timing.resolve_zone(sequence, contact_tz=own, sender_tz=sender.timezone.key)
        # only where the contact's zone decides (timezone_from): an edited sequence or sender
        # zone is no change of the contact's, and its enrollments are not this import's to move
        if zone.key != own or zone.key == enrolled.timezone:
            continue
        zones[enrolled.id] = zone.key
        fits[enrolled.id] = plan.first_send_fit(sequence, zone)
    moves = {
        send_id: fits[enrollment_id](due)
        for send_id, enrollment_id, due in deps.store.scheduled_sends(fits)
    }
    if zones:
        deps.store.rezone_enrollments(zones, moves)
    return len(zones), None


def _without_erased(store: Store, rows: list[ContactRow]) -> tuple[list[ContactRow], list[int]]:
    """(the rows to store, the row numbers of addresses erased by ``forget``, which are not
    stored).
    """
    erased = store.erased_keys()
    if not erased:
        return rows, []
    kept: list[ContactRow] = []
    dropped: list[int] = []
    for row in rows:
        if erasure_key(row.email_key) in erased:
            dropped.append(row.row)
        else:
            kept.append(row)
    return kept, dropped


def find_contact(store: Store, email: str) -> Contact:
    """The contact with this address; :class:`ContactNotFound` otherwise."""
    found = store.contact(email)
    if found is None:
        raise ContactNotFound(f"no contact with the address {email}; import it first")
    return found


def not_erased(store: Store, contacts: list[Contact]) -> list[Contact]:
    """Without the anonymised rows ``forget`` leaves, and without a contact whose address it
    erased (stored by other means than an import): neither is ever enrolled.
    """
    erased = store.erased_keys()
    return [
        c
        for c in contacts
        if not c.email_key.startswith(f"{FORGOTTEN}:")
        and not (erased and erasure_key(c.email_key) in erased)
    ]


def suppress(deps: Deps, *entries: str, reason: str) -> tuple[int, int]:
    """Never mail these addresses (or whole ``@domain``) again, in any sequence: (added,
    already listed).

    All or nothing: one entry that is neither an address nor a domain and none is added.
    """
    keys = keys_of(entries, verb="added")
    added = deps.store.suppress_many(keys, reason=reason, at=deps.clock.now(), source="add")
    return added, len(set(keys)) - added


def suppress_file(deps: Deps, path: Path | str, *, reason: str) -> tuple[int, int]:
    """Suppress every address or domain in a file (a CSV's ``email``/``domain`` column, or one
    per line).

    All or nothing: one bad row and nothing is added; the error names every bad row.
    Returns (added, already listed).
    """
    keys = read_suppression_file(Path(path))
    added = deps.store.suppress_many(keys, reason=reason, at=deps.clock.now(), source="import")
    return added, len(set(keys)) - added
