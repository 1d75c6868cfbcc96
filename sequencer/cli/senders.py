"""The ``senders`` group: check each sender's SMTP and IMAP login, and connect or disconnect an
OAuth2 mailbox.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from sequencer.cli.common import err, escape, friendly, out, read_config
from sequencer.config import OAuthSettings

senders_app = typer.Typer(help="Sender mailboxes.", no_args_is_help=True)


@senders_app.command("check")
@friendly
def senders_check(
    dns: Annotated[
        bool,
        typer.Option(
            "--dns",
            help="Instead of logging in, read each sender's domain in DNS (SPF covering the SMTP "
            "host, the DKIM key of dkim_selector, DMARC, MX) against what Gmail, Yahoo and "
            "Outlook require of bulk senders; exits 1 when something required is missing.",
        ),
    ] = False,
) -> None:
    """Try each sender's SMTP login (and IMAP, when a mailbox is polled) and say clearly what
    failed; then name each secret a sequence needs that is not set (a webhook step's signing
    secret...).

    A sender with auth = "oauth2" refreshes its access token first; one whose refresh token was
    refused says "reconnect this sender"."""
    import asyncio

    from sequencer.channels.smtp import check
    from sequencer.config.secrets import configured_secrets
    from sequencer.inbound.imap import ImapMailbox, MailboxError

    senders = list(read_config().senders.values())
    if not senders:
        err.print("[red]error:[/] no senders are configured (see examples/sequencer.toml)")
        raise typer.Exit(1)
    if dns:  # the sender's domain in DNS, instead of the logins (docs/mailboxes.md)
        from sequencer.cli.domains import check_dns

        raise typer.Exit(1 if check_dns(read_config()) else 0)
    failed = 0
    for sender in senders:
        problem = asyncio.run(check(sender))
        where = f"{sender.name} <{sender.email}> via {sender.smtp.host}:{sender.smtp.port}"
        if sender.smtp.oauth is not None:
            where += f" ({sender.smtp.oauth.mechanism.upper()})"
        if problem is None:
            out.print(f"[green]ok[/]     {where}")
        else:
            failed += 1
            out.print(f"[red]failed[/] {where}: {escape(problem)}")
        if sender.imap is None or (problem is not None and "reconnect this sender" in problem):
            continue
        where = f"{sender.name} <{sender.email}> inbox {sender.imap.host}:{sender.imap.port}"
        try:
            ImapMailbox(sender.imap).check()
        except MailboxError as exc:
            failed += 1
            out.print(f"[red]failed[/] {where}: {escape(exc.message)}")
        else:
            out.print(f"[green]ok[/]     {where}")
    for missing in configured_secrets(read_config(), logins=False):  # the sequences' secrets
        failed += 1
        out.print(f"[red]failed[/] {escape(str(missing))}", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


def _oauth_sender(name: str) -> OAuthSettings:
    sender = read_config().sender(name)
    if sender.smtp.oauth is None:
        err.print(
            f"[red]error:[/] sender {escape(name)} logs in "
            'with a password; set auth = "oauth2" (and '
            "provider) in its "
            + escape("[[senders]]")
            + " table to connect it with OAuth2 (see docs/mailboxes.md)"
        )
        raise typer.Exit(1)
    return sender.smtp.oauth


@senders_app.command("connect")
@friendly
def senders_connect(
    name: Annotated[
        str, typer.Argument(help="The sender to connect (its name in sequencer.toml).")
    ],
    no_browser: Annotated[
        bool,
        typer.Option(
            "--no-browser",
            help="Loopback flow: only print the sign-in address; open it yourself on this machine.",
        ),
    ] = False,
) -> None:
    """Sign in to a sender's Google Workspace or Microsoft 365 mailbox with OAuth2 and keep its
    refresh token.

    Microsoft (flow = device): enter the code shown here at the address shown, in any browser.

    Google (flow = loopback): a browser opens the consent page, which sends you back to 127.0.0.1
    (authorization code with PKCE).

    The refresh token is stored encrypted with the key in $SEQUENCER_TOKEN_KEY, in a 0600 file in
    the oauth token_dir; it is never printed or logged. See docs/mailboxes.md for the admin steps.
    """
    from sequencer import oauth

    settings = _oauth_sender(name)
    if settings.flow == "device":
        tokens = oauth.connect_device(
            settings, show=lambda text: out.print(escape(text), soft_wrap=True)
        )
    else:

        def open_url(url: str) -> None:
            out.print(f"open this address to sign in:\n{escape(url)}", soft_wrap=True)
            if not no_browser:
                import webbrowser

                webbrowser.open(url)

        tokens = oauth.connect_loopback(
            settings, open_url=open_url, login_hint=read_config().sender(name).email
        )
    minutes = max(0, int(tokens.expires_at - time.time())) // 60
    out.print(
        f"[green]connected[/] {name}: tokens stored in {settings.token_file} "
        f"(access token valid for {minutes} min, refreshed as needed)"
    )


@senders_app.command("disconnect")
@friendly
def senders_disconnect(
    name: Annotated[str, typer.Argument(help="The sender to disconnect.")],
) -> None:
    """Forget a sender's stored OAuth2 tokens. It cannot send or read its mailbox until connected
    again.
    (The grant itself is revoked in the Google or Microsoft account's security settings.)"""
    from sequencer import oauth

    settings = _oauth_sender(name)
    if oauth.disconnect(settings):
        out.print(f"disconnected {name}: its tokens are deleted")
    else:
        out.print(f"{name} was not connected: nothing to delete")


@senders_app.command("resume")
@friendly
def senders_resume(
    name: Annotated[str, typer.Argument(help="The sender to resume.")],
) -> None:
    """Lift a sender's hold (a refusal of its domain, the bounce guard, a configuration fault:
    `sequencer doctor` says why). Its waiting sends go out again; lifting is recorded."""
    from sequencer.cli.recovery import lift

    lift("sender", name, by="senders resume")
