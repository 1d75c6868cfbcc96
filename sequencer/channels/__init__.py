"""Delivery channels. The contract is :class:`sequencer.channels.base.ChannelAdapter`."""

from sequencer.channels.base import ChannelAdapter, Delivery, Outcome, Result

__all__ = ["ChannelAdapter", "Delivery", "Outcome", "Result"]
