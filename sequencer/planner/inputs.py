"""What a plan is asked: the sequence, the audience, the senders, assumed rates, and how hard to
simulate; with the parsing of the command line's forms and the checks that refuse a bad input
with a plain sentence (:class:`~sequencer.errors.PlanInvalid`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sequencer import timing, variants
from sequencer.caps import Capacity, Warmup
from sequencer.config import Sender
from sequencer.errors import PlanInvalid, SequenceNotFound
from sequencer.model import WEEKDAYS, Channel, Sequence, Step

_UTC = ZoneInfo("UTC")


def _sender_default(name: str) -> Any:
    """A default of :class:`sequencer.config.Sender`, so a planned sender spaces its sends as a
    configured one.
    """
    return next(f.default for f in fields(Sender) if f.name == name)


_MIN_GAP: timedelta = _sender_default("min_gap")
_JITTER: timedelta = _sender_default("jitter")


@dataclass(frozen=True, kw_only=True)
class PlanSender:
    """A sender as the plan sees it: a name, a daily cap and the spacing of its sends."""

    name: str
    daily_cap: int
    #: Where the sender's day begins and ends.
    zone: ZoneInfo = _UTC
    min_gap: timedelta = _MIN_GAP
    jitter: timedelta = _JITTER
    warmup: Warmup | None = None

    @classmethod
    def from_config(cls, sender: Sender) -> PlanSender:
        """A configured sender: its cap, zone, gap, jitter and warm-up (the ramp's day 1 is its
        ``from`` date, else the first planned send: the plan knows nothing the sender sent before).
        """
        return cls(
            name=sender.name,
            daily_cap=sender.daily_cap,
            zone=sender.timezone,
            min_gap=sender.min_gap,
            jitter=sender.jitter,
            warmup=sender.warmup,
        )

    def capacity(self) -> Capacity:
        return Capacity(
            daily_cap=self.daily_cap,
            min_gap=self.min_gap,
            jitter=self.jitter,
            zone=self.zone,
            warmup=self.warmup,
        )


@dataclass(frozen=True, kw_only=True)
class LookSchedule:
    """When the scoring job looks: the worker's cron (``[scoring] days``, ``time``,
    ``timezone``).
    """

    #: Weekdays, Monday = 0.
    days: frozenset[int] = frozenset({0, 3})
    at: time = time(8, 0)
    zone: ZoneInfo = _UTC

    @classmethod
    def parse(cls, days: str, at: str, zone: str) -> LookSchedule:
        """From the configuration's strings: ``"mon,thu"`` (also ``mon-fri``, ``*``, 0–6),
        ``"08:00"``, a zone name.
        """
        hour, _, minute = at.partition(":")
        try:
            when = time(int(hour), int(minute))
        except ValueError:
            raise PlanInvalid(f"scoring time '{at}' should look like 08:00") from None
        return cls(days=_weekdays(days), at=when, zone=_zone(zone, "scoring timezone"))

    def times(self, start: datetime, end: datetime) -> list[datetime]:
        """Every look in (``start``, ``end``], as UTC instants (a local time DST skips moves
        forward).
        """
        day = start.astimezone(self.zone).date()
        out = []
        while (moment := timing.to_utc(datetime.combine(day, self.at), self.zone)) <= end:
            if day.weekday() in self.days and moment > start:
                out.append(moment)
            day += timedelta(days=1)
        return out


@dataclass(frozen=True, kw_only=True)
class PlanInput:
    """What to plan: a sequence, an audience, senders, assumed rates, and how hard to simulate."""

    sequence: Sequence
    #: How many contacts are enrolled, all at ``start``.
    contacts: int
    senders: tuple[PlanSender, ...]
    #: When they are enrolled (timezone-aware).
    start: datetime
    #: Assumed success rate (replies, or the sequence's metric) of a message.
    rate: float = 0.04
    #: Step key -> its rate, instead of ``rate``.
    step_rates: Mapping[str, float] = field(default_factory=dict)
    #: ``"step.factor.key"`` -> the rate of a send with that variant.
    variant_rates: Mapping[str, float] = field(default_factory=dict)
    #: The family whose variant is made worse: ``subject``, ``body``, ``step.factor`` or
    #: ``step.factor.key`` (without a key, its last variant). None: the first family.
    worse: str | None = None
    #: How many times worse it is (2: half the rate).
    worse_ratio: float = 2.0
    #: Contacts' ``timezone`` fields, shared out in turn; empty: none (the sequence's zone applies).
    zones: tuple[str, ...] = ()
    looks: LookSchedule = field(default_factory=LookSchedule)
    #: Monte Carlo runs per scenario.
    runs: int = 200
    seed: int = 1
    #: Looks are simulated this many weeks from ``start``; None: until every send is counted.
    horizon_weeks: int | None = None


def pick_sequence(sequences: Mapping[str, Sequence], name: str) -> Sequence:
    """The sequence called ``name``, or :class:`SequenceNotFound` naming the loaded ones."""
    try:
        return sequences[name]
    except KeyError:
        known = ", ".join(sorted(sequences)) or "none"
        raise SequenceNotFound(f"no sequence named '{name}' (loaded: {known})") from None


def parse_sender(text: str, *, zone: ZoneInfo = _UTC) -> PlanSender:
    """``NAME:CAP`` or ``NAME:CAP:ZONE`` (``jane:50:Europe/Helsinki``); without a zone, ``zone``."""
    name, _, rest = text.partition(":")
    cap, _, zone_name = rest.partition(":")
    if not name.strip() or not cap.strip().lstrip("-").isdigit():
        raise PlanInvalid(
            f"sender '{text}' should be NAME:CAP or NAME:CAP:ZONE, "
            "like jane:50 or jane:50:Europe/Helsinki"
        )
    where = _zone(zone_name, f"sender '{name}' timezone") if zone_name else zone
    return PlanSender(name=name.strip(), daily_cap=int(cap), zone=where)


def parse_rates(pairs: Iterable[str], what: str) -> dict[str, float]:
    """``KEY=RATE`` pairs (``bump=0.02``); a rate may also be a percentage (``2%``)."""
    out = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            example = "bump=0.02" if what == "step rate" else "intro.subject.idea=0.03"
            raise PlanInvalid(f"{what} '{pair}' should be KEY=RATE, like {example}")
        out[key.strip()] = parse_rate(value, f"{what} of '{key.strip()}'")
    return out


def parse_rate(value: str, what: str = "rate") -> float:
    """``0.04`` or ``4%``."""
    text = value.strip()
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise PlanInvalid(
            f"{what} '{value}' should be a number between 0 and 1, like 0.04 (or 4%)"
        ) from None


def parse_start(text: str, zone: ZoneInfo) -> datetime:
    """``2026-12-01`` (midnight in ``zone``), ``2026-12-01T09:00`` (in ``zone``) or an ISO time
    with an offset.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise PlanInvalid(
            f"start '{text}' should be a date like 2026-12-01 or a time like 2026-12-01T09:00"
        ) from None
    return timing.to_utc(moment, zone) if moment.tzinfo is None else moment.astimezone(UTC)


def check(p: PlanInput) -> None:
    """Raise :class:`PlanInvalid` with a plain sentence for the first thing wrong in ``p``."""
    if not p.sequence.steps:
        raise PlanInvalid(f"sequence '{p.sequence.name}' has no steps")
    if p.contacts < 1:
        raise PlanInvalid(f"contacts should be at least 1, got {p.contacts}")
    _check_senders(p.senders)
    if p.start.tzinfo is None or p.start.utcoffset() is None:
        raise PlanInvalid(f"start {p.start.isoformat()} needs a time zone")
    _check_rate(p.rate, "rate")
    steps = {s.key for s in p.sequence.steps}
    for key, value in p.step_rates.items():
        if key not in steps:
            raise PlanInvalid(
                f"step rate for '{key}': sequence '{p.sequence.name}' has no such step "
                f"(steps: {', '.join(s.key for s in p.sequence.steps)})"
            )
        _check_rate(value, f"step rate of '{key}'")
    known = {
        f"{step.key}.{factor}.{key}"
        for step, factor, keys in variants.families(p.sequence)
        for key in keys
    }
    for name, value in p.variant_rates.items():
        if name not in known:
            raise PlanInvalid(
                f"variant rate for '{name}': no such variant under test "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )
        _check_rate(value, f"variant rate of '{name}'")
        if assumed_rate(p, p.sequence.step(name.split(".")[0])) == 0:
            raise PlanInvalid(
                f"variant rate for '{name}': its step's rate is 0, so a variant cannot change it"
            )
    if not p.worse_ratio >= 1:
        raise PlanInvalid(
            f"worse ratio should be at least 1 (2 = half the rate), got {p.worse_ratio}"
        )
    for name in p.zones:
        _zone(name, "contact timezone")
    for number, what in ((p.runs, "runs"), (p.horizon_weeks, "horizon weeks")):
        if number is not None and number < 1:
            raise PlanInvalid(f"{what} should be at least 1, got {number}")
    if p.worse is not None:
        worse_family(p.sequence, p.worse)


def _check_senders(senders: tuple[PlanSender, ...]) -> None:
    if not senders:
        raise PlanInvalid(
            "no senders: give --sender NAME:CAP (repeatable), "
            "or configure senders in sequencer.toml "
            "(see examples/sequencer.toml)"
        )
    names = [s.name for s in senders]
    for sender in senders:
        if names.count(sender.name) > 1:
            raise PlanInvalid(f"sender '{sender.name}' is given twice")
        try:
            sender.capacity()
        except ValueError as exc:
            raise PlanInvalid(f"sender '{sender.name}': {exc}") from None


def _check_rate(value: float, what: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise PlanInvalid(f"{what} should be between 0 and 1 (0.04 is 4%), got {value:g}")


def _zone(name: str, what: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise PlanInvalid(f"{what}: unknown time zone '{name}'") from None


def _weekdays(text: str) -> frozenset[int]:
    """APScheduler's ``day_of_week`` field, in the forms a configuration uses: names, 0–6, ranges,
    ``*``.
    """
    days: set[int] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        if part == "*":
            return frozenset(range(7))
        low, dash, high = part.partition("-")
        first, last = _weekday(low, text), _weekday(high, text) if dash else _weekday(low, text)
        days.update(
            range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        )
    return frozenset(days)


def _weekday(word: str, text: str) -> int:
    word = word.strip()
    if word in WEEKDAYS:
        return WEEKDAYS.index(word)
    if word.isdigit() and int(word) < 7:
        return int(word)
    raise PlanInvalid(f"scoring days '{text}': '{word}' is not a weekday (use mon,thu or mon-fri)")


def assumed_rate(p: PlanInput, step: Step) -> float:
    """A step's assumed success rate: its ``step_rates`` entry, else ``rate`` (a webhook: 0)."""
    if step.key in p.step_rates:
        return p.step_rates[step.key]
    return 0.0 if step.channel is Channel.WEBHOOK else p.rate


def worse_family(sequence: Sequence, spec: str | None) -> tuple[int, str] | None:
    """(family index, key) of the variant to make worse; None when the sequence has no family."""
    found = variants.families(sequence)
    if not found:
        return None
    if spec is None:
        return 0, found[0][2][-1]
    parts = spec.split(".")
    names = [f"{step.key}.{factor}" for step, factor, _ in found]
    for f, (step, factor, keys) in enumerate(found):
        if (len(parts) == 1 and parts[0] == factor) or (
            len(parts) >= 2 and parts[:2] == [step.key, factor]
        ):
            if len(parts) == 3 and parts[2] not in keys:
                raise PlanInvalid(
                    f"worse '{spec}': {step.key}.{factor} has no "
                    f"variant '{parts[2]}' (it has {', '.join(keys)})"
                )
            return f, parts[2] if len(parts) == 3 else keys[-1]
    raise PlanInvalid(
        f"worse '{spec}': no family of two or more variants matches (families: {', '.join(names)})"
    )
