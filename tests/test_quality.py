"""Detection quality on the repository's held-out split: prints the figures (pytest -s to see).

The floors are what the engine reaches today on messages nothing was tuned on, so a change
that loses ground fails here; the issue's targets are higher and quoted beside them. The data
lives in the repository (data/), so a missing file is an error, never a skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.coaching.detect import detect
from bot.coaching.evaluate import evaluate, flag_rate, render_text
from bot.coaching.rules import RuleSet
from bot.dataset import DATA_DIR, LABELLED_FILES, REAL_REPLIES_FILE, DataError, labelled, real_replies

# What the held-out split must not fall below (targets: precision 0.95, recall 0.92, hard
# negatives 5%, real replies 0.5%).
# Today, on 6,432 held-out messages: 0.940 / 0.853 / 6.1% / 0.26% (1,542 real replies).
FLOORS = {"precision": 0.93, "recall": 0.80, "hard_rate": 0.07, "real_rate": 0.005}


def test_the_labelled_data_is_in_the_repository() -> None:
    for name in (*LABELLED_FILES, REAL_REPLIES_FILE):
        assert (DATA_DIR / name).is_file(), f"{DATA_DIR / name} is missing: the quality figures cannot be computed"


@pytest.fixture(scope="module")
def holdout_figures(rules: RuleSet) -> tuple:
    examples = labelled("holdout")
    assert len(examples) >= 200
    result = evaluate(examples, lambda text: detect(text, rules))
    replies = [text for _id, text in real_replies("holdout")]
    flagged, total = flag_rate(replies, lambda text: detect(text, rules))
    print("\nheld-out split:\n" + render_text(result) + f"\nreal replies flagged: {flagged}/{total}")
    return result, flagged / total


def test_held_out_precision_and_recall(holdout_figures: tuple) -> None:
    result, _ = holdout_figures
    assert result.flags.precision >= FLOORS["precision"]
    assert result.flags.recall >= FLOORS["recall"]


def test_held_out_near_misses_stay_mostly_silent(holdout_figures: tuple) -> None:
    result, _ = holdout_figures
    assert result.hard_negatives >= 50
    assert result.hard_rate <= FLOORS["hard_rate"]


def test_real_agent_replies_are_almost_never_flagged(holdout_figures: tuple) -> None:
    _, real_rate = holdout_figures
    assert real_rate <= FLOORS["real_rate"]


def test_the_split_never_mixes(rules: RuleSet) -> None:
    train_ids = {e.id for e in labelled("train")}
    holdout_ids = {e.id for e in labelled("holdout")}
    assert train_ids and holdout_ids and not train_ids & holdout_ids
    assert len(train_ids) + len(holdout_ids) == len(labelled("all"))


def test_missing_data_is_an_error_never_a_skip(tmp_path: Path) -> None:
    """Without data/ the figures above error out with the folder named; nothing here can skip."""
    with pytest.raises(DataError) as missing:
        labelled("holdout", data_dir=tmp_path)
    assert str(missing.value).startswith(f"{tmp_path}: missing devset.jsonl")
    with pytest.raises(DataError) as missing:
        real_replies("holdout", data_dir=tmp_path)
    assert str(missing.value).startswith(f"{tmp_path / REAL_REPLIES_FILE}: missing")
