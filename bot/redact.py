"""Keep a short, redacted excerpt of a flagged message: enough to coach from, nothing to leak.

Stored flags never hold whole messages. The excerpt is a window around the first finding,
and e-mail addresses, phone numbers, card-like numbers, URLs with secrets, and tokens are
replaced by placeholders before anything reaches the database.
"""

from __future__ import annotations

import re

MAX_EXCERPT = 280

_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack and other API tokens (xoxb-, xapp-, sk-, ghp_ ...), and long opaque secrets.
    (re.compile(r"\b(?:xox[abposr]|xapp|sk|pk|rk|ghp|gho|github_pat|glpat|AKIA)[-_A-Za-z0-9]{8,}"), "[token]"),
    (re.compile(r"(?i)\b(?:password|passwd|pwd|secret|token|api[_ -]?key)\s*[:=]\s*\S+"), "[secret]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    # Card-like: 13-19 digits, optionally grouped by spaces or dashes.
    (re.compile(r"\b(?:\d[ -]?){12,18}\d\b"), "[card]"),
    # Phone numbers: an optional +country, then 7+ digits with the usual separators.
    (re.compile(r"(?<![\w/])\+?\d{1,3}?[ .-]?\(?\d{2,4}\)?[ .-]?\d{3,4}[ .-]?\d{3,4}\b"), "[phone]"),
    (re.compile(r"\b[A-Za-z0-9+/_-]{32,}={0,2}"), "[token]"),
)
# Slack markup that names people or links: keep it readable without the raw IDs.
_SLACK_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")
_SLACK_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_SLACK_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)\|?([^>]*)>")
_WHITESPACE = re.compile(r"\s+")


def redact(text: str) -> str:
    """Replace personal data and secrets with placeholders."""
    text = _SLACK_LINK.sub(lambda m: m.group(2) or "[link]", text)
    text = _SLACK_USER.sub("@someone", text)
    text = _SLACK_CHANNEL.sub(lambda m: "#" + (m.group(2) or "channel"), text)
    for pattern, placeholder in _REDACTIONS:
        text = pattern.sub(placeholder, text)
    return text


def excerpt(text: str, start: int = 0, end: int = 0, limit: int = MAX_EXCERPT) -> str:
    """A redacted window of at most ``limit`` characters centred on text[start:end]."""
    if not text:
        return ""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    room = max(limit - (end - start), 0) // 2
    left = max(0, start - room - 40)
    right = min(len(text), end + room + 40)
    window = redact(text[left:right])
    window = _WHITESPACE.sub(" ", window).strip()
    if left > 0:
        window = "…" + window
    if right < len(text):
        window += "…"
    if len(window) > limit:
        # Redaction can only shrink or slightly grow the window; trim evenly around the middle.
        cut = len(window) - limit + 1
        window = window[cut // 2: len(window) - (cut - cut // 2)] + "…"
    return window[:limit]
