"""A plan as plain JSON values (``sequencer plan --json``): instants in ISO 8601 UTC, the inputs
by name.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

from sequencer.model import WEEKDAYS
from sequencer.planner.forecast import Plan
from sequencer.planner.power import Recommendation


def as_json(result: Plan, recommendation: Recommendation | None = None) -> dict[str, Any]:
    """The plan as plain JSON values: instants in ISO 8601 UTC, the inputs by name; with the
    audience :func:`~sequencer.planner.power.recommend` found, when given."""
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
        "covering_weeks": result.covering_weeks,
        "retirement": None if result.retirement is None else _plain(result.retirement),
        "recommendation": None if recommendation is None else _plain(recommendation),
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
