"""Block Kit for reports: the digest message, `/coach report` and `/coach me`, and the App Home tab.

Pure builders, like bot.slack.views (whose helpers and limits they share): a Report in,
a payload out. The numbers are the Report's, so they are those of ``support-coach report
--format json`` for the same period. Agents' names appear only with their coaching outcomes
in a manager's view (one agent picked in App Home, or every agent by name in `/coach report`);
there is no ranking of agents anywhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, cast

from bot.mrkdwn import channel_ref, escape, user_ref
from bot.prompts import principles
from bot.report_dimensions import BY_NAME, DIMENSIONS, Dimension
from bot.review.digest import Digest, false_positive_rate, mrkdwn_item, outcomes_text
from bot.review.report_format import AgentOutcomes, advice, category_note, outcome_parts, source_text, trend_text
from bot.review.reports import Report, sparkline
from bot.slack.fix_views import fix_blocks
from bot.slack.views import (
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    Block,
    context,
    header,
    limit_blocks,
    section,
)

BAR_WIDTH = 12
PERIODS = (7, 30, 90)
MAX_OPTIONS = 100  # Slack's limit for a static select
ACTION_PERIOD = "coach_home_period"
ACTION_CHANNEL = "coach_home_channel"
ACTION_AGENT = "coach_home_agent"
HOME_ACTIONS = (ACTION_PERIOD, ACTION_CHANNEL, ACTION_AGENT)
ALL = "all"
_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")  # what a picker value may be; publish_home then keeps known ones only


def arrow(change: float | None, count: int = 0) -> str:
    """↑ / ↓ / → with the change against the period before; "new" when there was nothing before."""
    if change is None:
        return "new" if count else "–"
    pct = round(change * 100)
    if pct == 0:
        return "→ flat"
    return f"{'↑' if pct > 0 else '↓'} {abs(pct)}%"


def category_bars(report: Report) -> str:
    """One line a category: a bar scaled to the largest, the count, and its trend arrow."""
    top = max((n for _, n in report.by_category), default=0)
    width = max(len(name) for name, _ in report.by_category)
    lines = []
    for name, n in report.by_category:
        filled = round(n / top * BAR_WIDTH) if top else 0
        filled = max(filled, 1) if n else 0
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        lines.append(f"`{name.ljust(width)} {bar} {n:>5}`  {arrow(report.category_trend(name), n)}")
    note = category_note(report)
    return "\n".join(lines) + (f"\n_{escape(note)}._" if note else "")


def totals_text(report: Report) -> str:
    symbol = arrow(report.trend, report.total).split(" ")[0] if report.trend is not None else ""
    text = f"*{report.total}* flagged messages · {symbol + ' ' if symbol else ''}{escape(trend_text(report))}"
    where = source_text(report)
    return text + (f"\n{escape(where[0].upper() + where[1:])}." if where else "")


def top_rules_text(report: Report, limit: int = 8) -> str:
    lines = []
    for rule, n in report.top_rules[:limit]:
        rate = false_positive_rate(report, rule)
        votes = f"{rate[0]:.0%} not helpful ({rate[1]} vote{'s' if rate[1] != 1 else ''})" if rate else "no votes yet"
        lines.append(f"• `{escape(rule)}`: {n} flags · {votes}")
    return "\n".join(lines)


Special = Callable[[Report], list[Block]]


def breakdown_blocks(report: Report, special: dict[str, Special]) -> list[Block]:
    """Every declared dimension shown in Slack (bot.report_dimensions), in its declared order: a
    section of its largest rows, or what the view's ``special`` builds for it instead (the
    category bars, the rules with their votes, and where each view has its own layout)."""
    blocks: list[Block] = []
    for dimension in DIMENSIONS:
        if dimension.name in special:
            blocks += special[dimension.name](report)
        elif "slack" in dimension.views and (report.manager_view or not dimension.managers_only):
            blocks += breakdown_section(report, dimension)
    return blocks


def breakdown_section(report: Report, dimension: Dimension, limit: int | None = None) -> list[Block]:
    rows = [row for row in report.rows(dimension.name) if row.count][: limit or dimension.slack_limit]
    if not rows:
        return []
    return [
        section(dimension.heading + "\n" + "\n".join(f"{mrkdwn_item(dimension, row)}: {row.count}" for row in rows))
    ]


def _none(_report: Report) -> list[Block]:
    return []


def _where(report: Report) -> list[Block]:
    """The digest's channels on one line."""
    if not report.by_channel:
        return []
    return [section("*Where*\n" + "  ".join(f"{channel_ref(c.id, c.name)} {c.count}" for c in report.by_channel[:8]))]


def _rules(report: Report) -> list[Block]:
    if not report.top_rules:
        return []
    return [section("*Top rules, and how often agents found them not helpful*\n" + top_rules_text(report))]


def _manager_rules(report: Report) -> list[Block]:
    return _rules(report) if report.manager_view else []


def _struggles_to_fix(report: Report) -> list[Block]:
    if not report.struggles:
        return []
    return [
        section(
            "*What customers struggled with* (worth a docs or product fix)\n"
            + "\n".join(f"• {escape(t)}: {n}" for t, n in report.struggles[:8])
        )
    ]


def _home_channels(report: Report) -> list[Block]:
    """A manager's whole-team dashboard lists channels; an agent's record and a channel's do not."""
    return breakdown_section(report, BY_NAME["channel"]) if report.manager_view and not report.channel else []


def _category_fields(report: Report) -> list[Block]:
    return [section("*By category*\n" + "\n".join(f"*{escape(name)}*: {n}" for name, n in report.by_category))]


def digest_message(digest: Digest, chart: bool = False) -> dict[str, Any]:
    """The digest as blocks, with its plain text as the fallback."""
    report = digest.report
    blocks: list[Block] = [
        header(digest.title),
        context(f"{escape(report.period.label)} · {escape(report.scope)}"),
        section(totals_text(report) + f"\n`{sparkline([n for _, n in report.daily])}`"),
    ]
    if report.total:
        blocks.append(section("*By category*\n" + category_bars(report)))
    blocks += breakdown_blocks(
        report, {"category": _none, "channel": _where, "rule": _rules, "phrase": _none, "struggle": _struggles_to_fix}
    )
    blocks.append(section(f"*Outcomes*\n{escape(outcomes_text(report))}"))
    tips = advice(report)
    if tips:
        blocks.append(section("*Rules to review*\n" + "\n".join(f"• {escape(t)}" for t in tips[:8])))
    if digest.fixes:  # App Home's one-click fixes; the listener lets only managers apply them
        blocks += fix_blocks(list(digest.fixes))
        blocks.append(
            context("Only the team's managers can apply these fixes; every change is recorded in the settings audit.")
        )
    if not report.total:
        blocks.append(section("Nothing to coach in this period. Thank the team."))
    if chart:
        blocks.append(context("The chart of the period follows."))
    return {"text": digest.text, "blocks": limit_blocks(blocks, MAX_MESSAGE_BLOCKS)}


# --- App Home: the report part -----------------------------------------------------------


@dataclass(frozen=True)
class HomeState:
    """What a home viewer picked; kept in the view's private_metadata between clicks."""

    days: int = 7
    channel: str | None = None
    agent: str | None = None

    def to_metadata(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_metadata(cls, raw: str | None) -> HomeState:
        """Whatever the payload carries is checked: a period off the picker or a bad id is dropped."""
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        days = cast(int, data.get("days")) if data.get("days") in PERIODS else 7
        channel = data.get("channel") if isinstance(data.get("channel"), str) else None
        agent = data.get("agent") if isinstance(data.get("agent"), str) else None
        return cls(
            days,
            channel if channel and _ID.fullmatch(channel) else None,
            agent if agent and _ID.fullmatch(agent) else None,
        )

    def known(self, channels: dict[str, str], agents: dict[str, str]) -> HomeState:
        """Without a channel or agent the team's flags never named (a stale or forged pick)."""
        return HomeState(
            self.days, self.channel if self.channel in channels else None, self.agent if self.agent in agents else None
        )

    def picked(self, action_id: str, value: str) -> HomeState:
        """The state after one picker changed."""
        if action_id == ACTION_PERIOD:
            return HomeState(
                int(value) if value.isdigit() and int(value) in PERIODS else self.days, self.channel, self.agent
            )
        if action_id == ACTION_CHANNEL:
            return HomeState(self.days, value if value != ALL and _ID.fullmatch(value) else None, self.agent)
        if action_id == ACTION_AGENT:
            return HomeState(self.days, self.channel, value if value != ALL and _ID.fullmatch(value) else None)
        return self


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75] or value, "emoji": True}, "value": value[:150]}


def _select(action_id: str, placeholder: str, options: list[dict[str, Any]], chosen: str) -> dict[str, Any]:
    options = options[:MAX_OPTIONS]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": action_id,
        "options": options,
        "placeholder": {"type": "plain_text", "text": placeholder},
    }
    initial = next((o for o in options if o["value"] == chosen), None)
    if initial is not None:
        element["initial_option"] = initial
    return element


def pickers(state: HomeState, channels: dict[str, str] | None, agents: dict[str, str] | None) -> Block:
    """Period, and for managers the channel filter and the agent whose outcomes to show.

    Channels and agents are listed by name, never by how often they were flagged.
    """
    elements = [_select(ACTION_PERIOD, "Period", [_option(f"Last {d} days", str(d)) for d in PERIODS], str(state.days))]
    if channels is not None:
        listed = sorted(((i, n) for i, n in channels.items() if _ID.fullmatch(i)), key=lambda c: c[1].lower())
        elements.append(
            _select(
                ACTION_CHANNEL,
                "Channel",
                [_option("All channels", ALL)]
                + [_option(f"#{name}" if name != cid else cid, cid) for cid, name in listed],
                state.channel or ALL,
            )
        )
    if agents is not None:
        listed = sorted(((i, n) for i, n in agents.items() if _ID.fullmatch(i)), key=lambda a: a[1].lower())
        elements.append(
            _select(
                ACTION_AGENT,
                "An agent's coaching outcomes",
                [_option("Whole team", ALL)] + [_option(name, uid) for uid, name in listed],
                state.agent or ALL,
            )
        )
    return {"type": "actions", "block_id": "coach_home_pickers", "elements": elements}


def agent_outcomes(report: Report) -> Block:
    """One agent's coaching outcomes: what the nudges did, not how often they slipped."""
    nudged, helpful = outcome_parts(report.outcomes)
    who = user_ref(report.agent or "", report.agent or "")
    return section(
        f"*Coaching outcomes for {who}* · {escape(report.period.label)}\n"
        f"• {report.total} flagged messages · {arrow(report.trend, report.total)}\n"
        f"• {nudged}\n"
        f"• {helpful}"
    )


MAX_AGENTS_LISTED = 20


def agents_outcomes(agents: AgentOutcomes, hidden: int = 0) -> Block:
    """Every agent's coaching outcomes, by name (bot.review.reports.agent_outcomes): the drill-down's
    numbers, one line an agent; no flag counts, so nothing reads as a ranking."""
    lines = [f"• {user_ref(a.id, a.name)}: {' · '.join(outcome_parts(o))}" for a, o in agents]
    more = f"\n_…and {hidden} more: App Home shows any agent's outcomes._" if hidden else ""
    return section("*Coaching outcomes by agent*\n" + "\n".join(lines) + more)


def home_report_blocks(
    report: Report,
    title: str,
    state: HomeState,
    *,
    channels: dict[str, str] | None = None,
    agents: dict[str, str] | None = None,
    drill: Report | None = None,
) -> list[Block]:
    """The report part of App Home: pickers, totals and trend, the category bar, the rest."""
    blocks: list[Block] = [
        header(f"{title}: {report.period.label}"),
        pickers(state, channels, agents),
        section(totals_text(report) + f"\n`{sparkline([n for _, n in report.daily])}` · {escape(report.scope)}"),
        section("*By category*\n" + category_bars(report)),
    ]
    if drill is not None:
        blocks.append(agent_outcomes(drill))
    blocks += breakdown_blocks(report, {"category": _none, "channel": _home_channels, "rule": _manager_rules})
    blocks.append(section(f"*Outcomes*\n{escape(outcomes_text(report))}"))
    tips = advice(report) if report.manager_view else []
    if tips:
        blocks.append(section("*Rules to review*\n" + "\n".join(f"• {escape(t)}" for t in tips[:10])))
    return blocks


# --- the report as a message (/coach report, /coach me) and as the App Home tab --------------


def report_blocks(report: Report, title: str = "Coaching report", agents: AgentOutcomes = ()) -> list[Block]:
    """``agents`` (bot.review.reports.agent_outcomes, the first names only): a manager's report lists their
    coaching outcomes, as App Home's drill-down shows them, instead of their flag counts."""
    spark = sparkline([n for _, n in report.daily])
    blocks: list[Block] = [
        header(f"{title}: {report.period.label}"),
        section(f"*{report.total}* flagged messages · {trend_text(report)}\n`{spark}` · {escape(report.scope)}"),
    ]
    agents_block = (
        [agents_outcomes(agents, hidden=len(report.by_agent) - len(agents))] if report.manager_view and agents else []
    )
    # the agents by name with their outcomes (never their counts); the rules and their votes are App Home's
    blocks += breakdown_blocks(report, {"category": _category_fields, "agent": lambda _: agents_block, "rule": _none})
    blocks.append(section(f"*Outcomes*\n{escape(outcomes_text(report))}"))
    tips = advice(report)
    if tips:
        blocks.append(section("*Rules to review*\n" + "\n".join(f"• {escape(t)}" for t in tips[:10])))
    return blocks


def report_message(report: Report, title: str = "Coaching report", agents: AgentOutcomes = ()) -> dict[str, Any]:
    blocks = limit_blocks(report_blocks(report, title, agents), MAX_MESSAGE_BLOCKS)
    return {"text": f"{title}: {report.total} flagged messages, {report.period.label}", "blocks": blocks}


def home_view(
    report: Report,
    is_manager: bool,
    state: Any = None,
    *,
    channels: dict[str, str] | None = None,
    agents: dict[str, str] | None = None,
    drill: Report | None = None,
) -> dict[str, Any]:
    """Managers: the team dashboard. Agents: their own record and the principles.

    The report part (pickers, totals, the category bar, a chosen agent's outcomes) is built
    above; ``state`` (a HomeState) travels in private_metadata.
    """
    state = state or HomeState(days=report.period.days)
    title = "Team dashboard" if is_manager else "Your coaching record"
    blocks = home_report_blocks(
        report,
        title,
        state,
        channels=channels if is_manager else None,
        agents=agents if is_manager else None,
        drill=drill if is_manager else None,
    )
    if not is_manager and report.total == 0:
        blocks.append(section("Nothing flagged for you lately. :sparkles:"))
    blocks.append({"type": "divider"})
    blocks.append(section("*How we talk to customers*\n" + "\n".join(f"• {p}" for p in principles())))
    blocks.append(context("Nudges are private. Drafts sent to `/coach` are never stored."))
    return {"type": "home", "private_metadata": state.to_metadata(), "blocks": limit_blocks(blocks, MAX_VIEW_BLOCKS)}
