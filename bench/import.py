"""Contact import throughput next to bare email-validator throughput, measured in the same run.

    python bench/import.py [--rows N] [--repeats K]

Generates a realistic CSV (default 100,000 rows, ~0.5% invalid addresses) in a temp dir, then
alternates, K times:

* baseline: a bare ``validate_email(addr, check_deliverability=False, allow_smtputf8=False)``
  loop (the options the import uses) over the file's addresses;
* first import: ``Engine(...).import_contacts(csv)`` into a fresh SQLite database;
* re-import: the same file again into that database (every row takes the update path).

Prints the median of the K repeats and the ratio import/bare (target: at least 0.5). It is a
measurement, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from sequencer import Engine
from sequencer.config import Config

TARGET = 0.5

_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)
_FIRST = (
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elif",
    "Femi",
    "Grace",
    "Hiroshi",
    "Ines",
    "Jonas",
    "Kaisa",
    "Luis",
    "Maya",
    "Nikhil",
    "Olga",
    "Pedro",
    "Qiu",
    "Rania",
    "Sven",
    "Tomás",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zoë",
)
_LAST = (
    "Smith",
    "Müller",
    "García",
    "Nguyen",
    "Kowalski",
    "Okafor",
    "Virtanen",
    "Sato",
    "Rossi",
    "Dubois",
    "O'Brien",
    "Patel",
    "Johansson",
    "Silva",
    "Kim",
    "Novak",
    "Hughes",
    "Fischer",
    "Costa",
    "Lindqvist",
)
_COMPANY_WORDS = (
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Aperture",
    "Massive",
    "Pied Piper",
    "Oscorp",
    "Wonka",
    "Gringotts",
)
_SUFFIX = ("", " Inc", " Ltd", " GmbH", " Oy", " Labs", " Group", " Systems")
_TLDS = ("com", "io", "co.uk", "de", "fi", "com.au", "co.nz", "net", "ai", "org")
_TITLES = (
    "Head of Sales",
    "VP Marketing",
    "CTO",
    "Founder",
    "Engineering Manager",
    "Growth Lead",
    "Procurement Officer",
    "Operations Director",
    "",
    "",
)
_INDUSTRIES = ("saas", "fintech", "retail", "health", "logistics", "media", "")
#: Shapes of bad addresses that turn up in real exports.
_BAD = (
    "not-an-address",
    "two@@{d}",
    "spaces in@{d}",
    "nodomain@",
    "{l}@localhost",
    "dot..dot@{d}",
    "@{d}",
    "trailing.dot.@{d}",
    "{l}@{d}.",
    "{l}@-bad-.com",
    "{l}(at){d}",
    "{l}@{d},",
)


@dataclass(frozen=True)
class Sample:
    bare: float
    first: float
    again: float


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def make_csv(path: Path, rows: int, *, seed: int = 7) -> list[str]:
    """Write ``rows`` data rows to ``path``; returns the email cells as written (stripped)."""
    rng = random.Random(seed)
    emails: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "Email",
                "First Name",
                "Last Name",
                "Company",
                "Title",
                "Timezone",
                "LinkedIn URL",
                "Industry",
            ]
        )
        for n in range(rows):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            company = rng.choice(_COMPANY_WORDS) + rng.choice(_SUFFIX)
            domain = f"{company.split()[0].lower()}{n % 997}.{rng.choice(_TLDS)}"
            # mailboxes are transliterated (Jörg Müller -> jorg.muller@), as real work addresses are
            local = _ascii(f"{first}.{last}".replace("'", "").replace(" ", ""))
            local = local.lower() if rng.random() < 0.7 else local
            if rng.random() < 0.05:
                local += f"+lead{n % 13}"
            if rng.random() < 0.5 / 100:
                email = rng.choice(_BAD).format(l=f"x{n}", d=domain)
            else:
                email = f"{local}{n}@{domain.upper() if rng.random() < 0.1 else domain}"
            zone = rng.choice(_ZONES) if rng.random() < 0.6 else ""
            slug = f"{first}-{last}-{n}".lower().replace("'", "")
            linkedin = f"https://www.linkedin.com/in/{slug}" if rng.random() < 0.7 else ""
            padded = f" {email} " if rng.random() < 0.02 else email
            writer.writerow(
                [
                    padded,
                    first,
                    last,
                    company,
                    rng.choice(_TITLES),
                    zone,
                    linkedin,
                    rng.choice(_INDUSTRIES),
                ]
            )
            emails.append(email)
    return emails


def bare(emails: list[str]) -> tuple[float, int]:
    """Seconds for a bare validation loop, and how many addresses were valid."""
    valid = 0
    start = time.perf_counter()
    for addr in emails:
        try:
            validate_email(
                addr, check_deliverability=False, allow_smtputf8=False
            )  # the options the import uses
        except EmailNotValidError:
            continue
        valid += 1
    return time.perf_counter() - start, valid


def run(rows: int, repeats: int) -> list[Sample]:
    samples: list[Sample] = []
    with tempfile.TemporaryDirectory(prefix="sequencer-bench-") as tmp:
        file = Path(tmp) / "leads.csv"
        emails = make_csv(file, rows)
        size = file.stat().st_size
        print(
            f"{rows:,} rows, {size / 1e6:.1f} MB CSV in {tmp}; "
            f"{repeats} repeats (baseline, import, re-import)\n"
        )
        # warm-up: imports, caches (IDNA tables, zone list) and SQLAlchemy statement compilation
        bare(emails[:2000])
        warm = Path(tmp) / "warm.csv"
        warm.write_text(
            "".join(file.read_text(encoding="utf-8").splitlines(keepends=True)[:2001]),
            encoding="utf-8",
        )
        with Engine(Config(database_url=f"sqlite:///{tmp}/warm.db")) as engine:
            engine.import_contacts(warm)
        for i in range(repeats):
            t_bare, valid = bare(emails)
            with Engine(Config(database_url=f"sqlite:///{tmp}/bench-{i}.db")) as engine:
                start = time.perf_counter()
                first = engine.import_contacts(file)
                t_first = time.perf_counter() - start
                start = time.perf_counter()
                again = engine.import_contacts(file)
                t_again = time.perf_counter() - start
            if (first.inserted, again.updated) != (valid, valid) or first.rows != rows:
                print(
                    f"warning: counts differ: bare valid={valid}, "
                    f"first import inserted={first.inserted} "
                    f"(errors {len(first.errors)}), re-import updated={again.updated}",
                    file=sys.stderr,
                )
            sample = Sample(bare=rows / t_bare, first=rows / t_first, again=rows / t_again)
            samples.append(sample)
            print(
                f"  repeat {i + 1}: bare {sample.bare:>9,.0f}/s   import {sample.first:>9,.0f}/s   "
                f"re-import {sample.again:>9,.0f}/s   ({valid:,} valid, {rows - valid:,} invalid)"
            )
    return samples


def report(samples: list[Sample]) -> None:
    n = len(samples)
    bare_rate = statistics.median(s.bare for s in samples)
    first = statistics.median(s.first for s in samples)
    again = statistics.median(s.again for s in samples)
    first_ratio = statistics.median(s.first / s.bare for s in samples)
    again_ratio = statistics.median(s.again / s.bare for s in samples)
    print(f"\nmedian of {n}              rows/s   / bare")
    print(f"  bare validate_email  {bare_rate:>10,.0f}     1.00")
    print(f"  import (first)       {first:>10,.0f}     {first_ratio:.2f}")
    print(f"  re-import (update)   {again:>10,.0f}     {again_ratio:.2f}")
    print(f"\nratio import/bare (median of {n}): {first_ratio:.2f} (target >= {TARGET})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "--rows", type=int, default=100_000, help="data rows in the generated CSV (default 100000)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="alternating baseline/import rounds (default 3)"
    )
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeats < 1:
        parser.error("--rows and --repeats must be at least 1")
    report(run(args.rows, args.repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
