"""``support-coach eval``: the figures a detection change is judged by, on labelled messages."""

from __future__ import annotations

import json
import sys

import click

from bot.cli import eval_variants
from bot.cli.state import State
from bot.coaching.detect import detect
from bot.coaching.evaluate import evaluate, flag_rate, render_text
from bot.coaching.judge_eval import comparison_dict, render_comparison, run_judged
from bot.dataset import SPLITS, DataError, labelled, read_labelled, read_texts, select


@click.command("eval")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--split",
    type=click.Choice(SPLITS),
    default="all",
    show_default=True,
    help="Which part of the files: the repository's held-out split, the training part, or all.",
)
@click.option(
    "--real",
    "real_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Unlabelled JSONL of replies assumed clean: report the share flagged (repeatable).",
)
@click.option("--min-precision", type=float, default=None, help="Exit 1 if precision is lower.")
@click.option("--min-recall", type=float, default=None, help="Exit 1 if recall is lower.")
@click.option("--max-hard-negatives", type=float, default=None, help="Exit 1 if more of the near-misses are flagged.")
@click.option("--show-misses", type=int, default=0, show_default=True, help="Print the first N mistakes.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--rewrites",
    is_flag=True,
    help="Score the suggestions instead (facts kept, stock text, repeats, next steps, defects).",
)
@click.option(
    "--llm",
    "use_llm",
    is_flag=True,
    help="Also run with the LLM judge (COACH_LLM_*) in the loop; gates then apply to the judged figures.",
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Use this learned-stage file (say, a workspace model from train --with-feedback) and show "
    "the figures before (bundled model) and after.",
)
@click.pass_obj
def eval_command(
    state: State,
    files: tuple[str, ...],
    split: str,
    real_files: tuple[str, ...],
    min_precision: float | None,
    min_recall: float | None,
    max_hard_negatives: float | None,
    show_misses: int,
    output_format: str,
    rewrites: bool,
    use_llm: bool,
    model_path: str | None,
) -> None:
    """Measure the coach on labelled FILES (JSONL: text, flag, categories, severity, notes).

    Without FILES, the repository's own labelled data (a checkout's data/ folder) is used.
    """
    rules = state.rules()
    judge = state.eval_judge() if use_llm and not model_path else None
    try:  # read once, whichever way they are judged
        examples = select([e for path in files for e in read_labelled(path)], split) if files else labelled(split)
    except DataError as exc:
        raise click.ClickException(str(exc)) from None
    if not examples:
        raise click.ClickException("no labelled messages to evaluate")
    if model_path:
        eval_variants.eval_model(state, examples, split, bool(files), model_path, output_format)
        return
    if rewrites:
        eval_variants.eval_rewrites(state, examples, show_misses, output_format)
        return
    result = evaluate(examples, lambda text: detect(text, rules))
    real: dict[str, dict[str, float | int]] = {}
    real_texts: dict[str, list[str]] = {}
    for path in real_files:
        with open(path, encoding="utf-8") as handle:
            try:
                texts = real_texts[path] = [text for _id, text in read_texts(handle)]
            except (ValueError, KeyError) as exc:
                raise click.ClickException(f"{path}: each line needs a JSON object with 'text': {exc}") from None
        flagged, total = flag_rate(texts, lambda text: detect(text, rules))
        real[path] = {"flagged": flagged, "total": total, "rate": round(flagged / total, 5) if total else 0.0}
    judged = run_judged(judge, examples, lambda text: detect(text, rules), real_texts) if judge else None
    if output_format == "json":
        extra = {"llm_judge": comparison_dict(judged, state.settings.llm_model)} if judged else {}
        click.echo(json.dumps({**result.to_dict(), "real_replies": real, **extra}, indent=2))
    else:
        click.echo(render_text(result, show_misses))
        for path, figures in real.items():
            click.echo(
                f"real replies flagged ({path}): {figures['flagged']}/{figures['total']} ({figures['rate']:.2%})"
            )
        if judged:
            click.echo("\n" + render_comparison(judged, state.settings.llm_model))
    result = judged.judged if judged else result  # with --llm, the gates judge the judged figures
    failed = []
    if min_precision is not None and result.flags.precision < min_precision:
        failed.append(f"precision {result.flags.precision:.3f} < {min_precision}")
    if min_recall is not None and result.flags.recall < min_recall:
        failed.append(f"recall {result.flags.recall:.3f} < {min_recall}")
    if max_hard_negatives is not None and result.hard_rate > max_hard_negatives:
        failed.append(f"hard negatives {result.hard_rate:.3f} > {max_hard_negatives}")
    if failed:
        click.echo("below target: " + "; ".join(failed), err=True)
        sys.exit(1)
