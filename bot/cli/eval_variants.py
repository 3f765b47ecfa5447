"""``eval --model`` and ``eval --rewrites``: the same labelled messages, judged another way."""

from __future__ import annotations

import json

import click

from bot.cli.state import State
from bot.coaching.model import ModelError, default_model, load_model
from bot.coaching.rewrite_eval import render as render_rewrites
from bot.coaching.rewrite_eval import score_examples
from bot.dataset import Example
from bot.feedback_training import comparison, engine_figures


def eval_model(
    state: State, examples: list[Example], split: str, from_files: bool, model_path: str, output_format: str
) -> None:
    """eval --model: the engine with the bundled model, then with MODEL, on the same messages."""
    try:
        model = load_model(model_path)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    before = engine_figures(state.rules(), default_model(), examples)
    after = engine_figures(state.rules(), model, examples)
    if output_format == "json":
        click.echo(json.dumps({"split": split, "before": before.__dict__, "after": after.__dict__}, indent=2))
        return
    where = "held-out split" if split == "holdout" and not from_files else f"{split} split of {len(examples)} messages"
    click.echo(comparison(before, after, "bundled model", model_path, where))


def eval_rewrites(state: State, examples: list[Example], show: int, output_format: str) -> None:
    """eval --rewrites: the rule suggestions scored over the flagged messages."""
    coach = state.coach()
    report = score_examples(examples, lambda text, analysis: coach.suggest(text, analysis, use_llm=False), coach.rules)
    if output_format == "json":
        click.echo(json.dumps(report.figures(), indent=2))
    else:
        click.echo(render_rewrites(report, show))
