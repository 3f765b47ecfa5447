"""Score the coach against labelled messages: the figures every change to detection is judged by.

Precision and recall alone hide what agents notice: a nudge on a near-miss ("not a PEBKAC"),
the right flag with the wrong reason, a second problem left unmentioned. So the report also
counts hard negatives per kind, category agreement, multi-label exactness and severity.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.dataset import Example
from bot.models import CATEGORIES, Analysis

Detector = Callable[[str], Analysis]


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class Counts:
    """True/false positives and false negatives, with the ratios derived from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True)
class Miss:
    """One message the coach got wrong, for --show-misses."""

    example: Example
    predicted: tuple[str, ...]
    kind: str  # "missed" | "false alarm" | "categories"


@dataclass
class Evaluation:
    """Every figure of one run over one set of labelled messages."""

    total: int = 0
    flags: Counts = field(default_factory=Counts)
    per_category: dict[str, Counts] = field(default_factory=dict)
    hard_negatives: int = 0
    hard_flagged: int = 0
    hard_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (flagged, total)
    multi_label: int = 0
    multi_label_exact: int = 0
    category_exact: int = 0
    severity_exact: int = 0
    severity_scored: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def hard_rate(self) -> float:
        return _ratio(self.hard_flagged, self.hard_negatives)

    @property
    def multi_label_rate(self) -> float:
        return _ratio(self.multi_label_exact, self.multi_label)

    @property
    def severity_rate(self) -> float:
        return _ratio(self.severity_exact, self.severity_scored)

    @property
    def category_exact_rate(self) -> float:
        return _ratio(self.category_exact, self.flags.tp)

    def to_dict(self) -> dict[str, object]:
        return {
            "messages": self.total,
            "flags": self.flags.to_dict(),
            "categories": {name: counts.to_dict() for name, counts in self.per_category.items()},
            "hard_negatives": {
                "flagged": self.hard_flagged,
                "total": self.hard_negatives,
                "rate": round(self.hard_rate, 4),
                "by_kind": {kind: {"flagged": f, "total": t} for kind, (f, t) in sorted(self.hard_by_kind.items())},
            },
            "multi_label": {
                "exact": self.multi_label_exact,
                "total": self.multi_label,
                "rate": round(self.multi_label_rate, 4),
            },
            "category_exact": {
                "exact": self.category_exact,
                "of_true_positives": self.flags.tp,
                "rate": round(self.category_exact_rate, 4),
            },
            "severity_exact": {
                "exact": self.severity_exact,
                "total": self.severity_scored,
                "rate": round(self.severity_rate, 4),
            },
        }


def evaluate(examples: Iterable[Example], detector: Detector) -> Evaluation:
    """Run the detector over every example and count what it got right and wrong."""
    result = Evaluation()
    flags = Counter[str]()
    per_category: dict[str, Counter[str]] = {c: Counter() for c in CATEGORIES}
    hard: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for example in examples:
        result.total += 1
        analysis = detector(example.text)
        predicted = set(analysis.categories) if analysis.flagged else set()
        gold = set(example.categories)
        for category in CATEGORIES:
            if category in predicted and category in gold:
                per_category[category]["tp"] += 1
            elif category in predicted:
                per_category[category]["fp"] += 1
            elif category in gold:
                per_category[category]["fn"] += 1
        kind = example.hard_negative_kind
        if kind is not None:
            hard[kind][1] += 1
            hard[kind][0] += analysis.flagged
        if example.flag and analysis.flagged:
            flags["tp"] += 1
            result.category_exact += predicted == gold
            if analysis.severity is not None and example.severity is not None:
                result.severity_scored += 1
                result.severity_exact += analysis.severity == example.severity
            if predicted != gold:
                result.misses.append(Miss(example, tuple(sorted(predicted)), "categories"))
        elif analysis.flagged:
            flags["fp"] += 1
            result.misses.append(Miss(example, tuple(sorted(predicted)), "false alarm"))
        elif example.flag:
            flags["fn"] += 1
            result.misses.append(Miss(example, (), "missed"))
        if len(gold) > 1:
            result.multi_label += 1
            result.multi_label_exact += gold <= predicted
    result.flags = Counts(flags["tp"], flags["fp"], flags["fn"])
    result.per_category = {c: Counts(n["tp"], n["fp"], n["fn"]) for c, n in per_category.items()}
    result.hard_by_kind = {kind: (f, t) for kind, (f, t) in hard.items()}
    result.hard_negatives = sum(t for _, t in hard.values())
    result.hard_flagged = sum(f for f, _ in hard.values())
    return result


def flag_rate(texts: Iterable[str], detector: Detector) -> tuple[int, int]:
    """(flagged, total) over unlabelled texts assumed clean, such as real agent replies."""
    flagged = total = 0
    for text in texts:
        total += 1
        flagged += detector(text).flagged
    return flagged, total


def render_text(evaluation: Evaluation, show_misses: int = 0) -> str:
    """The human-readable report `support-coach eval` prints."""
    f = evaluation.flags
    lines = [
        f"messages {evaluation.total}: precision {f.precision:.3f}  recall {f.recall:.3f}  f1 {f.f1:.3f}"
        f"  (tp {f.tp}, fp {f.fp}, fn {f.fn})",
        f"hard negatives flagged: {evaluation.hard_flagged}/{evaluation.hard_negatives} ({evaluation.hard_rate:.1%})",
        f"categories exact on true positives: {evaluation.category_exact}/{f.tp}"
        f" ({evaluation.category_exact_rate:.1%})",
        f"multi-label messages with all their categories: {evaluation.multi_label_exact}/"
        f"{evaluation.multi_label} ({evaluation.multi_label_rate:.1%})",
        f"severity exact: {evaluation.severity_exact}/{evaluation.severity_scored} ({evaluation.severity_rate:.1%})",
        "",
        f"{'category':14} {'precision':>9} {'recall':>7} {'f1':>6} {'tp':>5} {'fp':>5} {'fn':>5}",
    ]
    for name, counts in evaluation.per_category.items():
        lines.append(
            f"{name:14} {counts.precision:9.3f} {counts.recall:7.3f} {counts.f1:6.3f}"
            f" {counts.tp:5} {counts.fp:5} {counts.fn:5}"
        )
    if evaluation.hard_by_kind:
        lines += ["", "hard negatives by kind (flagged/total):"]
        for kind, (flagged, total) in sorted(evaluation.hard_by_kind.items(), key=lambda kv: (-kv[1][0], kv[0])):
            lines.append(f"  {kind:28} {flagged}/{total}")
    if show_misses:
        lines += ["", f"first {show_misses} mistakes:"]
        for miss in evaluation.misses[:show_misses]:
            gold = ",".join(miss.example.categories) or "clean"
            said = ",".join(miss.predicted) or "clean"
            text = miss.example.text.replace("\n", " / ")
            lines.append(f"  [{miss.kind}] {miss.example.id} gold={gold} said={said}: {text[:160]}")
    return "\n".join(lines)
