"""Reply rules, the last in the chain: a message no earlier rule took is a human reply when it
has a From address, and nothing usable when it has none. The answer carries the reply's fresh
text (:func:`~sequencer.inbound.fresh.fresh_text`).
"""

from __future__ import annotations

from sequencer.inbound.message import Parsed
from sequencer.inbound.verdict import Inbound, Kind

__all__ = ["human_reply", "no_sender"]


def no_sender(msg: Parsed) -> Inbound | None:
    """:attr:`Kind.OTHER` for a message without a From address: nobody to answer or stop."""
    if msg.from_address is not None:
        return None
    return msg.build(Kind.OTHER, "no From address", text=msg.text)


def human_reply(msg: Parsed) -> Inbound:
    """:attr:`Kind.REPLY`: the fallback, for any message with a sender that no rule took."""
    reason = "human reply" if msg.fresh else "human reply, no new text"
    return msg.build(Kind.REPLY, reason, text=msg.text)
