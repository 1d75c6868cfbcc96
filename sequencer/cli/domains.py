"""What the DNS checks print: the summary of ``import --verify`` (domains checked, rows refused,
rows flagged) and the table of ``senders check --dns`` (each sender's domain against what Gmail,
Yahoo and Outlook require of bulk senders).
"""

from __future__ import annotations

from rich.table import Table

from sequencer.cli.common import escape, out
from sequencer.config import Config
from sequencer.services.verifying import Verification
from sequencer.verify.rules import Flag

#: How each flag is named in the import's summary.
_FLAG_NAMES = {
    Flag.ROLE: "role address (a shared inbox, not a person)",
    Flag.DISPOSABLE: "disposable domain",
    Flag.UNKNOWN: "DNS did not answer (kept, not checked)",
}
#: Rows listed per flag before "… and N more".
_SHOWN = 10


def verification_lines(found: Verification) -> list[str]:
    """The lines ``import --verify`` prints after the import's own summary."""
    refused = (
        f"; [red]{len(found.refused)} row(s) refused[/] (listed above)" if found.refused else ""
    )
    lines = [
        f"checked {found.domains} domain(s): {found.looked_up} looked up, "
        f"{found.cached} from the cache{refused}"
    ]
    for flag, name in _FLAG_NAMES.items():
        rows = found.rows_with(flag)
        if not rows:
            continue
        shown = ", ".join(
            f"{r.row} ({escape(r.email)}{': ' + escape(r.detail) if r.detail else ''})"
            for r in rows[:_SHOWN]
        )
        more = f" … and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
        lines.append(f"[yellow]flagged[/] {len(rows)} {name}: row {shown}{more}")
    return lines


def check_dns(config: Config) -> int:
    """Print each sender's table; returns how many senders miss a requirement."""
    from sequencer.verify.bulk import requirements
    from sequencer.verify.dns import Resolver

    resolver = Resolver(config.verify)
    failing = 0
    for sender in config.senders.values():
        found = resolver.sender_domain(sender, public_url=config.http.public_url)
        rows = requirements(found)
        table = Table(
            title=f"{escape(sender.name)} <{escape(sender.email)}>: {escape(found.domain)}, "
            f"sending through {escape(found.smtp_host)}",
            title_justify="left",
        )
        for column in ("check", "required by", "", "detail"):
            table.add_column(column)
        for row in rows:
            mark = "[green]ok[/]" if row.met else "[red]missing[/]"
            detail = escape(row.detail) + (f"\n[yellow]{escape(row.note)}[/]" if row.note else "")
            table.add_row(row.check, row.required_by, mark, detail)
        out.print(table)
        missing = [r.check for r in rows if not r.met]
        if missing:
            failing += 1
            out.print(f"[red]{escape(sender.name)}: missing {', '.join(missing)}[/]\n")
        else:
            out.print(f"[green]{escape(sender.name)}: meets every requirement[/]\n")
    return failing
