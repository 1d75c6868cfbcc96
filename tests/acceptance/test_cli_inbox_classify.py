"""``sequencer inbox classify`` as a subprocess: message files classified offline (no
configuration, no database), as a table or as JSON; a file that cannot be read or is not an
email is reported on its own and the others are still classified.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_texts import REPO, run

SAMPLES = REPO / "tests" / "unit" / "inbound_samples"

REFERRAL = """\
From: Ben Carter <ben.carter@northwind.example>
To: Anna <anna.myyja@acme.example>
Subject: Re: Pallet tracking
Message-ID: <ref-1@northwind.example>
Content-Type: text/plain; charset=utf-8

I'm not the right person. Please contact my colleague Matti Virtanen
(matti.virtanen@yritys.fi).

On Mon, 14 Dec 2026 at 9.02, Anna <anna.myyja@acme.example> wrote:
> Would you be interested in a call?
"""
FINNISH_OOO = """\
From: Päivi <paivi@rauta.example>
To: anna.myyja@acme.example
Subject: Vs: Lavaseuranta
Message-ID: <ooo-1@rauta.example>
Content-Type: text/plain; charset=utf-8

Olen lomalla 2.1. asti. Kiinnostuneet voivat olla yhteydessä myyntiimme.

ma 14.12.2026 klo 9.02 Anna <anna.myyja@acme.example> kirjoitti:
> Kiinnostaisiko lyhyt puhelu?
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "referral": tmp_path / "referral.eml",
        "ooo": tmp_path / "ooo [fi].eml",
        "picture": tmp_path / "picture.png",
        "missing": tmp_path / "missing.eml",
    }
    made["referral"].write_text(REFERRAL, encoding="utf-8")
    made["ooo"].write_text(FINNISH_OOO, encoding="utf-8")
    made["picture"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    return made


def test_json_lists_every_file_with_kind_intent_and_reason(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    args = [str(files[name]) for name in ("referral", "picture", "ooo", "missing")]
    done = run(tmp_path, "inbox", "classify", "--json", *args, str(SAMPLES / "unsub_finnish.eml"))
    assert done.returncode == 1  # two files could not be classified
    rows = json.loads(done.stdout)
    assert [row["file"] for row in rows] == [*args, str(SAMPLES / "unsub_finnish.eml")]
    for row in rows:
        assert {"file", "kind", "intent", "reason"} <= row.keys()
    referral, picture, ooo, missing, unsubscribe = rows
    assert (referral["kind"], referral["intent"]) == ("reply", "referral")
    assert referral["referred"] == "matti.virtanen@yritys.fi"
    assert (ooo["kind"], ooo["intent"]) == ("auto_reply", "auto_reply")
    assert ooo["return_date"] is not None and ooo["return_date"].endswith("-01-02")
    assert (unsubscribe["kind"], unsubscribe["intent"]) == ("unsubscribe", "unsubscribe")
    assert (picture["kind"], picture["intent"]) == (None, None)
    assert "not an email" in picture["error"]
    assert "cannot read" in missing["error"]
    assert f"{files['picture']}: not an email" in done.stderr
    assert f"{files['missing']}: cannot read" in done.stderr
    assert "Traceback" not in done.stderr


def test_plain_output_is_a_table_and_needs_no_configuration(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    assert not (tmp_path / "sequencer.toml").exists()
    done = run(tmp_path, "inbox", "classify", str(files["ooo"]), str(files["referral"]))
    assert done.returncode == 0, done.stderr
    for heading in ("file", "kind", "intent", "reason"):
        assert heading in done.stdout
    assert "ooo [fi].eml" in done.stdout  # brackets in a file name are printed, not markup
    assert "auto_reply" in done.stdout and "referral" in done.stdout
    assert not list(tmp_path.glob("*.db"))
