"""Coach a live message: is it ours to coach, is it flagged, store it, and should a nudge go.

The policy the message listener used to hold (a watched channel, not empty, not a request to
the bot, the team's mutes, allow list and thresholds through ``Coach.analyse``, an agent who
paused low-severity nudges) lives here; snooze and cooldown are decided with the flag in
``Store.add_flag_to_nudge``, through the ``FlagWriter`` that retries and spools. The flow says
what to send (a ``Nudge``); the Slack layer builds the message, sends it and counts it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.coaching.coach import Coach
from bot.config import Settings
from bot.models import Analysis, Suggestion
from bot.store import FlagWriter
from bot.workspace import WorkspaceSettings

UNWATCHED, EMPTY, MENTION = "unwatched", "empty", "mention"  # why a message was not coached
PAUSED = "paused"  # the hold-back Store.add_flag_to_nudge records for an agent's pause


class Directory(Protocol):
    """The people a flagged message names (bot.slack.people.People): redacted from the excerpt."""

    def names(self, users: Iterable[str]) -> list[str]: ...

    def display_name(self, user: str) -> str: ...


@dataclass(frozen=True)
class LiveMessage:
    """A new message in a channel, as the flow needs it (the Slack layer reads the event)."""

    team: str
    channel: str
    user: str
    text: str
    ts: str = ""
    thread_ts: str = ""
    permalink: str = ""
    mentions: tuple[str, ...] = ()  # user ids the message mentions: their names leave the excerpt
    bot_user: str = ""  # the bot's own user id: a message addressed to it is a request, not a reply


@dataclass(frozen=True)
class Nudge:
    """What to send the agent, privately: the flag it is about and a calmer version."""

    flag_id: int
    nudge_id: int
    analysis: Analysis
    suggestion: Suggestion | None
    pause: bool  # offer "Pause low-severity nudges" (managers allow it)


@dataclass(frozen=True)
class Stored:
    """The store's answer for a flagged message: a retry of one already stored, held back, or a nudge."""

    duplicate: bool = False
    severity: str | None = None  # the analysis's, for counting (every stored flag, nudged or not)
    held_back: str = ""  # "snoozed", "cooldown", "paused"
    nudge: Nudge | None = None


@dataclass(frozen=True)
class Seen:
    """What the flow did at once: ``ignored`` names why nothing was coached; ``analysis`` otherwise."""

    ignored: str = ""
    analysis: Analysis | None = None

    @property
    def flagged(self) -> bool:
        return self.analysis is not None and self.analysis.flagged


@dataclass(frozen=True)
class LiveCoach:
    """The parts a live message needs, built once by the surface that receives messages."""

    coach: Coach
    settings: Settings
    writer: FlagWriter
    people: Directory


def screen(message: LiveMessage, workspace: WorkspaceSettings, env_channels: frozenset[str]) -> str:
    """Why a message is not coached at all ("" when it is): before any detection, so it costs nothing."""
    if not workspace.watches(message.channel, env_channels):
        return UNWATCHED
    if not message.text.strip():
        return EMPTY
    if message.bot_user and f"<@{message.bot_user}>" in message.text:
        return MENTION  # a request to the bot: the mention surface answers it, once
    return ""


def coach_live_message(
    live: LiveCoach, message: LiveMessage, workspace: WorkspaceSettings, then: Callable[[Stored], None]
) -> Seen:
    """Screen, analyse and, when flagged, store the flag and decide its nudge.

    A clean message costs one analysis and nothing else. ``then`` gets the store's answer once
    the flag is stored: now, or after a retry from the writer's thread (bot.store.spool); a spooled
    flag is never nudged.
    """
    settings = live.settings
    ignored = screen(message, workspace, settings.channels)
    if ignored:
        return Seen(ignored=ignored)
    analysis = live.coach.analyse(message.text, workspace, message.channel)
    if not analysis.flagged:
        return Seen(analysis=analysis)
    people = live.people
    names = people.names([message.user, *message.mentions])  # the author's and the mentioned people's
    flag = live.coach.flag_for(
        analysis,
        team=message.team,
        channel=message.channel,
        ts=message.ts,
        agent=message.user,
        thread_ts=message.thread_ts,
        permalink=message.permalink,
        agent_name=people.display_name(message.user),
        known_names=names,
    )

    def stored(flag_id: int | None, nudge_id: int, held_back: str) -> None:
        if flag_id is None:
            then(Stored(duplicate=True))
        elif held_back:
            then(Stored(severity=analysis.severity, held_back=held_back))
        else:
            suggestion = live.coach.suggest(message.text, analysis, use_llm=False, workspace=workspace)
            then(
                Stored(
                    severity=analysis.severity,
                    nudge=Nudge(
                        flag_id, nudge_id, analysis, suggestion, pause=workspace.pause_allowed(settings.agent_pause)
                    ),
                )
            )

    paused = analysis.severity == "low" and workspace.low_paused(message.user, settings.agent_pause)
    live.writer.add_flag_to_nudge(flag, settings.nudge_cooldown, then=stored, hold=PAUSED if paused else "")
    return Seen(analysis=analysis)
