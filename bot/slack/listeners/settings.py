"""The team's settings from Slack: the managers' modals, the one-click fixes from feedback, and
an agent's own controls (pause low-severity nudges, `/coach settings`).

Nothing a payload says is trusted. Every action and every view submission asks again whether
the user is a manager of that workspace (the store's managers, else COACH_MANAGERS, else the
admins), so a forged submission from anyone else changes nothing and is recorded as refused.
Values are checked as the CLI checks them (bot.workspace, bot.workspace_options); each change
is one store call that writes its settings_audit row (who, what, before, after) in the same
transaction, and the manager gets a confirmation listing what changed.
"""

from __future__ import annotations

import json
import logging
import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError

from bot.coaching.team import known_rule_ids, validate_term
from bot.models import CATEGORIES, SEVERITIES
from bot.mrkdwn import CHANNEL_ID, USER_ID, channel_ref, escape, user_ref
from bot.review.digest import Schedule
from bot.slack.deps import Deps
from bot.slack.home_tab import publish_home, settings_page
from bot.slack.permissions import authorised
from bot.slack.settings_views import (
    ACTION_EDIT,
    ACTION_FIX_ALLOW,
    ACTION_FIX_MUTE_CHANNEL,
    ACTION_FIX_MUTE_EVERYWHERE,
    ACTION_RESUME_LOW,
    CALLBACK_PREFIX,
    FIX_ALLOW_GROUP,
    GROUPS,
    REFUSED_TEXT,
    SettingsPage,
    agent_settings_message,
    allow_key,
    checking_view,
    fix_allow_modal,
    option_source,
    refused_view,
    saved_view,
    settings_modal,
)
from bot.slack.views import ACTION_PAUSE_LOW, context, section
from bot.workspace import MAX_PHRASE, CustomTerm, Mute, SettingsError, allow_pattern, default_term_id
from bot.workspace_options import validate_option

log = logging.getLogger(__name__)

TEAM_ID = re.compile(r"T[A-Z0-9]{1,20}")  # the test workspace is "T1"
TERM_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,59}")
MAX_TIP = 500

Outcome = tuple[list[str], dict[str, str]]  # (changes made, errors by block id)


# --- shared pieces -------------------------------------------------------------------------


def _who(body: dict[str, Any]) -> tuple[str, str]:
    """The user and their workspace, "" for anything not shaped like a Slack id."""
    user, team = body.get("user"), body.get("team")
    user_id = user.get("id") if isinstance(user, dict) else ""
    team_id = team.get("id") if isinstance(team, dict) else ""
    user_id = user_id if isinstance(user_id, str) and USER_ID.fullmatch(user_id) else ""
    team_id = team_id if isinstance(team_id, str) and TEAM_ID.fullmatch(team_id) else ""
    return user_id, team_id


def _open(deps: Deps, body: dict[str, Any], view: dict[str, Any]) -> None:
    try:  # the trigger_id expires after 3 seconds: open right away
        deps.client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"))


def _refresh(deps: Deps, user: str, team: str) -> None:
    """After a change: the message path reads it now, and the manager's Home shows it."""
    assert deps.workspace is not None
    deps.workspace.invalidate(team)
    publish_home(deps, user, team)


def read_state(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted modal's inputs by block id: a string, a list of strings, or None."""
    values = (view.get("state") or {}).get("values") if isinstance(view, dict) else None
    found: dict[str, Any] = {}
    for block_id, actions in (values or {}).items():
        element = actions.get("value") if isinstance(actions, dict) else None
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind == "plain_text_input":
            value: Any = element.get("value")
        elif kind in ("static_select", "radio_buttons"):
            value = (element.get("selected_option") or {}).get("value")
        elif kind in ("multi_static_select", "checkboxes"):
            value = [o.get("value") for o in element.get("selected_options") or [] if isinstance(o, dict)]
        elif kind == "conversations_select":
            value = element.get("selected_conversation")
        elif kind == "multi_conversations_select":
            value = element.get("selected_conversations") or []
        elif kind == "multi_users_select":
            value = element.get("selected_users") or []
        elif kind == "timepicker":
            value = element.get("selected_time")
        else:
            continue
        found[str(block_id)] = value
    return found


def _text(state: dict[str, Any], key: str) -> str:
    value = state.get(key)
    return " ".join(value.split()) if isinstance(value, str) else ""


def _raw(state: dict[str, Any], key: str) -> str:
    value = state.get(key)
    return value.strip() if isinstance(value, str) else ""


def _strings(state: dict[str, Any], key: str) -> list[str]:
    value = state.get(key)
    return [v for v in value if isinstance(v, str)][:100] if isinstance(value, list) else []


def _channel(state: dict[str, Any], key: str, errors: dict[str, str]) -> str:
    value = state.get(key)
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not CHANNEL_ID.fullmatch(value):
        errors[key] = "Pick a channel from the list."
        return ""
    return value


# --- one function per group: check everything, then write ---------------------------------


def _save_mutes(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> Outcome:
    errors: dict[str, str] = {}
    rule = _text(state, "mute_rule")
    channel = _channel(state, "mute_channel", errors)
    if rule and rule not in known_rule_ids(deps.coach.rules, page.workspace):
        errors["mute_rule"] = "Pick a rule from the list."
    unmute = []
    for key in _strings(state, "unmute"):
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
        if _either_team(lambda t, n=name, w=where: deps.store.unmute_rule(n, w, team=t, actor=user), team):
            changes.append(f"Unmuted `{escape(name)}` " + (f"in {channel_ref(where)}" if where else "everywhere"))
    return changes, {}


def _either_team(remove: Any, team: str) -> bool:
    """Remove the row set for this workspace and the one set for every workspace (the CLI's
    default): both may exist, and leaving either would keep the setting in force."""
    ours = bool(remove(team))
    everyone = bool(team) and bool(remove(""))
    return ours or everyone


def _save_allows(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> Outcome:
    errors: dict[str, str] = {}
    phrase = _raw(state, "allow_phrase")
    is_pattern = "regex" in _strings(state, "allow_regex")
    rule = _text(state, "allow_rule")
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
    remove = [keys[k] for k in _strings(state, "disallow") if k in keys]
    if errors:
        return [], errors
    changes = []
    if phrase:
        done = deps.store.allow_phrase(phrase, is_pattern, rule, team=team, actor=user)
        shown = f"“{escape(phrase)}”" + (f" for `{escape(rule)}`" if rule else "")
        changes.append(f"Allowed {shown}" if done else f"{shown} was already allowed")
    for allow in remove:
        if _either_team(
            lambda t, a=allow: deps.store.disallow_phrase(a.phrase, a.is_pattern, a.rule, team=t, actor=user), team
        ):
            changes.append(f"Took “{escape(allow.phrase)}” off the allow list")
    return changes, {}


def _term_draft(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "term_phrase": _raw(state, "term_phrase"),
        "term_category": _text(state, "term_category"),
        "term_severity": _text(state, "term_severity"),
        "term_tip": _raw(state, "term_tip"),
        "term_rewrite": _raw(state, "term_rewrite"),
        "term_id": _text(state, "term_id"),
        "term_regex": "regex" in _strings(state, "term_regex"),
        "term_anchors": _raw(state, "term_anchors"),
        "term_examples": _raw(state, "term_examples"),
    }


def _term_from(draft: dict[str, Any], deps: Deps) -> tuple[CustomTerm | None, dict[str, str]]:
    """The quick checks, answered in the modal at once; validate_term does the slow ones."""
    phrase = str(draft["term_phrase"])
    if not phrase:
        return None, {}
    errors: dict[str, str] = {}
    if len(phrase) > MAX_PHRASE:
        errors["term_phrase"] = f"At most {MAX_PHRASE} characters."
    if draft["term_category"] not in CATEGORIES:
        errors["term_category"] = "Pick a category."
    if draft["term_severity"] not in SEVERITIES:
        errors["term_severity"] = "Pick a severity."
    tip = str(draft["term_tip"])
    if not tip or len(tip) > MAX_TIP:
        errors["term_tip"] = f"Say what to do instead, in at most {MAX_TIP} characters."
    rule_id = str(draft["term_id"] or default_term_id(phrase))
    if not TERM_ID.fullmatch(rule_id):
        errors["term_id"] = "Lower-case letters, digits and dashes, 2 to 60 of them."
    elif deps.coach.rules.get(rule_id) is not None:
        errors["term_id"] = f"{rule_id} is a rule of the rule files already: pick another id."
    anchors = tuple(a.strip().lower() for a in str(draft["term_anchors"]).split(",") if a.strip())
    examples = tuple(line.strip() for line in str(draft["term_examples"]).splitlines() if line.strip())[:20]
    if draft["term_regex"]:
        try:
            re.compile(phrase)
        except re.error as exc:
            errors["term_phrase"] = f"Not a valid regular expression: {exc}"
        if not anchors:
            errors["term_anchors"] = "A pattern needs at least one anchor word."
        if not examples:
            errors["term_examples"] = "A pattern needs at least one example it must flag."
    if errors:
        return None, errors
    return CustomTerm(
        rule_id,
        phrase,
        str(draft["term_category"]),
        str(draft["term_severity"]),
        tip,
        str(draft["term_rewrite"]) or None,
        bool(draft["term_regex"]),
        anchors,
        examples,
    ), {}


def _remove_terms(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> list[str]:
    ours = {t.rule_id for t in page.workspace.terms}
    changes = []
    for rule_id in _strings(state, "term_remove"):
        if rule_id in ours and _either_team(lambda t, r=rule_id: deps.store.remove_term(r, team=t, actor=user), team):
            changes.append(f"Removed the custom term `{escape(rule_id)}`")
    return changes


def _save_channels(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> Outcome:
    watched = {c for c in _strings(state, "watched") if CHANNEL_ID.fullmatch(c)}
    ignored = {c for c in _strings(state, "ignored") if CHANNEL_ID.fullmatch(c)}
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
    everywhere = _text(state, "threshold_all")
    if everywhere not in ("none", "low", "medium", "high"):
        errors["threshold_all"] = "Pick one."
    channel = _channel(state, "threshold_channel", errors)
    channel_severity = _text(state, "threshold_channel_severity")
    if channel and channel_severity not in ("none", "low", "medium", "high"):
        errors["threshold_channel_severity"] = "Pick what to nudge in that channel."
    elif channel_severity and not channel:
        errors["threshold_channel"] = "Pick the channel this is for."
    current = dict(page.workspace.channel_thresholds)
    remove = [c for c in _strings(state, "threshold_remove") if c in current]
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
    if "default" in _strings(state, "managers_default"):
        done = deps.store.set_option("managers", None, team=team, actor=user)
        return (["Managers: back to the default"] if done else []), {}
    people = sorted({u for u in _strings(state, "managers") if USER_ID.fullmatch(u)})
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
    if "default" in _strings(state, "digest_default"):
        changed = [key for key in keys if deps.store.set_option(key, None, team=team, actor=user)]
        return (["Digest: back to the environment's defaults"] if changed else []), {}
    errors: dict[str, str] = {}
    channel = "" if "off" in _strings(state, "digest_off") else _channel(state, "digest_channel", errors)
    day, time_of_day, zone = _text(state, "digest_day"), _text(state, "digest_time"), _text(state, "time_zone")
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
    choice = _text(state, "agent_pause")
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


def _save_fix_allow(
    deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage, metadata: str
) -> Outcome:
    try:
        rule = str(json.loads(metadata or "{}").get("rule") or "")
    except (ValueError, AttributeError):
        rule = ""
    scoped = "only" in _strings(state, "allow_only_rule")
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


# --- the listeners -------------------------------------------------------------------------


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_EDIT)(partial(handle_edit, deps))
    app.view(re.compile("^" + re.escape(CALLBACK_PREFIX)))(partial(handle_submitted, deps))
    app.action(ACTION_FIX_MUTE_CHANNEL)(partial(handle_fix_mute, deps, False))
    app.action(ACTION_FIX_MUTE_EVERYWHERE)(partial(handle_fix_mute, deps, True))
    app.action(ACTION_FIX_ALLOW)(partial(handle_fix_allow, deps))
    app.action(ACTION_PAUSE_LOW)(partial(handle_pause, deps, True))
    app.action(ACTION_RESUME_LOW)(partial(handle_pause, deps, False))


def handle_edit(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    user, team = _who(body)
    action = (body.get("actions") or [{}])[0]
    group = action.get("value") if isinstance(action, dict) else None
    if not authorised(deps, user, team, f"edit {group}"):
        _open(deps, body, refused_view())
        return
    if group not in GROUPS:
        log.info("Ignored an edit of an unknown settings group")
        return
    _open(deps, body, settings_modal(str(group), settings_page(deps, team)))


def handle_submitted(deps: Deps, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    user, team = _who(body)
    group = str(view.get("callback_id", ""))[len(CALLBACK_PREFIX) :]
    if not authorised(deps, user, team, f"save {group}"):
        ack(response_action="update", view=refused_view())
        return
    state = read_state(view)
    page = settings_page(deps, team)
    if group == "terms":
        _save_terms(ack, deps, body, team, user, state, page)
        return
    if group == FIX_ALLOW_GROUP:
        changes, errors = _save_fix_allow(deps, team, user, state, page, str(view.get("private_metadata") or ""))
    elif group in SAVERS:
        changes, errors = SAVERS[group](deps, team, user, state, page)
    else:
        ack()
        return
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack(response_action="update", view=saved_view(changes))
    if changes:
        _refresh(deps, user, team)


def _fix_target(deps: Deps, body: dict[str, Any], respond: Respond, what: str) -> tuple[str, str, str, str, str] | None:
    """(user, team, rule, channel, phrase) of a fix button pressed by a manager, on a rule that
    exists; None once the refusal (or an empty confirmation) is shown.

    The digest's buttons sit in a channel everyone reads: anyone else pressing one is told so
    in an ephemeral reply only they see (App Home and modals have no response_url: a modal)."""
    user, team = _who(body)
    if not authorised(deps, user, team, what):
        if body.get("response_url"):
            respond(
                replace_original=False, response_type="ephemeral", text=REFUSED_TEXT, blocks=[section(REFUSED_TEXT)]
            )
        else:
            _open(deps, body, refused_view())
        return None
    rule, channel, phrase = _fix_value(body)
    if rule not in known_rule_ids(deps.coach.rules, deps.store.workspace_settings(team)):
        _open(deps, body, saved_view([]))
        return None
    return user, team, rule, channel, phrase


def handle_fix_mute(deps: Deps, everywhere: bool, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    ack()
    target = _fix_target(deps, body, respond, "fix mute")
    if target is None:
        return
    user, team, rule, channel, _phrase = target
    if not everywhere and not channel:
        _open(deps, body, saved_view([]))
        return
    where = "" if everywhere else channel
    done = deps.store.mute_rule(rule, where, team=team, actor=user)
    shown = f"`{escape(rule)}` " + (f"in {channel_ref(where)}" if where else "everywhere")
    _open(deps, body, saved_view([f"Muted {shown}" if done else f"{shown} was already muted"]))
    if done:
        _refresh(deps, user, team)


def handle_fix_allow(deps: Deps, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    ack()
    target = _fix_target(deps, body, respond, "fix allow")
    if target is not None:
        _open(deps, body, fix_allow_modal(target[2], target[4][:MAX_PHRASE]))


def handle_pause(deps: Deps, paused: bool, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    """An agent's own choice: needs no manager, but pausing needs the managers' leave."""
    ack()
    user, team = _who(body)
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


def _fix_value(body: dict[str, Any]) -> tuple[str, str, str]:
    """(rule, channel, phrase) a fix button carries: pointers, checked by the caller."""
    try:
        data = json.loads(body["actions"][0]["value"])
        rule, channel, phrase = data.get("r", ""), data.get("c", ""), data.get("p", "")
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return "", "", ""
    channel = channel if isinstance(channel, str) and CHANNEL_ID.fullmatch(channel) else ""
    return (rule if isinstance(rule, str) else ""), channel, (phrase if isinstance(phrase, str) else "")


def _save_terms(
    ack: Ack, deps: Deps, body: dict[str, Any], team: str, user: str, state: dict[str, Any], page: SettingsPage
) -> None:
    """Custom terms: quick checks answer in the modal; the full check (it compiles with the
    rules, flags its examples, its rewrite is clean) takes longer than Slack's 3 s, so the
    modal says "checking" and is updated with the outcome."""
    draft = _term_draft(state)
    term, errors = _term_from(draft, deps)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    if term is None:
        changes = _remove_terms(deps, team, user, state, page)
        ack(response_action="update", view=saved_view(changes))
        if changes:
            _refresh(deps, user, team)
        return
    ack(response_action="update", view=checking_view())
    view_id = str((body.get("view") or {}).get("id") or "")
    try:
        validate_term(term, deps.coach.rules)
    except SettingsError as exc:
        _update(deps, view_id, settings_modal("terms", page, draft, error=f"Not saved: {exc}"))
        return
    deps.store.put_term(term, team=team, actor=user)
    changes = [
        f"Added the custom term `{escape(term.rule_id)}`: “{escape(term.phrase)}” ({term.category}, {term.severity})",
        *_remove_terms(deps, team, user, state, page),
    ]
    _update(deps, view_id, saved_view(changes))
    _refresh(deps, user, team)
    deps.coach.prepare(deps.settings_for(team))  # built now, not on the next message's time


def _update(deps: Deps, view_id: str, view: dict[str, Any]) -> None:
    try:
        deps.client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        log.warning("views.update failed: %s", exc.response.get("error"))


# --- /coach settings -----------------------------------------------------------------------


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
