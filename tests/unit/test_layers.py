"""The layers hold: the pure core does no I/O, services never see the facade, only the store
speaks SQL, and no module grows past what a person can read.

Imports are read from the source with :mod:`ast` (every ``import``, at any depth), so a lazy
import inside a function counts too. ``docs/architecture.md`` draws the same layers.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "sequencer"

#: Pure core: values in, values out; time is passed in.
CORE = (
    "addresses",
    "calendars",
    "caps",
    "contacts",
    "enrollment",
    "guard",
    "inbound.classify",
    "inbound.fresh",
    "inbound.intent",
    "inbound.message",
    "inbound.rules",
    "inbound.verdict",
    "loader",
    "messages",
    "model",
    "refusals",
    "rendering",
    "results",
    "scoring",
    "status",
    "stops",
    "timing",
    "variants",
    "verify.bulk",
    "verify.records",
    "verify.rules",
)
#: What the pure core never imports.
NOT_IN_CORE = (
    "sequencer.store",
    "sequencer.services",
    "sequencer.app",
    "sequencer.clock",
    "sequencer.dispatch",
    "sequencer.outcomes",
    "sequencer.inbox",
    "sequencer.channels",
    "sequencer.inbound.imap",
    "sequencer.verify.dns",
    "dns",
    "sqlalchemy",
    "sqlmodel",
    "socket",
    "smtplib",
    "imaplib",
    "aiosmtplib",
    "asyncio",
    "urllib.request",
    "http.client",
    "httpx",
)
FACES = (
    "sequencer.cli",
    "sequencer.web",
    "sequencer.worker",
    "sequencer.demo",
    "sequencer.simulate",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, resolved to absolute names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_core_modules_exist() -> None:
    """The layer rules below name real modules (a rename must update them)."""
    names = modules()
    for core in CORE:
        assert within(core, tuple(n.removeprefix("sequencer.") for n in names)), core


def test_the_pure_core_imports_no_store_services_sql_network_or_clock() -> None:
    broken = {
        name: sorted(i for i in imports(path) if within(i, NOT_IN_CORE))
        for name, path in modules().items()
        if within(name.removeprefix("sequencer."), CORE)
    }
    assert {k: v for k, v in broken.items() if v} == {}


def test_services_never_import_the_engine() -> None:
    broken = {
        name: sorted(
            i for i in imports(path) if within(i, ("sequencer.app",)) or i == "sequencer.Engine"
        )
        for name, path in modules().items()
        if within(name, ("sequencer.services",))
    }
    assert {k: v for k, v in broken.items() if v} == {}


def test_only_the_faces_import_the_engine() -> None:
    broken = sorted(
        name
        for name, path in modules().items()
        if name not in ("sequencer", "sequencer.app")
        and not within(name, FACES)
        and any(within(i, ("sequencer.app",)) or i == "sequencer.Engine" for i in imports(path))
    )
    assert broken == []


def test_only_the_store_imports_sqlalchemy() -> None:
    broken = sorted(
        name
        for name, path in modules().items()
        if not within(name, ("sequencer.store",))
        and any(within(i, ("sqlalchemy", "sqlmodel", "alembic")) for i in imports(path))
    )
    assert broken == []


def test_sizes() -> None:
    """The Engine facade ≤ 300 lines, no class over 500 lines, no module over 700."""
    lines = {name: len(p.read_text(encoding="utf-8").splitlines()) for name, p in modules().items()}
    assert {name: n for name, n in lines.items() if n > 700} == {}
    classes = {
        f"{name}.{node.name}": (node.end_lineno or node.lineno) - node.lineno + 1
        for name, path in modules().items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    }
    assert classes["sequencer.app.Engine"] <= 300
    assert {name: n for name, n in classes.items() if n > 500} == {}


def test_no_table_type_ignores() -> None:
    found = [
        f"{name}:{i}"
        for name, path in modules().items()
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "__table__" in line and "type: ignore" in line
    ]
    assert found == []


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "format", "--check", "."],
        ["ruff", "check", "."],
        [sys.executable, "-m", "mypy"],
    ],
    ids=["ruff-format", "ruff-check", "mypy-strict"],
)
def test_the_formatter_the_linter_and_strict_mypy_are_clean(command: list[str]) -> None:
    """Line length 100 is the formatter's; ruff's rules and strict mypy (pyproject) hold."""
    if command[0] == "ruff":
        ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
        command = [ruff, *command[1:]]
    done = subprocess.run(command, cwd=PACKAGE.parent, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
