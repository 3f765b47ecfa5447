"""Saving a settings modal: one function per group that checks everything, then writes.

Each returns (the changes made, errors by block id): with any error nothing is written and
the modal shows the errors; each change is one store call that writes its audit row.
"""

from __future__ import annotations

import json
from typing import Any

from bot.coaching.team import known_rule_ids
from bot.mrkdwn import CHANNEL_ID, USER_ID, channel_ref, escape, user_ref
from bot.review.digest import Schedule
from bot.slack.deps import Deps
from bot.slack.listeners.settings.form import (
    Outcome,
    either_team,
    field_channel,
    field_raw,
    field_strings,
    field_text,
)
from bot.slack.settings_views import SettingsPage, allow_key
from bot.workspace import Mute, SettingsError, allow_pattern
from bot.workspace_options import validate_option


def _save_mutes(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> Outcome:
    errors: dict[str, str] = {}
    rule = field_text(state, "mute_rule")
    channel = field_channel(state, "mute_channel", errors)
    if rule and rule not in known_rule_ids(deps.coach.rules, page.workspace):
        errors["mute_rule"] = "Pick a rule from the list."
    unmute = []
    for key in field_strings(state, "unmute"):
        name, _, where = key.partition("|")
        if Mute(name, where) in page.workspace.mutes:
            unmute.append((name, where))
    if errors:
        return [], errors
    changes = []
    if rule:
        where = f"in {channel_ref(channel)}" if channel else "everywhere"
        done = deps.store.mute_rule(rule, channel, team=team, actor=user)
        changes.append(f"Muted `{escape(rule)}` {where}" if done else f"`{escape(rule)}` was already muted {where}")
    for name, where in unmute:
        if either_team(lambda t, n=name, w=where: deps.store.unmute_rule(n, w, team=t, actor=user), team):
            changes.append(f"Unmuted `{escape(name)}` " + (f"in {channel_ref(where)}" if where else "everywhere"))
    return changes, {}


def _save_allows(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> Outcome:
    errors: dict[str, str] = {}
    phrase = field_raw(state, "allow_phrase")
    is_pattern = "regex" in field_strings(state, "allow_regex")
    rule = field_text(state, "allow_rule")
    if phrase:
        try:
            allow_pattern(phrase, is_pattern)
        except SettingsError as exc:
            errors["allow_phrase"] = str(exc)[:300]
    elif rule or is_pattern:
        errors["allow_phrase"] = "Write the phrase to allow."
    if rule and rule not in known_rule_ids(deps.coach.rules, page.workspace):
        errors["allow_rule"] = "Pick a rule from the list."
    keys = {allow_key(a): a for a in page.workspace.allows}
    remove = [keys[k] for k in field_strings(state, "disallow") if k in keys]
    if errors:
        return [], errors
    changes = []
    if phrase:
        done = deps.store.allow_phrase(phrase, is_pattern, rule, team=team, actor=user)
        shown = f"“{escape(phrase)}”" + (f" for `{escape(rule)}`" if rule else "")
        changes.append(f"Allowed {shown}" if done else f"{shown} was already allowed")
    for allow in remove:
        if either_team(
            lambda t, a=allow: deps.store.disallow_phrase(a.phrase, a.is_pattern, a.rule, team=t, actor=user), team
        ):
            changes.append(f"Took “{escape(allow.phrase)}” off the allow list")
    return changes, {}


def _save_channels(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> Outcome:
    watched = {c for c in field_strings(state, "watched") if CHANNEL_ID.fullmatch(c)}
    ignored = {c for c in field_strings(state, "ignored") if CHANNEL_ID.fullmatch(c)}
    both = watched & ignored
    if both:
        return [], {"ignored": "A channel cannot be watched and ignored: " + ", ".join(sorted(both))}
    ws = page.workspace
    changes = []
    for channel in sorted(watched | ignored | ws.watched | ws.ignored):
        mode = "watch" if channel in watched else "ignore" if channel in ignored else None
        before = "watch" if channel in ws.watched else "ignore" if channel in ws.ignored else None
        if mode == before:
            continue
        deps.store.set_channel_mode(channel, mode, team=team, actor=user)
        if mode is None and team:
            deps.store.set_channel_mode(channel, None, team="", actor=user)  # set for every workspace
        changes.append(
            f"{channel_ref(channel)}: " + {"watch": "watched", "ignore": "ignored", None: "back to the default"}[mode]
        )
    return changes, {}


def _severity(value: str) -> str | None:
    return value if value in ("low", "medium", "high") else None


def _save_thresholds(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> Outcome:
    errors: dict[str, str] = {}
    everywhere = field_text(state, "threshold_all")
    if everywhere not in ("none", "low", "medium", "high"):
        errors["threshold_all"] = "Pick one."
    channel = field_channel(state, "threshold_channel", errors)
    channel_severity = field_text(state, "threshold_channel_severity")
    if channel and channel_severity not in ("none", "low", "medium", "high"):
        errors["threshold_channel_severity"] = "Pick what to nudge in that channel."
    elif channel_severity and not channel:
        errors["threshold_channel"] = "Pick the channel this is for."
    current = dict(page.workspace.channel_thresholds)
    remove = [c for c in field_strings(state, "threshold_remove") if c in current]
    if errors:
        return [], errors
    changes = []
    wanted = _severity(everywhere)
    before = page.workspace.threshold if page.workspace.threshold in ("medium", "high") else None
    if wanted != before:
        deps.store.set_threshold(wanted, team=team, actor=user)
        if wanted is None and team:
            deps.store.set_threshold(None, team="", actor=user)
        changes.append(f"Everywhere: {'every severity' if wanted is None else wanted + ' and above'} is nudged")
    if channel:  # "every severity" in one channel is a threshold of its own: low, whatever applies elsewhere
        severity = _severity(channel_severity) or "low"
        deps.store.set_threshold(severity, channel, team=team, actor=user)
        changes.append(
            f"{channel_ref(channel)}: {'every severity' if severity == 'low' else severity + ' and above'} is nudged"
        )
    for removed in remove:
        deps.store.set_threshold(None, removed, team=team, actor=user)
        if team:
            deps.store.set_threshold(None, removed, team="", actor=user)
        changes.append(f"{channel_ref(removed)}: back to the workspace's threshold")
    return changes, {}


def _save_managers(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> Outcome:
    if "default" in field_strings(state, "managers_default"):
        done = deps.store.set_option("managers", None, team=team, actor=user)
        return (["Managers: back to the default"] if done else []), {}
    people = sorted({u for u in field_strings(state, "managers") if USER_ID.fullmatch(u)})
    if not people:
        return [], {"managers": "Name at least one manager, or tick “Use the default”."}
    if user not in people:
        return [], {"managers": "Keep yourself in the list: another manager can take you off it."}
    try:
        done = deps.store.set_option("managers", people, team=team, actor=user)
    except SettingsError as exc:
        return [], {"managers": str(exc)[:300]}
    return ([f"Managers: {', '.join(user_ref(p) for p in people)}"] if done else []), {}


def _save_digest(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> Outcome:
    keys = ("digest_channel", "digest_schedule", "time_zone")
    if "default" in field_strings(state, "digest_default"):
        changed = [key for key in keys if deps.store.set_option(key, None, team=team, actor=user)]
        return (["Digest: back to the environment's defaults"] if changed else []), {}
    errors: dict[str, str] = {}
    channel = "" if "off" in field_strings(state, "digest_off") else field_channel(state, "digest_channel", errors)
    day, time_of_day, zone = (
        field_text(state, "digest_day"),
        field_text(state, "digest_time"),
        field_text(state, "time_zone"),
    )
    wanted: dict[str, object] = {
        "digest_channel": channel,
        "digest_schedule": f"{day} {time_of_day}",
        "time_zone": zone,
    }
    for key, block in (("digest_schedule", "digest_time"), ("time_zone", "time_zone")):
        try:
            wanted[key] = validate_option(key, wanted[key])
        except SettingsError as exc:
            errors[block] = str(exc)[:300]
    if errors:
        return [], errors
    changes = []
    labels = {"digest_channel": "Digest channel", "digest_schedule": "Digest schedule", "time_zone": "Team time zone"}
    for key in keys:  # only what differs from what applies now: an untouched field keeps its source
        if _same(key, wanted[key], page.options[key].value):
            continue
        deps.store.set_option(key, wanted[key], team=team, actor=user)
        shown = (
            channel_ref(str(wanted[key]))
            if key == "digest_channel" and wanted[key]
            else ("no digest" if key == "digest_channel" else escape(wanted[key]))
        )
        changes.append(f"{labels[key]}: {shown}")
    return changes, {}


def _same(key: str, wanted: object, current: object) -> bool:
    """Whether a digest field is unchanged ("Mon 09:00" from the environment is "mon 09:00")."""
    if key == "digest_schedule":
        try:
            return Schedule.parse(str(wanted)) == Schedule.parse(str(current))
        except ValueError:
            return False
    return wanted == current


def _save_agents(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> Outcome:
    choice = field_text(state, "agent_pause")
    if choice not in ("on", "off"):
        return [], {"agent_pause": "Pick one."}
    allowed = choice == "on"
    if allowed == page.options["agent_pause"].value:
        return [], {}
    deps.store.set_option("agent_pause", allowed, team=team, actor=user)
    return [
        (
            "Agents may now pause their low-severity nudges"
            if allowed
            else "Agents may no longer pause low-severity nudges"
        )
    ], {}


def save_fix_allow(
    deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage, metadata: str
) -> Outcome:
    try:
        rule = str(json.loads(metadata or "{}").get("rule") or "")
    except (ValueError, AttributeError):
        rule = ""
    scoped = "only" in field_strings(state, "allow_only_rule")
    if scoped and rule not in known_rule_ids(deps.coach.rules, page.workspace):
        return [], {"allow_only_rule": "That rule no longer exists: untick to allow the phrase for every rule."}
    return _save_allows(
        deps, team, user, {"allow_phrase": state.get("allow_phrase"), "allow_rule": rule if scoped else ""}, page
    )


SAVERS = {
    "mutes": _save_mutes,
    "allows": _save_allows,
    "channels": _save_channels,
    "thresholds": _save_thresholds,
    "managers": _save_managers,
    "digest": _save_digest,
    "agents": _save_agents,
}
