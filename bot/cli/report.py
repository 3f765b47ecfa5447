"""``support-coach report``: the manager's review in the terminal, a file or a chart; audited like
/coach report and App Home (bot.flows.report)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import days_option, existing_store, known_agent, known_channel, options_team
from bot.cli.state import State
from bot.console import terminal_width
from bot.flows.report import ReportRequest, audited_report
from bot.review.report_format import FORMATS, AgentOutcomes, render, render_rows_csv
from bot.review.reports import Report


@click.command()
@click.option(
    "--since",
    default="7d",
    show_default=True,
    help="Period: whole days ending today, in the team's zone (set in Slack, else COACH_TZ): 7d, 30d, 2w.",
)
@click.option("--channel", default=None, help="Only this channel (ID or name).")
@click.option("--agent", default=None, help="Only this agent (user ID, or display name).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default=None,
    help="table (the default), csv, json or markdown.",
)
@click.option("--rows", is_flag=True, help="CSV with one row per flag (the JSON report's flag fields) instead.")
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write the period's chart as a PNG (needs the [charts] extra).",
)
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None, help="Database (default COACH_DB).")
@click.pass_obj
def report(
    state: State,
    since: str,
    channel: str | None,
    agent: str | None,
    output_format: str | None,
    rows: bool,
    chart_path: str | None,
    db_path: str | None,
) -> None:
    """What was flagged: totals and trend, by category, channel, agent; outcomes; struggles."""
    days = days_option(since, "--since")
    if rows and output_format not in (None, "csv"):
        raise click.BadParameter("--rows writes CSV; leave out --format or use --format csv", param_hint="--rows")
    output_format = "csv" if rows else output_format or "table"
    if chart_path:  # before any work: without the [charts] extra, say so and what to install
        from bot.review.charts import ChartsUnavailable, require

        try:
            require()
        except ChartsUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    store = existing_store(state, db_path)
    channel = known_channel(store, channel)
    agent = known_agent(store, agent)
    tz = store.workspace_settings(options_team(store)).zone(state.settings.time_zone)
    request = ReportRequest(days, channel=channel, agent=agent, tz=tz, include_flags=output_format == "json")
    action = "export" if output_format in ("csv", "json") else "report"
    audited = audited_report(
        store,
        request,
        by="cli",
        action=action,
        outcomes=output_format in ("table", "markdown"),
        format="rows" if rows else output_format,
    )
    data = audited.report
    if rows:
        for line in render_rows_csv(store.iter_flags(data.period.start, data.period.end, channel, agent)):
            click.echo(line, nl=False)
    else:
        click.echo(render(data, output_format, width=terminal_width(), agents=audited.agents))
    if chart_path:
        from bot.review.charts import render_png

        Path(chart_path).write_bytes(render_png(data))
        click.echo(f"chart written to {chart_path}", err=True)


def show_table(report: Report, agents: AgentOutcomes | None) -> None:
    """The report as the terminal's table (``demo`` shows it the same way)."""
    click.echo(render(report, "table", width=terminal_width(), agents=agents))
