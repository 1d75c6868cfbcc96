"""The classifier's rules, one module per family: :mod:`.dsn` (bounces), :mod:`.auto_reply`
(out-of-office and other automatic mail), :mod:`.unsubscribe`, :mod:`.reply` and :mod:`.arf`
(feedback-loop complaints).

Two more rules, from the reply-intent word lists, sit in the chain after the unsubscribe rule:
see :mod:`sequencer.inbound.intent.rules`.

A rule is a :data:`Rule`: it takes the :class:`~sequencer.inbound.message.Parsed` message and
returns its :class:`~sequencer.inbound.verdict.Inbound` answer, or None to pass the message on
to the next rule. Rules are pure and independent: each reads only the message (its fresh text
is computed once, on first use), so adding one means writing the function and placing it in
:data:`sequencer.inbound.classify.RULES`, where the order is stated.
"""

from __future__ import annotations

from collections.abc import Callable

from sequencer.inbound.message import Parsed
from sequencer.inbound.verdict import Inbound

__all__ = ["Rule"]

Rule = Callable[[Parsed], Inbound | None]
