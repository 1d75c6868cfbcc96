"""What-if planning of a campaign (``sequencer plan``): when everyone is reached, how many replies,
how soon a weak variant goes. Pure: no database, no I/O, the start time passed in, every draw
seeded.

It runs the engine's own parts on made-up contacts:

* **Schedule**, deterministic and computed once (:mod:`~sequencer.planner.timeline`). Every
  contact is enrolled at ``start``: message 1 is placed by
  :func:`sequencer.enrollment.place_rotating` over one :class:`~sequencer.caps.SenderBook` per
  sender, as enrolling places it, and goes out at that time, as the worker sends it. When a step
  goes out, the next one is due at :func:`sequencer.enrollment.next_step_due` from message 1's
  actual send and placed as the worker places it (:func:`sequencer.enrollment.place_step`): an
  email in the first free slot of its sender's book (daily cap, gap, jitter, warm-up) inside the
  recipient's window, never moving a message 1 already booked; a LinkedIn or call task at the
  first window moment; a webhook at its due time. The schedule assumes nobody replies: with
  replies a few follow-ups are cancelled and the campaign ends a little sooner.
* **Replies**, a Monte Carlo over the schedule (:mod:`~sequencer.planner.montecarlo`). A send is
  a success (the sequence's metric, positive replies by default) with its assumed rate. A
  success that stops the sequence (a reply; a goal when the sequence stops on goals) cancels the
  contact's later steps: it is assumed to arrive before the next step and within the scoring's
  reply window. Variants are assigned as the dispatcher assigns them:
  :func:`sequencer.variants.choose` over each sender's counts for the step, retired keys left
  out.
* **Retirement**, in runs of the same kind. At each look of the scoring job (the configured days
  and time; Monday and Thursday 08:00 UTC by default) within the horizon (by default until
  every send of the schedule is counted) every family with two live variants is
  scored by :func:`sequencer.scoring.score_family` over the sends whose ``reply_window_days``
  have passed, and a retired variant gets no new sends. Runs with one variant ``worse_ratio``
  times worse than the best of the others show how soon it goes; runs with every variant equal
  show how often an equal one goes by mistake.

Assumed rates: every message step (email, LinkedIn, call) has the base ``rate`` unless
``step_rates`` names it, a webhook step 0. A send's rate is its step's rate times, for each of
its variants given in ``variant_rates`` (``"step.factor.key"``), that rate over the step's rate
(at most 1).

Not modelled: bounces, unsubscribes, out-of-office holds, ``stop_scope: company``, the
``[frequency]`` limit, and sends already queued for the senders. Run ``r`` of scenario ``s``
draws from ``random.Random(f"{seed}:{s}:{r}")``, so a plan is repeatable and one run does not
depend on how many there are.

The parts: :mod:`~sequencer.planner.inputs` (what to plan, parsed and checked),
:mod:`~sequencer.planner.timeline` (the schedule), :mod:`~sequencer.planner.montecarlo` (the
runs), :mod:`~sequencer.planner.forecast` (:func:`plan` and its answers),
:mod:`~sequencer.planner.power` (:func:`recommend`: the audience that gives 80% power) and
:mod:`~sequencer.planner.serialise` (the plan as JSON).
"""

from __future__ import annotations

from sequencer.planner.forecast import QUANTILES, Plan, Retirement, StepForecast, plan
from sequencer.planner.inputs import (
    LookSchedule,
    PlanInput,
    PlanSender,
    check,
    parse_rate,
    parse_rates,
    parse_sender,
    parse_start,
    pick_sequence,
)
from sequencer.planner.montecarlo import Progress
from sequencer.planner.power import Recommendation, recommend
from sequencer.planner.serialise import as_json
from sequencer.planner.timeline import (
    WEEK,
    Schedule,
    Slot,
    WeekLoad,
    contact_zones,
    schedule,
    summarise,
)

__all__ = [
    "QUANTILES",
    "WEEK",
    "LookSchedule",
    "Plan",
    "PlanInput",
    "PlanSender",
    "Progress",
    "Recommendation",
    "Retirement",
    "Schedule",
    "Slot",
    "StepForecast",
    "WeekLoad",
    "as_json",
    "check",
    "contact_zones",
    "parse_rate",
    "parse_rates",
    "parse_sender",
    "parse_start",
    "pick_sequence",
    "plan",
    "recommend",
    "schedule",
    "summarise",
]
