"""An agent's own controls: pausing low-severity nudges (when the managers allow it) and
`/coach settings`, what the coach applies to them and why. Needs no manager.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.mrkdwn import channel_ref, escape
from bot.slack.deps import Deps
from bot.slack.listeners.payloads import who
from bot.slack.manager_blocks import settings_page
from bot.slack.settings_views import ACTION_RESUME_LOW, SettingsPage, agent_settings_message, option_source
from bot.slack.views import ACTION_PAUSE_LOW, context, section


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_PAUSE_LOW)(partial(handle_pause, deps, True))
    app.action(ACTION_RESUME_LOW)(partial(handle_pause, deps, False))


def handle_pause(deps: Deps, paused: bool, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    """An agent's own choice: needs no manager, but pausing needs the managers' leave."""
    ack()
    user, team = who(body)
    if not user:
        return
    workspace = deps.store.workspace_settings(team)
    if paused and not workspace.pause_allowed(deps.settings.agent_pause):
        text = "Your managers have not turned on pausing low-severity nudges. *Snooze for today* is always there."
        respond(replace_original=False, response_type="ephemeral", text=text, blocks=[section(text)])
        return
    deps.store.set_low_pause(team, user, paused)
    assert deps.workspace is not None
    deps.workspace.invalidate(team)
    text = (
        "Low-severity nudges paused: you will still get the others. Those flags still count in team "
        "totals. `/coach settings` resumes them."
        if paused
        else "Low-severity nudges are back on."
    )
    respond(replace_original=True, response_type="ephemeral", text=text, blocks=[context(text)])


def agent_settings(deps: Deps, respond: Respond, user: str, team: str) -> None:
    """What applies to this agent, and why: snooze, pause, threshold, channels, mutes, allow list."""
    page = settings_page(deps, team)
    workspace = page.workspace
    allowed = workspace.pause_allowed(deps.settings.agent_pause)
    paused = workspace.low_paused(user, deps.settings.agent_pause)
    lines = [_snooze_line(deps, team, user), _pause_line(page, user, allowed, paused)]
    lines += _coaching_lines(page)
    lines.append(
        f"At most one nudge every {deps.settings.nudge_cooldown} seconds (`COACH_NUDGE_COOLDOWN`), "
        "so a busy hour is not a stream of notes."
    )
    respond(response_type="ephemeral", **agent_settings_message(lines, paused, allowed))


def _snooze_line(deps: Deps, team: str, user: str) -> str:
    until = deps.store.snoozed_until(team, user)
    if until is None:
        return "Nudges: on."
    fallback = f"{int(until)} (epoch seconds)"
    return f"Nudges: snoozed until <!date^{int(until)}^{{time}}|{fallback}>, because you pressed *Snooze for today*."


def _pause_line(page: SettingsPage, user: str, allowed: bool, paused: bool) -> str:
    source = option_source(page, "agent_pause")
    if paused:
        return "Low-severity nudges: paused by you (those flags still count in team totals)."
    if user in page.workspace.paused:
        return f"Low-severity nudges: on. You paused them, but your managers have turned pausing off ({source})."
    if allowed:
        return f"Low-severity nudges: on. You may pause them: your managers allow it ({source})."
    return f"Low-severity nudges: on. Pausing them is off ({source}); *Snooze for today* is always there."


def _coaching_lines(page: SettingsPage) -> list[str]:
    ws, env = page.workspace, page.env
    lines = []
    names = {"medium": "medium and high", "high": "high"}
    threshold = names.get(ws.threshold or "", "every severity")
    line = f"Severities nudged: {threshold}" + (" (set by your managers)." if ws.threshold else " (the default).")
    if ws.channel_thresholds:
        line += (
            " In "
            + ", ".join(f"{channel_ref(c)}: {names.get(s, 'every severity')}" for c, s in ws.channel_thresholds)
            + "."
        )
    lines.append(line)
    if ws.watched:
        watched = "Coached in " + ", ".join(channel_ref(c) for c in sorted(ws.watched)) + " (set by your managers)"
    elif env.channels:
        watched = "Coached in " + ", ".join(channel_ref(c) for c in sorted(env.channels)) + " (`COACH_CHANNELS`)"
    else:
        watched = "Coached in every channel the bot is in (the default)"
    if ws.ignored:
        watched += "; never in " + ", ".join(channel_ref(c) for c in sorted(ws.ignored))
    lines.append(watched + ".")
    if ws.mutes:
        lines.append(
            "Switched off by your managers: "
            + ", ".join(
                f"`{escape(m.rule)}` " + (f"in {channel_ref(m.channel)}" if m.channel else "everywhere")
                for m in sorted(ws.mutes, key=lambda m: (m.rule, m.channel))[:15]
            )
            + "."
        )
    if ws.allows:
        lines.append(
            "Phrases your team uses innocently, never nudged: "
            + ", ".join((f"/{escape(a.phrase)}/" if a.is_pattern else f"“{escape(a.phrase)}”") for a in ws.allows[:15])
            + "."
        )
    if ws.terms:
        lines.append(
            "Your team's own terms: " + ", ".join(f"“{escape(t.phrase)}” ({t.category})" for t in ws.terms[:15]) + "."
        )
    return lines
