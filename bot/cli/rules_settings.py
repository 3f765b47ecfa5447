"""The team's own settings from the terminal: custom terms, allowed phrases, mutes, channels,
thresholds; each change audited (--by), in the database the bot reads (--db, default COACH_DB)."""

from __future__ import annotations

import click

from bot.cli.common import BY_OPTION, DB_OPTION, TEAM_OPTION, actor_name
from bot.cli.state import State
from bot.coaching.team import known_rule_ids, validate_term
from bot.models import SEVERITIES
from bot.store import Store
from bot.workspace import CustomTerm, SettingsError, default_term_id


def _settings_store(state: State, db_path: str | None) -> Store:
    """The database to edit settings in: created when missing, so a team can set up before the first run."""
    return state.store(db_path)


def _known_rule_ids(state: State, store: Store, team: str) -> set[str]:
    """Ids a mute may name: the rules, the workspace's custom terms, learned-<category> and llm-judge."""
    return known_rule_ids(state.rules(), store.workspace_settings(team))


@click.command("add")
@click.argument("phrase")
@click.option("--category", required=True, type=click.Choice(["disparaging", "blame", "argumentative", "dismissive"]))
@click.option("--severity", required=True, type=click.Choice(SEVERITIES))
@click.option("--tip", required=True, help="What to do instead, shown to the agent.")
@click.option("--rewrite", "rewrite_text", default=None, help="Replacement for the phrase in suggestions.")
@click.option("--id", "rule_id", default=None, help="Rule id (default custom-<phrase>).")
@click.option("--regex", "is_pattern", is_flag=True, help="PHRASE is a regular expression (needs --anchor, --example).")
@click.option("--anchor", "anchors", multiple=True, help="With --regex: a word one of which must appear.")
@click.option("--example", "examples", multiple=True, help="A text the term must flag (default: the phrase).")
@DB_OPTION
@TEAM_OPTION
@BY_OPTION
@click.pass_obj
def rules_add(
    state: State,
    phrase: str,
    category: str,
    severity: str,
    tip: str,
    rewrite_text: str | None,
    rule_id: str | None,
    is_pattern: bool,
    anchors: tuple[str, ...],
    examples: tuple[str, ...],
    db_path: str | None,
    team: str,
    actor: str | None,
) -> None:
    """Add the team's own term, checked like a rule file (it compiles, its examples are flagged)."""
    if rule_id is None:
        rule_id = default_term_id(phrase)
    term = CustomTerm(rule_id, phrase, category, severity, tip, rewrite_text, is_pattern, anchors, examples)
    try:
        validate_term(term, state.rules())
    except SettingsError as exc:
        raise click.ClickException(f"not added: {exc}") from None
    store = _settings_store(state, db_path)
    store.put_term(term, team=team, actor=actor_name(actor))
    click.echo(f"added {rule_id} ({category}, {severity}) to {store.path}")


@click.command("allow")
@click.argument("phrase")
@click.option("--regex", "is_pattern", is_flag=True, help="PHRASE is a regular expression (case-insensitive).")
@click.option("--rule", "rule", default="", help="Only silence this rule's findings (default: any rule's).")
@click.option("--remove", is_flag=True, help="Take the phrase off the allow list.")
@DB_OPTION
@TEAM_OPTION
@BY_OPTION
@click.pass_obj
def rules_allow(
    state: State,
    phrase: str,
    is_pattern: bool,
    rule: str,
    remove: bool,
    db_path: str | None,
    team: str,
    actor: str | None,
) -> None:
    """Allow a phrase the team uses innocently: findings inside it are silenced."""
    store = _settings_store(state, db_path)
    if rule and rule not in _known_rule_ids(state, store, team):
        raise click.ClickException(f"unknown rule {rule!r} (support-coach rules list shows them)")
    if remove:
        done = store.disallow_phrase(phrase, is_pattern, rule, team=team, actor=actor_name(actor))
        click.echo(f"removed {phrase!r} from the allow list" if done else f"{phrase!r} was not on the allow list")
        return
    try:
        done = store.allow_phrase(phrase, is_pattern, rule, team=team, actor=actor_name(actor))
    except SettingsError as exc:
        raise click.ClickException(f"not allowed: {exc}") from None
    click.echo(f"allowed {phrase!r}" + (f" for {rule}" if rule else "") if done else f"{phrase!r} was already allowed")


@click.command("mute")
@click.argument("rule")
@click.option("--channel", default="", help="Only in this channel (ID); default: everywhere.")
@DB_OPTION
@TEAM_OPTION
@BY_OPTION
@click.pass_obj
def rules_mute(state: State, rule: str, channel: str, db_path: str | None, team: str, actor: str | None) -> None:
    """Switch a rule off everywhere or in one channel (learned-<category> mutes the learned stage's)."""
    store = _settings_store(state, db_path)
    if rule not in _known_rule_ids(state, store, team):
        raise click.ClickException(f"unknown rule {rule!r} (support-coach rules list shows them)")
    done = store.mute_rule(rule, channel, team=team, actor=actor_name(actor))
    where = f"in {channel}" if channel else "everywhere"
    click.echo(f"muted {rule} {where}" if done else f"{rule} was already muted {where}")


@click.command("unmute")
@click.argument("rule")
@click.option("--channel", default="", help="The channel it was muted in; default: the everywhere mute.")
@DB_OPTION
@TEAM_OPTION
@BY_OPTION
@click.pass_obj
def rules_unmute(state: State, rule: str, channel: str, db_path: str | None, team: str, actor: str | None) -> None:
    """Switch a muted rule back on."""
    store = _settings_store(state, db_path)
    done = store.unmute_rule(rule, channel, team=team, actor=actor_name(actor))
    where = f"in {channel}" if channel else "everywhere"
    if not done:
        raise click.ClickException(f"{rule} is not muted {where}")
    click.echo(f"unmuted {rule} {where}")


@click.command("channel")
@click.argument("channel")
@click.option(
    "--watch", "mode", flag_value="watch", help="Coach this channel (the watched list replaces COACH_CHANNELS)."
)
@click.option("--ignore", "mode", flag_value="ignore", help="Never coach or store anything from this channel.")
@click.option("--forget", "mode", flag_value="forget", help="Back to the default (COACH_CHANNELS).")
@DB_OPTION
@TEAM_OPTION
@BY_OPTION
@click.pass_obj
def rules_channel(
    state: State, channel: str, mode: str | None, db_path: str | None, team: str, actor: str | None
) -> None:
    """Watch or ignore a channel (by ID)."""
    if mode is None:
        raise click.UsageError("say --watch, --ignore or --forget")
    _settings_store(state, db_path).set_channel_mode(
        channel, None if mode == "forget" else mode, team=team, actor=actor_name(actor)
    )
    click.echo(f"{channel}: {mode}")


@click.command("threshold")
@click.argument("severity", type=click.Choice([*SEVERITIES, "none"]))
@click.option("--channel", default="", help="Only in this channel (ID); default: everywhere.")
@DB_OPTION
@TEAM_OPTION
@BY_OPTION
@click.pass_obj
def rules_threshold(
    state: State, severity: str, channel: str, db_path: str | None, team: str, actor: str | None
) -> None:
    """The lowest severity that is flagged and nudged ("none": every severity)."""
    _settings_store(state, db_path).set_threshold(
        None if severity == "none" else severity, channel, team=team, actor=actor_name(actor)
    )
    click.echo(f"threshold {severity} " + (f"in {channel}" if channel else "everywhere"))
