"""Block Kit for the team's own settings: the App Home "Settings" section, one modal per group,
the confirmations, the "Allow this phrase" modal of a one-click fix (its buttons:
bot.slack.fix_views) and an agent's `/coach settings`.

Pure functions of a ``SettingsPage`` (what is set and who set it). Everything shown that came
from Slack or the store is escaped (bot.mrkdwn) and ids are rendered as mentions only when they
have Slack's id shape. What a modal sends back is read by bot/slack/listeners/settings/,
which trusts none of it: block ids and option values here are only what a form looks like.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.coaching.rules import RuleSet
from bot.coaching.team import stage_rule_ids
from bot.config import Settings
from bot.models import CATEGORIES
from bot.mrkdwn import USER_ID, channel_ref, escape, user_ref
from bot.slack.views import ACTION_PAUSE_LOW, Block, button, context, header, limit_blocks, section
from bot.workspace import MAX_PHRASE, Allow, WorkspaceSettings
from bot.workspace_options import Resolved

CALLBACK_PREFIX = "coach_settings:"
ACTION_EDIT = "coach_settings_edit"
ACTION_RESUME_LOW = "coach_resume_low"
FIX_ALLOW_GROUP = "fixallow"

GROUPS: dict[str, str] = {  # group -> modal title (Slack: at most 24 characters)
    "mutes": "Muted rules",
    "allows": "Allowed phrases",
    "terms": "Custom terms",
    "channels": "Channels",
    "thresholds": "Severity threshold",
    "managers": "Managers",
    "digest": "Digest and time zone",
    "agents": "Agent controls",
}
SEVERITY_CHOICES = (("none", "Every severity"), ("medium", "Medium and high"), ("high", "High only"))
DAYS = (
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
    ("daily", "Every day"),
)
MAX_LISTED = 12  # entries a Home summary names before "and N more"
MAX_OPTIONS = 100  # Slack: options in a select (or in one option group)

Origin = tuple[str, str, float]  # (team the row is for, actor, when): Store.setting_origins


@dataclass(frozen=True)
class SettingsPage:
    """What the settings screen shows: the settings in force and who set each."""

    workspace: WorkspaceSettings
    options: dict[str, Resolved]
    origins: dict[tuple[str, str], Origin]
    env: Settings
    rules: RuleSet  # the rules with the workspace's custom terms (for the rule pickers)


# --- small builders ------------------------------------------------------------------------


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": (text[: limit - 1] + "…") if len(text) > limit else text, "emoji": True}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text or value), "value": value[:150]}


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = True, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "optional": optional,
        "element": {**element, "action_id": "value"},
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def _text_input(
    initial: str = "", multiline: bool = False, max_length: int = MAX_PHRASE, placeholder: str = ""
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = _plain(placeholder, 150)
    return element


def _select(options: list[dict[str, Any]], initial: str | None = None, placeholder: str = "Choose") -> dict:
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": _plain(placeholder, 150),
        "options": options[:MAX_OPTIONS],
    }
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _multi(options: list[dict[str, Any]], placeholder: str = "Choose") -> dict[str, Any]:
    return {"type": "multi_static_select", "placeholder": _plain(placeholder, 150), "options": options[:MAX_OPTIONS]}


def _checkbox(value: str, text: str, checked: bool = False) -> dict[str, Any]:
    option = _option(text, value)
    element: dict[str, Any] = {"type": "checkboxes", "options": [option]}
    if checked:
        element["initial_options"] = [option]
    return element


def _conversation(initial: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "conversations_select",
        "placeholder": _plain("Pick a channel", 150),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if initial:
        element["initial_conversation"] = initial
    return element


def _conversations(initial: list[str]) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "multi_conversations_select",
        "placeholder": _plain("Pick channels", 150),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if initial:
        element["initial_conversations"] = sorted(initial)[:MAX_OPTIONS]
    return element


def _modal(group: str, blocks: list[Block], submit: str | None = "Save", metadata: str = "") -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": CALLBACK_PREFIX + group,
        "title": _plain(GROUPS.get(group, "Allow a phrase"), 24),
        "close": _plain("Cancel" if submit else "Close", 24),
        "blocks": limit_blocks(blocks, 100),
    }
    if submit:
        view["submit"] = _plain(submit, 24)
    if metadata:
        view["private_metadata"] = metadata[:3000]
    return view


def _listed(items: list[str], empty: str) -> str:
    if not items:
        return empty
    more = len(items) - MAX_LISTED
    return ", ".join(items[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


# --- where a value comes from --------------------------------------------------------------


def origin_text(origin: Origin | None) -> str:
    """Who set a stored value: a Slack user (a mention) or the CLI (its actor, escaped)."""
    if origin is None:
        return ""
    row_team, actor, at = origin
    when = f", {datetime.fromtimestamp(at).strftime('%Y-%m-%d')}" if at else ""
    who = f"set in Slack by {user_ref(actor)}" if USER_ID.fullmatch(actor) else f"set with the CLI ({escape(actor)})"
    return who + when + ("" if row_team else ", for every workspace")


def option_source(page: SettingsPage, key: str) -> str:
    resolved = page.options[key]
    if resolved.origin == "workspace":
        return origin_text(page.origins.get(("option", key))) or "set in Slack"
    if resolved.origin == "environment":
        return f"default from `{resolved.env}` (environment)"
    return f"built-in default (`{resolved.env}` not set)"


def _sources(page: SettingsPage, kind: str, keys: list[str]) -> str:
    """One line for a list: who set its entries (most entries first)."""
    counts: dict[str, int] = {}
    for key in keys:
        text = origin_text(page.origins.get((kind, key))).split(",")[0] or "set in the store"
        counts[text] = counts.get(text, 0) + 1
    return " · ".join(
        f"{text} ({n})" if len(counts) > 1 or n > 1 else text
        for text, n in sorted(counts.items(), key=lambda item: -item[1])
    )


def _mute_key(rule: str, channel: str) -> str:
    return f"{rule}|{channel}"


def allow_key(allow: Allow) -> str:
    """How an allow-list entry is named in the removal form's options and in the origins."""
    return f"{allow.phrase}|{int(allow.is_pattern)}|{allow.rule}"


def _mute_text(rule: str, channel: str) -> str:
    return f"`{escape(rule)}` " + (f"in {channel_ref(channel)}" if channel else "everywhere")


def _allow_text(allow: Allow) -> str:
    shown = f"/{escape(allow.phrase)}/ (pattern)" if allow.is_pattern else f"“{escape(allow.phrase)}”"
    return shown + (f" for `{escape(allow.rule)}`" if allow.rule else "")


# --- the App Home section ------------------------------------------------------------------


def settings_section(page: SettingsPage) -> list[Block]:
    """Managers only (the listener decides): each group, where its values come from, and Edit."""
    ws, env = page.workspace, page.env
    blocks: list[Block] = [
        {"type": "divider"},
        header("Settings"),
        context(
            "Only managers see this. A change reaches the next message within a second and is recorded "
            "in the audit trail. Values set here win over the environment, which gives the defaults."
        ),
    ]

    def group(name: str, body: str, source: str) -> None:
        blocks.append(
            {
                "type": "section",
                "block_id": f"settings_{name}",
                "text": {"type": "mrkdwn", "text": f"*{GROUPS[name]}*\n{body}"[:3000]},
                "accessory": button("Edit", ACTION_EDIT, name),
            }
        )
        if source:
            blocks.append(context(source))

    mutes = sorted(ws.mutes, key=lambda m: (m.rule, m.channel))
    group(
        "mutes",
        _listed([_mute_text(m.rule, m.channel) for m in mutes], "No rule is muted."),
        _sources(page, "mute", [_mute_key(m.rule, m.channel) for m in mutes]),
    )
    group(
        "allows",
        _listed([_allow_text(a) for a in ws.allows], "No phrase is allowed."),
        _sources(page, "allow", [allow_key(a) for a in ws.allows]),
    )
    group(
        "terms",
        _listed(
            [f"`{escape(t.rule_id)}`: “{escape(t.phrase)}” ({t.category}, {t.severity})" for t in ws.terms],
            "No custom terms.",
        ),
        _sources(page, "term", [t.rule_id for t in ws.terms]),
    )
    if ws.watched:
        watched = "Watched: " + _listed([channel_ref(c) for c in sorted(ws.watched)], "")
        watched_source = _sources(page, "channel", sorted(ws.watched))
    elif env.channels:
        watched = "Watched: " + _listed([channel_ref(c) for c in sorted(env.channels)], "")
        watched_source = "default from `COACH_CHANNELS` (environment)"
    else:
        watched, watched_source = "Watched: every channel the bot is in", "built-in default (`COACH_CHANNELS` not set)"
    ignored = "Ignored: " + _listed([channel_ref(c) for c in sorted(ws.ignored)], "none")
    ignored_source = _sources(page, "channel", sorted(ws.ignored))
    group(
        "channels",
        f"{watched}\n{ignored}",
        " · ".join(
            part
            for part in (f"watched: {watched_source}", f"ignored: {ignored_source}" if ignored_source else "")
            if part
        ),
    )
    everywhere = dict(SEVERITY_CHOICES).get(ws.threshold or "none", ws.threshold or "")
    shown = {"low": "every severity", "medium": "medium and high", "high": "high only"}
    per_channel = [f"{channel_ref(c)}: {shown.get(s, escape(s))}" for c, s in ws.channel_thresholds]
    threshold_keys = ([""] if ws.threshold else []) + [c for c, _s in ws.channel_thresholds]
    group(
        "thresholds",
        f"Everywhere: {escape(everywhere)}" + (f"\nPer channel: {_listed(per_channel, '')}" if per_channel else ""),
        _sources(page, "threshold", threshold_keys) or "built-in default: every severity is nudged",
    )
    managers = page.options["managers"]
    names = sorted(managers.value) if isinstance(managers.value, frozenset | list) else []
    group(
        "managers",
        _listed([user_ref(u) for u in names], "The workspace's admins and owners"),
        option_source(page, "managers"),
    )
    channel = str(page.options["digest_channel"].value or "")
    group(
        "digest",
        f"{channel_ref(channel) if channel else 'No digest'} · "
        f"{escape(str(page.options['digest_schedule'].value))}\n"
        f"Team time zone: {escape(str(page.options['time_zone'].value))} (reports' days, the digest's "
        "schedule, snooze for today)",
        f"channel: {option_source(page, 'digest_channel')} · schedule: {option_source(page, 'digest_schedule')}"
        f" · time zone: {option_source(page, 'time_zone')}",
    )
    allowed = bool(page.options["agent_pause"].value)
    group(
        "agents",
        ("Agents may pause their low-severity nudges" if allowed else "Agents may only snooze nudges for the day")
        + (f" ({len(ws.paused)} have paused them)" if ws.paused and allowed else ""),
        option_source(page, "agent_pause"),
    )
    return blocks


# --- the modals ----------------------------------------------------------------------------


def _rule_groups(page: SettingsPage) -> list[dict[str, Any]]:
    groups = []
    for category in CATEGORIES:
        options = [_option(r.id, r.id) for r in page.rules.rules if r.category == category and r.source != "workspace"]
        if options:
            groups.append({"label": _plain(category.capitalize()), "options": options[:MAX_OPTIONS]})
    terms = [_option(t.rule_id, t.rule_id) for t in page.workspace.terms]
    if terms:
        groups.append({"label": _plain("Custom terms"), "options": terms[:MAX_OPTIONS]})
    groups.append(
        {
            "label": _plain("Learned stage and judge"),
            "options": [_option(rule_id, rule_id) for rule_id in stage_rule_ids()],
        }
    )
    return groups


def _rule_select(page: SettingsPage, initial: str = "") -> dict[str, Any]:
    groups = _rule_groups(page)
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": _plain("Pick a rule", 150),
        "option_groups": groups,
    }
    chosen = next((o for g in groups for o in g["options"] if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def settings_modal(
    group: str, page: SettingsPage, draft: dict[str, Any] | None = None, error: str = ""
) -> dict[str, Any]:
    """The modal for one group; ``draft`` refills a form that came back with ``error``."""
    draft = draft or {}
    builder = _MODALS[group]
    blocks = builder(page, draft)
    if error:
        blocks.insert(0, section(f":warning: {escape(error)}"))
    return _modal(group, blocks)


def _mutes_modal(page: SettingsPage, draft: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        _input("mute_rule", "Mute a rule", _rule_select(page)),
        _input("mute_channel", "Only in this channel", _conversation(), hint="Leave empty to mute it everywhere."),
    ]
    current = sorted(page.workspace.mutes, key=lambda m: (m.rule, m.channel))
    if current:
        blocks.append(
            _input(
                "unmute",
                "Unmute",
                _multi(
                    [
                        _option(
                            m.rule + (f" in #{m.channel}" if m.channel else " everywhere"), _mute_key(m.rule, m.channel)
                        )
                        for m in current
                    ],
                    "Rules to switch back on",
                ),
            )
        )
    return blocks


def _allows_modal(page: SettingsPage, draft: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        _input(
            "allow_phrase",
            "Allow a phrase",
            _text_input(str(draft.get("allow_phrase") or ""), placeholder="e.g. layer 8"),
            hint="Findings inside this phrase are silenced. Exact words, any spacing, any case.",
        ),
        _input("allow_regex", "Pattern", _checkbox("regex", "It is a regular expression")),
        _input("allow_rule", "Only for this rule", _rule_select(page), hint="Leave empty for every rule."),
    ]
    if page.workspace.allows:
        blocks.append(
            _input(
                "disallow",
                "Remove",
                _multi(
                    [
                        _option(a.phrase + (f" ({a.rule})" if a.rule else ""), allow_key(a))
                        for a in page.workspace.allows
                    ],
                    "Phrases to take off the list",
                ),
            )
        )
    return blocks


def _terms_modal(page: SettingsPage, draft: dict[str, Any]) -> list[Block]:
    category = [_option(c.capitalize(), c) for c in CATEGORIES]
    severity = [_option(s.capitalize(), s) for s in ("low", "medium", "high")]
    blocks: list[Block] = [
        _input(
            "term_phrase",
            "Phrase",
            _text_input(str(draft.get("term_phrase") or ""), placeholder="e.g. ticket monkey"),
            hint="The words the coach should nudge about (or a regular expression, below).",
        ),
        _input("term_category", "Category", _select(category, draft.get("term_category"))),
        _input("term_severity", "Severity", _select(severity, draft.get("term_severity"))),
        _input(
            "term_tip",
            "Tip for the agent",
            _text_input(str(draft.get("term_tip") or ""), multiline=True, max_length=500),
        ),
        _input("term_rewrite", "Replacement in suggestions", _text_input(str(draft.get("term_rewrite") or ""))),
        _input(
            "term_id",
            "Rule id",
            _text_input(str(draft.get("term_id") or ""), max_length=60),
            hint="Default: custom-<phrase>.",
        ),
        _input(
            "term_regex",
            "Pattern",
            _checkbox("regex", "The phrase is a regular expression", bool(draft.get("term_regex"))),
        ),
        _input(
            "term_anchors",
            "Anchor words (patterns)",
            _text_input(str(draft.get("term_anchors") or "")),
            hint="A pattern needs words one of which must appear, comma-separated.",
        ),
        _input(
            "term_examples",
            "Examples it must flag",
            _text_input(str(draft.get("term_examples") or ""), multiline=True, max_length=2000),
            hint="One a line. Default: the phrase itself (a pattern needs one).",
        ),
    ]
    if page.workspace.terms:
        blocks.append(
            _input(
                "term_remove",
                "Remove",
                _multi(
                    [_option(f"{t.rule_id}: {t.phrase}", t.rule_id) for t in page.workspace.terms], "Terms to remove"
                ),
            )
        )
    return blocks


def _channels_modal(page: SettingsPage, draft: dict[str, Any]) -> list[Block]:
    default = (
        ("COACH_CHANNELS: " + ", ".join(sorted(page.env.channels)))
        if page.env.channels
        else "every channel the bot is in"
    )
    return [
        _input(
            "watched",
            "Watched channels",
            _conversations(sorted(page.workspace.watched)),
            hint=f"Only these are coached. Empty: the default ({default}).",
        ),
        _input(
            "ignored",
            "Ignored channels",
            _conversations(sorted(page.workspace.ignored)),
            hint="Never coached, nothing stored, whatever else is set.",
        ),
    ]


def _thresholds_modal(page: SettingsPage, draft: dict[str, Any]) -> list[Block]:
    choices = [_option(text, value) for value, text in SEVERITY_CHOICES]
    current = page.workspace.threshold if page.workspace.threshold in ("medium", "high") else "none"
    blocks: list[Block] = [
        _input(
            "threshold_all",
            "Nudge everywhere for",
            _select(choices, current),
            optional=False,
            hint="Lower severities are neither stored nor nudged.",
        ),
        _input("threshold_channel", "Set one channel apart", _conversation()),
        _input(
            "threshold_channel_severity",
            "…to nudge there for",
            _select([_option(text, value) for value, text in SEVERITY_CHOICES]),
        ),
    ]
    if page.workspace.channel_thresholds:
        blocks.append(
            _input(
                "threshold_remove",
                "Remove a channel's threshold",
                _multi([_option(f"#{c}: {s}", c) for c, s in page.workspace.channel_thresholds], "Channels"),
            )
        )
    return blocks


def _managers_modal(page: SettingsPage, draft: dict[str, Any]) -> list[Block]:
    current = page.options["managers"]
    element: dict[str, Any] = {"type": "multi_users_select", "placeholder": _plain("Pick people", 150)}
    if isinstance(current.value, frozenset | list) and current.value:
        element["initial_users"] = sorted(current.value)[:MAX_OPTIONS]
    default = "COACH_MANAGERS" if page.env.managers else "the workspace's admins and owners"
    return [
        section(f"Now: {escape(option_source(page, 'managers'))}."),
        _input(
            "managers",
            "Managers",
            element,
            hint="They see the team report and these settings. Keep yourself "
            "in the list; another manager can take you off it.",
        ),
        _input("managers_default", "Default", _checkbox("default", f"Use the default instead ({default})")),
    ]


def _digest_modal(page: SettingsPage, draft: dict[str, Any]) -> list[Block]:
    channel = str(page.options["digest_channel"].value or "")
    schedule = str(page.options["digest_schedule"].value).split()
    day, time_of_day = (schedule[0][:3], schedule[1]) if len(schedule) == 2 else ("mon", "09:00")
    if day in ("dai", "eve"):  # "daily 09:00" (or "every day"): the digest of the day before
        day = "daily"
    hour, _, minute = time_of_day.partition(":")
    days = [_option(text, value) for value, text in DAYS]
    return [
        _input("digest_channel", "Channel", _conversation(channel)),
        _input("digest_off", "No digest", _checkbox("off", "Do not post a digest")),
        _input("digest_day", "Day", _select(days, day), optional=False),
        _input(
            "digest_time", "Time", {"type": "timepicker", "initial_time": f"{int(hour):02d}:{minute}"}, optional=False
        ),
        _input(
            "time_zone",
            "Team time zone",
            _text_input(str(page.options["time_zone"].value), max_length=64),
            optional=False,
            hint="An IANA name, such as Europe/Amsterdam, America/New_York or UTC. Reports' "
            "days, the digest's time and snooze for today are read in it.",
        ),
        _input("digest_default", "Defaults", _checkbox("default", "Use the environment's defaults instead")),
    ]


def _agents_modal(page: SettingsPage, draft: dict[str, Any]) -> list[Block]:
    options = [
        _option("Agents may pause low-severity nudges", "on"),
        _option("Agents may only snooze for the day", "off"),
    ]
    initial = options[0] if page.options["agent_pause"].value else options[1]
    return [
        _input(
            "agent_pause",
            "Low-severity nudges",
            {"type": "radio_buttons", "options": options, "initial_option": initial},
            optional=False,
            hint="Paused agents' low-severity flags still count in team totals; they get no nudge for them.",
        ),
    ]


_MODALS = {
    "mutes": _mutes_modal,
    "allows": _allows_modal,
    "terms": _terms_modal,
    "channels": _channels_modal,
    "thresholds": _thresholds_modal,
    "managers": _managers_modal,
    "digest": _digest_modal,
    "agents": _agents_modal,
}


def fix_allow_modal(rule: str, phrase: str) -> dict[str, Any]:
    """ "Allow this phrase", prefilled from the redacted excerpt; the manager edits before saving."""
    blocks: list[Block] = [
        section(
            f"Agents often marked `{escape(rule)}` *Not helpful*. Allow the words it flagged, so findings "
            "inside them are silenced. Edit them first: keep only what the team says innocently."
        ),
        _input(
            "allow_phrase", "Phrase", _text_input(phrase[:MAX_PHRASE], placeholder="the words to allow"), optional=False
        ),
        _input("allow_only_rule", "Scope", _checkbox("only", f"Only for {rule}", checked=True)),
    ]
    return _modal(FIX_ALLOW_GROUP, blocks, metadata=json.dumps({"rule": rule}))


def saved_view(changes: list[str]) -> dict[str, Any]:
    """The confirmation a manager gets after saving."""
    if not changes:
        blocks = [section("Nothing changed.")]
    else:
        blocks = [
            section("*Saved*\n" + "\n".join(f"• {c}" for c in changes[:40])),
            context("Recorded in the audit trail (who, what, before, after). It applies to the next message."),
        ]
    return {
        "type": "modal",
        "callback_id": "coach_settings_saved",
        "title": _plain("Settings saved", 24),
        "close": _plain("Done", 24),
        "blocks": limit_blocks(blocks, 100),
    }


def checking_view() -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "coach_settings_checking",
        "title": _plain("Custom terms", 24),
        "close": _plain("Close", 24),
        "blocks": [section(":hourglass_flowing_sand: Checking the term against the rules and its examples…")],
    }


REFUSED_TEXT = "Settings are for the managers configured for support-coach. Nothing was changed."


def refused_message() -> dict[str, Any]:
    """The refusal as an ephemeral reply (a fix button pressed in the digest's channel)."""
    return {"text": REFUSED_TEXT, "blocks": [section(REFUSED_TEXT)]}


def refused_view() -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "coach_settings_refused",
        "title": _plain("Not allowed", 24),
        "close": _plain("Close", 24),
        "blocks": [section(REFUSED_TEXT)],
    }


# --- an agent's /coach settings ------------------------------------------------------------


def agent_settings_message(lines: list[str], paused: bool, allowed: bool) -> dict[str, Any]:
    """What applies to the agent and why, with Pause / Resume when it applies."""
    text = "*What the coach applies to you*\n" + "\n".join(f"• {line}" for line in lines)
    blocks: list[Block] = [section(text)]
    if paused:
        blocks.append(
            {
                "type": "actions",
                "block_id": "coach_agent",
                "elements": [button("Resume low-severity nudges", ACTION_RESUME_LOW, "resume", "primary")],
            }
        )
    elif allowed:
        blocks.append(
            {
                "type": "actions",
                "block_id": "coach_agent",
                "elements": [button("Pause low-severity nudges", ACTION_PAUSE_LOW, "pause")],
            }
        )
    blocks.append(
        context(
            "Nudges are private: only you see them. Your managers choose these settings; "
            "snoozing and pausing are yours."
        )
    )
    return {"text": "What the coach applies to you", "blocks": blocks}
