"""What every service is given: the store, the configuration, the clock, the log, the
sequences (loaded on first use) and the host's event hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sequencer.clock import Clock
from sequencer.config import Config
from sequencer.hooks import Hooks
from sequencer.model import Sequence
from sequencer.services import catalog
from sequencer.store import Store


@dataclass(frozen=True, kw_only=True)
class Deps:
    """The dependencies of one call into a service."""

    store: Store
    config: Config
    clock: Clock
    #: A structlog-style logger: ``log.info("event.name", key=value)``.
    log: Any
    #: The loaded sequences; called when needed, so nothing is loaded before it is used.
    sequences: Callable[[], dict[str, Sequence]]
    #: The host's event hooks; a service emits an event once it is committed.
    hooks: Hooks = field(default_factory=Hooks)

    def sequence(self, name: str) -> Sequence:
        """The loaded sequence called ``name``; :class:`SequenceNotFound` otherwise."""
        return catalog.find(self.sequences(), name)
