"""What `sequencer forget` costs on a large database, and what its VACUUM option adds.

    python bench/forget.py [--contacts N] [--repeats K] [--postgres]

Builds a database of N contacts (default 100,000, the CSV of bench/import.py) with a history per
contact as a campaign leaves it: an enrollment, three sends with rendered subjects, a reply event
with a detail for one in ten, a LinkedIn task each. Then erases K contacts one by one, timing:

* ``forget``: the transaction (the contact's rows, the sweep of free-text columns for other mentions
  of the address, the suppression swap) and the compaction that follows by default (SQLite:
  ``wal_checkpoint(TRUNCATE)``; PostgreSQL: plain ``VACUUM`` of the touched tables);
* ``forget --vacuum``: the same with ``rewrite`` (SQLite ``VACUUM`` of the whole file; PostgreSQL
  ``VACUUM FULL`` of the touched tables).

Prints the medians and the database size. It is a measurement, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sequencer import Engine
from sequencer.config import Config
from sequencer.logs import configure
from sequencer.store import Enrollment, Event, Send, Task

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


SIZE = "SELECT pg_database_size(current_database())"


def build(engine: Engine, csv_file: Path) -> list[str]:
    """Import the CSV, then write every contact's history straight into the tables (fast)."""
    report = engine.import_contacts(csv_file)
    store = engine.store
    with store.engine.begin() as conn:
        contacts = conn.execute(
            sa.text("SELECT id, email_key, first_name, company FROM contacts ORDER BY id")
        ).all()
        enrollments = [
            {
                "contact_id": c.id,
                "sequence": "cold",
                "sender": "jane",
                "status": "completed",
                "timezone": "Europe/Helsinki",
                "enrolled_at": NOW,
            }
            for c in contacts
        ]
        conn.execute(sa.insert(Enrollment.__table__), enrollments)  # type: ignore[attr-defined]
        ids = conn.execute(sa.text("SELECT contact_id, id FROM enrollments")).all()
        by_contact = dict(ids)
        sends: list[dict[str, Any]] = []
        for n, c in enumerate(contacts):
            for index, (step, channel) in enumerate(
                (("intro", "email"), ("bump", "email"), ("linkedin", "linkedin"))
            ):
                subject = (
                    f"{c.first_name}, a question about {c.company}" if channel == "email" else None
                )
                sends.append(
                    {
                        "enrollment_id": by_contact[c.id],
                        "contact_id": c.id,
                        "sequence": "cold",
                        "sender": "jane",
                        "step_key": step,
                        "step_index": index,
                        "channel": channel,
                        "status": "sent",
                        "due_at": NOW,
                        "sent_at": NOW + timedelta(seconds=n),
                        "created_at": NOW,
                        "subject_key": "question",
                        "body_key": "short",
                        "subject": subject,
                        "message_id": f"<{n}.{index}@acme.example>",
                        "attempts": 1,
                    }
                )
        conn.execute(sa.insert(Send.__table__), sends)  # type: ignore[attr-defined]
        linkedin = conn.execute(
            sa.text("SELECT contact_id, id FROM sends WHERE step_index = 2")
        ).all()
        conn.execute(
            sa.insert(Task.__table__),
            [  # type: ignore[attr-defined]
                {
                    "send_id": send_id,
                    "contact_id": cid,
                    "enrollment_id": by_contact[cid],
                    "sender": "jane",
                    "sequence": "cold",
                    "step_key": "linkedin",
                    "channel": "linkedin",
                    "status": "open",
                    "due_at": NOW,
                    "message": "Hi there, we exchanged a few emails about "
                    "your pipeline; happy to connect here.",
                }
                for cid, send_id in linkedin
            ],
        )
        conn.execute(
            sa.insert(Event.__table__),
            [  # type: ignore[attr-defined]
                {
                    "contact_id": c.id,
                    "enrollment_id": by_contact[c.id],
                    "kind": "reply",
                    "at": NOW,
                    "detail": f"Thanks, {c.first_name} here ({c.email_key}); not right now.",
                }
                for c in contacts[::10]
            ],
        )
    print(
        f"{report.inserted:,} contacts, {len(sends):,} sends, "
        f"{len(linkedin):,} tasks, {len(contacts[::10]):,} events"
    )
    return [c.email_key for c in contacts]


def size(engine: Engine) -> str:
    store = engine.store
    if store.dialect == "sqlite":
        path = Path(store.url.split("///", 1)[1])
        wal = path.with_name(path.name + "-wal")
        return (
            f"{path.stat().st_size / 1e6:.0f} MB file, "
            f"{wal.stat().st_size / 1e6 if wal.exists() else 0:.1f} "
            "MB WAL"
        )
    with store.engine.connect() as conn:
        return f"{conn.execute(sa.text(SIZE)).scalar() / 1e6:.0f} MB database"


def measure(engine: Engine, addresses: list[str], *, rewrite: bool) -> list[tuple[float, float]]:
    """(seconds for the whole call, of which the compaction) per address."""
    found = []
    for address in addresses:
        start = time.perf_counter()
        report = engine.forget(address, rewrite=rewrite)
        total = time.perf_counter() - start
        found.append((total, report.compact_seconds))
        if report.wal_truncated is False:
            print("  warning: the write-ahead log could not be truncated", file=sys.stderr)
    return found


def show(label: str, samples: list[tuple[float, float]]) -> None:
    total = statistics.median(s[0] for s in samples)
    compact = statistics.median(s[1] for s in samples)
    print(
        f"  {label:<18} median {total * 1000:>8,.0f} ms   "
        f"of which compaction {compact * 1000:>8,.0f} ms   "
        f"(n={len(samples)}, max {max(s[0] for s in samples) * 1000:,.0f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument(
        "--repeats", type=int, default=5, help="addresses erased per variant (default 5)"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="on the throwaway PostgreSQL of tests/services.sh"
    )
    args = parser.parse_args(argv)
    configure(level="warning")
    make_csv = importlib.import_module("import").make_csv  # bench/import.py's generator
    with tempfile.TemporaryDirectory(prefix="sequencer-bench-") as tmp:
        work = Path(tmp)
        csv_file = work / "leads.csv"
        make_csv(csv_file, args.contacts)
        started = None
        url = f"sqlite:///{work}/forget.db"
        if args.postgres:
            from services import server, stop

            admin_url, started = server("SEQUENCER_TEST_PG", work)
            admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text("DROP DATABASE IF EXISTS bench_forget WITH (FORCE)"))
                conn.execute(sa.text("CREATE DATABASE bench_forget"))
            url = admin_url.rsplit("/", 1)[0] + "/bench_forget"
        try:
            with Engine(Config(database_url=url)) as engine:
                start = time.perf_counter()
                addresses = build(engine, csv_file)
                print(f"built in {time.perf_counter() - start:.0f} s: {size(engine)}\n")
                step = len(addresses) // (2 * args.repeats + 1)
                chosen = addresses[step::step][: 2 * args.repeats]
                show("forget", measure(engine, chosen[: args.repeats], rewrite=False))
                print(f"    after: {size(engine)}")
                show("forget --vacuum", measure(engine, chosen[args.repeats :], rewrite=True))
                print(f"    after: {size(engine)}")
        finally:
            if args.postgres:
                admin.dispose()
                stop(started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
