"""Classify one raw message from a sender's INBOX: bounce, auto-reply, unsubscribe request or reply.

Pure: no I/O, no database, no network and no clock (today's date comes in as an argument).
Standard library only. :func:`classify` never raises: input that cannot be parsed comes back
as :attr:`Kind.OTHER` with a reason.

The message is parsed once (:mod:`sequencer.inbound.message`), then handed to each rule of
:data:`RULES` in order, in the manner of structlog's processors; the first rule that answers
wins, and a message no rule takes is a :attr:`Kind.REPLY`. The rules, by family:

0. **COMPLAINT** (:mod:`~sequencer.inbound.rules.arf`): an ARF feedback report (RFC 5965) of
   type ``abuse`` or ``fraud``: a recipient marked our message as spam. A feedback report of
   another type is :attr:`Kind.OTHER`.
1. **BOUNCE** (:mod:`~sequencer.inbound.rules.dsn`): an RFC 3464 delivery-status report, or a
   non-DSN failure notice recognised by its sender or subject. A delivery report without
   failures, or a success notification, is :attr:`Kind.OTHER`.
2. **AUTO_REPLY** (:mod:`~sequencer.inbound.rules.auto_reply`): ``Auto-Submitted`` other than
   ``no`` (RFC 3834), ``X-Autoreply`` / ``X-Autorespond`` / ``X-Autoresponder``,
   ``Precedence: auto_reply / bulk / junk / list``, a ``List-Id`` or ``List-Unsubscribe``
   header (mailing-list mail is not a person answering), an out-of-office subject (English,
   Finnish, Swedish, German), a ticket-system acknowledgement subject ("[Ticket #123]", "We
   have received your message", "Kiitos viestistäsi", ...), a body that opens with "This is an
   automated response", or a short body that quotes nothing and says near its start "out of
   office", "automatic reply", "away until", "lomalla", "poissa", "automaattinen vastaus", ...
   (an out-of-office answer that keeps the ``Re:`` subject and has no RFC 3834 header). The
   return date is read when one is given.
3. **OTHER** (:mod:`~sequencer.inbound.rules.reply`): no From address.
4. **UNSUBSCRIBE** (:mod:`~sequencer.inbound.rules.unsubscribe`): a human asking to be removed,
   in the first lines of the new text or as the whole subject.
5. **UNSUBSCRIBE** and **AUTO_REPLY** again (:mod:`~sequencer.inbound.intent.rules`): a
   removal asked for in the intent word lists' words ("älkää lähettäkö enää"), an out-of-office
   text in the opening of a reply that quotes us.
6. **REPLY** (:mod:`~sequencer.inbound.rules.reply`): anything else that parses and has a From
   address.

An absence read in a text (the body rules of 2 and 5) that the writer mentions in passing and
answers past ("I'm off on Friday, so let's do Thursday") is no answer: the rules after it read
the text (:func:`~sequencer.inbound.intent.aside.in_passing`); so is one told by a person who
sends us to someone else or declines, greeting our sender by name or telling of the referred
person's absence (:func:`~sequencer.inbound.intent.aside.someone_answers`).

Every answer then gets its :class:`Intent` (:func:`~sequencer.inbound.intent.rules.annotate`).
"""

from __future__ import annotations

import datetime

from sequencer.inbound.fresh import fresh_text
from sequencer.inbound.intent import aside
from sequencer.inbound.intent import rules as intent
from sequencer.inbound.message import Parsed, as_date, parse
from sequencer.inbound.rules import Rule, arf, auto_reply, dsn, reply, unsubscribe
from sequencer.inbound.rules.auto_reply import return_date
from sequencer.inbound.verdict import Inbound, Intent, Kind

__all__ = ["RULES", "Inbound", "Intent", "Kind", "classify", "fresh_text", "return_date"]

#: The rules in the order they are asked; the first answer wins.
RULES: tuple[Rule, ...] = (
    arf.feedback_report,
    dsn.delivery_report,
    dsn.failure_notice,
    auto_reply.auto_submitted,
    auto_reply.autoresponder_header,
    auto_reply.bulk_precedence,
    auto_reply.list_header,
    auto_reply.absence_subject,
    auto_reply.acknowledgement_subject,
    auto_reply.automated_body,
    auto_reply.absence_notice,
    reply.no_sender,
    unsubscribe.request,
    intent.removal_request,
    intent.absence_in_reply,
)


def classify(raw: bytes, *, today: datetime.date) -> Inbound:
    """Classify one raw RFC 5322 message. Never raises."""
    try:
        msg = parse(raw, today=as_date(today))
        if isinstance(msg, str):
            return Inbound(kind=Kind.OTHER, reason=msg)
        return _run(msg)
    except Exception as exc:  # malformed input must never escape as an exception
        return Inbound(kind=Kind.OTHER, reason=f"unparseable: {type(exc).__name__}")


#: The rules that read an absence in a text, which a person may write in passing: "I'm off on
#: Friday, so let's do Thursday" (:func:`~sequencer.inbound.intent.aside.in_passing`).
_BODY_ABSENCE = (auto_reply.absence_notice, intent.absence_in_reply)


def _run(msg: Parsed) -> Inbound:
    for rule in RULES:
        verdict = rule(msg)
        if verdict is None:
            continue
        if rule in _BODY_ABSENCE and (aside.in_passing(msg) or aside.someone_answers(msg)):
            continue  # a person answering: the rules after it read the text
        return intent.annotate(msg, verdict)
    return intent.annotate(msg, reply.human_reply(msg))
