"""DNS checks, before anything is sent: recipient addresses on ``import --verify`` (does the domain
take mail at all?) and each sender's own domain on ``sequencer senders check --dns`` (SPF, DKIM,
DMARC, MX against what Gmail, Yahoo and Outlook require of bulk senders).

The rules are pure (:mod:`~sequencer.verify.rules` for addresses, :mod:`~sequencer.verify.records`
for SPF and DMARC records, :mod:`~sequencer.verify.bulk` for the bulk-sender requirements); only
:mod:`~sequencer.verify.dns` speaks DNS, through dnspython, and only when a check is asked for.
"""
