"""Accuracy of the reply-intent rules on the corpus in tests/unit/intent_corpus/.

    python bench/classify.py [--file PATH]... [--wrong [--held-out-too]]

Classifies every message of each corpus file in tests/unit/intent_corpus/ (``corpus.yaml``, the
part the rules were written against, and any file held out from tuning for a while) and of each
``--file`` (any YAML in the same format, e.g. a new blind set; a path relative to the repository
or absolute), and prints per file, with rich tables: accuracy per language and per intent, and the
confusion matrix per language (rows: the expected intent, columns: what the classifier said).
``--wrong`` lists each message read wrongly, with the reason, except in the held-out files
(:data:`HELD_OUT`: sets never tuned on, whose misses a person tuning the rules must not see; add
``--held-out-too`` to list theirs as well). It is a measurement: it exits 0 whatever the numbers
(2 when a ``--file`` cannot be read).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from intent_cases import CORPUS, TODAY, Case, load  # noqa: E402  (tests/ is on sys.path above)

from sequencer.inbound.classify import Intent, classify  # noqa: E402

INTENTS = [intent.value for intent in Intent]


def _percent(right: int, total: int) -> str:
    return f"{100 * right / total:.1f}% ({right}/{total})" if total else "-"


def _accuracy(console: Console, title: str, rows: list[tuple[Case, str]]) -> None:
    table = Table("", "accuracy", title=title)
    right = Counter(case.lang for case, got in rows if got == case.intent)
    total = Counter(case.lang for case, _ in rows)
    for lang in sorted(total):
        table.add_row(f"language {lang}", _percent(right[lang], total[lang]))
    by_intent = Counter(case.intent for case, _ in rows)
    right_intent = Counter(case.intent for case, got in rows if got == case.intent)
    for intent in INTENTS:
        table.add_row(f"intent {intent}", _percent(right_intent[intent], by_intent[intent]))
    table.add_row("[bold]overall[/]", _percent(sum(right.values()), len(rows)))
    console.print(table)


def _confusion(console: Console, lang: str, rows: list[tuple[Case, str]]) -> None:
    cells = Counter((case.intent, got) for case, got in rows if case.lang == lang)
    table = Table("expected \\ got", *INTENTS, title=f"confusion, {lang}")
    for expected in INTENTS:
        counts = [cells[(expected, got)] for got in INTENTS]
        shown = [
            (f"[green]{n}[/]" if got == expected else f"[red]{n}[/]") if n else "."
            for n, got in zip(counts, INTENTS, strict=True)
        ]
        table.add_row(expected, *shown)
    console.print(table)


#: The corpus files held out from tuning: their scores are printed, their misses not listed.
HELD_OUT = frozenset(
    {
        "blind8.yaml",
        "blind9.yaml",
        "blind14.yaml",
        "blind19.yaml",
        "blind20.yaml",
        "blind27.yaml",
        "blind28.yaml",
        "blind30.yaml",
    }
)


def _run(console: Console, name: str, cases: list[Case], wrong: bool) -> None:
    rows = []
    for case in cases:
        got = classify(case.raw, today=TODAY)
        rows.append((case, got.intent.value if got.intent else "none"))
        if wrong and rows[-1][1] != case.intent:
            console.print(
                f"[red]{case.id}[/]: expected {case.intent}, got {rows[-1][1]} "
                f"({got.kind.value}: {got.reason}; {got.intent_reason})",
                markup=True,
                highlight=False,
            )
    never = [
        case.id
        for case, got in rows
        if got == "positive" and case.intent in ("unsubscribe", "auto_reply")
    ]
    _accuracy(console, f"{name}: {len(cases)} messages", rows)
    for lang in sorted({case.lang for case in cases}):
        _confusion(console, lang, rows)
    console.print(f"unsubscribe or out-of-office read as positive: {len(never)} {never or ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--file",
        action="append",
        default=[],
        metavar="PATH",
        help="also this corpus-format YAML file (relative to the repository); repeatable",
    )
    parser.add_argument("--wrong", action="store_true", help="list the messages read wrongly")
    parser.add_argument(
        "--held-out-too",
        action="store_true",
        help="with --wrong, list the held-out files' misses too (never tune on them)",
    )
    args = parser.parse_args()
    console = Console()
    files = [(path.name, path) for path in sorted(CORPUS.glob("*.yaml"))]
    files += [(name, REPO / name) for name in args.file]
    loaded = []
    for name, path in files:
        try:
            loaded.append((name, load(path)))
        except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
            console.print(f"{escape(name)}: cannot read it: {escape(str(exc))}", highlight=False)
            sys.exit(2)
    for name, cases in loaded:
        listed = args.wrong and (args.held_out_too or name not in HELD_OUT)
        _run(console, name, cases, listed)


if __name__ == "__main__":
    main()
