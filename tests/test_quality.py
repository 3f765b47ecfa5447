"""Detection quality on the labelled development set; prints the figures (pytest -s to see)."""

from __future__ import annotations

import json

import pytest

from bot.detect import detect
from bot.rules import RuleSet
from tests.conftest import DEVSET


@pytest.mark.skipif(not DEVSET.exists(), reason="../shared/data/devset.jsonl is not present")
def test_devset_quality(rules: RuleSet) -> None:
    rows = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines() if line.strip()]
    tp = fp = fn = 0
    hard = hard_flagged = 0
    category_exact = 0
    for row in rows:
        analysis = detect(row["text"], rules)
        if row["notes"].startswith("HARD-NEG"):
            hard += 1
            hard_flagged += analysis.flagged
        if analysis.flagged and row["flag"]:
            tp += 1
            category_exact += set(analysis.categories) == set(row["categories"])
        elif analysis.flagged:
            fp += 1
        elif row["flag"]:
            fn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    hard_rate = hard_flagged / hard if hard else 0.0
    print(f"\ndevset: n={len(rows)} precision={precision:.3f} recall={recall:.3f} "
          f"hard-negatives flagged={hard_flagged}/{hard} ({hard_rate:.1%}) "
          f"categories exact={category_exact}/{tp}")
    assert precision >= 0.95
    assert recall >= 0.92
    assert hard_rate <= 0.05
