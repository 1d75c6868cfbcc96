"""The pure rules of the DNS checks: a domain's verdict from its records, role and disposable
addresses, SPF evaluated over given answers (mechanisms, includes, redirect, the 10 look-up
limit), DMARC and DKIM records read, the bulk-sender requirements, and ``[verify]`` parsed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sequencer.config import parse_config
from sequencer.errors import ConfigError
from sequencer.verify import rules
from sequencer.verify.bulk import SenderDomain, requirements
from sequencer.verify.records import (
    LookupFailed,
    check_spf,
    dkim_problem,
    parse_dmarc,
)
from sequencer.verify.rules import Flag, Verdict


@dataclass
class Zone:
    """DNS answers as a dict: the pure code's input (records.Lookups), no server involved."""

    records: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    asked: list[tuple[str, str]] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)

    def _get(self, name: str, kind: str) -> list[str]:
        self.asked.append((kind, name))
        if name in self.failing:
            raise LookupFailed("no answer in 1s")
        return self.records.get((name, kind), [])

    def txt(self, name: str) -> list[str]:
        return self._get(name, "TXT")

    def addresses(self, name: str) -> list[str]:
        return self._get(name, "A") + self._get(name, "AAAA")

    def mx_hosts(self, name: str) -> list[str]:
        return self._get(name, "MX")


def test_verdicts_from_mx_and_address_records() -> None:
    assert rules.from_mx("a.example", [(0, ".")]).verdict is Verdict.NULL_MX
    assert rules.from_mx("a.example", [(0, "")]).refused
    ok = rules.from_mx("a.example", [(20, "b.mx."), (10, "a.mx.")])
    assert ok is not None and ok.verdict is Verdict.OK and ok.detail == "MX 10 a.mx, MX 20 b.mx"
    assert rules.from_mx("a.example", []) is None  # the A and AAAA records decide
    assert rules.from_addresses("a.example", ["93.184.215.14"]).verdict is Verdict.OK
    # a loopback or private address is no mail host (as email-validator decides it)
    for local in (["127.0.0.1"], ["10.1.2.3", "::1"], []):
        assert rules.from_addresses("a.example", local).verdict is Verdict.NO_MAIL_HOST
    assert not rules.unknown("a.example", "timeout").refused


@pytest.mark.parametrize(
    ("address", "role"),
    [
        ("info@acme.example", True),
        ("No-Reply@acme.example", True),
        ("no_reply+x@acme.example", True),
        ("sales.team@acme.example", False),
        ("support@acme.example", True),
        ("jane@acme.example", False),
        ("infoman@acme.example", False),
    ],
)
def test_role_addresses(address: str, role: bool) -> None:
    assert rules.is_role(address.lower()) is role


def test_disposable_domains_come_from_the_maintained_list() -> None:
    assert rules.is_disposable("mailinator.com")
    assert rules.is_disposable("sub.mailinator.com")
    assert not rules.is_disposable("acme.example")
    flags = rules.flags("info@mailinator.com", "mailinator.com", None)
    assert flags == [Flag.ROLE, Flag.DISPOSABLE]
    unknown = rules.unknown("x.example", "timeout")
    assert rules.flags("jane@x.example", "x.example", unknown) == [Flag.UNKNOWN]


def test_lookup_domain_is_idna_ascii() -> None:
    assert rules.lookup_domain("x@straße.de") == "xn--strae-oqa.de"
    assert rules.lookup_domain("x@Acme.Example") == "acme.example"


def test_spf_mechanisms_include_and_redirect() -> None:
    zone = Zone(
        {
            ("acme.example", "TXT"): ["v=spf1 a mx/24 include:_spf.relay.example ~all"],
            ("acme.example", "A"): ["192.0.2.10"],
            ("acme.example", "MX"): ["mx.acme.example"],
            ("mx.acme.example", "A"): ["198.51.100.7"],
            ("_spf.relay.example", "TXT"): ["v=spf1 ip4:203.0.113.0/24 ip6:2001:db8::/32 -all"],
            ("other.example", "TXT"): ["v=spf1 redirect=acme.example"],
        }
    )
    assert check_spf("acme.example", "192.0.2.10", zone).detail == "a in acme.example"
    assert check_spf("acme.example", "198.51.100.200", zone).covers  # mx/24
    via = check_spf("acme.example", "203.0.113.5", zone)
    assert via.covers and "(ip4:203.0.113.0/24 in _spf.relay.example)" in via.detail
    assert check_spf("acme.example", "2001:db8::1", zone).covers
    assert check_spf("acme.example", "192.0.2.99", zone).result == "softfail"
    assert check_spf("other.example", "192.0.2.10", zone).covers
    assert check_spf("none.example", "192.0.2.10", zone).result == "none"


def test_spf_errors() -> None:
    chain = {(f"h{i}.example", "TXT"): [f"v=spf1 include:h{i + 1}.example -all"] for i in range(12)}
    chain[("h12.example", "TXT")] = ["v=spf1 +all"]
    too_deep = check_spf("h0.example", "192.0.2.1", Zone(chain))
    assert too_deep.result == "permerror" and "more than 10 DNS look-ups" in too_deep.detail
    two = Zone({("a.example", "TXT"): ["v=spf1 -all", "v=spf1 +all"]})
    assert check_spf("a.example", "192.0.2.1", two).result == "permerror"
    broken = Zone({("a.example", "TXT"): ["v=spf1 ip4:not-an-ip -all"]})
    assert check_spf("a.example", "192.0.2.1", broken).result == "permerror"
    silent = Zone({("a.example", "TXT"): ["v=spf1 include:b.example -all"]}, failing={"b.example"})
    assert check_spf("a.example", "192.0.2.1", silent).result == "temperror"


def test_dmarc_and_dkim_records() -> None:
    found = parse_dmarc(["v=DMARC1; p=quarantine; adkim=s"], "_dmarc.a.example")
    assert found is not None and (found.policy, found.adkim, found.aspf) == ("quarantine", "s", "r")
    assert parse_dmarc(["v=spf1 -all"], "_dmarc.a.example") is None
    with pytest.raises(ValueError, match="p=bogus"):
        parse_dmarc(["v=DMARC1; p=bogus"], "_dmarc.a.example")
    assert dkim_problem(["v=DKIM1; k=rsa; p=MIGf"], "s._domainkey.a.example") is None
    assert "revoked" in (dkim_problem(["v=DKIM1; p="], "s._domainkey.a.example") or "")
    assert "no DKIM key" in (dkim_problem([], "s._domainkey.a.example") or "")


def test_requirements_name_what_is_missing() -> None:
    spf = check_spf(
        "a.example", "192.0.2.1", Zone({("a.example", "TXT"): ["v=spf1 ip4:192.0.2.1 -all"]})
    )
    dmarc = parse_dmarc(["v=DMARC1; p=none"], "_dmarc.a.example")
    base = SenderDomain(
        sender="jane",
        domain="a.example",
        smtp_host="192.0.2.1",
        spf=[("192.0.2.1", spf)],
        dkim_selector="s",
        dmarc=dmarc,
        mx=rules.from_addresses("a.example", ["93.184.215.14"]),
        public_url="https://links.a.example",
    )
    rows = {r.check: r for r in requirements(base)}
    assert all(r.met for r in rows.values())
    assert "p=none only monitors" in rows["DMARC"].note
    bare = SenderDomain(
        sender="jane",
        domain="a.example",
        smtp_host="mail.a.example",
        spf=[],
        host_problem="mail.a.example has no A or AAAA record",
        mx=rules.from_mx("a.example", [(0, ".")]),
        public_url="http://127.0.0.1:8080",
    )
    missing = [r.check for r in requirements(bare) if not r.met]
    assert missing == ["SPF", "DKIM", "DMARC", "DMARC alignment", "one-click unsubscribe", "MX"]


def test_verify_settings_are_parsed_and_checked() -> None:
    config = parse_config(
        {"verify": {"enabled": True, "nameservers": ["127.0.0.1:5353", "::1"], "ttl": "1d"}}
    )
    assert config.verify.enabled
    assert config.verify.nameservers == (("127.0.0.1", 5353), ("::1", 53))
    assert config.verify.ttl.days == 1
    assert not parse_config({}).verify.enabled  # never a look-up by default
    for bad, where in (
        ({"nameservers": ["dns.example"]}, "verify.nameservers"),
        ({"enabled": "yes"}, "verify.enabled"),
        ({"concurrency": 0}, "verify.concurrency"),
        ({"ttl": "soon"}, "verify.ttl"),
        ({"tll": "1d"}, "did you mean 'ttl'"),
    ):
        with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
            parse_config({"verify": bad})


def test_dkim_selector_is_read_from_the_sender() -> None:
    sender = {"name": "jane", "email": "jane@a.example", "dkim_selector": "google"}
    assert parse_config({"senders": [sender]}).sender("jane").dkim_selector == "google"
    with pytest.raises(ConfigError, match="dkim_selector"):
        parse_config({"senders": [{**sender, "dkim_selector": "bad selector"}]})
