"""The one-click fixes from feedback as buttons: "Mute in #channel", "Mute everywhere" and
"Allow this phrase", under a report (App Home, `/coach report`) and in the digest.

Pure, like every view: the fixes come from bot.review.fixes, and a press is handled by
bot/slack/listeners/settings/fixes.py, which trusts nothing the button carries.
"""

from __future__ import annotations

import json
from typing import Any

from bot.mrkdwn import escape
from bot.review.fixes import Fix, summary
from bot.slack.views import Block, button, section

ACTION_FIX_MUTE_CHANNEL = "coach_fix_mute_channel"
ACTION_FIX_MUTE_EVERYWHERE = "coach_fix_mute_everywhere"
ACTION_FIX_ALLOW = "coach_fix_allow"


def fix_blocks(fixes: list[Fix]) -> list[Block]:
    """Under the report's "Rules to review": mute it in a channel, everywhere, or allow the phrase."""
    if not fixes:
        return []
    blocks: list[Block] = [section("*Fix from feedback*")]
    for fix in fixes:
        blocks.append(section(summary(fix)))
        buttons = []
        if fix.channel:
            label = f"#{fix.channel_name}" if fix.channel_name else "this channel"
            buttons.append(
                button(
                    f"Mute in {label}",
                    ACTION_FIX_MUTE_CHANNEL,
                    json.dumps({"r": fix.rule, "c": fix.channel}),
                    confirm=_confirm(f"Mute {fix.rule} in {label}?"),
                )
            )
        buttons.append(
            button(
                "Mute everywhere",
                ACTION_FIX_MUTE_EVERYWHERE,
                json.dumps({"r": fix.rule}),
                confirm=_confirm(f"Mute {fix.rule} everywhere?"),
            )
        )
        buttons.append(button("Allow this phrase", ACTION_FIX_ALLOW, json.dumps({"r": fix.rule, "p": fix.phrase})))
        blocks.append({"type": "actions", "block_id": f"fix_{fix.rule}"[:255], "elements": buttons})
    return blocks


def _confirm(title: str) -> dict[str, Any]:
    return {
        "title": {"type": "plain_text", "text": "Mute a rule", "emoji": True},
        "text": {"type": "mrkdwn", "text": escape(title)},
        "confirm": {"type": "plain_text", "text": "Mute", "emoji": True},
        "deny": {"type": "plain_text", "text": "Cancel", "emoji": True},
    }
