"""What-if planning of a campaign (``sequencer plan``): when everyone is reached, how many replies,
how soon
a weak variant goes. Pure: no database, no I/O, the start time passed in, every draw seeded.

It runs the engine's own parts on made-up contacts:

* **Schedule**, deterministic and computed once. Every contact is enrolled at ``start``: message 1
  is placed by :func:`sequencer.enrollment.place_rotating` over one
  :class:`~sequencer.caps.SenderBook`
  per sender, as enrolling places it, and goes out at that time, as the worker sends it. When a step
  goes out, the next one is due at :func:`sequencer.enrollment.next_step_due` from message 1's
  actual
  send and placed as the worker places it (:func:`sequencer.enrollment.place_step`): an email in the
  first free slot of its sender's book (daily cap, gap, jitter, warm-up) inside the recipient's
  window, never moving a message 1 already booked; a LinkedIn or call task at the first window
  moment; a webhook at its due time. The schedule assumes nobody replies: with replies a few
  follow-ups are cancelled and the campaign ends a little sooner.
* **Replies**, a Monte Carlo over the schedule. A send is a success (the sequence's metric,
  replies by default) with its assumed rate. A success that stops the sequence (a reply; a goal
  when the sequence stops on goals) cancels the contact's later steps: it is assumed to arrive
  before the next step and within the scoring's reply window. Variants are assigned as the
  dispatcher assigns them: :func:`sequencer.variants.choose` over each sender's counts for the step,
  retired keys left out.
* **Retirement**, in runs of the same kind. At each look of the scoring job (the configured days
and time;
  Monday and Thursday 08:00 UTC by default) every family with two live variants is scored by
  :func:`sequencer.scoring.score_family` over the sends whose ``reply_window_days`` have passed,
  and a retired variant gets no new sends. Runs with one variant ``worse_ratio`` times worse than
  the
  best of the others show how soon it goes; runs with every variant equal show how often an equal
  one
  goes by mistake.

Assumed rates: every message step (email, LinkedIn, call) has the base ``rate`` unless
``step_rates`` names it, a webhook step 0. A send's rate is its step's rate times, for each of its
variants given in ``variant_rates`` (``"step.factor.key"``), that rate over the step's rate (at
most 1).

Not modelled: bounces, unsubscribes, out-of-office holds, ``stop_scope: company``, the
``[frequency]``
limit, and sends already queued for the senders. Run ``r`` of scenario ``s`` draws from
``random.Random(f"{seed}:{s}:{r}")``, so a plan is repeatable and one run does not depend on how
many
there are.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sequencer import enrollment, scoring, timing, variants
from sequencer.caps import Capacity, SenderBook, Warmup
from sequencer.config import Sender
from sequencer.errors import PlanInvalid, SequenceNotFound
from sequencer.model import WEEKDAYS, Channel, Metric, Sequence, Step

WEEK = timedelta(days=7)
_UTC = ZoneInfo("UTC")
#: Quantiles of the weeks to retirement that a plan reports.
QUANTILES = (0.1, 0.5, 0.9)
#: Called as ``progress(runs_done, runs_total)`` while the Monte Carlo runs.
Progress = Callable[[int, int], None]


def _sender_default(name: str) -> Any:
    """A default of :class:`sequencer.config.Sender`, so a planned sender spaces its sends as a
    configured one.
    """
    return next(f.default for f in fields(Sender) if f.name == name)


_MIN_GAP: timedelta = _sender_default("min_gap")
_JITTER: timedelta = _sender_default("jitter")


# -- inputs
# -------------------------------------------------------------------------------------------


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
        ``from`` date, else
        the first planned send: the plan knows nothing the sender sent before)."""
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
    # : The family whose variant is made worse: ``subject``, ``body``, ``step.factor`` or
    # ``step.factor.key``
    #: (without a key, its last variant). None: the first family.
    worse: str | None = None
    #: How many times worse it is (2: half the rate).
    worse_ratio: float = 2.0
    #: Contacts' ``timezone`` fields, shared out in turn; empty: none (the sequence's zone applies).
    zones: tuple[str, ...] = ()
    looks: LookSchedule = field(default_factory=LookSchedule)
    #: Monte Carlo runs per scenario.
    runs: int = 200
    seed: int = 1
    #: Looks are simulated this many weeks from ``start``.
    horizon_weeks: int = 12


# -- outputs
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Slot:
    """One send of the schedule: a step for a contact, from a sender, at an instant."""

    at: datetime
    contact: int
    step: int
    sender: str


@dataclass(frozen=True, kw_only=True)
class WeekLoad:
    """What goes out in one week of the campaign (week 1 begins at ``start``), if nobody replied."""

    week: int
    begins: datetime
    message_1: int
    #: Emails of later steps.
    follow_ups: int
    #: LinkedIn and call tasks.
    tasks: int
    #: Emails per sender.
    by_sender: dict[str, int]


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """The deterministic answer: when message 1 reaches everyone, and the load week by week."""

    first_message_1: datetime
    last_message_1: datetime
    last_send: datetime
    #: From ``start`` to the last message 1, in weeks.
    weeks_to_reach: float
    #: Dates on which a message 1 goes out, each in its sender's zone: the sending days it takes.
    days_with_message_1: int
    #: Contacts whose message 1 each sender sends.
    contacts_by_sender: dict[str, int]
    weeks: tuple[WeekLoad, ...]


@dataclass(frozen=True, kw_only=True)
class StepForecast:
    """One step's sends and successes, averaged over the runs with the assumed rates."""

    key: str
    channel: str
    rate: float
    sends: float
    successes: float


@dataclass(frozen=True, kw_only=True)
class Retirement:
    """How soon the scoring retires a variant ``ratio`` times worse, and how often it retires an
    equal one.
    """

    step: str
    factor: str
    key: str
    ratio: float
    #: Its rate in the worse runs, and the rate of the best of the others.
    rate: float
    others: float
    runs: int
    #: Share of runs in which it was retired within the horizon.
    retired: float
    #: Weeks from ``start`` to its retirement at :data:`QUANTILES`; None: not within the horizon.
    weeks: tuple[float | None, ...]
    #: Median counted sends of the variant when it was retired (None when never).
    sends_at_retirement: int | None
    # : Runs with every variant equal, and the share of them in which any variant of any family was
    # retired.
    equal_runs: int
    equal_retired: float
    #: Families scored (each has its own α bound on a wrong retirement).
    families: int


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The answers for one :class:`PlanInput`."""

    input: PlanInput
    schedule: Schedule
    steps: tuple[StepForecast, ...]
    #: Mean successes per run over all steps.
    successes: float
    #: The event that counts as a success (reply, goal, click, open).
    metric: str
    #: Looks within the horizon.
    looks: int
    #: None when the sequence has no family of two variants.
    retirement: Retirement | None


# -- checks and parsing
# -------------------------------------------------------------------------------


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
        if _step_rate(p, p.sequence.step(name.split(".")[0])) == 0:
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
        if number < 1:
            raise PlanInvalid(f"{what} should be at least 1, got {number}")
    if p.worse is not None:
        _worse_family(p.sequence, p.worse)


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


# -- the schedule
# -------------------------------------------------------------------------------------


def contact_zones(p: PlanInput) -> list[ZoneInfo]:
    """Each contact's zone, resolved as enrolling resolves it (``timezone_from``); ``p.zones``
    shared out in turn.
    """
    names: tuple[str | None, ...] = p.zones or (None,)
    resolved = [
        timing.resolve_zone(p.sequence, contact_tz=name, sender_tz=p.senders[0].zone.key)
        for name in names
    ]
    return [resolved[i % len(resolved)] for i in range(p.contacts)]


def schedule(p: PlanInput) -> list[Slot]:
    """Every send of the campaign if nobody replied, in time order: enrolled at ``start`` as
    ``enroll``
    places them, each next step placed in its sender's book when the step before it is sent."""
    zones = contact_zones(p)
    books = {s.name: SenderBook(s.capacity(), seed=s.name) for s in p.senders}
    queue = []
    for contact, zone in enumerate(zones):
        sender, due = enrollment.place_rotating(p.sequence, zone=zone, now=p.start, books=books)
        queue.append((due, contact, contact, 0, sender))  # (due, row order, contact, step, sender)
    return _dispatch(p, zones, queue, books)


def _dispatch(
    p: PlanInput,
    zones: list[ZoneInfo],
    queue: list[tuple[datetime, int, int, int, str]],
    books: Mapping[str, SenderBook],
) -> list[Slot]:
    """Send in due order, as the worker does: each send goes at its placed time (placements never
    collide),
    and the next step is placed (:func:`~sequencer.enrollment.place_step`) once the step before it
    is sent,
    due at :func:`~sequencer.enrollment.next_step_due` from message 1's actual send."""
    seq = p.sequence
    anchors: dict[int, datetime] = {}
    rows = len(queue)
    heapq.heapify(queue)
    out = []
    while queue:
        at, _, contact, index, sender = heapq.heappop(queue)
        out.append(Slot(at=at, contact=contact, step=index, sender=sender))
        anchor = anchors.setdefault(contact, at)
        if index + 1 < len(seq.steps):  # queued once this one is sent: never due before it went
            due = max(
                enrollment.next_step_due(seq, index + 1, anchor=anchor, zone=zones[contact]), at
            )
            placed = enrollment.place_step(
                seq, index + 1, due=due, zone=zones[contact], book=books[sender]
            )
            heapq.heappush(queue, (placed, rows, contact, index + 1, sender))
            rows += 1
    return out


def summarise(p: PlanInput, slots: list[Slot]) -> Schedule:
    """The schedule's answers: first and last message 1, weeks to reach everyone, load per week."""
    firsts = [s for s in slots if s.step == 0]
    zones = {s.name: s.zone for s in p.senders}
    by_sender = {s.name: 0 for s in p.senders}
    for slot in firsts:
        by_sender[slot.sender] += 1
    last = max(s.at for s in firsts)
    return Schedule(
        first_message_1=min(s.at for s in firsts),
        last_message_1=last,
        last_send=max(s.at for s in slots),
        weeks_to_reach=(last - p.start) / WEEK,
        days_with_message_1=len({s.at.astimezone(zones[s.sender]).date() for s in firsts}),
        contacts_by_sender=by_sender,
        weeks=_weeks(p, slots),
    )


def _weeks(p: PlanInput, slots: list[Slot]) -> tuple[WeekLoad, ...]:
    """Sends per week from ``start``: message 1s, email follow-ups, tasks, and emails per sender."""
    count = int((max(s.at for s in slots) - p.start) // WEEK) + 1
    kinds = [Counter[str]() for _ in range(count)]
    senders = [Counter[str]() for _ in range(count)]
    for slot in slots:
        week = int((slot.at - p.start) // WEEK)
        channel = p.sequence.steps[slot.step].channel
        if slot.step == 0:
            kinds[week]["message_1"] += 1
        if channel is Channel.EMAIL:
            senders[week][slot.sender] += 1
            kinds[week]["follow_ups"] += slot.step > 0
        elif channel is not Channel.WEBHOOK:
            kinds[week]["tasks"] += slot.step > 0
    return tuple(
        WeekLoad(
            week=i + 1,
            begins=p.start + i * WEEK,
            message_1=kinds[i]["message_1"],
            follow_ups=kinds[i]["follow_ups"],
            tasks=kinds[i]["tasks"],
            by_sender={s.name: senders[i][s.name] for s in p.senders},
        )
        for i in range(count)
    )


# -- the Monte Carlo
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Family:
    """One factor of one email step with more than one variant."""

    step: int
    factor: str
    keys: list[str]


@dataclass(frozen=True, kw_only=True)
class _Rates:
    """A scenario: each step's rate, and a multiplier per (family, key) for variants off the step's
    rate.
    """

    name: str
    step: tuple[float, ...]
    factor: tuple[dict[str, float], ...]

    @property
    def tables(self) -> tuple[tuple[float, ...], tuple[dict[str, float], ...]]:
        return self.step, self.factor


@dataclass(kw_only=True)
class _Run:
    """What one run produced."""

    sends: list[int]
    successes: list[int]
    #: (family, key) -> (look instant as a timestamp, its counted sends then).
    retired: dict[tuple[int, str], tuple[float, int]] = field(default_factory=dict)


class _Campaign:
    """The schedule flattened for fast runs: timestamps, contacts, steps, senders and families."""

    def __init__(self, p: PlanInput, slots: list[Slot]) -> None:
        seq = p.sequence
        index = {step.key: i for i, step in enumerate(seq.steps)}
        self.families = [
            _Family(step=index[step.key], factor=factor, keys=keys)
            for step, factor, keys in variants.families(seq)
        ]
        self.by_step: list[list[int]] = [
            [f for f, fam in enumerate(self.families) if fam.step == i]
            for i in range(len(seq.steps))
        ]
        self.at = [s.at.timestamp() for s in slots]
        self.contact = [s.contact for s in slots]
        self.step = [s.step for s in slots]
        self.sender = [s.sender for s in slots]
        self.contacts, self.steps = p.contacts, len(seq.steps)
        self.salts = [
            str(i + 1) for i in range(p.contacts)
        ]  # the enrollment id the dispatcher salts ties with
        self.window = seq.scoring.reply_window_days * 86400.0
        self.looks = [
            t.timestamp() for t in p.looks.times(p.start, p.start + p.horizon_weeks * WEEK)
        ]
        rules = seq.scoring
        self.settings = scoring.Settings(
            alpha=rules.alpha,
            n_star=rules.n_star,
            min_sends=rules.min_sends,
            label=f"{rules.metric.event} rate",
        )
        self.stops = (rules.metric is Metric.REPLIES and seq.stop_on.reply) or (
            rules.metric is Metric.GOALS and bool(seq.stop_on.goals)
        )
        self.fixed = {
            f: self._first_assignments(f) for f, fam in enumerate(self.families) if fam.step == 0
        }

    def _first_assignments(self, f: int) -> list[str]:
        """Family ``f`` of message 1 assigned over every slot while nothing is retired: the same in
        every run
        (every contact gets message 1), so runs reuse it until the family's first retirement."""
        keys, counts = self.families[f].keys, dict[str, dict[str, int]]()
        out = [""] * len(self.at)
        for j, step in enumerate(self.step):
            if step == 0:
                table = counts.setdefault(self.sender[j], {})
                out[j] = key = variants.choose(keys, table, salt=self.salts[self.contact[j]])
                table[key] = table.get(key, 0) + 1
        return out

    def run(self, rates: _Rates, rng: random.Random) -> _Run:
        """One campaign: sends in time order, a look at each look time, the rest after the
        horizon.
        """
        state = _RunState(self, rates, rng)
        for look in self.looks:
            state.send_until(look)
            state.count_until(look - self.window)
            if not state.look(look):
                break  # every send counted and nothing changed: later looks decide the same
        state.send_until(math.inf)
        return state.result


class _RunState:
    """The moving parts of one run: who stopped, assignment counts, retired keys, counted
    tallies.
    """

    def __init__(self, campaign: _Campaign, rates: _Rates, rng: random.Random) -> None:
        self.c, self.rates, self.random = campaign, rates, rng.random
        self.stopped = bytearray(campaign.contacts)
        self.fixed = dict(campaign.fixed)
        self.assigned: dict[tuple[int, str], dict[str, int]] = {}
        self.retired: list[set[str]] = [set() for _ in campaign.families]
        self.tally: list[dict[str, list[int]]] = [
            {k: [0, 0] for k in f.keys} for f in campaign.families
        ]
        self.dirty = [False] * len(campaign.families)
        self.chosen: list[tuple[str, ...] | None] = [None] * len(campaign.at)
        self.hit = bytearray(len(campaign.at))
        self.sent = self.counted = 0
        self.result = _Run(sends=[0] * campaign.steps, successes=[0] * campaign.steps)

    def send_until(self, moment: float) -> None:
        """Make the sends due by ``moment``: variants assigned, a success drawn, a stop kept (hot
        loop: locals).
        """
        c, result, stopped, chosen, hit, fixed = (
            self.c,
            self.result,
            self.stopped,
            self.chosen,
            self.hit,
            self.fixed,
        )
        at, contacts, steps, by_step, step_rate, factor, draw = (
            c.at,
            c.contact,
            c.step,
            c.by_step,
            *self.rates.tables,
            self.random,
        )
        j, end = self.sent, len(at)
        while j < end and at[j] <= moment:
            contact, step = contacts[j], steps[j]
            if not stopped[contact]:
                rate = step_rate[step]
                if by_step[step]:
                    keys = tuple(
                        fixed[f][j] if f in fixed else self._choose(f, j, contact)
                        for f in by_step[step]
                    )
                    for f, key in zip(by_step[step], keys, strict=True):
                        rate *= factor[f].get(key, 1.0)
                    chosen[j] = keys
                result.sends[step] += 1
                if draw() < rate:
                    hit[j] = 1
                    result.successes[step] += 1
                    stopped[contact] = c.stops
            j += 1
        self.sent = j

    def _choose(self, f: int, j: int, contact: int) -> str:
        """The dispatcher's choice for family ``f`` at slot ``j``: the least assigned live key in
        the sender's mailbox.
        """
        counts = self.assigned.setdefault((f, self.c.sender[j]), {})
        key = variants.choose(
            self.c.families[f].keys, counts, retired=self.retired[f], salt=self.c.salts[contact]
        )
        counts[key] = counts.get(key, 0) + 1
        return key

    def _unfix(self, f: int) -> None:
        """Leave message 1's shared assignments for family ``f`` after its first retirement: count
        what they assigned.
        """
        fixed = self.fixed.pop(f)
        for j in range(self.sent):
            key = fixed[j]
            if key:
                counts = self.assigned.setdefault((f, self.c.sender[j]), {})
                counts[key] = counts.get(key, 0) + 1

    def count_until(self, moment: float) -> None:
        """Count the sends whose reply window has passed, with their successes."""
        at, steps, by_step = self.c.at, self.c.step, self.c.by_step
        chosen, hit, tallies, dirty = self.chosen, self.hit, self.tally, self.dirty
        j, end = self.counted, self.sent
        while j < end and at[j] <= moment:
            keys = chosen[j]
            if keys is not None:
                for f, key in zip(by_step[steps[j]], keys, strict=True):
                    tally = tallies[f][key]
                    tally[0] += 1
                    tally[1] += hit[j]
                    dirty[f] = True
            j += 1
        self.counted = j

    def look(self, moment: float) -> bool:
        """Score every family that changed since its last look; False when nothing can change any
        more.
        """
        for f, family in enumerate(self.c.families):
            if not self.dirty[f]:
                continue
            self.dirty[f] = False
            live = [k for k in family.keys if k not in self.retired[f]]
            if len(live) < 2:
                continue
            stats = [
                scoring.VariantStats(
                    key=k, sends=self.tally[f][k][0], successes=self.tally[f][k][1]
                )
                for k in live
            ]
            for verdict in scoring.score_family(stats, self.c.settings):
                if verdict.decision is scoring.Decision.RETIRE:
                    if f in self.fixed:
                        self._unfix(f)
                    self.retired[f].add(verdict.key)
                    self.result.retired[(f, verdict.key)] = (moment, verdict.sends)
                    self.dirty[f] = (
                        True  # a smaller family is corrected less: look again with the same counts
                    )
        return self.counted < len(self.c.at) or any(self.dirty)


def _step_rate(p: PlanInput, step: Step) -> float:
    if step.key in p.step_rates:
        return p.step_rates[step.key]
    return 0.0 if step.channel is Channel.WEBHOOK else p.rate


def _scenario(
    p: PlanInput,
    campaign: _Campaign,
    name: str,
    *,
    assumed: bool,
    worse: tuple[int, str] | None = None,
) -> _Rates:
    """Step rates, and variant multipliers: the assumed ones (``assumed``), and one variant
    ``worse_ratio`` times
    worse than the best of the others (``worse``)."""
    step_rates = tuple(_step_rate(p, step) for step in p.sequence.steps)
    factors: list[dict[str, float]] = []
    for f, family in enumerate(campaign.families):
        step = p.sequence.steps[family.step]
        given = (
            {k: p.variant_rates.get(f"{step.key}.{family.factor}.{k}") for k in family.keys}
            if assumed
            else {}
        )
        multipliers = {
            k: rate / step_rates[family.step] for k, rate in given.items() if rate is not None
        }
        if (
            worse is not None and worse[0] == f
        ):  # worse than the best of the others, which it is judged against
            multipliers[worse[1]] = _best_other(multipliers, family.keys, worse[1]) / p.worse_ratio
        factors.append(multipliers)
    return _Rates(name=name, step=step_rates, factor=tuple(factors))


def _worse_family(sequence: Sequence, spec: str | None) -> tuple[int, str] | None:
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


# -- the plan
# -----------------------------------------------------------------------------------------


def plan(p: PlanInput, *, progress: Progress | None = None) -> Plan:
    """Check ``p``, compute the schedule once, run the Monte Carlo, and answer."""
    check(p)
    slots = schedule(p)
    campaign = _Campaign(p, slots)
    assumed = _scenario(p, campaign, "assumed", assumed=True)
    worse = _worse_family(p.sequence, p.worse)
    scenarios = [assumed]
    if worse is not None:
        if p.variant_rates:  # the assumed runs are not all-equal ones: equal runs of their own
            scenarios.append(_scenario(p, campaign, "equal", assumed=False))
        scenarios.append(_scenario(p, campaign, "worse", assumed=True, worse=worse))
    runs = _simulate(p, campaign, scenarios, progress)
    steps = _forecast(p, assumed, runs["assumed"])
    retirement = None
    if worse is not None:
        equal = runs.get("equal", runs["assumed"])
        retirement = _retirement(p, campaign, worse, scenarios[-1], runs["worse"], equal)
    return Plan(
        input=p,
        schedule=summarise(p, slots),
        steps=steps,
        successes=sum(s.successes for s in steps),
        metric=p.sequence.scoring.metric.event,
        looks=len(campaign.looks),
        retirement=retirement,
    )


def _simulate(
    p: PlanInput, campaign: _Campaign, scenarios: list[_Rates], progress: Progress | None
) -> dict[str, list[_Run]]:
    """``p.runs`` seeded runs of each scenario, by scenario name."""
    runs: dict[str, list[_Run]] = {rates.name: [] for rates in scenarios}
    for rates in scenarios:
        for r in range(p.runs):
            runs[rates.name].append(
                campaign.run(rates, random.Random(f"{p.seed}:{rates.name}:{r}"))
            )
            if progress is not None:
                progress(sum(map(len, runs.values())), len(scenarios) * p.runs)
    return runs


def _forecast(p: PlanInput, rates: _Rates, runs: list[_Run]) -> tuple[StepForecast, ...]:
    n = len(runs)
    return tuple(
        StepForecast(
            key=step.key,
            channel=step.channel.value,
            rate=rates.step[i],
            sends=sum(r.sends[i] for r in runs) / n,
            successes=sum(r.successes[i] for r in runs) / n,
        )
        for i, step in enumerate(p.sequence.steps)
    )


def _retirement(
    p: PlanInput,
    campaign: _Campaign,
    worse: tuple[int, str],
    rates: _Rates,
    runs: list[_Run],
    equal: list[_Run],
) -> Retirement:
    f, key = worse
    family = campaign.families[f]
    start = p.start.timestamp()
    hits = [r.retired[worse] for r in runs if worse in r.retired]
    weeks = sorted(
        [(at - start) / WEEK.total_seconds() for at, _ in hits]
        + [math.inf] * (len(runs) - len(hits))
    )
    others = rates.step[family.step] * _best_other(rates.factor[f], family.keys, key)
    return Retirement(
        step=p.sequence.steps[family.step].key,
        factor=family.factor,
        key=key,
        ratio=p.worse_ratio,
        rate=rates.step[family.step] * rates.factor[f].get(key, 1.0),
        others=others,
        runs=len(runs),
        retired=len(hits) / len(runs),
        weeks=tuple(_quantile(weeks, q) for q in QUANTILES),
        sends_at_retirement=_median_int([n for _, n in hits]),
        equal_runs=len(equal),
        equal_retired=sum(bool(r.retired) for r in equal) / len(equal),
        families=len(campaign.families),
    )


def _best_other(multipliers: Mapping[str, float], keys: list[str], key: str) -> float:
    """The highest multiplier among a family's variants other than ``key`` (1: the step's rate)."""
    return max(multipliers.get(k, 1.0) for k in keys if k != key)


def _quantile(ordered: list[float], q: float) -> float | None:
    """The nearest-rank ``q`` quantile of sorted values; None when it is infinite (not reached)."""
    value = ordered[max(0, math.ceil(q * len(ordered)) - 1)]
    return None if math.isinf(value) else value


def _median_int(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


# -- JSON
# ---------------------------------------------------------------------------------------------


def as_json(result: Plan) -> dict[str, Any]:
    """The plan as plain JSON values: instants in ISO 8601 UTC, the inputs by name."""
    p = result.input
    inputs = {
        "sequence": p.sequence.name,
        "contacts": p.contacts,
        "start": _iso(p.start),
        "senders": [
            {
                "name": s.name,
                "daily_cap": s.daily_cap,
                "timezone": s.zone.key,
                "min_gap_seconds": s.min_gap.total_seconds(),
                "jitter_seconds": s.jitter.total_seconds(),
            }
            for s in p.senders
        ],
        "rate": p.rate,
        "step_rates": dict(p.step_rates),
        "variant_rates": dict(p.variant_rates),
        "worse": p.worse,
        "worse_ratio": p.worse_ratio,
        "contact_timezones": list(p.zones),
        "looks": {
            "days": [WEEKDAYS[d] for d in sorted(p.looks.days)],
            "time": p.looks.at.strftime("%H:%M"),
            "timezone": p.looks.zone.key,
        },
        "runs": p.runs,
        "seed": p.seed,
        "horizon_weeks": p.horizon_weeks,
    }
    return {
        "input": inputs,
        "schedule": _plain(result.schedule),
        "steps": [_plain(s) for s in result.steps],
        "successes": result.successes,
        "metric": result.metric,
        "looks": result.looks,
        "retirement": None if result.retirement is None else _plain(result.retirement),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
