"""The sequences an engine runs: loading them, finding one by name, and validating sequence
files, with the warnings that need the configuration (tracking an ``only_if`` depends on).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sequencer.config import Config
from sequencer.config.load import missing_paths
from sequencer.config.secrets import missing_secrets
from sequencer.errors import ConfigError, Problem, SequenceNotFound
from sequencer.loader import load_paths, load_sequences
from sequencer.model import Sequence


def _senders(config: Config) -> list[str] | None:
    return list(config.senders) if config.senders else None


def _channels(config: Config, channels: Iterable[str]) -> frozenset[str]:
    """The channel names a step may use beyond the built-ins: the configuration's
    ``[channels]`` and the host's own (``Engine(channels=...)``)."""
    return frozenset(config.channels) | frozenset(channels)


def load(
    config: Config, paths: Iterable[Path], *, channels: Iterable[str] = ()
) -> dict[str, Sequence]:
    """The sequences of ``paths``, whose steps may use the ``channels`` a host registered;
    raises :class:`~sequencer.errors.SequenceInvalid` on any error, and :class:`ConfigError`
    for a path the config file names that does not exist.
    """
    paths = list(paths)
    missing = missing_paths(config, paths)
    if missing:
        raise ConfigError("\n".join(map(str, missing)))
    return load_sequences(paths, senders=_senders(config), channels=_channels(config, channels))


def find(sequences: dict[str, Sequence], name: str) -> Sequence:
    """The sequence called ``name``; :class:`SequenceNotFound` names the loaded ones."""
    try:
        return sequences[name]
    except KeyError:
        known = ", ".join(sorted(sequences)) or "none"
        raise SequenceNotFound(f"no sequence named '{name}' (loaded: {known})") from None


def validate(
    config: Config, paths: Iterable[Path | str], *, channels: Iterable[str] = ()
) -> list[Problem]:
    """Every problem in the given sequence files (each secret their steps need that is not set
    too), and each path the config file's ``sequences`` names that does not exist (a validation
    that passes while the configured folder is missing would hide it)."""
    missing = missing_paths(config, config.sequences)
    reported = [Path(p) for p in paths]
    paths = [p for p in reported if p.exists() or p not in config.sequence_origins]
    known = _channels(config, channels)
    loaded, problems = load_paths(paths, senders=_senders(config), channels=known)
    secrets = missing_secrets(config, loaded)
    return missing + problems + secrets + tracking_warnings(config, loaded)


def tracking_warnings(config: Config, loaded: dict[str, Sequence]) -> list[Problem]:
    """``only_if: [opened]`` (or ``clicked``) with that tracking off: nobody would ever move
    on.
    """
    http = config.http
    tracking = {
        "opened": http.track_opens and http.public_url is not None,
        "clicked": http.track_clicks and http.public_url is not None,
    }
    return [
        Problem(
            file=seq.source,
            line=0,
            path="then.only_if",
            severity="warning",
            message=f"'{condition}' needs {'open' if condition == 'opened' else 'click'} "
            "tracking "
            f"([http] track_{'opens' if condition == 'opened' else 'clicks'} "
            "and public_url), which "
            "is off: no contact will move on to " + seq.then.sequence,
        )
        for seq in loaded.values()
        if seq.then is not None
        for condition in seq.then.only_if
        if condition in tracking and not tracking[condition]
    ]
