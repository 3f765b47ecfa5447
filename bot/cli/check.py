"""``support-coach check``: coach one draft (or JSON lines) from the terminal, through the same
Coach and flow (bot.flows.draft) as /coach; the rule rewrite only, so it needs no settings."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from typing import TextIO

import click

from bot.cli.state import State
from bot.coaching.coach import Coach
from bot.flows.draft import Draft, coach_draft
from bot.models import SEVERITIES, Analysis, severity_rank

_SEVERITY_COLOURS = {"high": "red", "medium": "yellow", "low": "cyan"}


@click.command()
@click.argument("text", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "jsonl"]),
    default="text",
    show_default=True,
    help="text: for people. json: one object. jsonl: read JSON lines from stdin, one result each.",
)
@click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice(SEVERITIES),
    default=None,
    help="Exit 1 when a message is flagged at this severity or above (gate macros and templates in CI).",
)
@click.pass_obj
def check(state: State, text: str | None, output_format: str, fail_on: str | None) -> None:
    """Coach one TEXT (or stdin): what was spotted, why, and a calmer version."""
    coach = state.coach(llm=False)  # the rules first: a broken rule file is the first thing said
    if output_format == "jsonl":
        if text is not None:
            raise click.UsageError("--format jsonl reads stdin; pass no TEXT argument")
        _gate(_check_jsonl(coach), fail_on)
        return
    if text is None:
        if sys.stdin is None or sys.stdin.isatty():
            raise click.UsageError('give a TEXT to check, e.g. support-coach check "as I said, ..."')
        text = _stdin().read()
    draft = coach_draft(coach, text, use_llm=False)
    if output_format == "json":
        click.echo(json.dumps(draft.to_dict(), ensure_ascii=False))
    else:
        _echo_human(draft)
    _gate(draft.worst, fail_on)


def _gate(worst: str | None, fail_on: str | None) -> None:
    """``check --fail-on``: exit 1 (after all output) when the worst flag reaches the bar."""
    if fail_on and worst and severity_rank(worst) >= severity_rank(fail_on):
        click.echo(f"flagged at severity {worst} (--fail-on {fail_on})", err=True)
        sys.exit(1)


def _stdin() -> TextIO:
    """stdin as UTF-8 text that never fails on bad bytes (they become U+FFFD)."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")


def _jsonl_inputs(stream: Iterator[str]) -> Iterator[tuple[object, str, str | None]]:
    """(id, text, error) per non-blank line: JSON {"id", "text"} or a plain line of text."""
    for number, raw in enumerate(stream, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        stripped = line.lstrip()
        if stripped.startswith("{"):
            try:
                item = json.loads(stripped)
            except json.JSONDecodeError as exc:
                yield number, "", f"line {number}: not valid JSON ({exc.msg})"
                continue
            if not isinstance(item, dict):
                yield number, "", f"line {number}: expected a JSON object"
                continue
            text = item.get("text")
            item_id = item.get("id", number)
            if not isinstance(text, str):
                yield item_id, "", f"line {number}: 'text' must be a string"
                continue
            yield item_id, text, None
        else:
            yield number, line, None


def _check_jsonl(coach: Coach) -> str | None:
    """One JSON line per input line; the worst severity flagged (None when nothing was)."""
    worst: str | None = None
    for item_id, text, error in _jsonl_inputs(_stdin()):
        if error:
            click.echo(error, err=True)
            result = Draft(Analysis(text=""), None).to_dict(item_id)
            result["error"] = error
        else:
            draft = coach_draft(coach, text, use_llm=False)
            result = draft.to_dict(item_id)
            if draft.worst and severity_rank(draft.worst) > severity_rank(worst):
                worst = draft.worst
        click.echo(json.dumps(result, ensure_ascii=False))
    return worst


def _highlight(analysis: Analysis) -> str:
    text = analysis.text
    pieces: list[str] = []
    cursor = 0
    for finding in analysis.findings:
        if finding.start < cursor:
            continue
        pieces.append(text[cursor : finding.start])
        colour = _SEVERITY_COLOURS.get(finding.severity, "red")
        pieces.append(click.style(text[finding.start : finding.end], fg=colour, bold=True, underline=True))
        cursor = finding.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _echo_human(draft: Draft) -> None:
    analysis, suggestion = draft.analysis, draft.suggestion
    if not analysis.flagged:
        click.echo(click.style("✓ Nothing to coach: this reads fine.", fg="green"))
        return
    headline = f"{', '.join(analysis.categories)} · severity {analysis.severity}"
    click.echo(click.style(f"Spotted: {headline}", bold=True))
    click.echo()
    click.echo("  " + _highlight(analysis).replace("\n", "\n  "))
    click.echo()
    for finding in analysis.findings:
        click.echo(click.style(f"• “{finding.match}”", bold=True) + f"  ({finding.category}, {finding.severity})")
        click.echo(f"  Why: {finding.principle}")
        click.echo(f"  Tip: {finding.tip}")
    if suggestion is not None:
        click.echo()
        label = "Try instead:" if suggestion.kind == "rewrite" else "Something to reflect on:"
        click.echo(click.style(label, fg="green", bold=True))
        click.echo("  " + suggestion.text.replace("\n", "\n  "))
