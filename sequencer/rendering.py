"""Template analysis and rendering: Jinja2 in a sandbox with strict undefined variables.

Contact fields are passed in as *data*: a company called ``{{ 7*7 }}`` renders literally,
because a value is never parsed as a template. Only the sequence author's text is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

_ENV = SandboxedEnvironment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)
_FALLBACK_FILTERS = frozenset({"default", "d"})


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """What a template reads, found without rendering it."""

    #: Top-level names the template reads.
    variables: frozenset[str]
    #: Attributes read from ``sender`` (``sender.first_name`` → ``first_name``).
    sender_attrs: frozenset[str]
    #: Variables read at least once without a ``default`` fallback.
    unguarded: frozenset[str]


class TemplateSyntax(Exception):
    """A template does not compile; ``lineno`` is 1-based inside the template."""

    def __init__(self, message: str, lineno: int) -> None:
        super().__init__(message)
        self.lineno = lineno


class RenderError(Exception):
    """A template could not be rendered for one contact (usually a missing field)."""


def analyse(source: str) -> Analysis:
    """Parse ``source`` and report the variables it reads; raise :class:`TemplateSyntax`."""
    try:
        ast = _ENV.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateSyntax(exc.message or str(exc), exc.lineno) from None
    variables: set[str] = set()
    sender_attrs: set[str] = set()
    unguarded: set[str] = set()
    for node, parent in _walk(ast, None):
        if isinstance(node, nodes.Name) and node.ctx == "load":
            variables.add(node.name)
            if not _is_guarded(node, parent):
                unguarded.add(node.name)
        elif isinstance(node, nodes.Getattr) and _is_name(node.node, "sender"):
            sender_attrs.add(node.attr)
    assigned = {n.name for n, _ in _walk(ast, None) if isinstance(n, nodes.Name) and n.ctx == "store"}
    return Analysis(
        variables=frozenset(variables - assigned),
        sender_attrs=frozenset(sender_attrs),
        unguarded=frozenset(unguarded - assigned),
    )


def render(source: str, context: Mapping[str, Any]) -> str:
    """Render ``source`` with ``context``; a missing variable raises :class:`RenderError`."""
    try:
        return _compiled(source).render(context)
    except jinja2.UndefinedError as exc:
        raise RenderError(exc.message or str(exc)) from None
    except jinja2.TemplateError as exc:  # sandbox violations and the like
        raise RenderError(str(exc)) from None


@lru_cache(maxsize=4096)
def _compiled(source: str) -> jinja2.Template:
    return _ENV.from_string(source)


def _walk(node: nodes.Node, parent: nodes.Node | None) -> Iterator[tuple[nodes.Node, nodes.Node | None]]:
    yield node, parent
    for child in node.iter_child_nodes():
        yield from _walk(child, node)


def _is_name(node: nodes.Node, name: str) -> bool:
    return isinstance(node, nodes.Name) and node.name == name


def _is_guarded(node: nodes.Name, parent: nodes.Node | None) -> bool:
    """True when the name is the direct subject of a ``default`` filter or an ``if`` test."""
    if isinstance(parent, nodes.Filter) and parent.node is node:
        return parent.name in _FALLBACK_FILTERS
    return isinstance(parent, (nodes.If, nodes.CondExpr)) and parent.test is node
