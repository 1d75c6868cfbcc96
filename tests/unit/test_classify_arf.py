"""Feedback-loop reports (ARF, RFC 5965) in the inbound classifier (issue 14, item 7).

The samples in tests/unit/inbound_samples/arf/ follow the shapes Yahoo's Complaint Feedback
Loop, Microsoft's JMRP and RFC 5965's own examples send, with made-up people and reserved
domains: the whole original message, only its headers, and headers with the recipient redacted
and no Message-ID. A feedback report of another type (``not-spam``) is no complaint.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from sequencer.inbound.classify import Kind, classify

SAMPLES = Path(__file__).parent / "inbound_samples" / "arf"
TODAY = datetime.date(2026, 12, 20)

CASES = {
    "yahoo_cfl_abuse.eml": (
        Kind.COMPLAINT,
        "abuse complaint (Yahoo!-Mail-Feedback/2.0)",
        ("<seq.c0ffee.2@acme.example>",),
        ("kiri.ngata@tasman.example",),
    ),
    "microsoft_jmrp_headers_only.eml": (
        Kind.COMPLAINT,
        "abuse complaint (Microsoft JMRP/1.0)",
        ("<seq.abc123.1@acme.example>",),
        ("tomas.berg@outlook.example",),
    ),
    "rfc5965_redacted_no_message_id.eml": (
        Kind.COMPLAINT,
        "abuse complaint",
        (),
        ("lena.holm@nordwind.example",),
    ),
    "not_spam_report.eml": (Kind.OTHER, "type 'not-spam': no complaint", (), ()),
}


def test_every_sample_has_a_case() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.eml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample(name: str) -> None:
    kind, reason, references, recipients = CASES[name]
    got = classify((SAMPLES / name).read_bytes(), today=TODAY)
    assert got.kind is kind, got.reason
    assert reason in got.reason
    if kind is Kind.COMPLAINT:
        # only the original's own Message-ID: the send it names is the one complained about
        assert got.references == references
        assert got.recipients == recipients
        assert got.message_id is not None and "acme.example" not in got.message_id


def test_a_delivery_report_is_still_a_bounce() -> None:
    raw = (Path(__file__).parent / "inbound_samples" / "bounce_postfix_dsn_hard.eml").read_bytes()
    assert classify(raw, today=TODAY).kind is Kind.BOUNCE


def test_a_feedback_report_part_outside_a_report_is_not_a_complaint() -> None:
    raw = (SAMPLES / "yahoo_cfl_abuse.eml").read_bytes()
    mixed = raw.replace(b"multipart/report; report-type=feedback-report", b"multipart/mixed")
    assert classify(mixed, today=TODAY).kind is not Kind.COMPLAINT
