"""The words of a nudge, as plain text: shared by Slack's fallback text, the demo and the CLI.

A nudge is private and kind: what was spotted, why it matters, and a better way to say it.
It never scolds; it models the tone it asks for.
"""

from __future__ import annotations

from bot.models import Analysis, Suggestion
from bot.timezones import DAY

INTRO = "Quick coaching note, only you can see this."


def spotted_line(analysis: Analysis) -> str:
    phrases = ", ".join(f"“{f.match}”" for f in analysis.findings[:3])
    more = f" and {len(analysis.findings) - 3} more" if len(analysis.findings) > 3 else ""
    return f"Spotted: {phrases}{more} ({', '.join(analysis.categories)})"


def suggestion_label(suggestion: Suggestion) -> str:
    if suggestion.kind == "reflection":
        return "Something to reflect on"
    return "Try instead (AI-assisted, checked by the coach)" if suggestion.source == "llm" else "Try instead"


def nudge_text(analysis: Analysis, suggestion: Suggestion | None) -> str:
    lines = [INTRO, spotted_line(analysis)]
    for principle in analysis.principles:
        lines.append(f"Why: {principle}")
    tips = dict.fromkeys(f.tip for f in analysis.findings)
    lines += [f"Tip: {tip}" for tip in list(tips)[:2]]
    if suggestion is not None:
        lines.append(f"{suggestion_label(suggestion)}: {suggestion.text}")
    return "\n".join(lines)


def end_of_local_day(now: float, tz_offset: int = 0) -> float:
    """When "today" ends for someone ``tz_offset`` seconds east of UTC (Slack's users.info).

    "Snooze for today" pressed at 18:00 in San Francisco must not end at 16:00 local
    time, which is what UTC midnight would be.
    """
    local_day = (now + tz_offset) // DAY
    return (local_day + 1) * DAY - tz_offset
