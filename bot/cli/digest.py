"""``support-coach digest``: the manager's digest printed, or posted with --post (the Slack layer
is imported then, and only then)."""

from __future__ import annotations

import click

from bot.cli.common import days_option, existing_store, options_team
from bot.cli.state import State
from bot.review.digest import digest_text, send_digest
from bot.review.fixes import feedback_fixes
from bot.review.reports import build_report
from bot.workspace_options import digest_plan


@click.command()
@click.option(
    "--post",
    is_flag=True,
    help="Post it to the digest channel: the one set in Slack, else "
    "COACH_DIGEST_CHANNEL (needs SLACK_BOT_TOKEN); with COACH_DIGEST_CHART=1 "
    "its chart too.",
)
@click.option("--since", default="7d", show_default=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None)
@click.option(
    "--team",
    default=None,
    help="Whose digest settings (team ID); default: the one workspace that has set any in Slack.",
)
@click.pass_obj
def digest(state: State, post: bool, since: str, db_path: str | None, team: str | None) -> None:
    """Print the digest (weekly or daily when the schedule is and --since matches), or post it with --post."""
    days = days_option(since, "--since")
    settings = state.settings
    if post:
        state.require("SLACK_BOT_TOKEN")
    store = existing_store(state, db_path)
    team = options_team(store) if team is None else team
    workspace = store.workspace_settings(team)
    channel, schedule, tz = digest_plan(workspace, settings)
    if post and not channel:
        raise click.ClickException(
            "no digest channel: set COACH_DIGEST_CHANNEL, or pick one in Slack "
            "(App Home → Settings → Digest and time zone)"
        )
    data = build_report(store, days, tz=tz)
    cadence = schedule.cadence if schedule.days == days else None
    fixes = feedback_fixes(store, data, workspace, team or None)  # the same as App Home's
    if not post:
        click.echo(digest_text(data, cadence, fixes))
        return
    from bot.slack.client import web_client  # only the Slack layer imports slack_sdk
    from bot.slack.digest_post import post_digest

    client = web_client(settings)
    try:
        send_digest(
            data, channel, lambda to, message: post_digest(client, to, message, settings.digest_chart), cadence, fixes
        )
    except Exception as exc:
        raise click.ClickException(f"could not post the digest: {exc}") from None
    store.audit("cli", "digest", team=team, channel=channel, days=days)
    click.echo(f"Digest posted to {channel}.")
