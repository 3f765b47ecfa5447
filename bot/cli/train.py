"""``support-coach train``: the learned stage, from the labelled data and (--with-feedback) a team's votes."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from bot.cli.common import existing_store
from bot.cli.state import State
from bot.coaching.model import MODEL_FILE, ModelError, save_model
from bot.dataset import DataError, labelled
from bot.feedback_training import (
    comparison,
    current_model,
    engine_figures,
    feedback_examples,
    refusal,
    workspace_model_path,
)
from bot.train import TrainingError, train


@click.command("train")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the model (default: the package's prompts/model/coach-model.json.gz; "
    "with --with-feedback, the workspace model next to the database).",
)
@click.option(
    "--with-feedback",
    "with_feedback",
    is_flag=True,
    help="Also learn from the workspace's confirmed votes (Not helpful: negatives, Helpful: positives) "
    "into a workspace model the bot loads; refused if held-out precision or recall drop > 1 point.",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="With --with-feedback: the database holding the votes (default COACH_DB).",
)
@click.option("--team", default=None, help="With --with-feedback: only this workspace's votes (team ID).")
@click.option(
    "--sample",
    type=click.IntRange(min=0),
    default=0,
    help="Train on about this many labelled messages (every n-th): a check in seconds, not a model to keep.",
)
@click.pass_obj
def train_command(
    state: State, out_path: str | None, with_feedback: bool, db_path: str | None, team: str | None, sample: int
) -> None:
    """Train the learned stage on the repository's training split (needs the [train] extra)."""
    progress = lambda message: click.echo(message, err=True)  # noqa: E731
    if sample and not (with_feedback or out_path):
        raise click.UsageError(
            "--sample trains a model not to keep: give --out (or --with-feedback, whose held-out check decides)"
        )
    if with_feedback:
        _train_with_feedback(state, out_path, db_path, team, sample, progress)
        return
    try:
        model = train(progress=progress, sample=sample)
    except (TrainingError, DataError) as exc:
        raise click.ClickException(str(exc)) from None
    target = out_path or str(MODEL_FILE)
    save_model(model, target)
    click.echo(f"wrote {target}: {len(model.weights)} weighted features, flag threshold {model.flag_threshold:.2f}")


def _train_with_feedback(
    state: State,
    out_path: str | None,
    db_path: str | None,
    team: str | None,
    sample: int,
    progress: Callable[[str], None],
) -> None:
    """train --with-feedback: retrain with the votes, compare on the held-out split, keep or refuse."""
    store = existing_store(state, db_path)
    examples = feedback_examples(store, team)
    if not examples:
        raise click.ClickException(
            f"{store.path}: no confirmed feedback yet (votes by the flag's own agent on flags whose excerpt is kept)"
        )
    positives = sum(e.flag for e in examples)
    progress(
        f"workspace feedback: {positives} helpful (positives), {len(examples) - positives} not helpful (negatives)"
    )
    try:
        before_model, before_name = current_model(store.path)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        model = train(progress=progress, feedback=examples, sample=sample)
        holdout = labelled("holdout")
    except (TrainingError, DataError) as exc:
        raise click.ClickException(str(exc)) from None
    rules = state.rules()
    before = engine_figures(rules, before_model, holdout)
    after = engine_figures(rules, model, holdout)
    click.echo(comparison(before, after, before_name, "retrained with feedback"))
    refused = refusal(before, after)
    if refused:
        click.echo(f"refused: {refused} (more than 1 point); nothing written, the {before_name} stays", err=True)
        sys.exit(1)
    target = out_path or str(workspace_model_path(store.path))
    save_model(model, target)
    click.echo(
        f"wrote {target}: {len(model.weights)} weighted features, flag threshold "
        f"{model.flag_threshold:.2f}; `support-coach run` loads it"
    )
