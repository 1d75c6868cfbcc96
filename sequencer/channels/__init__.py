"""Delivery channels. The contract is :class:`sequencer.channels.base.ChannelAdapter`.

Built in: ``email`` (SMTP), ``linkedin`` and ``call`` (tasks for a person), ``webhook``. A host
adds its own by name, in code (``Engine(channels={"slack": SlackChannel()})``) or in the
configuration (``[channels] slack = "myapp.slack:SlackChannel"``, built by :func:`configured`),
and sequence steps may then say ``channel: slack``.
"""

from __future__ import annotations

import importlib

from sequencer.channels.base import ChannelAdapter, Delivery, Outcome, Result
from sequencer.config import Config
from sequencer.errors import ConfigError

__all__ = ["ChannelAdapter", "Delivery", "Outcome", "Result", "configured"]


def configured(config: Config) -> dict[str, ChannelAdapter]:
    """An instance of each ``[channels]`` class of the configuration, made with no arguments;
    :class:`ConfigError` names the file and key of one that cannot be imported or made."""
    where = str(config.source) if config.source else "config"
    built: dict[str, ChannelAdapter] = {}
    for name, path in config.channels.items():
        module, _, attribute = path.partition(":")
        try:
            factory = getattr(importlib.import_module(module), attribute)
            channel = factory()
        except Exception as exc:  # an import error, a missing name, a constructor that fails
            raise ConfigError(
                f"{where}: channels.{name}: cannot make '{path}': {type(exc).__name__}: {exc}"
            ) from None
        if not callable(getattr(channel, "deliver", None)):
            raise ConfigError(
                f"{where}: channels.{name}: '{path}' has no deliver() method "
                "(see sequencer/channels/base.py)"
            )
        built[name] = channel
    return built
