"""The email policy inbound messages are parsed with: :data:`email.policy.default`, but a header
whose value is plain is read without the header registry's parser. ``policy.default`` parses
every header each time it is read (``msg.get``), which is most of the cost of classifying a
message; for a value of printable ASCII without encoded words, in one of the simple shapes
below, the text that parser would give is the value itself, so :data:`POLICY` returns it as a
``str``. Any other value (encoded words, 8-bit bytes, comments, quoting, group syntax, a date)
goes to the registry as before. ``tests/unit/test_inbound_policy.py`` checks, for generated
values, that the shortcut gives the registry's text exactly.
"""

from __future__ import annotations

import email.policy
import re
from email.headerregistry import AddressHeader, HeaderRegistry, UnstructuredHeader
from typing import Any

__all__ = ["POLICY", "plain_value"]

#: What ``email.policy`` splits a folded value on (its ``linesep_splitter``).
_LINESEP_RE = re.compile(r"\n|\r")
_PRINTABLE_RE = re.compile(r"[\x20-\x7e\t]*")
_TOKEN = r"[A-Za-z0-9!#$%&'*+.^_`{|}~-]+"
_ATOMS = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
_ADDR_SPEC = rf"{_ATOMS}@{_ATOMS}"
# parameters, quoted or bare ("; charset=utf-8"), each of which the registry writes back quoted
_PARAM_RE = re.compile(r'; ?([A-Za-z0-9_.-]+)=(?:"([A-Za-z0-9 ._/:=+-]+)"|([A-Za-z0-9._-]+))')
_PARAMS = r'(?:; ?[A-Za-z0-9_.-]+=(?:"[A-Za-z0-9 ._/:=+-]+"|[A-Za-z0-9._-]+))*'
_STRUCTURED = {
    # "Ann Example <ann@example.com>" or "ann@example.com" (never "<ann@example.com>", which
    # the registry shows without its brackets)
    "address": re.compile(rf"(?:[A-Za-z0-9]+(?: [A-Za-z0-9]+)* <{_ADDR_SPEC}>|{_ADDR_SPEC})"),
    "message-id": re.compile(rf"<{_ADDR_SPEC}>"),
    "content-type": re.compile(rf"{_TOKEN}/{_TOKEN}{_PARAMS}"),
    "content-disposition": re.compile(rf"{_TOKEN}{_PARAMS}"),
    "content-transfer-encoding": re.compile(r"[A-Za-z0-9-]+"),
    "mime-version": re.compile(r"[0-9]\.[0-9]"),
}
_REGISTRY = HeaderRegistry()  # policy.default's: the standard header classes
#: Header names the registry reads as unstructured text, besides every name it does not know.
_UNSTRUCTURED = frozenset(
    name for name, kind in _REGISTRY.registry.items() if issubclass(kind, UnstructuredHeader)
)
_KNOWN = frozenset(_REGISTRY.registry)
_ADDRESS_HEADERS = frozenset(
    name for name, kind in _REGISTRY.registry.items() if issubclass(kind, AddressHeader)
)


def plain_value(name: str, value: str) -> str | None:
    """``value`` (unfolded) when it is the text ``policy.default`` would give for the header
    ``name``; None when only the registry's parser can tell."""
    if "=?" in value or not _PRINTABLE_RE.fullmatch(value):
        return None
    lowered = name.lower()
    if lowered in _UNSTRUCTURED or lowered not in _KNOWN:
        return value
    shape = _STRUCTURED.get("address" if lowered in _ADDRESS_HEADERS else lowered)
    if shape is None or not shape.fullmatch(value):
        return None
    if lowered in ("content-type", "content-disposition") and ";" in value:
        return _quoted_params(value)
    return value


def _quoted_params(value: str) -> str | None:
    """A parameterised value as the registry writes it: every parameter ``; name="value"``;
    None for a name given twice (the registry keeps only one)."""
    head, _, _ = value.partition(";")
    params = [(m.group(1), m.group(2) or m.group(3)) for m in _PARAM_RE.finditer(value)]
    if len({name.lower() for name, _ in params}) != len(params):
        return None
    return head + "".join(f'; {name}="{text}"' for name, text in params)


class _PlainFirst(email.policy.EmailPolicy):
    """``policy.default``, with plain header values returned without being parsed."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        """The header's text: the value itself when plain (:func:`plain_value`), else the
        registry's header object, as ``policy.default`` gives it."""
        if hasattr(value, "name"):
            return value
        unfolded = "".join(_LINESEP_RE.split(value))
        plain = plain_value(name, unfolded)
        return plain if plain is not None else self.header_factory(name, unfolded)


#: The policy :func:`sequencer.inbound.message.parse` reads messages with.
POLICY = _PlainFirst()
