"""A message's permalink, built locally in Slack's format: no chat.getPermalink call per flag."""

from __future__ import annotations


def permalink(workspace_url: str, channel: str, ts: str, thread_ts: str = "") -> str:
    """The link a flag keeps (``workspace_url`` from auth.test); "" when either is unknown."""
    if not workspace_url or not ts:
        return ""
    link = f"{workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
    return link + (f"?thread_ts={thread_ts}&cid={channel}" if thread_ts and thread_ts != ts else "")
