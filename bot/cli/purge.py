"""``support-coach purge``: delete what is older than the retention period, audited."""

from __future__ import annotations

import time

import click

from bot.cli.common import days_option, existing_store
from bot.cli.state import State
from bot.timezones import DAY


@click.command()
@click.option("--older-than", "older_than", default=None, help="Age to keep (default COACH_RETENTION_DAYS, 90d).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None)
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Do not ask for confirmation (scripts, cron).")
@click.pass_obj
def purge(state: State, older_than: str | None, db_path: str | None, dry_run: bool, assume_yes: bool) -> None:
    """Delete flags, feedback and nudge records older than the retention period."""
    days = days_option(older_than, "--older-than") if older_than else state.settings.retention_days
    store = existing_store(state, db_path)
    cutoff = time.time() - days * DAY
    preview = store.purge_preview(cutoff)
    what = f"{preview['flags']} flags, {preview['feedback']} feedback, {preview['nudges']} nudge records"
    if dry_run:
        click.echo(f"Would purge data older than {days} days from {store.path}: {what}. Nothing deleted.")
        return
    if not assume_yes:
        click.confirm(f"Delete data older than {days} days from {store.path} ({what})?", abort=True, err=True)
    counts = store.purge(cutoff)
    store.audit("cli", "purge", days=days, **counts)  # type: ignore[arg-type]  # table names, never "team"
    click.echo(
        f"Purged data older than {days} days: {counts['flags']} flags, {counts['feedback']} feedback, "
        f"{counts['nudges']} nudge records."
    )
