"""conversations.info, cached: a channel's name where a label is plain text and cannot mention.

A fix button says "Mute in #support"; its name comes from the flags, else the store's names
(bot.review.fixes), else from here. In the digest, "this channel" would read as the digest's own
channel, so the name is worth one call, remembered for minutes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.review.fixes import Fix

log = logging.getLogger(__name__)

NAME_CACHE_SECONDS = 600.0
_NAMES: dict[str, tuple[str, float]] = {}


def channel_name(client: WebClient, channel: str) -> str:
    """The channel's name from conversations.info; "" when Slack cannot say (the label then says
    "this channel")."""
    if not channel:
        return ""
    hit = _NAMES.get(channel)
    if hit and time.monotonic() - hit[1] < NAME_CACHE_SECONDS:
        return hit[0]
    try:
        name = str((client.conversations_info(channel=channel).get("channel") or {}).get("name") or "")
    except (SlackApiError, OSError) as exc:
        log.info("conversations.info failed (%s): the button says 'this channel'", type(exc).__name__)
        name = ""
    _NAMES[channel] = (name, time.monotonic())
    return name


def named(client: WebClient, fixes: Iterable[Fix]) -> list[Fix]:
    """The fixes, each channel with a name for its "Mute in #…" button."""
    return [replace(fix, channel_name=fix.channel_name or channel_name(client, fix.channel)) for fix in fixes]
