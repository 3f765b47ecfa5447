"""Block Kit builders: pure functions from coaching data to Slack payloads.

Every builder stays inside Slack's limits (50 blocks a message, 100 in a Home tab or modal,
3,000 characters a section, 2,000 an action value) and every message also carries plain
fallback text for notifications and screen readers. Everything that came from Slack or an
export is escaped with bot.mrkdwn (the one boundary) and ids are rendered as ``<#…>`` or
``<@…>`` only when they have Slack's id shape.
"""

from __future__ import annotations

import json
from typing import Any

from bot.coaching.nudge import INTRO, nudge_text, spotted_line, suggestion_label
from bot.coaching.rules import RuleSet
from bot.models import Analysis, Suggestion
from bot.mrkdwn import escape

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION = 3000
MAX_VALUE = 2000

Block = dict[str, Any]

ACTION_HELPFUL = "coach_helpful"
ACTION_NOT_HELPFUL = "coach_not_helpful"
ACTION_WHY = "coach_why"
ACTION_SNOOZE = "coach_snooze"
ACTION_PAUSE_LOW = "coach_pause_low"  # bot/slack/listeners/settings/agent.py
SHORTCUT_CALLBACK = "coach_this_reply"


def _clip(text: str, limit: int = MAX_SECTION) -> str:
    """Within Slack's limit, never cutting an escaped ``&lt;`` in half."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&", len(cut) - 4)
    if amp >= 0 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(text, 2000)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": _clip(text, 150), "emoji": True}}


def button(text: str, action_id: str, value: str, style: str | None = None, confirm: Block | None = None) -> Block:
    """A button: its label within Slack's 75 characters, its value within MAX_VALUE, and an
    optional confirmation dialog."""
    label = text if len(text) <= 75 else text[:74] + "…"
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "action_id": action_id,
        "value": value[:MAX_VALUE],
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def limit_blocks(blocks: list[Block], maximum: int) -> list[Block]:
    if len(blocks) <= maximum:
        return blocks
    return [*blocks[: maximum - 1], context("(More was left out to fit Slack's limits.)")]


def action_value(flag_id: int | None, analysis: Analysis) -> str:
    """What the buttons carry: the flag and the rules, never the message text."""
    rules = list(dict.fromkeys(f.rule for f in analysis.findings))
    value = json.dumps({"f": flag_id, "r": rules}, separators=(",", ":"))
    while len(value) > MAX_VALUE and rules:
        rules.pop()
        value = json.dumps({"f": flag_id, "r": rules}, separators=(",", ":"))
    return value


def nudge_message(
    analysis: Analysis, suggestion: Suggestion | None, flag_id: int | None, pause: bool = False
) -> dict[str, Any]:
    """The private nudge: what, why, a better way, and the four buttons (five when managers
    let agents pause low-severity nudges)."""
    blocks: list[Block] = [section(f":wave: {INTRO}\n*{escape(spotted_line(analysis))}*")]
    why = "\n".join(f"• {escape(p)}" for p in analysis.principles)
    blocks.append(section(f"*Why it matters*\n{why}"))
    if suggestion is not None:
        quoted = escape(suggestion.text).replace("\n", "\n>")
        blocks.append(section(f"*{suggestion_label(suggestion)}*\n>{quoted}"))
    value = action_value(flag_id, analysis)
    blocks.append(
        {
            "type": "actions",
            "block_id": "coach_feedback",
            "elements": [
                button("Helpful", ACTION_HELPFUL, value, "primary"),
                button("Not helpful", ACTION_NOT_HELPFUL, value),
                button("Why?", ACTION_WHY, value),
                button("Snooze for today", ACTION_SNOOZE, value),
                *([button("Pause low-severity nudges", ACTION_PAUSE_LOW, "pause")] if pause else []),
            ],
        }
    )
    return {"text": escape(nudge_text(analysis, suggestion)), "blocks": limit_blocks(blocks, MAX_MESSAGE_BLOCKS)}


def suggestion_message(analysis: Analysis, suggestion: Suggestion | None) -> dict[str, Any]:
    """The answer to /coach, a DM, a mention or the shortcut."""
    if not analysis.flagged or suggestion is None:
        text = ":white_check_mark: This reads well: calm, clear and about the solution. Send it."
        return {"text": text, "blocks": [section(text)]}
    blocks: list[Block] = [section(f"*{escape(spotted_line(analysis))}*")]
    for finding in analysis.findings[:10]:
        blocks.append(section(f"• “{escape(finding.match)}”: {escape(finding.tip)}"))
    blocks.append(section(f"*{suggestion_label(suggestion)}*\n```{escape(suggestion.text)}```"))
    kind = "AI-assisted rewrite, checked by the coach" if suggestion.source == "llm" else "rule-based rewrite"
    blocks.append(context(" · ".join(escape(p) for p in analysis.principles) + f" · _{kind}_"))
    return {"text": escape(nudge_text(analysis, suggestion)), "blocks": limit_blocks(blocks, MAX_MESSAGE_BLOCKS)}


def why_modal(rule_ids: list[str], rules: RuleSet) -> dict[str, Any]:
    blocks: list[Block] = [
        section(
            "Here's the thinking behind the nudge. It's about the customer's experience, "
            "not about you: everyone slips when a day gets long."
        )
    ]
    for rule_id in rule_ids[:20]:
        rule = rules.get(rule_id)
        if rule is None:
            continue
        blocks.append({"type": "divider"})
        blocks.append(section(f"*{escape(rule.principle)}*\n{escape(rule.tip)}"))
        if rule.rewrite_sentence:
            blocks.append(context(f"For example: “{escape(rule.rewrite_sentence)}”"))
    blocks.append(context("Think the coach got it wrong? Press *Not helpful*: it tells us which rule to fix."))
    return {
        "type": "modal",
        "callback_id": "coach_why_modal",
        "title": {"type": "plain_text", "text": "Why this nudge"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": limit_blocks(blocks, MAX_VIEW_BLOCKS),
    }


HELP_TEXT = (
    "*support-coach* helps you keep replies calm, clear and about the solution.\n"
    "• `/coach <your draft>`: a calmer version of a reply, privately.\n"
    "• `/coach me`: your own coaching record.\n"
    "• `/coach settings`: what the coach applies to you, and why.\n"
    "• `/coach report [7d] [#channel]`: the team report (managers).\n"
    "• DM me a draft, or mention me with one, for a rewrite.\n"
    "• On any message: *More actions → Coach this reply*.\n"
    "Nudges are private: only you see them. Drafts you send me are never stored."
)


def help_message() -> dict[str, Any]:
    return {"text": HELP_TEXT, "blocks": [section(HELP_TEXT)]}


def intro_message() -> str:
    return (
        "Hi everyone :wave: I'm support-coach. When a reply to a customer reads as blaming, arguing or "
        "dismissive, or a remark puts a customer down, I send its author a *private* note with a calmer "
        "way to say it. Nobody else sees those notes. Managers see team summaries; each of you can see "
        "your own record with `/coach me`. Try `/coach <draft>` any time."
    )


def refusal_message() -> dict[str, Any]:
    text = (
        "The team report is for the managers configured for support-coach. "
        "You can see your own record with `/coach me`."
    )
    return {"text": text, "blocks": [section(text)]}
