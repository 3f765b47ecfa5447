"""Render a Report as a terminal table, CSV, JSON or Markdown: the same facts everywhere."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, cast

from bot.console import table
from bot.models import FLAG_COLUMNS, Flag
from bot.report_dimensions import DIMENSIONS
from bot.review.reports import Named, Outcomes, Report, sparkline

FORMATS = ("table", "csv", "json", "markdown")


def render(report: Report, output_format: str, width: int | None = None, agents: AgentOutcomes | None = None) -> str:
    """``width`` (terminal columns) only shapes the table; the other formats are for machines.
    ``agents`` (bot.review.reports.agent_outcomes): the table and Markdown list their coaching outcomes."""
    if output_format == "table":
        return render_table(report, width, agents)
    if output_format == "csv":
        return render_csv(report)
    if output_format == "json":
        return render_json(report)
    if output_format == "markdown":
        return render_markdown(report, agents)
    raise ValueError(f"unknown format {output_format!r}; use one of {', '.join(FORMATS)}")


def category_note(report: Report) -> str:
    """Why the categories add up to more than the flags, when they do."""
    if not report.multi_category:
        return ""
    several = "carries" if report.multi_category == 1 else "carry"
    return (
        f"{report.multi_category} of the {report.total} flagged messages {several} two or more categories, "
        f"so the categories add up to {report.category_total}"
    )


def source_text(report: Report) -> str:
    """What really happened: flagged live (and nudged, unless held back) or found in a scan of history."""
    parts = []
    if report.live:
        parts.append(
            f"{report.live} flagged live as they were posted ({report.nudges_sent} private "
            f"nudge{'' if report.nudges_sent == 1 else 's'} sent)"
        )
    if report.scanned:
        parts.append(
            f"{report.scanned} found in a scan of past messages (nobody was nudged for "
            f"{'it' if report.scanned == 1 else 'these'})"
        )
    return "; ".join(parts)


def trend_text(report: Report) -> str:
    if report.trend is None:
        return "no flags in the period before" if report.total else "nothing flagged before either"
    pct = round(report.trend * 100)
    if pct == 0:
        return f"flat against the previous {report.period.days} days ({report.previous_total})"
    direction = "up" if pct > 0 else "down"
    return f"{direction} {abs(pct)}% against the previous {report.period.days} days ({report.previous_total})"


def outcome_parts(outcomes: Outcomes) -> tuple[str, str]:
    """What one agent's nudges did, in two phrases ("2 nudges sent · 1 edited after a nudge (50% of
    nudges)", "helpful rate 100% (1 of 1 votes)"): App Home's drill-down, `/coach report` and the
    terminal report say it alike."""
    sent, edited = outcomes.nudges_sent, outcomes.edited_after_nudge
    share = f" ({edited / sent:.0%} of nudges)" if sent else ""
    votes = outcomes.helpful + outcomes.not_helpful
    rate = (
        f"{outcomes.helpful_rate:.0%} ({outcomes.helpful} of {votes} votes)"
        if outcomes.helpful_rate is not None
        else "no votes yet"
    )
    return f"{sent} nudges sent · {edited} edited after a nudge{share}", f"helpful rate {rate}"


AgentOutcomes = Sequence[tuple[Named, Outcomes]]  # bot.review.reports.agent_outcomes
AGENT_OUTCOMES = "Coaching outcomes by agent"


class Section(NamedTuple):
    """One titled list of a report. ``prose``: each value is a phrase, not a count, so a table
    wraps it and left-aligns it, and Markdown heads the column "outcomes". ``dimension``: the
    declared dimension it lists ("" for the outcomes)."""

    title: str
    rows: list[tuple[str, object]]
    prose: bool = False
    dimension: str = ""


def sections(report: Report, agents: AgentOutcomes | None = None, view: str = "table") -> list[Section]:
    """Titled (label, value) lists shared by the table, Markdown and CSV renderers: every declared
    dimension listed in ``view`` (bot.report_dimensions), then the outcomes.

    Given ``agents``, a manager's report lists each agent's coaching outcomes by name instead of
    their flag counts (the views a person reads); CSV, a data export, keeps the counts.
    """
    out = []
    for dimension in DIMENSIONS:
        if view not in dimension.views or (dimension.managers_only and not report.manager_view):
            continue
        if dimension.name == "agent" and agents is not None:
            out.append(
                Section(
                    AGENT_OUTCOMES,
                    [(a.name, " · ".join(outcome_parts(o))) for a, o in agents],
                    prose=True,
                    dimension="agent",
                )
            )
            continue
        out.append(
            Section(
                dimension.title,
                [(dimension.label(row.id, row.name), row.count) for row in report.rows(dimension.name)],
                dimension=dimension.name,
            )
        )
    out.append(Section("Outcomes", _outcomes(report)))
    return out


def _outcomes(report: Report) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        ("nudges sent", report.nudges_sent),
        ("edited after a nudge", report.edited_after_nudge),
        ("found helpful", report.helpful),
        ("marked not helpful", report.not_helpful),
    ]
    rows += [(f"nudge failed: {reason}", n) for reason, n in report.nudges_failed]
    for rule in report.rule_feedback:
        votes = rule.helpful + rule.not_helpful
        rows.append((f"false positives, {rule.rule}", f"{rule.false_positive_rate:.0%} of {votes}"))
    return rows


def advice(report: Report) -> list[str]:
    return [rule.advice for rule in report.rule_feedback if rule.advice]


def render_table(report: Report, width: int | None = None, agents: AgentOutcomes | None = None) -> str:
    """For a terminal: labels (rules, phrases, topics) wrap so each line fits ``width``."""
    lines = [
        f"Coaching report · {report.period.label} · {report.scope}",
        f"Flagged messages: {report.total} ({trend_text(report)})",
        f"Daily: {sparkline([n for _, n in report.daily])}  ({report.daily[0][0]} → {report.daily[-1][0]})",
    ]
    if source_text(report):
        lines.append(_wrapped(f"Where from: {source_text(report)}.", width, ""))
    for title, rows, prose, _dimension in sections(report, agents):
        lines.append("")
        lines.append(title)
        if not rows:
            lines.append("  (none)")
            continue
        # prose: a sentence a row, so it wraps and the names stay whole
        lines.append(
            table(
                [(str(label), str(value)) for label, value in rows],
                width=width,
                wrap=1 if prose else 0,
                indent=2,
                align=("left", "left" if prose else "right"),
            )
        )
        if title == "By category" and category_note(report):
            lines.append(_wrapped(f"Note: {category_note(report)}.", width, "  "))
    tips = advice(report)
    if tips:
        lines += ["", "Rules to review"] + [_bullet(tip, width) for tip in tips]
    return "\n".join(lines)


def _wrapped(text: str, width: int | None, indent: str) -> str:
    if width is None:
        return indent + text
    return textwrap.fill(text, width=max(20, width), initial_indent=indent, subsequent_indent=indent + "  ")


def _bullet(text: str, width: int | None) -> str:
    if width is None:
        return f"  • {text}"
    return textwrap.fill(text, width=max(20, width), initial_indent="  • ", subsequent_indent="    ")


def render_markdown(report: Report, agents: AgentOutcomes | None = None) -> str:
    lines = [
        f"# Coaching report: {report.period.label}",
        "",
        f"**Scope:** {report.scope}  ",
        f"**Flagged messages:** {report.total} ({trend_text(report)})  ",
        f"**Daily:** `{sparkline([n for _, n in report.daily])}`",
    ]
    if source_text(report):
        lines[-1] += "  "
        lines.append(f"**Where from:** {source_text(report)}")
    for title, rows, prose, _dimension in sections(report, agents, "markdown"):
        lines += ["", f"## {title}", ""]
        if not rows:
            lines.append("_none_")
            continue
        lines += ["| | outcomes |", "| --- | --- |"] if prose else ["| | count |", "| --- | ---: |"]
        lines += [f"| {_md(str(label))} | {value} |" for label, value in rows]
        if title == "By category" and category_note(report):
            lines += ["", f"_{_md(category_note(report))}._"]
    tips = advice(report)
    if tips:
        lines += ["", "## Rules to review", ""] + [f"- {_md(tip)}" for tip in tips]
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(…)`` as an agent's name from an
    export) gets a leading ``'``, so it shows as text; numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeWriter:
    """csv.writer whose every text cell goes through csv_cell: one boundary, no cell forgotten."""

    def __init__(self, buffer: io.StringIO) -> None:
        # "\r\n" so a cell holding a lone "\r" is quoted (csv quotes only the terminator's
        # characters); render_csv turns the line ends back into "\n".
        self._writer = csv.writer(buffer, lineterminator="\r\n")

    def writerow(self, row: list[object]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])


def render_csv(report: Report) -> str:
    """Long format (section, key, value): easy to pivot in a spreadsheet."""
    buffer = io.StringIO()
    writer = _SafeWriter(buffer)
    writer.writerow(["section", "key", "value"])
    writer.writerow(["summary", "period_start", report.daily[0][0]])
    writer.writerow(["summary", "period_end", report.daily[-1][0]])
    writer.writerow(["summary", "flagged", report.total])
    writer.writerow(["summary", "previous_period", report.previous_total])
    writer.writerow(["summary", "time_zone", report.period.tz])
    writer.writerow(["summary", "flags_with_several_categories", report.multi_category])
    # the counts the table says in words (where the flags came from) come with the summary
    first = [dimension for dimension in DIMENSIONS if "csv" in dimension.views and "table" not in dimension.views]
    for dimension in first:
        for key, n in report.counts(dimension.name):
            writer.writerow([dimension.csv_key, key, n])
    for day, n in report.daily:
        writer.writerow(["daily", day, n])
    for section in sections(report, view="csv"):
        if section.dimension in {dimension.name for dimension in first}:
            continue
        key = section.title.lower().replace(" ", "_")
        for label, value in section.rows:
            writer.writerow([key, str(label).strip("“”"), value])
    return buffer.getvalue().replace("\r\n", "\n").rstrip("\n")


ROW_FIELDS = ("id", *FLAG_COLUMNS)


def render_rows_csv(flags: Iterable[Flag]) -> Iterator[str]:
    """One row per flag, the fields of the JSON report's ``flags`` (the redacted excerpt included);
    lists joined with ",". Lines as they are made, so a year of flags never sits in memory."""
    buffer = io.StringIO()
    writer = _SafeWriter(buffer)

    def line(row: list[object]) -> str:
        writer.writerow(row)
        text = buffer.getvalue().replace("\r\n", "\n")
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(list(ROW_FIELDS))
    for flag in flags:
        data = flag.to_dict()
        yield line(
            [",".join(cast(list[str], data[k])) if k in ("categories", "rules") else data[k] for k in ROW_FIELDS]
        )


def report_dict(report: Report) -> dict[str, object]:
    return {
        "period": {
            "start": report.daily[0][0],
            "end": report.daily[-1][0],
            "days": report.period.days,
            "label": report.period.label,
            "time_zone": report.period.tz,
        },
        "scope": {"channel": report.channel, "agent": report.agent, "manager_view": report.manager_view},
        "total": report.total,
        "previous_total": report.previous_total,
        "trend": report.trend,
        "daily": [
            {"date": d, "flags": n, "by_category": {c: series[i] for c, series in report.daily_by_category}}
            for i, (d, n) in enumerate(report.daily)
        ],
        **breakdowns_dict(report),
        "outcomes": {
            "nudges_sent": report.nudges_sent,
            "nudges_failed": dict(report.nudges_failed),
            "edited_after_nudge": report.edited_after_nudge,
            "helpful": report.helpful,
            "not_helpful": report.not_helpful,
        },
        "rule_feedback": [
            {
                "rule": r.rule,
                "helpful": r.helpful,
                "not_helpful": r.not_helpful,
                "false_positive_rate": round(r.false_positive_rate, 3),
                "advice": r.advice,
            }
            for r in report.rule_feedback
        ],
        "flags": [flag.to_dict() for flag in report.flags],
    }


def breakdowns_dict(report: Report) -> dict[str, object]:
    """Every declared dimension in JSON, under its declared key: a {key: n} map, or a list of
    {item: key, "flags": n} ({"id", "name", "flags"} for channels and agents); None for a
    managers-only dimension in an agent's own report. The categories bring their notes along."""
    out: dict[str, object] = {}
    for dimension in DIMENSIONS:
        if "json" not in dimension.views:
            continue
        rows = report.rows(dimension.name)
        if dimension.managers_only and not report.manager_view:
            out[dimension.json] = None
        elif dimension.item == "named":
            out[dimension.json] = [{"id": row.id, "name": row.name, "flags": row.count} for row in rows]
        elif dimension.item:
            out[dimension.json] = [{dimension.item: row.id, "flags": row.count} for row in rows]
        else:
            out[dimension.json] = {row.id: row.count for row in rows}
        if dimension.name == "category":  # special: the period before, and why they add up to more
            out["previous_by_category"] = dict(report.previous_by_category)
            out["multi_category"] = report.multi_category
            out["category_note"] = category_note(report)
    return out


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2)
