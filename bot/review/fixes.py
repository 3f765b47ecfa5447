"""From feedback to a fix: the rules agents often mark "Not helpful", and what a manager needs
to fix each in one click. Pure over the store's rows; no Slack. App Home, `/coach report` and
the digest all offer these fixes (the buttons: bot.slack.fix_views.fix_blocks).

The report already names those rules (``RuleFeedback.advice``). For each one this adds the
channel most of its not-helpful votes came from (for "Mute in #channel") and the flagged
words as the stored, redacted excerpt shows them (for "Allow this phrase"): never more text
than the excerpt the report may show, so a name redaction took out is not put back.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.mrkdwn import channel_ref, escape
from bot.review.reports import Report
from bot.store import Store
from bot.workspace import Mute, WorkspaceSettings

MAX_FIXES = 5


@dataclass(frozen=True)
class Fix:
    rule: str
    not_helpful: int
    votes: int
    channel: str = ""  # where most of the not-helpful votes came from ("" unknown, or muted there already)
    channel_name: str = ""
    phrase: str = ""  # the flagged words as the redacted excerpt shows them ("" when none survived)


def feedback_fixes(
    store: Store, report: Report, workspace: WorkspaceSettings, team: str | None = None, limit: int = MAX_FIXES
) -> list[Fix]:
    """The report's rules to review that are not muted everywhere yet, most not-helpful first."""
    fixes = []
    known: dict[str, str] | None = None
    for feedback in report.rule_feedback:
        if not feedback.advice or feedback.rule == "(none)" or Mute(feedback.rule) in workspace.mutes:
            continue
        rows = store.not_helpful_flags(feedback.rule, report.period.start, report.period.end, team)
        channels = Counter(channel for channel, _name, _phrase, _excerpt in rows if channel)
        names = {channel: name for channel, name, _phrase, _excerpt in rows if name}
        channel = next((c for c, _n in channels.most_common() if Mute(feedback.rule, c) not in workspace.mutes), "")
        if channel and channel not in names:  # a live flag stored before its channel's name was known
            known = store.names("channel") if known is None else known
            names[channel] = known.get(channel, "")
        phrases = Counter(found for _c, _n, phrase, excerpt in rows if (found := phrase_in_excerpt(phrase, excerpt)))
        fixes.append(
            Fix(
                feedback.rule,
                feedback.not_helpful,
                feedback.helpful + feedback.not_helpful,
                channel,
                names.get(channel, ""),
                phrases.most_common(1)[0][0] if phrases else "",
            )
        )
        if len(fixes) >= limit:
            break
    return fixes


def summary(fix: Fix) -> str:
    """The fix's rule and its votes, in mrkdwn: "`calm-down`: 3 of 3 votes *Not helpful* (most in #support)"."""
    where = f" (most in {channel_ref(fix.channel, fix.channel_name)})" if fix.channel else ""
    return f"`{escape(fix.rule)}`: {fix.not_helpful} of {fix.votes} votes *Not helpful*{where}"


def choices(fix: Fix) -> str:
    """The one-click fixes on offer, in words (a message's plain-text fallback names them)."""
    offered = [f"mute it in {channel_ref(fix.channel, fix.channel_name)}"] if fix.channel else []
    offered.append("mute it everywhere")
    offered.append(f"allow “{escape(fix.phrase)}”" if fix.phrase else "allow a phrase")
    return ", ".join(offered[:-1]) + " or " + offered[-1]


def phrase_in_excerpt(phrase: str, excerpt: str) -> str:
    """``phrase`` as it is written in ``excerpt`` (case and spacing kept), or "" when the
    excerpt does not hold it: redacted, cut off, or the message was deleted."""
    words = phrase.split()
    if not words or not excerpt:
        return ""
    match = re.search(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", excerpt, re.IGNORECASE)
    return match.group(0) if match else ""
