"""The digest: the manager's report, condensed, posted to COACH_DIGEST_CHANNEL.

Posting goes through an injected function so the core stays free of Slack; the running
bot schedules it (bot.review.scheduler) and `support-coach digest --post` sends it by hand. The
Slack layer turns a ``Digest`` into Block Kit (bot.slack.report_views) with this module's
plain text as the fallback, and uploads the chart when COACH_DIGEST_CHART is on.

Its wording says what really happened: flags found in a scan of history were never
nudged, and it is a "weekly" digest only when the schedule is weekly. It carries the same
one-click fixes from feedback as App Home and `/coach report` (bot.review.fixes.feedback_fixes):
buttons in the Slack message, named in the plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.mrkdwn import channel_ref, escape
from bot.report_dimensions import DIMENSIONS, Dimension
from bot.review.fixes import Fix, choices, summary
from bot.review.report_format import advice, category_note, source_text, trend_text
from bot.review.reports import Named, Report, sparkline
from bot.schedule import CADENCE_DAYS
from bot.schedule import Schedule as Schedule  # where callers have always found it


@dataclass(frozen=True)
class Digest:
    """What is posted: the report, whether it went out on a schedule ("weekly"/"daily"), and the
    one-click fixes for the rules agents often found not helpful."""

    report: Report
    cadence: str | None = None
    fixes: tuple[Fix, ...] = ()

    @property
    def title(self) -> str:
        return digest_title(self.report, self.cadence)

    @property
    def text(self) -> str:
        return digest_text(self.report, self.cadence, self.fixes)


Poster = Callable[[str, Digest], object]  # (channel, digest) -> anything


def digest_title(report: Report, cadence: str | None = None) -> str:
    if cadence in CADENCE_DAYS:
        return f"{cadence.capitalize()} coaching digest"
    return "Coaching digest"


def digest_text(report: Report, cadence: str | None = None, fixes: Sequence[Fix] = ()) -> str:
    """Slack mrkdwn (and the Block Kit message's fallback): totals, trend, where, what, what to
    fix; no names of agents.

    Channel ids, phrases, topics and rule ids come from Slack or an export: escaped, so the
    digest can never ping a channel or carry a disguised link.
    """
    lines = [
        f"*{digest_title(report, cadence)}* · {report.period.label}",
        f"*{report.total}* flagged messages ({trend_text(report)}).",
    ]
    if source_text(report):
        lines.append(source_text(report)[0].upper() + source_text(report)[1:] + ".")
    lines.append(f"`{sparkline([n for _, n in report.daily])}`")
    for dimension in DIMENSIONS:
        if "digest" in dimension.views:
            line = _breakdown_line(report, dimension)
            lines += [line] if line else []
    lines.append(f"*Outcomes:* {outcomes_text(report)}.")
    lines += [f"• {escape(tip)}" for tip in advice(report)]
    if fixes:
        lines.append("*One-click fixes* (managers, with the buttons of the Slack message):")
        lines += [f"• {summary(fix)}: {choices(fix)}" for fix in fixes]
    if not report.total:
        lines.append(f"A calm {_span(report)}: nothing to coach. Thank the team.")
    return "\n".join(lines)


def _breakdown_line(report: Report, dimension: Dimension) -> str:
    """One dimension on one line, its largest first; the categories and the rules are special
    (the note on categories that add up to more; each rule's not-helpful votes)."""
    if dimension.name == "category":
        categories = [f"{escape(name)} {n}" for name, n in report.by_category if n]
        note = f" ({category_note(report)})" if report.multi_category else ""
        return "*What kind:* " + ", ".join(categories) + note if categories else ""
    rows = [row for row in report.rows(dimension.name) if row.count][: dimension.digest_limit]
    if dimension.name == "rule":
        items = [f"{escape(row.id)} {row.count}{_fp(report, row.id)}" for row in rows]
    else:
        items = [f"{mrkdwn_item(dimension, row)} {row.count}" for row in rows]
    return f"{dimension.digest_lead} " + ", ".join(items) if items else ""


def mrkdwn_item(dimension: Dimension, row: Named) -> str:
    """A row's label for Slack: a channel as a link that cannot ping, anything else escaped."""
    if dimension.names == "channel":
        return channel_ref(row.id, row.name)
    return escape(dimension.label(row.id, row.name))


def outcomes_text(report: Report) -> str:
    parts = [
        f"{report.nudges_sent} nudges sent",
        f"{report.edited_after_nudge} edited after a nudge",
        f"{report.helpful} found helpful",
        f"{report.not_helpful} marked not helpful",
    ]
    if report.helpful_rate is not None:
        parts.append(f"helpful rate {report.helpful_rate:.0%}")
    return ", ".join(parts)


def false_positive_rate(report: Report, rule: str) -> tuple[float, int] | None:
    """(not-helpful share, votes) of one rule's nudges in the period, None without votes."""
    for feedback in report.rule_feedback:
        votes = feedback.helpful + feedback.not_helpful
        if feedback.rule == rule and votes:
            return feedback.false_positive_rate, votes
    return None


def _fp(report: Report, rule: str) -> str:
    rate = false_positive_rate(report, rule)
    return f" ({rate[0]:.0%} not helpful of {rate[1]} votes)" if rate else ""


def _span(report: Report) -> str:
    return {1: "day", 7: "week"}.get(report.period.days, "period")


def send_digest(
    report: Report, channel: str, post: Poster, cadence: str | None = None, fixes: Sequence[Fix] = ()
) -> str:
    """Post the digest; returns its plain text."""
    if not channel:
        raise ValueError("COACH_DIGEST_CHANNEL is not set: name the channel the digest goes to")
    digest = Digest(report, cadence, tuple(fixes))
    post(channel, digest)
    return digest.text
