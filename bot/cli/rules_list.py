"""``support-coach rules list``: the rules, and with --source where each rule and setting comes from."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import DB_OPTION, TEAM_OPTION
from bot.cli.state import State
from bot.coaching.team import team_ruleset
from bot.console import table, terminal_width
from bot.workspace import WORKSPACE_SOURCE, WorkspaceSettings
from bot.workspace_options import resolve


@click.command("list")
@click.option("--category", type=click.Choice(["disparaging", "blame", "argumentative", "dismissive"]))
@click.option(
    "--source",
    "show_source",
    is_flag=True,
    help="Say where each rule and setting comes from: bundled, overlay file or workspace (--db).",
)
@DB_OPTION
@TEAM_OPTION
@click.pass_obj
def rules_list(state: State, category: str | None, show_source: bool, db_path: str | None, team: str) -> None:
    """List the rules: id, category, severity and tip (with --source: where each comes from)."""
    if not show_source:
        rows: list[tuple[str, ...]] = [
            (rule.id, rule.category, rule.severity, rule.tip)
            for rule in state.rules().rules
            if not category or rule.category == category
        ]
        click.echo(table(rows, headers=("rule", "category", "severity", "tip"), width=terminal_width()))
        return
    path = Path(db_path) if db_path else state.settings.db_path
    workspace = state.store(str(path)).workspace_settings(team) if path.expanduser().is_file() else WorkspaceSettings()
    where = "workspace"
    ruleset = team_ruleset(workspace, state.rules())
    rows = []
    for rule in ruleset.rules:
        if category and rule.category != category:
            continue
        muted = sorted(m.channel or "everywhere" for m in workspace.mutes if m.rule == rule.id)
        state_text = f"muted ({', '.join(muted)})" if muted else "on"
        rows.append((rule.id, rule.category, rule.severity, _rule_source(state, rule.source, where), state_text))
    click.echo(table(rows, headers=("rule", "category", "severity", "source", "state"), width=terminal_width(), wrap=4))
    settings_rows: list[tuple[str, str, str]] = []
    for mute in sorted(workspace.mutes, key=lambda m: (m.rule, m.channel)):
        if ruleset.get(mute.rule) is None:  # learned-*, llm-judge: not in the table above
            settings_rows.append(("mute", f"{mute.rule}" + (f" in {mute.channel}" if mute.channel else ""), where))
    for allow in workspace.allows:
        kind = "allow regex" if allow.is_pattern else "allow"
        settings_rows.append((kind, allow.phrase + (f" (rule {allow.rule})" if allow.rule else ""), where))
    for channel in sorted(workspace.watched):
        settings_rows.append(("watch", channel, where))
    for channel in sorted(workspace.ignored):
        settings_rows.append(("ignore", channel, where))
    env_channels = state.settings.channels
    if env_channels and not workspace.watched:
        settings_rows.append(("watch", ", ".join(sorted(env_channels)), "environment (COACH_CHANNELS)"))
    if workspace.threshold:
        settings_rows.append(("threshold", f"{workspace.threshold} (everywhere)", where))
    for channel, severity in workspace.channel_thresholds:
        settings_rows.append(("threshold", f"{severity} in {channel}", where))
    for key, resolved in resolve(workspace, state.settings).items():
        value = resolved.value
        shown = ", ".join(sorted(value)) if isinstance(value, frozenset | list) else str(value)
        source = {"workspace": where, "environment": f"environment ({resolved.env})"}.get(
            resolved.origin, "built-in default"
        )
        settings_rows.append((key.replace("_", " "), shown or "(none)", source))
    if settings_rows:
        click.echo("")
        click.echo(table(settings_rows, headers=("setting", "value", "source"), width=terminal_width(), wrap=1))
    click.echo(f"\nworkspace: the settings in {path}" + ("" if path.expanduser().is_file() else " (none yet)"))


def _rule_source(state: State, source: str, workspace: str) -> str:
    if source == WORKSPACE_SOURCE:
        return workspace
    if state.rules_only:
        return f"file {Path(state.rules_dir or '') / source}"
    if Path(source).is_absolute():
        return f"overlay {source}"
    return f"bundled {source}"
