"""Template analysis and rendering: Jinja2 in a sandbox with strict undefined variables.

Contact fields are passed in as *data*: a company called ``{{ 7*7 }}`` renders literally,
because a value is never parsed as a template. Only the sequence author's text is.

The author's text is held to limits too, so a template cannot exhaust memory or time at send
time: ``*``, ``**``, ``+`` and ``%`` refuse results over :data:`MAX_VALUE`; ``range()``
gives at most :data:`MAX_RANGE` numbers; loop iterations and calls together stop at
:data:`MAX_OPERATIONS`; the filters and string methods that pad, join or replace refuse
results over :data:`MAX_VALUE`; and the rendered text stops at :data:`MAX_OUTPUT` characters.
Lists, dicts and sets cannot be changed in place. Each refusal is a :class:`RenderError`.
"""

from __future__ import annotations

import contextvars
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from sequencer.model import SENDER_FIELDS, STANDARD_FIELDS

#: Most characters one rendered template (a subject, a body, a task message) may produce.
MAX_OUTPUT = 100_000
#: Largest string or list (its length) an operator, filter or string method may produce;
#: also the largest width, count or padding it may be given.
MAX_VALUE = MAX_OUTPUT
#: Largest whole number ``*`` and ``**`` may produce, in bits (about 1,200 digits).
MAX_INT_BITS = 4096
#: Most numbers one ``range()`` may give.
MAX_RANGE = 10_000
#: Most loop iterations, calls and intercepted operators in one rendering, all together.
MAX_OPERATIONS = 100_000

_FALLBACK_FILTERS = frozenset({"default", "d"})
# A width in a format specification: "%9999999s", "{:>9999999}".
_FORMAT_WIDTHS = re.compile(r"%[-#0 +]*(\d+)|\{[^{}]*:[^{}\d]*(\d+)[^{}]*\}")


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


class RenderRefused(RenderError):
    """The template sandbox refused the template: an unsafe attribute, or over a size or operation
    limit.
    """


class _Budget:
    """Operations left in the rendering under way."""

    def __init__(self) -> None:
        self.left = MAX_OPERATIONS

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise SecurityError(
                f"the template does more than {MAX_OPERATIONS:,} loop iterations and calls"
            )


_budget: contextvars.ContextVar[_Budget] = contextvars.ContextVar("sequencer_render_budget")


def _spend() -> None:
    budget = _budget.get(None)
    if budget is not None:
        budget.spend()


def _too_big(what: str, size: int) -> None:
    if size > MAX_VALUE:
        raise SecurityError(f"{what} would be {size:,} long; the limit is {MAX_VALUE:,}")


def _sized(value: Any, what: str) -> Any:
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        _too_big(what, len(value))
    return value


def _no_big_numbers(what: str, args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_VALUE:
            raise SecurityError(f"{what} is given {arg:,}; arguments are limited to {MAX_VALUE:,}")


def _check_format(what: str, spec: Any) -> None:
    if isinstance(spec, str):
        widths = (int(a or b) for a, b in _FORMAT_WIDTHS.findall(spec))
        _no_big_numbers(what, widths)


def _check_multiply(left: Any, right: Any) -> None:
    for one, other in ((left, right), (right, left)):
        if hasattr(one, "__len__") and isinstance(other, int):
            _too_big("a repeated value", len(one) * other)
    if (
        isinstance(left, int)
        and isinstance(right, int)
        and left.bit_length() + right.bit_length() > MAX_INT_BITS
    ):
        raise SecurityError(f"a product would be over {MAX_INT_BITS:,} bits")


def _check_power(left: Any, right: Any) -> None:
    big = (
        isinstance(left, int)
        and isinstance(right, int)
        and abs(left) > 1
        and left.bit_length() * right > MAX_INT_BITS
    )
    if big:
        raise SecurityError(f"a power would be over {MAX_INT_BITS:,} bits")


def _check_binop(op: str, left: Any, right: Any) -> None:
    if op == "*":
        _check_multiply(left, right)
    elif op == "**":
        _check_power(left, right)
    elif op == "+" and hasattr(left, "__len__") and hasattr(right, "__len__"):
        _too_big("a joined value", len(left) + len(right))
    elif op == "%" and isinstance(left, str):
        _check_format("a % format", left)
        _no_big_numbers("a % format", right if isinstance(right, tuple) else (right,))


def _check_replace(text: Any, old: Any, new: Any, count: Any = None) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        times = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            times = min(times, count)
        _too_big("a replaced text", len(text) + times * (len(new) - len(old)))


def _check_join(separator: Any, items: list[Any]) -> None:
    if isinstance(separator, str):
        _too_big("a joined text", len(separator) * max(len(items) - 1, 0))


def _check_str_method(
    text: str, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> tuple[Any, ...]:
    """Pre-checks for ``str`` methods whose result can be far larger than their inputs; the
    arguments to call it with (``join``'s items, read once)."""
    if name == "join" and len(args) == 1:
        items = list(args[0])
        _check_join(text, items)
        return (items,)
    if name == "replace" and len(args) >= 2:
        _check_replace(text, *args[:3])
    elif name == "expandtabs":
        size = next(iter(args), kwargs.get("tabsize", 8))
        _too_big(
            "an expanded text",
            len(text) + text.count("\t") * (size if isinstance(size, int) else 8),
        )
    elif name in ("format", "format_map"):
        _check_format(f"str.{name}", text)
    return args


def _limited_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` with big arguments refused, growing filters estimated first, and the result
    capped.
    """

    @functools.wraps(original)  # keeps jinja_pass_arg, so context-taking filters still get it
    def limited(*args: Any, **kwargs: Any) -> Any:
        values = [
            a
            for a in args
            if not isinstance(a, (Context, jinja2.nodes.EvalContext, jinja2.Environment))
        ]
        _no_big_numbers(f"the '{name}' filter", [*values[1:], *kwargs.values()])
        values = _prechecked(name, values, kwargs)
        passed = args[: len(args) - len(values)]
        return _sized(original(*passed, *values, **kwargs), f"the result of the '{name}' filter")

    return limited


def _prechecked(name: str, values: list[Any], kwargs: Mapping[str, Any]) -> list[Any]:
    if name == "replace" and len(values) >= 3:
        _check_replace(*values[:4])
    elif name == "join" and values and not isinstance(values[0], str):
        values = [list(values[0]), *values[1:]]
        _check_join(next(iter(values[1:]), kwargs.get("d", "")), values[0])
    elif name == "indent" and values and isinstance(values[0], str):
        width = next(iter(values[1:]), kwargs.get("width", 4))
        pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        _too_big("an indented text", len(values[0]) + pad * (values[0].count("\n") + 1))
    elif name == "wordwrap" and values and isinstance(values[0], str):
        width = next(iter(values[1:]), kwargs.get("width", 79))
        wrap = values[3] if len(values) > 3 else kwargs.get("wrapstring") or "\n"
        lines = len(values[0]) // max(width if isinstance(width, int) else 1, 1) + 1
        _too_big("a wrapped text", len(values[0]) + len(str(wrap)) * lines)
    elif name == "format" and values:
        _check_format("the 'format' filter", values[0])
    elif name == "tojson" and isinstance(
        indent := kwargs.get("indent", next(iter(values[1:]), None)), int
    ):
        _too_big("an indented JSON text", indent * len(str(values[0])))
    elif name == "sum" and not isinstance(
        kwargs.get("start", values[2] if len(values) > 2 else 0), (int, float)
    ):
        raise SecurityError("the 'sum' filter adds numbers only")
    return values


def _limited_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(
            f"range() would give {len(numbers):,} numbers; the limit is {MAX_RANGE:,}"
        )
    return numbers


class _LimitedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with size and operation limits (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(
            undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False
        )
        self.globals["range"] = _limited_range
        self.filters = {name: _limited_filter(name, f) for name, f in self.filters.items()}

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _spend()
        _check_binop(operator, left, right)
        return _sized(
            super().call_binop(context, operator, left, right), f"the result of '{operator}'"
        )

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        if __obj is not _limited_range and not isinstance(
            __obj, Macro
        ):  # range: its own limit; macros: limited inside
            _no_big_numbers("a call", [*args, *kwargs.values()])
        target = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str):
            args = _check_str_method(owner, getattr(target, "__name__", ""), args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        return _sized(result, "the result of a call")

    def loop_items(self, items: Iterable[Any]) -> Iterator[Any]:
        """A ``for`` loop's items, each one spending an operation."""
        for item in items:
            _spend()
            yield item

    def tilde(self, *parts: Any) -> str:
        """``a ~ b``, refused before it is built when it would be too long.

        Not named ``concat``: that is Jinja's own ``Environment.concat``, which joins output."""
        texts = [str(part) for part in parts]
        _too_big("a joined text (~)", sum(map(len, texts)))
        return "".join(texts)


class _Guard(NodeTransformer):
    """Routes every ``for`` loop's items and every ``~`` through the environment's limits."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _environment_call("loop_items", [node.iter], node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _environment_call("tilde", list(node.nodes), node.lineno)


def _environment_call(method: str, args: list[nodes.Node], lineno: int) -> nodes.Call:
    call = nodes.Call(nodes.EnvironmentAttribute(method), args, [], None, None)
    call.set_lineno(lineno, override=True)
    return call


_ENV = _LimitedEnvironment()


def analyse(source: str) -> Analysis:
    """Parse ``source`` and report the variables it reads; raise :class:`TemplateSyntax`."""
    try:
        return _analysis(_ENV.parse(source))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateSyntax(exc.message or str(exc), exc.lineno) from None
    except RecursionError:
        raise TemplateSyntax("the template is nested too deeply", 1) from None


def _analysis(ast: nodes.Template) -> Analysis:
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
    assigned = {
        n.name for n, _ in _walk(ast, None) if isinstance(n, nodes.Name) and n.ctx == "store"
    }
    return Analysis(
        variables=frozenset(variables - assigned),
        sender_attrs=frozenset(sender_attrs),
        unguarded=frozenset(unguarded - assigned),
    )


def render(
    source: str, context: Mapping[str, Any], *, name: str | None = None, limit: int = MAX_OUTPUT
) -> str:
    """Render ``source`` with ``context``, up to ``limit`` characters.

    Raises :class:`RenderError` for a missing variable, a sandbox refusal or limit, or any
    other failure of the template's own code; the message starts with ``name`` when given.
    """
    prefix = f"{name}: " if name else ""
    token = _budget.set(_Budget())
    try:
        return _collect(_compiled(source).generate(context), limit)
    except jinja2.UndefinedError as exc:
        raise RenderError(prefix + (exc.message or str(exc))) from None
    except SecurityError as exc:
        raise RenderRefused(f"{prefix}refused by the template sandbox: {exc}") from None
    except jinja2.TemplateError as exc:
        raise RenderError(prefix + str(exc)) from None
    except Exception as exc:  # the author's code failed (1/0, 'a' - 1): say so
        raise RenderError(f"{prefix}the template failed: {type(exc).__name__}: {exc}") from None
    finally:
        _budget.reset(token)


def _collect(chunks: Iterator[str], limit: int) -> str:
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise SecurityError(f"the rendered text is longer than the {limit:,}-character limit")
        out.append(chunk)
    return "".join(out)


def sample_context(variables: Iterable[str]) -> dict[str, Any]:
    """A synthetic contact with every standard field and each of ``variables`` filled, and a
    sender.
    """
    context: dict[str, Any] = {
        name: f"Sample {name}" for name in sorted(STANDARD_FIELDS | set(variables))
    }
    context.update(
        email="sample@example.com",
        first_name="Sam",
        last_name="Sample",
        company="Example Oy",
        timezone="Europe/Helsinki",
        linkedin_url="https://www.linkedin.com/in/sample",
    )
    context["sender"] = {name: f"Sample {name}" for name in SENDER_FIELDS} | {
        "email": "jane@example.com"
    }
    return context


@lru_cache(maxsize=4096)
def _compiled(source: str) -> jinja2.Template:
    template = _ENV.from_string(_Guard().visit(_ENV.parse(source)))
    # Jinja keeps a template's globals as a ChainMap over the environment's, and copies them into
    # every rendering's context: flattened once, a rendering takes less than half the time (about
    # 5 µs against 11 for a subject). The environment's globals never change after start-up.
    template.globals = dict(template.globals)
    return template


def _walk(
    node: nodes.Node, parent: nodes.Node | None
) -> Iterator[tuple[nodes.Node, nodes.Node | None]]:
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
