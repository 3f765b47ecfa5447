"""``support-coach demo``: the bundled sample team scanned (bot.flows.scan), then what a manager
sees and what three agents were told; nothing to configure, no network."""

from __future__ import annotations

import time

import click

from bot.cli.report import show_table
from bot.cli.state import State
from bot.coaching.nudge import nudge_text
from bot.flows.scan import open_scan
from bot.ingest.export import SAMPLE_EXPORT
from bot.models import Analysis, Flag
from bot.review.reports import agent_outcomes, build_report
from bot.timezones import DAY


@click.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default="support-coach-demo.db",
    show_default=True,
    help="Where the demo keeps its database.",
)
@click.pass_obj
def demo(state: State, db_path: str) -> None:
    """See it work with nothing configured: scan the bundled sample team, show the review and nudges."""
    coach = state.coach(llm=False)
    store = state.store(db_path)
    nudges: dict[str, list[tuple[Flag, Analysis]]] = {}
    with open_scan(SAMPLE_EXPORT) as job:
        export = job.export
        click.echo(
            click.style("support-coach demo", bold=True)
            + f": a fictional support team's Slack export ({len(export.channels)} channels, "
            f"{len(export.users)} people, {len(export.day_files)} channel-days), no Slack or network needed."
        )
        result = job.run(coach, store, on_finding=lambda f, a: nudges.setdefault(f.agent_name, []).append((f, a)))
    click.echo(result.summary() + "\n")
    last = max((f.created_at for f in store.flags(limit=1)), default=0.0)
    first = min((float(f.ts) for items in nudges.values() for f, _ in items), default=last)
    days = max(1, int(last // DAY) - int(first // DAY) + 1)
    data = build_report(store, days, now=last or None, tz=state.settings.time_zone)
    click.echo(click.style("What a manager sees", bold=True, underline=True))
    show_table(data, agent_outcomes(store, data))
    click.echo()
    click.echo(click.style("What agents were told, privately", bold=True, underline=True))
    for name, flag, analysis in _demo_examples(nudges):
        click.echo()
        click.echo(click.style(f"{name} wrote in #{flag.channel_name}:", bold=True) + f" {analysis.text}")
        click.echo("  " + nudge_text(analysis, coach.suggest(analysis.text, analysis)).replace("\n", "\n  "))
    click.echo()
    since_today = max(days, int(time.time() // DAY) - int(first // DAY) + 1)
    click.echo(
        f"The flags are in {db_path}; explore them with:\n"
        f"  support-coach report --db {db_path} --since {since_today}d --format markdown"
    )


def _demo_examples(nudges: dict[str, list[tuple[Flag, Analysis]]]) -> list[tuple[str, Flag, Analysis]]:
    """Three agents, each with a different kind of slip, so the demo shows the range."""
    picked: list[tuple[str, Flag, Analysis]] = []
    seen_categories: set[str] = set()
    for name in sorted(nudges, key=lambda n: -len(nudges[n])):
        for flag, analysis in sorted(nudges[name], key=lambda item: len(item[1].categories)):
            if analysis.categories[0] not in seen_categories:
                seen_categories.add(analysis.categories[0])
                picked.append((name, flag, analysis))
                break
        if len(picked) == 3:
            break
    return picked
