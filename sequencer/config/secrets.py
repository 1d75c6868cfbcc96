"""Every secret the sequences need, found missing before a send needs it.

Secrets are never in the files: the configuration names the environment variables that hold
them. :func:`missing_secrets` goes through each sequence's steps and names, for each variable
that is not set (or too short), the sequence file, the step's line and key, and the variable:
a webhook step needs the webhook signing secret, an email step its senders' SMTP password or
OAuth2 token key, and, with ``[http] public_url``, the link-signing secret. ``validate`` and
``senders check`` report them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

import yaml

from sequencer.config.settings import Config, Sender, _password, _secret
from sequencer.errors import ConfigError, Problem
from sequencer.loader import MAX_FILE_BYTES, compose, load_paths, read_capped
from sequencer.loader.nodes import child
from sequencer.loader.yaml_safe import Unreadable
from sequencer.model import Channel, Sequence, Step


def missing_secrets(
    config: Config, sequences: Mapping[str, Sequence], *, logins: bool = True
) -> list[Problem]:
    """A problem for each secret a step of ``sequences`` needs and the environment lacks, placed
    at the first step that needs it and naming the others. ``logins=False`` leaves out what the
    senders log in with (``senders check`` tries their logins itself)."""
    first: dict[str, Problem] = {}
    others: dict[str, list[str]] = {}
    for sequence in sequences.values():
        lines = step_lines(sequence.source)
        senders = [config.senders[n] for n in sequence.senders if n in config.senders] or list(
            config.senders.values()
        )
        for index, step in enumerate(sequence.steps):
            for fault in dict.fromkeys(_step_faults(config, step, senders if logins else [])):
                if fault in first:
                    others[fault].append(f"'{step.key}' in {Path(sequence.source).name}")
                    continue
                others[fault] = []
                first[fault] = Problem(
                    file=sequence.source,
                    line=lines.get(step.key, 0),
                    path=f"steps[{index}]",
                    message=f"{step.channel} step '{step.key}' cannot be sent: {fault}",
                )
    return [replace(p, message=p.message + _also(others[f])) for f, p in first.items()]


def _also(steps: list[str]) -> str:
    """`` (also needed by 'bump' in cold.yaml, ...)``: the other steps that need a secret."""
    if not steps:
        return ""
    shown = ", ".join(steps[:3]) + (f" and {len(steps) - 3} more" if len(steps) > 3 else "")
    return f" (also needed by {shown})"


def _step_faults(config: Config, step: Step, senders: list[Sender]) -> Iterator[str]:
    """What each secret the step needs says when it is read (nothing when it is there)."""
    checks: list[Callable[[], object]] = []
    if step.channel == Channel.WEBHOOK:
        checks.append(config.webhook_secret)
    elif step.channel == Channel.EMAIL:
        if config.http.public_url is not None:
            checks.append(config.http.secret)
        checks.extend(_sender_checks(sender) for sender in senders)
    for check in checks:
        try:
            check()
        except ConfigError as exc:
            yield exc.message


def _sender_checks(sender: Sender) -> Callable[[], object]:
    """Reads what a sender logs in to SMTP with: its password, or the key its OAuth2 tokens are
    encrypted with (one for every sender) and its client secret, when the file names one."""

    def check() -> None:
        oauth = sender.smtp.oauth
        if oauth is not None:
            _secret(oauth.key_env, "the key that encrypts OAuth tokens")
        try:
            if oauth is None:
                sender.smtp.password()
            else:
                _password(oauth.client_secret_env, "the OAuth client secret")
        except ConfigError as exc:
            raise ConfigError(f"sender {sender.name}: {exc.message}") from None

    return check


def step_lines(source: str) -> dict[str, int]:
    """Each step's key → the line its entry starts on in the sequence file (empty when the file
    cannot be read again)."""
    try:
        root = compose(read_capped(Path(source), MAX_FILE_BYTES))
    except (Unreadable, yaml.YAMLError):
        return {}
    steps = child(root, "steps") if root is not None else None
    if not isinstance(steps, yaml.SequenceNode):
        return {}
    lines: dict[str, int] = {}
    for item in steps.value:
        key = child(item, "key")
        if isinstance(key, yaml.ScalarNode):
            lines.setdefault(str(key.value), item.start_mark.line + 1)
    return lines


def configured_secrets(config: Config, *, logins: bool = True) -> list[Problem]:
    """:func:`missing_secrets` for the sequences the configuration names (a file that does not
    load is left to ``validate``)."""
    loaded, _ = load_paths(config.sequences, senders=list(config.senders) or None)
    return missing_secrets(config, loaded, logins=logins)
