"""What the engine does, by concern; the engine (the facade) only wires and delegates.

- :mod:`.deps`: what every service is given (store, config, clock, log, the sequences).
- :mod:`.catalog`: the loaded sequences: loading, look-up by name, validation.
- :mod:`.contacts`: importing contacts, finding one, and the suppression list.
- :mod:`.enrolling`: enrolling, the preview of a recipient's timeline, and chained sequences.
- :mod:`.running`: draining due sends, and fast-forwarding a simulated clock.
- :mod:`.stopping`: stops, goals, hooks, and the unsubscribe, open and click links.
- :mod:`.recovery`: uncertain and stuck sends (doctor, resend, mark-sent).
- :mod:`.holds`: holds a person lifts (refusals, the bounce guard, configuration faults).
- :mod:`.variants`: scoring looks, the variant table, reviving a variant.
- :mod:`.tasks`: LinkedIn and call tasks done by a person.
- :mod:`.erasure`: forgetting a person (GDPR).
- :mod:`.reports`: the per-step table and the full report.

Dispatch and the inbox have their own classes (:mod:`sequencer.dispatch`,
:mod:`sequencer.inbox`). A service is given its dependencies
(:class:`.deps.Deps`, or the same as arguments) and never imports the engine.
"""
