"""``eval --llm``: the same evaluation with and without the LLM judge, and what the judge did.

Kept apart from bot.coaching.judge, which runs in the bot: this reads the labelled data and
computes the figures a change to the judge's band, prompt or model is judged by.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.coaching.evaluate import Evaluation, evaluate
from bot.coaching.judge import JudgeStats, LLMJudge
from bot.dataset import Example
from bot.models import Analysis

EVAL_WORKERS = 4


@dataclass
class JudgedRun:
    """The same evaluation with and without the judge, and what the judge did."""

    local: Evaluation
    judged: Evaluation
    real_local: dict[str, tuple[int, int]]
    real_judged: dict[str, tuple[int, int]]
    stats: JudgeStats
    evaluated: int


def run_judged(
    judge: LLMJudge,
    examples: Sequence[Example],
    detector: Callable[[str], Analysis],
    real: dict[str, list[str]] | None = None,
    workers: int = EVAL_WORKERS,
) -> JudgedRun:
    """Detect every message once, ask the judge about the uncertain ones (a few at a time), and
    evaluate both decisions on the same analyses."""
    texts = [e.text for e in examples] + [t for group in (real or {}).values() for t in group]
    local = {text: detector(text) for text in texts}
    uncertain = [text for text, analysis in local.items() if judge.wants(analysis)]
    judged = dict(local)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="coach-eval-judge") as pool:
        judged.update(zip(uncertain, pool.map(lambda t: judge.review(local[t]), uncertain), strict=True))

    def rate(group: Iterable[str], decided: dict[str, Analysis]) -> tuple[int, int]:
        group = list(group)
        return sum(decided[t].flagged for t in group), len(group)

    real = real or {}
    return JudgedRun(
        local=evaluate(examples, local.__getitem__),
        judged=evaluate(examples, judged.__getitem__),
        real_local={path: rate(group, local) for path, group in real.items()},
        real_judged={path: rate(group, judged) for path, group in real.items()},
        stats=judge.stats,
        evaluated=len(local),
    )


def _figures(result: Evaluation) -> list[tuple[str, float]]:
    rows = [
        ("precision", result.flags.precision),
        ("recall", result.flags.recall),
        ("f1", result.flags.f1),
        ("hard negatives flagged", result.hard_rate),
        ("categories exact", result.category_exact_rate),
        ("multi-label complete", result.multi_label_rate),
        ("severity exact", result.severity_rate),
    ]
    rows += [(f"recall {name}", counts.recall) for name, counts in result.per_category.items()]
    return rows


def render_comparison(run: JudgedRun, model: str = "") -> str:
    """Local-only and judged figures side by side, then what the judge was asked and answered."""
    lines = [
        f"with the LLM judge{f' ({model})' if model else ''}:",
        f"  {'':24} {'local':>7} {'judged':>7} {'change':>7}",
    ]
    for (name, before), (_, after) in zip(_figures(run.local), _figures(run.judged), strict=True):
        lines.append(f"  {name:24} {before:7.3f} {after:7.3f} {after - before:+7.3f}")
    f_local, f_judged = run.local.flags, run.judged.flags
    lines.append(
        f"  {'tp / fp / fn':24} {f_local.tp}/{f_local.fp}/{f_local.fn} -> {f_judged.tp}/{f_judged.fp}/{f_judged.fn}"
    )
    for path, (flagged, total) in run.real_local.items():
        after, _ = run.real_judged[path]
        lines.append(f"  real replies flagged ({path}): {flagged}/{total} -> {after}/{total}")
    stats = run.stats
    share = stats.sent / run.evaluated if run.evaluated else 0.0
    lines.append(f"  sent to the model: {stats.sent} of {run.evaluated} messages ({share:.1%})")
    lines.append(f"  answers used: {sum(stats.outcomes.values())}" + _breakdown(stats.outcomes))
    lines.append(f"  answers rejected: {sum(stats.rejected.values())}" + _breakdown(stats.rejected))
    lines.append(f"  no answer in time or at all: {sum(stats.unavailable.values())}" + _breakdown(stats.unavailable))
    return "\n".join(lines)


def comparison_dict(run: JudgedRun, model: str = "") -> dict[str, object]:
    """The judged figures for ``eval --llm --format json``."""
    return {
        "model": model,
        "figures": run.judged.to_dict(),
        "real_replies": {
            path: {"flagged": flagged, "total": total} for path, (flagged, total) in run.real_judged.items()
        },
        "messages": run.evaluated,
        **run.stats.to_dict(),
    }


def _breakdown(counts: Counter[str]) -> str:
    if not counts:
        return ""
    return " (" + ", ".join(f"{reason}: {n}" for reason, n in counts.most_common()) + ")"
