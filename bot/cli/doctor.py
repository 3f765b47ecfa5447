"""``support-coach doctor``: the setup checked one line each (bot.doctor does the checking)."""

from __future__ import annotations

import sys

import click

from bot.cli.state import State
from bot.config import ConfigError, Settings
from bot.doctor import FAIL, Check, run_checks

_STATUS_STYLE = {"ok": ("  ok", "green"), "fail": ("FAIL", "red"), "skip": ("  --", "yellow")}


@click.command()
@click.option(
    "--http", "http_mode", is_flag=True, help="Check HTTP mode even when SLACK_APP_TOKEN is set (as run --http)."
)
@click.pass_obj
def doctor(state: State, http_mode: bool) -> None:
    """Check the setup, one line each: tokens, Slack access and scopes, channels, database, rules, LLM.

    Exits 1 when any check fails; "--" marks a check that does not apply to this setup.
    """
    try:
        checks = run_checks(
            Settings.from_env(), http_mode=http_mode, rules_dir=state.rules_dir, rules_only=state.rules_only
        )
    except ConfigError as exc:
        checks = iter([Check("settings", FAIL, str(exc))])
    failed = total = 0
    for item in checks:
        label, colour = _STATUS_STYLE[item.status]
        click.echo(f"{click.style(label, fg=colour, bold=item.failed)}  {item.name:<26} {item.detail}")
        total += 1
        failed += item.failed
    if failed:
        click.echo(click.style(f"{failed} of {total} checks failed.", fg="red", bold=True))
        sys.exit(1)
    click.echo(click.style("Everything checks out.", fg="green", bold=True))
