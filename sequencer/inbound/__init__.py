"""Messages that arrive in a sender's INBOX.

The pure classifier lives in :mod:`sequencer.inbound.classify`; import from there::

    from sequencer.inbound.classify import Inbound, Kind, classify, fresh_text, return_date

(Nothing is re-exported here on purpose: a package attribute named ``classify`` would shadow
the ``classify`` submodule, breaking ``import sequencer.inbound.classify as ...`` and patching.)
"""
