"""sequencer: declarative outreach sequences under a named sender.

The public API, re-exported explicitly::

    from sequencer import Engine
"""

from sequencer.app import Engine, EnrollReport, ForgetReport, ImportReport, Preview
from sequencer.clock import Clock, SimulatedClock, SystemClock
from sequencer.config import Config, Sender, load_config
from sequencer.contacts import RowError, RowProblem
from sequencer.errors import (
    AlreadyEnrolled,
    ConfigError,
    ContactNotFound,
    ImportFileError,
    Problem,
    SenderNotFound,
    SequenceInvalid,
    SequenceNotFound,
    SequencerError,
)
from sequencer.model import Channel, Sequence, Step, StopReason, Variant, Window

__all__ = [
    "AlreadyEnrolled",
    "Channel",
    "Clock",
    "Config",
    "ConfigError",
    "ContactNotFound",
    "Engine",
    "EnrollReport",
    "ForgetReport",
    "ImportFileError",
    "ImportReport",
    "Preview",
    "Problem",
    "RowError",
    "RowProblem",
    "Sender",
    "SenderNotFound",
    "Sequence",
    "SequenceInvalid",
    "SequenceNotFound",
    "SequencerError",
    "SimulatedClock",
    "Step",
    "StopReason",
    "SystemClock",
    "Variant",
    "Window",
    "load_config",
]
__version__ = "0.1.0"
