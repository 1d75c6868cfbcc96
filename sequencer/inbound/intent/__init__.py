"""Reply intent: what a person's answer means for the campaign (positive, not interested, a
referral, an unsubscribe request, an out-of-office answer, or other).

:mod:`.lexicon` says what a language's word list holds; :mod:`.en`, :mod:`.fi`, :mod:`.sv` and
:mod:`.de` hold the lists; :mod:`.rules` holds the ordered rules that read a reply's new text
with them, and :func:`~sequencer.inbound.intent.rules.annotate`, which the classifier calls on
every answer. Pure: standard library only.
"""
