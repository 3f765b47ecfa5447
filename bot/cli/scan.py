"""``support-coach scan``: coach a Slack export into the store (bot.flows.scan), with a progress bar
on a terminal and every finding printed with --dry-run."""

from __future__ import annotations

import sqlite3
import sys

import click

from bot.cli.state import State
from bot.coaching.coach import Coach
from bot.coaching.nudge import spotted_line
from bot.flows.scan import Scan, open_scan
from bot.ingest.export import ExportError, Limits
from bot.ingest.scan import ScanResult
from bot.models import Analysis, Flag
from bot.store import Store


@click.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--channel", "channels", multiple=True, help="Only this channel name (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the findings; store nothing.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None, help="Database (default COACH_DB).")
@click.option(
    "--max-member-mb",
    type=click.IntRange(min=1),
    default=None,
    help="Refuse a file that expands beyond this (default COACH_SCAN_MAX_MEMBER_MB or 512).",
)
@click.option(
    "--max-total-mb",
    type=click.IntRange(min=1),
    default=None,
    help="Stop when the export expands beyond this (default COACH_SCAN_MAX_TOTAL_MB or 20480).",
)
@click.option(
    "--max-ratio",
    type=click.FloatRange(min=1),
    default=None,
    help="Refuse a zip member compressed more than this, a zip bomb (default COACH_SCAN_MAX_RATIO or 200).",
)
@click.pass_obj
def scan(
    state: State,
    path: str,
    channels: tuple[str, ...],
    dry_run: bool,
    db_path: str | None,
    max_member_mb: int | None,
    max_total_mb: int | None,
    max_ratio: float | None,
) -> None:
    """Coach every message of a Slack export (.zip or folder) and store the flags."""
    settings = state.settings
    limits = Limits(
        max_member_mb=max_member_mb or settings.scan_max_member_mb,
        max_total_mb=max_total_mb or settings.scan_max_total_mb,
        max_ratio=max_ratio or settings.scan_max_ratio,
    )
    coach = state.coach(llm=False)
    store = None if dry_run else state.store(db_path)
    try:
        with open_scan(path, channels, limits) as job:
            result = run_scan(job, coach, store, dry_run)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:  # locked by another process past the busy timeout, or full
        where = store.path if store is not None else "the database"
        raise click.ClickException(
            f"{where}: the database refused the flags ({exc}); the batches before "
            "were stored, run the scan again to add the rest (it skips what is stored)"
        ) from None
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(result.summary(dry_run))
    if result.stopped:
        raise click.ClickException(result.stopped)


def run_scan(job: Scan, coach: Coach, store: Store | None, dry_run: bool) -> ScanResult:
    """The scan, with a progress bar on a terminal; --dry-run prints each finding instead of storing it."""

    def show(flag: Flag, analysis: Analysis) -> None:
        where = f"#{flag.channel_name} {flag.ts} {flag.agent_name}"
        click.echo(f"{where}: {', '.join(flag.categories)} ({flag.severity}) · {spotted_line(analysis)}")

    on_finding = show if dry_run else None
    if sys.stderr.isatty():
        with click.progressbar(length=len(job.export.day_files), label="Scanning", file=sys.stderr) as bar:
            return job.run(coach, store, on_file=lambda _name: bar.update(1), on_finding=on_finding, audit_by="cli")
    return job.run(coach, store, on_finding=on_finding, audit_by="cli")
