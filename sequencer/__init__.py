"""sequencer: declarative outreach sequences under a named sender.

The public API, re-exported explicitly::

    from sequencer import Engine
"""

from sequencer.app import Engine, EnrollReport, ForgetReport, ImportReport, Preview
from sequencer.channels import ChannelAdapter, Delivery, Outcome, Result
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
from sequencer.hooks import Bounced, GoalReached, Replied, Sent, Stopped
from sequencer.model import Channel, CustomChannel, Sequence, Step, StopReason, Variant, Window
from sequencer.results import Contact, Enrollment, Suppression, Task

__all__ = [
    "AlreadyEnrolled",
    "Bounced",
    "Channel",
    "ChannelAdapter",
    "Clock",
    "Config",
    "ConfigError",
    "Contact",
    "ContactNotFound",
    "CustomChannel",
    "Delivery",
    "Engine",
    "EnrollReport",
    "Enrollment",
    "ForgetReport",
    "GoalReached",
    "ImportFileError",
    "ImportReport",
    "Outcome",
    "Preview",
    "Problem",
    "Replied",
    "Result",
    "RowError",
    "RowProblem",
    "Sender",
    "SenderNotFound",
    "Sent",
    "Sequence",
    "SequenceInvalid",
    "SequenceNotFound",
    "SequencerError",
    "SimulatedClock",
    "Step",
    "StopReason",
    "Stopped",
    "Suppression",
    "SystemClock",
    "Task",
    "Variant",
    "Window",
    "load_config",
]
__version__ = "0.1.0"
