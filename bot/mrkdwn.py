"""The one escaping boundary for text the bot sends to Slack (blocks, fallback text, digest).

Slack parses ``<…>`` in any mrkdwn or fallback text: ``<!channel>`` pings everyone,
``<https://evil|free gift>`` disguises a link, ``<@U…>`` mentions. Anything that came from
Slack or an export (message text, matched phrases, rule ids from feedback, channel and user
ids and names) passes through :func:`escape` before it is sent; ids are rendered as
``<#…>``/``<@…>`` only when they have Slack's id shape, otherwise as escaped plain text.
This module is core: no Slack imports, so the digest can use it too.
"""

from __future__ import annotations

import re

# Slack ids: an upper-case type letter and upper-case letters or digits (C0123ABCD, U04PRIYA, T024BE7LD;
# the tests' workspace T1 and agent U1 too).
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,20}")
USER_ID = re.compile(r"[UW][A-Z0-9]{1,20}")
TEAM_ID = re.compile(r"T[A-Z0-9]{1,20}")


def escape(text: object) -> str:
    """Slack's three control characters as entities; the text then shows literally."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def channel_ref(channel_id: str, name: str = "") -> str:
    """``<#C…>`` for a real channel id; anything else as the escaped ``#name`` or id."""
    if CHANNEL_ID.fullmatch(channel_id or ""):
        return f"<#{channel_id}>"
    label = name if name and name != channel_id else channel_id
    return escape(label if label.startswith("#") else f"#{label}")


def user_ref(user_id: str, name: str = "") -> str:
    """``<@U…>`` for a real user id; anything else as the escaped name or id."""
    if USER_ID.fullmatch(user_id or ""):
        return f"<@{user_id}>"
    return escape(name if name and name != user_id else user_id)
