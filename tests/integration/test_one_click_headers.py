"""RFC 8058 in the messages really sent (issue 14, item 6): captured by a real SMTP server, an
email whose List-Unsubscribe carries an https link also has ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``; with only a ``mailto:`` (no ``[http] public_url``) it has not."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sending_rig import Rig, person

from sequencer.config import HttpSettings


@pytest.mark.parametrize(
    ("public_url", "one_click"), [("https://links.acme.example", True), (None, False)]
)
def test_post_header_only_with_an_https_link(
    rig_factory: Callable[..., Rig],
    monkeypatch: pytest.MonkeyPatch,
    public_url: str | None,
    one_click: bool,
) -> None:
    monkeypatch.setenv("SEQUENCER_HTTP_SECRET", "s" * 32)
    rig = rig_factory(config_extra={"http": HttpSettings(public_url=public_url)})
    rig.import_rows([person(i) for i in range(1, 3)])
    rig.engine.enroll("cold")
    rig.run(days=1)
    assert len(rig.smtp.messages) == 2
    for captured in rig.smtp.messages:
        header = captured.message["List-Unsubscribe"] or ""
        assert "<mailto:jane@acme.example?subject=unsubscribe>" in header
        assert ("<https://links.acme.example/u/" in header) is one_click
        post = captured.message["List-Unsubscribe-Post"]
        assert post == ("List-Unsubscribe=One-Click" if one_click else None)
