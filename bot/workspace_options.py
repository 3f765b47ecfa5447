"""A workspace's options: who manages the coach, where and when the digest goes, the team's
time zone, and whether agents may pause their low-severity nudges. Pure: no I/O, no Slack.

The environment (COACH_MANAGERS, COACH_DIGEST_*, COACH_TZ, COACH_AGENT_PAUSE) gives the defaults for
a first start; a value set in Slack (or with the CLI) is kept in the store and wins. Every
surface that shows a value also says where it comes from, so ``resolve`` returns both.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.mrkdwn import CHANNEL_ID, USER_ID
from bot.schedule import Schedule
from bot.timezones import ZoneError, check_zone
from bot.workspace import SettingsError, WorkspaceSettings

OPTION_KEYS = ("managers", "digest_channel", "digest_schedule", "time_zone", "agent_pause")
ENV_NAMES = {
    "managers": "COACH_MANAGERS",
    "digest_channel": "COACH_DIGEST_CHANNEL",
    "digest_schedule": "COACH_DIGEST_SCHEDULE",
    "time_zone": "COACH_TZ",
    "agent_pause": "COACH_AGENT_PAUSE",
}
MAX_MANAGERS = 50


def validate_option(key: str, value: object) -> object:
    """The value as stored (JSON-ready), or SettingsError saying what is wrong with it."""
    if key == "managers":
        if not isinstance(value, list | tuple | set | frozenset) or not value:
            raise SettingsError("managers: name at least one person (or clear the setting to use the default)")
        ids = sorted({str(v).strip() for v in value})
        bad = [v for v in ids if not USER_ID.fullmatch(v)]
        if bad:
            raise SettingsError(f"managers: not Slack user IDs: {', '.join(bad[:5])}")
        if len(ids) > MAX_MANAGERS:
            raise SettingsError(f"managers: at most {MAX_MANAGERS} people")
        return ids
    if key == "digest_channel":
        channel = str(value).strip()
        if channel and not CHANNEL_ID.fullmatch(channel):
            raise SettingsError(f"digest channel: {channel!r} is not a Slack channel ID (empty: no digest)")
        return channel
    if key == "digest_schedule":
        try:
            Schedule.parse(str(value))
        except ValueError as exc:
            raise SettingsError(f"digest schedule: {exc}") from None
        return " ".join(str(value).split()).lower()
    if key == "time_zone":
        return valid_time_zone(str(value))
    if key == "agent_pause":
        if not isinstance(value, bool):
            raise SettingsError("agent pause: on or off")
        return value
    raise SettingsError(f"unknown option {key!r}; one of {', '.join(OPTION_KEYS)}")


def valid_time_zone(name: str) -> str:
    """An IANA time zone name ("Europe/Amsterdam", "UTC"), or SettingsError (bot.timezones decides,
    as it does for COACH_TZ, so the two accept the same names)."""
    name = name.strip()
    if not name or len(name) > 64 or ".." in name or name.startswith("/"):
        raise SettingsError(f"time zone {name!r}: use an IANA name such as Europe/Amsterdam or UTC")
    try:
        return check_zone(name)
    except ZoneError:
        raise SettingsError(
            f"time zone {name!r} is not known: use an IANA name such as Europe/Amsterdam or UTC"
        ) from None


@dataclass(frozen=True)
class Resolved:
    """An option's value in force and where it comes from."""

    value: object
    origin: str  # "workspace" (set in Slack or the CLI), "environment" or "default"
    env: str  # the variable that gives the default


def resolve(workspace: WorkspaceSettings, env: Settings) -> dict[str, Resolved]:
    """Every option as it applies now: the workspace's value, else the environment's, else built in."""
    defaults: dict[str, tuple[object, bool]] = {  # value, whether the environment set it
        "managers": (frozenset(env.managers), bool(env.managers)),
        "digest_channel": (env.digest_channel, bool(env.digest_channel)),
        "digest_schedule": (env.digest_schedule, env.digest_schedule != Settings.digest_schedule),
        "time_zone": (env.time_zone, env.time_zone != Settings.time_zone),
        "agent_pause": (env.agent_pause, env.agent_pause != Settings.agent_pause),
    }
    resolved = {}
    for key in OPTION_KEYS:
        mine = getattr(workspace, key)
        if mine is not None:
            resolved[key] = Resolved(mine, "workspace", ENV_NAMES[key])
        else:
            value, from_env = defaults[key]
            resolved[key] = Resolved(value, "environment" if from_env else "default", ENV_NAMES[key])
    return resolved


def digest_plan(workspace: WorkspaceSettings, env: Settings) -> tuple[str, Schedule, str]:
    """Where and when the digest goes now: (channel or "" for none, schedule, the team's zone name)."""
    options = resolve(workspace, env)
    try:
        schedule = Schedule.parse(str(options["digest_schedule"].value))
    except ValueError:  # only a hand-edited database gets here: the environment's schedule stands
        schedule = Schedule.parse(env.digest_schedule)
    return str(options["digest_channel"].value or ""), schedule, workspace.zone(env.time_zone)
