"""The sequence model: frozen, validated value objects built by :mod:`sequencer.loader`.

Nothing here does I/O. A :class:`Sequence` is what a YAML file in ``sequences/`` means
once every template has compiled and every field has been checked.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo

from sequencer import calendars


class Channel(enum.StrEnum):
    #: An email from the sender's own mailbox.
    EMAIL = "email"
    #: A LinkedIn message, done by a person: becomes a task with the rendered text.
    LINKEDIN = "linkedin"
    #: A phone call, done by a person: becomes a task with the call notes.
    CALL = "call"
    #: An HTTP POST of JSON to a URL, signed with HMAC-SHA256.
    WEBHOOK = "webhook"


class CustomChannel(str):
    """A channel a host program registered under its own name (``slack``), beside the built-in
    :class:`Channel` members. Like a member, it is its own name and ``.value`` gives it; a step on
    it carries a ``message`` template, rendered into the delivery's text.
    """

    __slots__ = ()

    @property
    def value(self) -> str:
        """The channel's name, as a plain string."""
        return str.__str__(self)


class ZoneSource(enum.StrEnum):
    #: The contact's own ``timezone`` field.
    RECIPIENT = "recipient"
    #: The sequence's ``defaults.timezone``.
    SEQUENCE = "sequence"
    #: The sender's configured time zone.
    SENDER = "sender"


class StopReason(enum.StrEnum):
    #: The contact answered a message.
    REPLY = "reply"
    #: The contact reached a named goal (``meeting_booked``...).
    GOAL = "goal"
    #: A message to the contact bounced permanently.
    BOUNCE = "bounce"
    #: The contact asked not to be mailed again.
    UNSUBSCRIBE = "unsubscribe"
    #: Somebody stopped the enrollment by hand.
    MANUAL = "manual"
    #: The address or its domain was put on the suppression list after enrolling.
    SUPPRESSED = "suppressed"
    #: A colleague at the same company domain replied or reached a goal (``stop_scope: company``).
    COMPANY = "company"
    #: A send could never be made (a permanent error, or its retries ran out).
    FAILED = "failed"


class StopScope(enum.StrEnum):
    #: A reply or goal stops the contact's own sequence only.
    CONTACT = "contact"
    #: A reply or goal also stops everyone at the same company domain (free-mail domains excluded).
    COMPANY = "company"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, kw_only=True)
class Window:
    """When messages may go out, in the recipient's local time."""

    #: ISO weekday numbers (Monday = 0) on which sending is allowed.
    days: frozenset[int] = frozenset(range(5))
    #: First local wall-clock time of the window (inclusive).
    start: time = time(9, 0)
    #: Last local wall-clock time of the window (exclusive).
    end: time = time(17, 0)


@dataclass(frozen=True, kw_only=True)
class Holidays:
    """Local dates never sent on: listed dates, plus a country's public holidays if one is named.

    :mod:`sequencer.timing` only asks ``"2026-12-24" in holidays``. A country's calendar is
    worked out a year at a time on first use and kept (:mod:`sequencer.calendars`), so every
    year is covered and a sequence loads without computing any.
    """

    #: Listed local dates (ISO ``YYYY-MM-DD``).
    dates: frozenset[str] = frozenset()
    #: ISO 3166-1 alpha-2 code of the country whose public holidays are skipped (``FI``), or None.
    country: str | None = None
    #: The country's subdivision (state, province...) whose own holidays are skipped too, or None.
    subdivision: str | None = None

    def __contains__(self, day: object) -> bool:
        """Whether the ISO date string ``day`` is a listed date or one of the country's holidays."""
        if day in self.dates:
            return True
        if self.country is None or not isinstance(day, str):
            return False
        return day in calendars.public_holidays(self.country, self.subdivision, int(day[:4]))


@dataclass(frozen=True, kw_only=True)
class Template:
    """A Jinja2 template source plus where it came from."""

    #: The template text.
    source: str
    #: Top-level variable names the template reads (contact fields and ``sender``).
    variables: frozenset[str] = frozenset()
    #: ``file:`` the text was read from, relative to the sequence file, if any.
    file: str | None = None


@dataclass(frozen=True, kw_only=True)
class Variant:
    """One alternative of a factor (a subject line or a body) under test."""

    #: Stable key; a variant keeps its statistics across YAML edits while its key stays.
    key: str
    template: Template


@dataclass(frozen=True, kw_only=True)
class Step:
    """One message or task in a sequence."""

    #: Stable key, unique in the sequence.
    key: str
    #: Calendar days after day 0, the day message 1 actually went out.
    day: int
    #: A built-in channel, or one the host registered (``Engine(channels={"slack": ...})``).
    channel: Channel | CustomChannel
    #: Email only: subject variants (empty for a ``thread: true`` step).
    subjects: tuple[Variant, ...] = ()
    #: Email only: body variants.
    bodies: tuple[Variant, ...] = ()
    #: Email only: continue message 1's thread (``Re:`` subject, In-Reply-To, References).
    thread: bool = False
    #: LinkedIn, call and custom-channel steps: the message (for a person, or the channel).
    message: Template | None = None
    #: Webhook steps: where to POST.
    url: str | None = None

    @property
    def is_task(self) -> bool:
        return self.channel in (Channel.LINKEDIN, Channel.CALL)


@dataclass(frozen=True, kw_only=True)
class StopRules:
    """Which events end the sequence for a recipient."""

    #: Stop when the contact replies.
    reply: bool = True
    #: Goal names that stop the sequence (``meeting_booked``...).
    goals: frozenset[str] = frozenset()
    # Bounces and unsubscribes always stop: they are not the sequence's to choose.


class Metric(enum.StrEnum):
    #: A reply whose intent is positive or a referral (the default; see docs/scoring.md).
    POSITIVE_REPLY = "positive_reply"
    #: Any reply, whatever it says (opens are unreliable since Apple Mail's privacy protection).
    REPLIES = "replies"
    #: A goal event (meeting booked...).
    GOALS = "goals"
    #: A tracked click (needs click tracking).
    CLICKS = "clicks"
    #: A tracked open (needs the open pixel; inflated by privacy proxies).
    OPENS = "opens"

    @property
    def event(self) -> str:
        """The event kind that counts as a success."""
        return {"goals": "goal", "clicks": "click", "opens": "open"}.get(self.value, "reply")

    @property
    def label(self) -> str:
        """The metric as decision rows and reports name it: ``positive_reply``, else its event."""
        return self.value if self is Metric.POSITIVE_REPLY else self.event

    @property
    def intents(self) -> tuple[str, ...] | None:
        """The reply intents that count as a success; None when every event of the kind does."""
        return ("positive", "referral") if self is Metric.POSITIVE_REPLY else None


@dataclass(frozen=True, kw_only=True)
class ScoringRules:
    """How a sequence's variants are scored (see docs/scoring.md)."""

    metric: Metric = Metric.POSITIVE_REPLY
    #: A send counts only once this many days have passed since it went out.
    reply_window_days: int = 4
    #: Judge a variant only when it and the best each have this many counted sends.
    min_sends: int = 100
    #: Family-wise error rate of one look.
    alpha: float = 0.05
    #: Tuning of the mixture: the total sends at which the test is most sensitive.
    n_star: int = 2000


@dataclass(frozen=True, kw_only=True)
class Then:
    """Chaining: the next sequence a contact moves on to after finishing this one."""

    #: Name of the next sequence.
    sequence: str
    #: Days after this sequence's last step, as an inclusive range (min, max).
    after_days: tuple[int, int]
    #: Conditions that must all hold, e.g. ``not_replied``, ``opened``, ``field:title=CEO``.
    only_if: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Sequence:
    """A validated sequence, ready to schedule and render."""

    name: str
    description: str = ""
    #: Sender names from the configuration (``defaults.sender``: one name or a list). New contacts
    #: rotate over them, weighted by free capacity; ``enroll --sender`` overrides it.
    senders: tuple[str, ...] = ()
    #: The sequence's default time zone (used when the recipient has none).
    timezone: ZoneInfo | None = None
    #: Where a recipient's time zone comes from, first match wins.
    timezone_from: tuple[ZoneSource, ...] = (
        ZoneSource.RECIPIENT,
        ZoneSource.SEQUENCE,
        ZoneSource.SENDER,
    )
    window: Window = field(default_factory=Window)
    #: Skip Saturdays and Sundays (and listed holidays) when placing a step.
    business_days: bool = True
    #: Local dates never sent on: listed ones and, optionally, a country's public holidays.
    holidays: Holidays = field(default_factory=Holidays)
    stop_on: StopRules = field(default_factory=StopRules)
    #: Whom a reply or goal stops: the contact alone, or everyone at their company's domain.
    stop_scope: StopScope = field(default_factory=lambda: StopScope.CONTACT)
    #: Custom contact fields the templates may read, beyond the standard ones.
    fields: frozenset[str] = frozenset()
    steps: tuple[Step, ...] = ()
    then: Then | None = None
    scoring: ScoringRules = field(default_factory=ScoringRules)
    #: File the sequence was loaded from.
    source: str = ""

    @property
    def sender(self) -> str | None:
        """The first listed sender (the one a single-sender sequence names)."""
        return self.senders[0] if self.senders else None

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)


#: Contact fields every contact may have; ``email`` is always present.
STANDARD_FIELDS = frozenset(
    {"email", "first_name", "last_name", "company", "title", "timezone", "linkedin_url"}
)
#: Attributes templates may read from ``sender``.
SENDER_FIELDS = frozenset({"name", "first_name", "email", "title", "company", "phone"})
