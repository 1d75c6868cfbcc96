"""Reading a sequence's ``steps:``: channels, subject and body variants, ``file:`` bodies and
templates.

:class:`StepReader` checks each step's fields for its channel, reads body files confined to the
sequence's folder, and analyses and test-renders every template, so an unknown variable or what
the rendering sandbox refuses is a problem now, not at send time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from sequencer import rendering
from sequencer.errors import Problem
from sequencer.loader.nodes import NodeReader, child, suggest
from sequencer.loader.yaml_safe import MAX_BODY_FILE_BYTES, Unreadable, read_capped
from sequencer.model import SENDER_FIELDS, Channel, CustomChannel, Step, Template, Variant

_STEP_KEYS = ("key", "day", "channel", "subjects", "bodies", "thread", "message", "url")
_VARIANT_KEYS = ("key", "text", "file")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Keys allowed per channel, beyond key/day/channel.
_CHANNEL_KEYS = {
    Channel.EMAIL: {"subjects", "bodies", "thread"},
    Channel.LINKEDIN: {"message"},
    Channel.CALL: {"message"},
    Channel.WEBHOOK: {"url"},
}
#: Keys allowed on a step of a channel the host registered (``slack``).
_CUSTOM_KEYS = {"message"}


class StepReader(NodeReader):
    """The steps of one file, each built for its channel; problems collected as it goes."""

    def steps(self, node: yaml.Node | None, root: yaml.Node, known: frozenset[str]) -> list[Step]:
        if node is None:
            self.error(root, "steps", "a sequence needs a 'steps' list")
            return []
        items = self.items(node, "steps")
        if not items and isinstance(node, yaml.SequenceNode):
            self.error(node, "steps", "a sequence needs at least one step")
        steps: list[Step] = []
        seen: dict[str, int] = {}
        previous_day: int | None = None
        first_email = True
        for index, item in enumerate(items):
            path = f"steps[{index}]"
            step = self.step(item, path, known, first_email=first_email)
            key, day = self.raw(child(item, "key")), self.raw(child(item, "day"))
            if isinstance(key, str) and key in seen:
                self.error(
                    child(item, "key"),
                    f"{path}.key",
                    f"step key '{key}' is already used by steps[{seen[key]}]",
                )
            if isinstance(key, str):
                seen.setdefault(key, index)
            if isinstance(day, int) and not isinstance(day, bool):
                if index == 0 and day != 0:
                    self.error(
                        child(item, "day"),
                        f"{path}.day",
                        "the first step must be on day 0 (the day it goes out)",
                    )
                if previous_day is not None and day < previous_day:
                    self.error(
                        child(item, "day"),
                        f"{path}.day",
                        f"day {day} comes before the previous step's "
                        f"day {previous_day}: days cannot go backwards",
                    )
                previous_day = day
            named = self.raw(child(item, "channel"))
            known_channel = named in {c.value for c in Channel} or named in self.channels
            if named == Channel.EMAIL.value or not known_channel:
                first_email = False  # a misspelt channel may be the email meant: no thread error
            if step is not None:
                steps.append(step)
        return steps

    def step(
        self, node: yaml.Node, path: str, known: frozenset[str], *, first_email: bool
    ) -> Step | None:
        fields = self.mapping(node, path, _STEP_KEYS)
        if not isinstance(node, yaml.MappingNode):
            return None
        for required in ("key", "day", "channel"):
            if required not in fields:
                self.error(node, path, f"a step needs a '{required}'")
        key = self.key(fields["key"], f"{path}.key") if "key" in fields else None
        day = self.integer(fields["day"], f"{path}.day") if "day" in fields else None
        channel = (
            self.channel(fields["channel"], f"{path}.channel") if "channel" in fields else None
        )
        if channel is None:
            return None
        allowed = _CHANNEL_KEYS[channel] if isinstance(channel, Channel) else _CUSTOM_KEYS
        for extra in sorted(set(fields) - {"key", "day", "channel"} - allowed):
            self.error(
                fields[extra],
                f"{path}.{extra}",
                f"'{extra}' does not apply to a {channel.value} step",
            )
        builder: Callable[..., dict[str, Any]] = self.task_parts
        if isinstance(channel, Channel):
            builder = {
                Channel.EMAIL: self.email_parts,
                Channel.LINKEDIN: self.task_parts,
                Channel.CALL: self.task_parts,
                Channel.WEBHOOK: self.webhook_parts,
            }[channel]
        parts = builder(node, fields, path, known, first_email=first_email)  # templates checked
        if key is None or day is None:  # even when the step's key or day is wrong
            return None
        return Step(key=key, day=day, channel=channel, **parts)

    def key(self, node: yaml.Node, path: str) -> str | None:
        raw = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if raw is None or isinstance(raw, bool) or not _KEY.match(str(raw)):
            self.error(
                node, path, "a key should be a short name of letters, digits, '_', '-' or '.'"
            )
            return None
        return str(raw)

    def channel(self, node: yaml.Node, path: str) -> Channel | CustomChannel | None:
        """A built-in channel, or one registered by the host (:attr:`channels`)."""
        name = self.text(node, path)
        if name is None:
            return None
        builtin = [c.value for c in Channel]
        if name in builtin:
            return Channel(name)
        if name in self.channels:
            return CustomChannel(name)
        options = builtin + sorted(self.channels - set(builtin))
        self.error(
            node,
            path,
            f"unknown channel '{name}'{suggest(name, options)}; known channels: "
            f"{', '.join(options)}. A channel of your own must be registered: "
            f"Engine(channels={{'{name}': ...}}), or [channels] in sequencer.toml",
        )
        return None

    def email_parts(
        self,
        node: yaml.Node,
        fields: dict[str, yaml.Node],
        path: str,
        known: frozenset[str],
        *,
        first_email: bool,
    ) -> dict[str, Any]:
        thread = (
            bool(self.boolean(fields["thread"], f"{path}.thread")) if "thread" in fields else False
        )
        if thread and first_email:
            self.error(
                fields["thread"], f"{path}.thread", "the first email has no thread to continue yet"
            )
        subjects: tuple[Variant, ...] = ()
        if "subjects" in fields:
            if thread:
                self.error(
                    fields["subjects"],
                    f"{path}.subjects",
                    "a thread: true step reuses message 1's subject "
                    "as 'Re: ...'; remove its subjects",
                )
            else:
                subjects = self.variants(fields["subjects"], f"{path}.subjects", "subject", known)
        elif not thread:
            self.error(
                node,
                path,
                "an email step needs 'subjects' (or thread: true to reply in message 1's thread)",
            )
        bodies: tuple[Variant, ...] = ()
        if "bodies" in fields:
            bodies = self.variants(fields["bodies"], f"{path}.bodies", "body", known)
        else:
            self.error(node, path, "an email step needs 'bodies'")
        return {"thread": thread, "subjects": subjects, "bodies": bodies}

    def task_parts(
        self,
        node: yaml.Node,
        fields: dict[str, yaml.Node],
        path: str,
        known: frozenset[str],
        *,
        first_email: bool,
    ) -> dict[str, Any]:
        if "message" not in fields:
            name = self.raw(fields["channel"])
            what = (
                "what the person sends or says"
                if name in (Channel.LINKEDIN, Channel.CALL)
                else "the text its channel delivers"
            )
            self.error(node, path, f"a {name} step needs a 'message' ({what})")
            return {}
        text = self.text(fields["message"], f"{path}.message")
        if text is None:
            return {}
        return {"message": self.template(text, fields["message"], f"{path}.message", known)}

    def webhook_parts(
        self,
        node: yaml.Node,
        fields: dict[str, yaml.Node],
        path: str,
        known: frozenset[str],
        *,
        first_email: bool,
    ) -> dict[str, Any]:
        if "url" not in fields:
            self.error(node, path, "a webhook step needs a 'url'")
            return {}
        url = self.text(fields["url"], f"{path}.url")
        if url is not None and not re.match(r"^https?://[^\s/]+", url):
            self.error(fields["url"], f"{path}.url", f"'{url}' is not an http(s) URL")
        return {"url": url}

    def variants(
        self, node: yaml.Node, path: str, noun: str, known: frozenset[str]
    ) -> tuple[Variant, ...]:
        items = self.items(node, path)
        if not items and isinstance(node, yaml.SequenceNode):
            self.error(node, path, f"the list of {noun} variants is empty; give at least one")
        out: list[Variant] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            variant = self.variant(item, f"{path}[{index}]", known)
            if variant is None:
                continue
            if variant.key in seen:
                self.error(
                    child(item, "key"),
                    f"{path}[{index}].key",
                    f"{noun} key '{variant.key}' is used twice",
                )
            seen.add(variant.key)
            out.append(variant)
        return tuple(out)

    def variant(self, node: yaml.Node, path: str, known: frozenset[str]) -> Variant | None:
        fields = self.mapping(node, path, _VARIANT_KEYS)
        if not isinstance(node, yaml.MappingNode):
            return None
        key = self.key(fields["key"], f"{path}.key") if "key" in fields else None
        if "key" not in fields:
            self.error(node, path, "a variant needs a stable 'key'")
        if ("text" in fields) == ("file" in fields):
            self.error(node, path, "give a variant either 'text' or 'file', not both or neither")
            return None
        template = self.variant_template(fields, path, known)
        return None if key is None or template is None else Variant(key=key, template=template)

    def variant_template(
        self, fields: dict[str, yaml.Node], path: str, known: frozenset[str]
    ) -> Template | None:
        if "text" in fields:
            text = self.text(fields["text"], f"{path}.text")
            return (
                None if text is None else self.template(text, fields["text"], f"{path}.text", known)
            )
        name = self.text(fields["file"], f"{path}.file")
        if name is None:
            return None
        try:
            text = self.body_file(name)
        except Unreadable as exc:
            self.error(fields["file"], f"{path}.file", f"body file '{name}': {exc}")
            return None
        return self.template(text, fields["file"], f"{path}.file", known, file=name)

    def body_file(self, name: str) -> str:
        """A ``file:`` body: a regular file inside the sequence's folder (after symlinks),
        capped.
        """
        folder = self.file.parent.resolve()
        try:
            found = (folder / name).resolve()
        except (OSError, ValueError, RuntimeError) as exc:  # a NUL in the name, a symlink loop
            raise Unreadable(f"not a usable file name ({exc})") from None
        if not found.is_relative_to(folder):
            raise Unreadable(
                f"must be inside the sequence's folder {folder} (it resolves to {found})"
            )
        if not found.exists():
            raise Unreadable(f"not found (looked in {found.parent})")
        return read_capped(found, MAX_BODY_FILE_BYTES)

    def template(
        self,
        text: str,
        node: yaml.Node,
        path: str,
        known: frozenset[str],
        *,
        file: str | None = None,
    ) -> Template | None:
        try:
            analysis = rendering.analyse(text)
        except rendering.TemplateSyntax as exc:
            if file is not None:
                where = f" in {file} line {exc.lineno}"
                line = node.start_mark.line + 1
            else:
                where = ""
                block = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
                line = node.start_mark.line + 1 + (exc.lineno if block else 0)
            self.problems.append(
                Problem(
                    file=str(self.file),
                    line=line,
                    path=path,
                    message=f"template syntax error{where}: {exc}",
                )
            )
            return None
        ok = True
        for name in sorted(analysis.variables - known - {"sender"}):
            ok = False
            self.error(
                node,
                path,
                f"unknown variable '{name}'{suggest(name, known | {'sender'})}: no contact "
                "field supplies it (list custom CSV columns under 'fields:')",
            )
        for attr in sorted(analysis.sender_attrs - SENDER_FIELDS):
            ok = False
            self.error(
                node, path, f"unknown sender field 'sender.{attr}'{suggest(attr, SENDER_FIELDS)}"
            )
        for name in sorted((analysis.unguarded & known) - {"email"}):
            self.error(
                node,
                path,
                f"'{name}' may be empty for some contacts; add a fallback like "
                f'{{{{ {name} | default("...") }}}}',
                severity="warning",
            )
        if not ok or not self.renders(text, analysis.variables, node, path):
            return None
        return Template(source=text, variables=analysis.variables, file=file)

    def renders(self, text: str, variables: frozenset[str], node: yaml.Node, path: str) -> bool:
        """Render the template for a synthetic contact, so what the sandbox refuses is an error now,
        not at send time; any other failure for that contact is a warning (real data may differ)."""
        try:
            rendering.render(text, rendering.sample_context(variables))
        except rendering.RenderRefused as exc:
            self.error(node, path, f"the template cannot be sent: {exc}")
            return False
        except rendering.RenderError as exc:
            self.error(
                node, path, f"the template fails for a sample contact: {exc}", severity="warning"
            )
        return True
