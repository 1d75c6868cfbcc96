"""The store facade's part for variants, scoring decisions and the report's aggregate queries:
each method one transaction (:class:`sequencer.store.repository.Store` inherits it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sequencer.store import reports, variants
from sequencer.store.tables import Decision, VariantState
from sequencer.store.transactions import Transactions
from sequencer.store.variants import Period


class VariantsAndReports(Transactions):
    """Variant states, their counts for scoring, decision rows, and the report's counts."""

    def retired_keys(self, sequence: str, step_key: str, factor: str) -> set[str]:
        return self._read(variants.retired_keys, sequence, step_key, factor)

    def variant_states(self) -> list[VariantState]:
        return self._read(variants.states)

    def set_variant_status(
        self,
        *,
        sequence: str,
        step_key: str,
        factor: str,
        key: str,
        status: str,
        reason: str,
        at: datetime,
    ) -> None:
        """Record a variant's status (retired by scoring, revived by a person)."""
        args = (sequence, step_key, factor, key, status, reason, at)
        self._write(variants.set_status, *args)

    def variant_stats(
        self, *, sequence: str, step_key: str, factor: str, until: datetime, metric: str,
        intents: Sequence[str] | None = None,
    ) -> dict[str, list[tuple[Period, int, int]]]:  # fmt: skip
        """Per variant key, per UTC day: (day, sends out by ``until``, of them with a ``metric``
        event)."""
        return self._read(variants.stats, sequence, step_key, factor, until, metric, intents)

    def guardrail_stats(self, *, sequence: str, step_key: str, factor: str, until: datetime) -> (
        dict[str, dict[str, list[tuple[Period, int, int]]]]
    ):  # fmt: skip
        """Per guardrail, per variant key, per UTC day: :func:`variants.guardrail_stats`."""
        return self._read(variants.guardrail_stats, sequence, step_key, factor, until)

    def combination_stats(
        self, *, sequence: str, step_key: str, until: datetime, intents: Sequence[str]
    ) -> dict[tuple[str, str], tuple[int, int]]:
        return self._read(variants.combination_stats, sequence, step_key, until, intents)

    def add_decisions(self, rows: Sequence[Decision]) -> None:
        self._write(variants.add_decisions, rows)

    def latest_decisions(self) -> dict[tuple[str, str, str, str], Decision]:
        """The most recent decision row of every variant."""
        return self._read(variants.latest_decisions)

    def step_counts(self) -> list[tuple[str, str, int, str, int]]:
        """(sequence, step_key, step_index, status, count) over all sends."""
        return self._read(reports.step_counts)

    def event_counts(self) -> list[tuple[str, str, str, int]]:
        """(sequence, step_key of the latest send before the event, event kind, count)."""
        return self._read(reports.event_counts)

    def enrollment_counts(self) -> list[tuple[str, str, str | None, int]]:
        """(sequence, status, stop_reason, count)."""
        return self._read(reports.enrollment_counts)

    def report_step_events(self) -> list[tuple[str, str, str, int]]:
        """(sequence, step_key, event kind, sends of that step with such an event)."""
        return self._read(reports.step_events)

    def report_stops(self) -> list[tuple[str, str | None, int | None, int]]:
        """(sequence, stop_reason, step_index of the last send before the stop, count)."""
        return self._read(reports.stops)

    def report_sender_days(self) -> list[tuple[str, str, int, int | None]]:
        """(sender, its local ISO date, sends counted against the cap, the cap then or None)."""
        return self._read(reports.sender_days)

    def report_first_message_flow(self) -> list[tuple[str, int, int, int]]:
        """(sender, quarter hour, message-1 emails queued in it, out of the queue in it)."""
        return self._read(reports.first_message_flow)

    def report_reply_delays(self, kind: str = "reply") -> list[tuple[int, int]]:
        """(whole hours from a send going out to a ``kind`` event credited to it, count)."""
        return self._read(reports.reply_delays, kind)

    def report_reply_intents(self) -> list[tuple[str, int]]:
        """(intent, replies with it), over every event that has an intent."""
        return self._read(reports.reply_intents)

    def report_complaints(self) -> list[tuple[str, int, int]]:
        """(sender, emails out, of them complained about through a feedback loop)."""
        return self._read(reports.sender_complaints)
