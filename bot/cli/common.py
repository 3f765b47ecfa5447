"""Options and checks several commands share: the database of a review, periods, --db/--team/--by."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.state import State
from bot.review.reports import PeriodError, known, parse_days
from bot.store import Store

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Database holding the workspace settings (default COACH_DB).",
)
TEAM_OPTION = click.option("--team", default="", help="Only this workspace (team ID); default: every workspace.")
BY_OPTION = click.option("--by", "actor", default=None, help="Who makes the change, for the audit (default cli:$USER).")


def actor_name(actor: str | None) -> str:
    """Who the audit says made a change: --by, else cli:$USER."""
    import getpass

    if actor:
        return actor
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        return "cli"


def existing_store(state: State, db_path: str | None) -> Store:
    """The database of a review; one that does not exist is an error, not a new empty file.

    Opening a mistyped path used to create it and print a report of zeros, which reads as
    "a calm week" rather than "wrong file".
    """
    path = Path(db_path) if db_path else state.settings.db_path
    if not path.expanduser().is_file():
        source = "--db" if db_path else "COACH_DB"
        raise click.ClickException(
            f"no database at {path} ({source}): nothing was ever stored there. Scan an export first "
            f"(support-coach scan EXPORT --db {path}), run the bot, or point --db at the right file."
        )
    return state.store(str(path))


def options_team(store: Store) -> str:
    """The workspace whose settings the CLI reads: the one that set options in Slack, else "" (everyone's)."""
    teams = store.option_teams()
    return teams[0] if len(teams) == 1 else ""


def days_option(value: str, option: str) -> int:
    """A period option ("7d", "2w") as days, or a usage error naming the option."""
    try:
        return parse_days(value)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _listing(names: dict[str, str], prefix: str = "", limit: int = 20) -> str:
    items = sorted(names.items(), key=lambda item: item[1].lower())
    shown = [f"{prefix}{name} ({key})" if name != key else f"{prefix}{key}" for key, name in items[:limit]]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(shown) + more if shown else "none (nothing flagged yet)"


def known_channel(store: Store, channel: str | None) -> str | None:
    """The channel as given (ID or name, with or without '#'), if the database knows it."""
    if not channel:
        return None
    channels = known(store, "channel")
    if channel in channels or channel.lstrip("#") in channels.values():
        return channel
    raise click.ClickException(f"no channel {channel!r} in {store.path}. Known channels: {_listing(channels, '#')}")


def known_agent(store: Store, agent: str | None) -> str | None:
    """The agent's user ID; a display name is accepted too (case aside) when it is unique."""
    if not agent:
        return None
    agents = known(store, "agent")
    if agent in agents:
        return agent
    by_name = [key for key, name in agents.items() if name.casefold() == agent.casefold()]
    if len(by_name) == 1:
        return by_name[0]
    raise click.ClickException(f"no agent {agent!r} in {store.path}. Known agents: {_listing(agents)}")
