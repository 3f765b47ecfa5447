"""How good are the suggestions? Figures an agent would notice, over labelled flagged messages.

A suggestion is only useful if an agent would send it: it keeps the customer's facts, is the
agent's own message made calmer (not a stock sentence), does not repeat itself across
messages, ends with a concrete step instead of an announcement, and reads cleanly. The checks
themselves are bot.coaching.suggestion_checks (the rewriter runs them too); this counts them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.coaching.audience import audience
from bot.coaching.detect import detect
from bot.coaching.facts import extract, missing
from bot.coaching.residual import BAR, harsh_own_sentences, shaped_sentences
from bot.coaching.rules import RuleSet, default_rules
from bot.coaching.suggestion_checks import defects, has_next_step, hollow, own_words, stock_only
from bot.dataset import Example
from bot.models import Analysis, Suggestion


@dataclass
class Item:
    """One flagged message and what the coach suggested for it."""

    text: str
    analysis: Analysis
    suggestion: Suggestion
    customer: bool
    facts_total: int = 0
    facts_lost: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    stock: bool = False
    hollow: bool = False
    step: bool = False
    reflagged: bool = False
    harsh: list[str] = field(default_factory=list)
    read_harsh: list[str] = field(default_factory=list)
    own: bool = True


@dataclass
class RewriteReport:
    """The figures, plus the items behind them for --show."""

    items: list[Item]

    def _share(self, items: list[Item], test: Callable[[Item], bool]) -> float:
        return round(sum(1 for i in items if test(i)) / len(items), 3) if items else 0.0

    def figures(self) -> dict[str, float | int]:
        rewrites = [i for i in self.items if i.suggestion.kind == "rewrite"]
        replies = [i for i in rewrites if i.customer]
        counts = Counter(i.suggestion.text for i in self.items)

        def retention(items: list[Item]) -> float:
            if not items:
                return 1.0
            values = [1 - len(i.facts_lost) / i.facts_total if i.facts_total else 1.0 for i in items]
            return round(sum(values) / len(values), 3)

        ratios = [len(i.suggestion.text) / max(1, len(i.text)) for i in rewrites]
        return {
            "flagged messages": len(self.items),
            "rewrites": len(rewrites),
            "customer-facing rewrites": len(replies),
            "reflections": len(self.items) - len(rewrites),
            "fact retention (replies)": retention(replies),
            "fact retention (all rewrites)": retention(rewrites),
            "every fact kept (replies)": self._share(replies, lambda i: not i.facts_lost),
            "every fact kept (all rewrites)": self._share(rewrites, lambda i: not i.facts_lost),
            "stock text only": self._share(rewrites, lambda i: i.stock),
            "nothing of the agent's own to keep": self._share(rewrites, lambda i: not i.own),
            "generic reflections": self._share(
                [i for i in self.items if i.suggestion.kind != "rewrite"], lambda i: i.stock
            ),
            "same text for 3+ inputs": self._share(self.items, lambda i: counts[i.suggestion.text] >= 3),
            "hollow endings": self._share(self.items, lambda i: i.hollow),
            "introduced defects": self._share(self.items, lambda i: bool(i.defects)),
            "next step (customer-facing)": self._share(replies, lambda i: i.step),
            "re-flagged": self._share(self.items, lambda i: i.reflagged),
            "harsh sentence kept": self._share(rewrites, lambda i: bool(i.harsh)),
            f"a sentence the model reads as harsh (>= {BAR})": self._share(rewrites, lambda i: bool(i.read_harsh)),
            "length ratio (mean)": round(sum(ratios) / len(ratios), 2) if ratios else 0.0,
        }

    def problems(self, limit: int) -> list[str]:
        """The first ``limit`` items with something wrong, for a human to read."""
        lines: list[str] = []
        for item in self.items:
            wrong = []
            if item.facts_lost:
                wrong.append("lost " + ", ".join(item.facts_lost))
            wrong += item.defects
            if item.stock:
                wrong.append("stock only")
            if item.hollow:
                wrong.append("hollow")
            if item.customer and item.suggestion.kind == "rewrite" and not item.step:
                wrong.append("no next step")
            if item.reflagged:
                wrong.append("re-flagged")
            if item.harsh:
                wrong.append("harsh: " + " / ".join(item.harsh))
            if item.read_harsh:
                wrong.append("reads harsh: " + " / ".join(item.read_harsh))
            if wrong and len(lines) < limit:
                lines.append(f"- {item.text!r}\n  -> {item.suggestion.text!r}\n  [{'; '.join(wrong)}]")
        return lines


def score(
    texts: Iterable[str], suggest: Callable[[str, Analysis], Suggestion | None], rules: RuleSet | None = None
) -> RewriteReport:
    """Suggest for every text the detector flags and score each suggestion."""
    rules = rules if rules is not None else default_rules()
    items = []
    for text in texts:
        analysis = detect(text, rules)
        if not analysis.flagged:
            continue
        suggestion = suggest(text, analysis)
        if suggestion is None:
            continue
        out = suggestion.text
        facts = extract(text, analysis)

        item = Item(
            text=text, analysis=analysis, suggestion=suggestion, customer=audience(text, analysis) == "customer"
        )
        if suggestion.kind == "rewrite":
            item.facts_total = len(facts)
            item.facts_lost = [f.text for f in missing(facts, out)]
            item.step = has_next_step(out)
            item.harsh = shaped_sentences(out)
            item.read_harsh = harsh_own_sentences(text, out)
        item.defects = defects(text, out)
        item.stock = stock_only(text, analysis, out)
        item.own = bool(own_words(text, analysis))
        item.hollow = hollow(out)
        item.reflagged = detect(out, rules).flagged
        items.append(item)
    return RewriteReport(items)


def score_examples(
    examples: Iterable[Example], suggest: Callable[[str, Analysis], Suggestion | None], rules: RuleSet | None = None
) -> RewriteReport:
    """Score over the labelled examples whose gold label is a flag (and that the coach flags)."""
    return score((e.text for e in examples if e.flag), suggest, rules)


TARGETS: dict[str, tuple[str, float]] = {
    "fact retention (replies)": (">=", 0.95),
    "every fact kept (replies)": (">=", 0.85),
    "stock text only": ("<=", 0.05),
    "same text for 3+ inputs": ("<=", 0.05),
    "hollow endings": ("<=", 0.02),
    "introduced defects": ("<=", 0.0),
    "re-flagged": ("<=", 0.0),
    "next step (customer-facing)": (">=", 0.9),
}


def render(report: RewriteReport, show: int = 0) -> str:
    lines = []
    for name, value in report.figures().items():
        target = TARGETS.get(name)
        mark = ""
        if target:
            ok = value >= target[1] if target[0] == ">=" else value <= target[1]
            mark = f"   (target {target[0]} {target[1]}{'' if ok else ', MISSED'})"
        lines.append(f"{name:32} {value}{mark}")
    if show:
        lines.append("")
        lines += report.problems(show)
    return "\n".join(lines)
