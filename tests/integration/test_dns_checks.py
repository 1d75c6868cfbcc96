"""The DNS checks against a real DNS server (dnsmasq on loopback, started by ``tests/services.sh``
with one zone per case): ``import --verify`` refuses rows whose domain takes no mail and names
role and disposable addresses, keeps each verdict for the next import, and asks DNS nothing
unless told to; ``senders check --dns`` holds each sender's domain against what Gmail, Yahoo and
Outlook require of bulk senders. Every command runs as a person runs it, through the CLI.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dns_server import DnsServer

from sequencer import Engine
from sequencer.config import Config

LEADS = [
    # row (header = 1) -> address; the verdict each should get
    "ann@good.example",  # 2: MX: imported
    "bob@nullmx.example",  # 3: null MX: refused
    "cid@nomx.example",  # 4: no MX, no A: refused
    "dan@amx.example",  # 5: no MX, an A: imported
    "info@good.example",  # 6: role address: imported, flagged
    "eve@mailinator.com",  # 7: disposable: imported, flagged, never looked up
    "fay@nosuch.example",  # 8: no such domain: refused
    "not-an-address",  # 9: a bad row, as without --verify
    "gus@dmarcnone.example",  # 10: imported
    "hal@nospf.example",  # 11: imported (SPF and DMARC are the sender's business)
    "ida@nodmarc.example",  # 12: imported
]
IMPORTED = {
    "ann@good.example",
    "dan@amx.example",
    "info@good.example",
    "eve@mailinator.com",
    "gus@dmarcnone.example",
    "hal@nospf.example",
    "ida@nodmarc.example",
}
LOOKED_UP = {
    "good.example",
    "nullmx.example",
    "nomx.example",
    "amx.example",
    "nosuch.example",
    "dmarcnone.example",
    "nospf.example",
    "nodmarc.example",
}


def write_config(folder: Path, database_url: str, *, verify: str, senders: str = "") -> None:
    (folder / "sequencer.toml").write_text(
        f'database = "{database_url}"\n\n[verify]\n{verify}\n\n{senders}', encoding="utf-8"
    )


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m sequencer ARGS`` in ``folder`` (its sequencer.toml), as a person runs it."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "250"}
    env.pop("SEQUENCER_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "sequencer", *args],
        cwd=folder,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )


def stored(database_url: str) -> set[str]:
    with Engine(Config(database_url=database_url)) as engine:
        return {c.email for c in engine.store.contacts()}


@pytest.fixture
def leads(tmp_path: Path) -> Path:
    file = tmp_path / "leads.csv"
    file.write_text("email,first_name\n" + "".join(f"{a},X\n" for a in LEADS), encoding="utf-8")
    return file


def test_import_verify_refuses_rows_whose_domain_takes_no_mail_and_caches_verdicts(
    tmp_path: Path, database_url: str, dns_server: DnsServer, leads: Path
) -> None:
    write_config(tmp_path, database_url, verify=f'nameservers = ["{dns_server.address}"]')
    before = dns_server.position()
    done = cli(tmp_path, "import", "--verify", leads.name)
    assert done.returncode == 0, done.stderr
    # refused rows are listed with their row numbers, like any bad row; the rest are imported
    assert "row 3 (bob@nullmx.example): nullmx.example takes no mail (null MX, RFC 7505)" in (
        done.stderr
    )
    assert "row 4 (cid@nomx.example): nomx.example has no mail host" in done.stderr
    assert "row 8 (fay@nosuch.example): nosuch.example has no mail host" in done.stderr
    assert "row 9 (not-an-address): invalid address" in done.stderr
    assert "11 rows: 7 new, 0 updated, 4 skipped" in done.stdout
    assert "checked 8 domain(s): 8 looked up, 0 from the cache; 3 row(s) refused" in done.stdout
    assert "flagged 1 role address (a shared inbox, not a person): row 6 (info@good.example)" in (
        done.stdout
    )
    assert "flagged 1 disposable domain: row 7 (eve@mailinator.com)" in done.stdout
    assert stored(database_url) == IMPORTED
    asked = dns_server.queries(before)
    assert {name for kind, name in asked if kind == "MX"} == LOOKED_UP
    assert not [name for _, name in asked if "mailinator" in name]
    # no MX: the A (and AAAA) records decide, and only then
    assert ("A", "amx.example") in asked and ("A", "good.example") not in asked

    again = dns_server.position()
    second = cli(tmp_path, "import", "--verify", leads.name)
    assert second.returncode == 0, second.stderr
    assert "checked 8 domain(s): 0 looked up, 8 from the cache; 3 row(s) refused" in second.stdout
    assert "row 3 (bob@nullmx.example): nullmx.example takes no mail" in second.stderr
    assert dns_server.queries(again) == []  # every verdict came from the cache
    assert stored(database_url) == IMPORTED


def test_no_dns_query_unless_asked(tmp_path: Path, dns_server: DnsServer, leads: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    write_config(tmp_path, url, verify=f'nameservers = ["{dns_server.address}"]')
    before = dns_server.position()
    done = cli(tmp_path, "import", leads.name)
    assert done.returncode == 0, done.stderr
    assert dns_server.queries(before) == []
    assert "checked" not in done.stdout and "flagged" not in done.stdout
    assert stored(url) == IMPORTED | {
        "bob@nullmx.example",
        "cid@nomx.example",
        "fay@nosuch.example",
    }

    # [verify] enabled = true checks every import; --no-verify turns it off for one
    write_config(
        tmp_path, url, verify=f'enabled = true\nnameservers = ["{dns_server.address}"]\nttl = "0s"'
    )
    before = dns_server.position()
    assert cli(tmp_path, "import", "--no-verify", leads.name).returncode == 0
    assert dns_server.queries(before) == []
    checked = cli(tmp_path, "import", leads.name)
    assert "checked 8 domain(s): 8 looked up, 0 from the cache" in checked.stdout  # ttl 0s
    assert {n for k, n in dns_server.queries(before) if k == "MX"} == LOOKED_UP


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A UDP socket on loopback that reads nothing and answers nothing: every query times out."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def test_a_domain_dns_does_not_answer_is_kept_flagged_and_asked_again(
    tmp_path: Path, silent_server: str
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    write_config(tmp_path, url, verify=f'nameservers = ["{silent_server}"]\ntimeout = "0.5s"')
    file = tmp_path / "one.csv"
    file.write_text("email\nann@good.example\nbob@nullmx.example\n", encoding="utf-8")
    for _ in range(2):  # a failed look-up is not cached: the second import asks again
        done = cli(tmp_path, "import", "--verify", file.name)
        assert done.returncode == 0, done.stderr
        assert "2 rows: " in done.stdout and "0 skipped" in done.stdout
        assert "checked 2 domain(s): 2 looked up, 0 from the cache" in done.stdout
        assert "flagged 2 DNS did not answer (kept, not checked): row 2 (ann@good.example: " in (
            done.stdout
        )
        assert "good.example: no answer in 0.5s" in done.stdout
    assert stored(url) == {"ann@good.example", "bob@nullmx.example"}


def sender(name: str, email: str, *, host: str = "127.0.0.1", selector: str | None = "sel1") -> str:
    dkim = f'dkim_selector = "{selector}"\n' if selector else ""
    return (
        f'[[senders]]\nname = "{name}"\nemail = "{email}"\n{dkim}'
        f'smtp = {{ host = "{host}", port = 2525, security = "none" }}\n\n'
    )


HTTPS = '[http]\npublic_url = "https://links.good.example"\n\n'

# sender's address, SMTP host, DKIM selector -> checks missing, fragments of the table
SENDER_CASES = {
    "good": (
        "a@good.example",
        "127.0.0.1",
        "sel1",
        [],
        ["covers 127.0.0.1 (127.0.0.1) through mx"],
    ),
    "good-include": (
        "a@good.example",
        "127.0.0.2",
        "sel1",
        [],
        ["include:_spf.relay.example in good.example (ip4:127.0.0.2/32 in _spf.relay.example)"],
    ),
    "spf-not-covering": (
        "a@good.example",
        "127.0.0.9",
        "sel1",
        ["SPF"],
        ["fail for 127.0.0.9 (127.0.0.9): -all in good.example"],
    ),
    "no-spf": (
        "a@nospf.example",
        "127.0.0.1",
        "sel1",
        ["SPF"],
        ["nospf.example has no SPF record", "DKIM (adkim=r) align"],
    ),
    "dmarc-none": (
        "a@dmarcnone.example",
        "127.0.0.1",
        "sel1",
        [],
        ["p=none at _dmarc.dmarcnone.example", "p=none only monitors"],
    ),
    "no-dmarc": (
        "a@nodmarc.example",
        "127.0.0.1",
        "sel1",
        ["DMARC", "DMARC alignment"],
        ["no DMARC record at _dmarc.nodmarc.example"],
    ),
    "null-mx": (
        "a@nullmx.example",
        "127.0.0.1",
        "sel1",
        ["SPF", "DKIM", "DMARC", "DMARC alignment", "MX"],
        ["null MX (RFC 7505): takes no mail", "no DKIM key at sel1._domainkey.nullmx.example"],
    ),
    "no-mx": (
        "a@nomx.example",
        "127.0.0.1",
        "sel1",
        ["SPF", "DKIM", "DMARC", "DMARC alignment", "MX"],
        ["no MX and no A or AAAA record"],
    ),
    "no-selector": (
        "a@good.example",
        "127.0.0.1",
        None,
        ["DKIM"],
        ["no dkim_selector in this sender's configuration", "SPF (aspf=s) align"],
    ),
}


def test_senders_check_dns_names_what_bulk_senders_miss(
    tmp_path: Path, dns_server: DnsServer
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    tables = "".join(
        sender(case, email, host=host, selector=selector)
        for case, (email, host, selector, _, _) in SENDER_CASES.items()
    )
    write_config(
        tmp_path, url, verify=f'nameservers = ["{dns_server.address}"]', senders=HTTPS + tables
    )
    done = cli(tmp_path, "senders", "check", "--dns")
    assert done.returncode == 1, done.stdout + done.stderr
    for case, (email, _, _, missing, fragments) in SENDER_CASES.items():
        start = done.stdout.index(f"{case} <{email}>: ")
        summary = (
            f"{case}: missing {', '.join(missing)}\n"
            if missing
            else (f"{case}: meets every requirement\n")
        )
        end = done.stdout.index(summary, start)  # this sender's table ends with its summary
        table = done.stdout[start:end]
        for fragment in fragments:
            assert fragment in table, (case, fragment, table)
        assert "Gmail, Yahoo, Outlook" in table

    # a sender that meets every requirement alone: exit status 0
    write_config(
        tmp_path,
        url,
        verify=f'nameservers = ["{dns_server.address}"]',
        senders=HTTPS + sender("jane", "jane@good.example"),
    )
    alone = cli(tmp_path, "senders", "check", "--dns")
    assert alone.returncode == 0, alone.stdout + alone.stderr
    assert "jane: meets every requirement" in alone.stdout


def test_senders_check_dns_wants_an_https_unsubscribe_link(
    tmp_path: Path, dns_server: DnsServer
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    write_config(
        tmp_path,
        url,
        verify=f'nameservers = ["{dns_server.address}"]',
        senders=sender("jane", "jane@good.example") + sender("mia", "mia@nodmarc.example"),
    )
    done = cli(tmp_path, "senders", "check", "--dns")
    assert done.returncode == 1
    assert "jane: missing one-click unsubscribe" in done.stdout
    assert "[http] public_url is not set: RFC 8058 one-click unsubscribe needs an https link" in (
        done.stdout
    )
    assert "mia: missing DMARC, DMARC alignment, one-click unsubscribe" in done.stdout
