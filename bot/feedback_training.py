"""From a workspace's votes to its own learned stage: `support-coach train --with-feedback`.

A flag its own agent marked *Not helpful* is a message the team says should not have been
flagged: a negative. One marked *Helpful* is a positive, with the categories the coach gave
it. The store keeps only the redacted excerpt of a flagged message, never the whole text, so
that excerpt is what is learned from. The retrained model goes to a file next to the database
(``COACH_DB`` + ``-model.json.gz``), which the bot loads when present.

A workspace's votes are few and its own; the repository's held-out split is the check that
they did not make the coach worse in general: a model whose precision or recall there drops by
more than MAX_DROP against the model in use now is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.coaching.detect import detect
from bot.coaching.evaluate import evaluate
from bot.coaching.model import LearnedModel, default_model, load_model
from bot.coaching.rules import RuleSet
from bot.dataset import Example
from bot.models import CATEGORIES
from bot.store import Store

MODEL_SUFFIX = "-model.json.gz"
MAX_DROP = 0.01  # one point of precision or recall on the held-out split


def workspace_model_path(db_path: str | Path) -> Path | None:
    """Where a database's own model lives (None for an in-memory database)."""
    return None if str(db_path) == ":memory:" else Path(str(db_path) + MODEL_SUFFIX)


BUNDLED = "bundled model"  # current_model's name for the model shipped in the package


def current_model(db_path: str | Path) -> tuple[LearnedModel | None, str]:
    """The model the bot would load now, and what it is: the workspace's file if present, else
    the bundled one."""
    path = workspace_model_path(db_path)
    if path is not None and path.is_file():
        return load_model(path), f"workspace model {path}"
    return default_model(), BUNDLED


def feedback_examples(store: Store, team: str | None = None) -> list[Example]:
    """The confirmed votes as labelled messages: one per flag its own agent voted on, whose
    excerpt is still stored; an excerpt voted both ways (two flags) says nothing and is left out."""
    verdicts: dict[str, set[str]] = {}
    categories: dict[str, tuple[str, ...]] = {}
    for excerpt, flag_categories, verdict in store.voted_flags(team):
        text = excerpt.strip()
        if not text:
            continue
        verdicts.setdefault(text, set()).add(verdict)
        if verdict == "helpful":
            categories[text] = tuple(c for c in flag_categories.split(",") if c in CATEGORIES)
    examples = []
    for number, (text, seen) in enumerate(sorted(verdicts.items())):
        if len(seen) != 1:
            continue
        helpful = seen == {"helpful"}
        examples.append(
            Example(
                id=f"feedback-{number}",
                text=text,
                flag=helpful,
                categories=categories.get(text, ()) if helpful else (),
                severity=None,
                source="workspace feedback",
            )
        )
    return examples


@dataclass(frozen=True)
class Figures:
    precision: float
    recall: float
    near_misses: float  # share of the hard negatives flagged


def engine_figures(rules: RuleSet, model: LearnedModel | None, examples: list[Example]) -> Figures:
    """The engine (rules and ``model``) on ``examples``."""
    result = evaluate(examples, lambda text: detect(text, rules, model))
    return Figures(result.flags.precision, result.flags.recall, result.hard_rate)


def refusal(before: Figures, after: Figures, max_drop: float = MAX_DROP) -> str:
    """Why the new model may not replace the old one ("" when it may)."""
    drops = [
        f"{name} falls from {old:.3f} to {new:.3f}"
        for name, old, new in (
            ("precision", before.precision, after.precision),
            ("recall", before.recall, after.recall),
        )
        if old - new > max_drop + 1e-9
    ]
    return "; ".join(drops)


def comparison(
    before: Figures, after: Figures, before_name: str, after_name: str, where: str = "held-out split"
) -> str:
    """Before and after (on the held-out split), one line each, for the terminal."""

    def line(label: str, figures: Figures) -> str:
        return (
            f"{label:<9} precision {figures.precision:.3f}  recall {figures.recall:.3f}  "
            f"near misses flagged {figures.near_misses:.1%}"
        )

    delta = (
        f"change    precision {after.precision - before.precision:+.3f}  "
        f"recall {after.recall - before.recall:+.3f}  "
        f"near misses {after.near_misses - before.near_misses:+.1%}"
    )
    return "\n".join(
        [
            f"{where}, rules + learned stage ({before_name} -> {after_name}):",
            line("before", before),
            line("after", after),
            delta,
        ]
    )
