"""`support-coach train --with-feedback` (issue 14): the workspace's confirmed votes retrain the
learned stage into a workspace model, checked on the held-out split against the model in use.

Training on the whole training split takes minutes, so these use ``--sample`` (every n-th
message); the checks are the real ones: the real trainer, the real held-out split, the real CLI.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.coaching.model import load_model, save_model
from bot.feedback_training import MAX_DROP, Figures, feedback_examples, refusal, workspace_model_path
from bot.store import Store
from bot.train import train
from tests.factories import make_flag

SAMPLE = "60"  # a model of 60 messages: far below the bundled one, as the refusal test needs
SAMPLE_KEPT = "100"
# Written for these tests: what a team marks Not helpful (its jargon) and Helpful.
NOT_HELPFUL = (
    "we nuked the stale cache and the sync came back",
    "the dumb terminal mode is the right pick here",
    "I killed the stuck job, the export runs again",
)
HELPFUL = ("honestly that is a silly question, the manual covers it", "you clearly never read what I sent you")


def votes_db(tmp_path: Path) -> Path:
    """Flags with their own agents' votes, plus votes that must not count."""
    path = tmp_path / "coach.db"
    store = Store(path)
    texts = [(t, "not_helpful") for t in NOT_HELPFUL] + [(t, "helpful") for t in HELPFUL]
    for i, (text, verdict) in enumerate(texts):
        agent = f"UA{i}"
        flag_id = store.add_flag(replace(make_flag(i, agent=agent, categories=("disparaging",)), excerpt=text))
        assert store.vote(flag_id, "T1", agent, verdict) is not None
    forged = store.add_flag(replace(make_flag(20, agent="UOWNER"), excerpt="a forged vote by someone else"))
    store.add_feedback(forged, "T1", "USOMEONE", "should-have", "helpful")  # not the flag's own agent
    gone = store.add_flag(replace(make_flag(21, agent="UGONE"), excerpt="deleted before training"))
    store.vote(gone, "T1", "UGONE", "helpful")
    store.set_status(gone, "deleted", clear_text=True)
    both = [
        store.add_flag(replace(make_flag(22 + n, agent=f"UB{n}"), excerpt="the same words voted both ways"))
        for n in range(2)
    ]
    store.vote(both[0], "T1", "UB0", "helpful")
    store.vote(both[1], "T1", "UB1", "not_helpful")
    store.close()
    return path


def test_feedback_examples_are_the_confirmed_votes_only(tmp_path: Path) -> None:
    store = Store(votes_db(tmp_path))
    examples = {e.text: e for e in feedback_examples(store)}
    assert set(examples) == set(NOT_HELPFUL) | set(HELPFUL)
    assert all(not examples[t].flag and examples[t].categories == () for t in NOT_HELPFUL)
    assert all(examples[t].flag and examples[t].categories == ("disparaging",) for t in HELPFUL)
    assert feedback_examples(store, team="T9") == []
    store.close()


def test_the_refusal_rule_is_one_point_of_precision_or_recall() -> None:
    before = Figures(precision=0.90, recall=0.77, near_misses=0.15)
    assert refusal(before, Figures(0.90 - MAX_DROP, 0.77 - MAX_DROP, 0.30)) == ""  # exactly one point: kept
    assert "precision falls from 0.900 to 0.885" in refusal(before, Figures(0.885, 0.80, 0.1))
    assert "recall falls" in refusal(before, Figures(0.95, 0.75, 0.1))


def test_a_model_worse_on_the_held_out_split_is_refused(tmp_path: Path) -> None:
    db = votes_db(tmp_path)
    result = CliRunner().invoke(cli, ["train", "--with-feedback", "--db", str(db), "--sample", SAMPLE])
    assert result.exit_code == 1, result.output
    assert "workspace feedback: 2 helpful (positives), 3 not helpful (negatives)" in result.output
    assert "held-out split, rules + learned stage (bundled model -> retrained with feedback):" in result.output
    refused = next(line for line in result.output.splitlines() if line.startswith("refused: "))
    assert "recall falls from" in refused and "the bundled model stays" in refused
    assert not workspace_model_path(db).exists()


def test_a_model_no_worse_replaces_the_workspace_model(tmp_path: Path) -> None:
    db = votes_db(tmp_path)
    target = workspace_model_path(db)
    # The model in use: the very weights this run will train (training is deterministic), marked
    # so the file can be seen to be replaced. Against it "no worse" holds whatever the data: a
    # quick model trained without the votes is no fair yardstick, as models of 100 messages differ
    # by more than a point on the held-out split with or without five rows.
    store = Store(db)
    in_use = train(feedback=feedback_examples(store), sample=int(SAMPLE_KEPT))
    store.close()
    save_model(replace(in_use, meta={**in_use.meta, "note": "the model in use"}), target)
    before = target.read_bytes()
    result = CliRunner().invoke(cli, ["train", "--with-feedback", "--db", str(db), "--sample", SAMPLE_KEPT])
    assert result.exit_code == 0, result.output
    assert f"(workspace model {target} -> retrained with feedback)" in result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.startswith(("before", "after"))}
    assert set(lines) == {"before", "after"} and "precision" in lines["after"]
    assert target.read_bytes() != before
    model = load_model(target)
    assert model.meta["trained_on"]["workspace_feedback"] == 5 and "note" not in model.meta
    # eval --model: the same before/after against the bundled model.
    shown = CliRunner().invoke(cli, ["eval", "--split", "holdout", "--model", str(target), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    figures = json.loads(shown.output)
    assert set(figures["before"]) == set(figures["after"]) == {"precision", "recall", "near_misses"}
    assert figures["before"] != figures["after"]


def test_sample_without_a_destination_is_refused() -> None:
    result = CliRunner().invoke(cli, ["train", "--sample", "10"])
    assert result.exit_code == 2 and "give --out" in result.output


def test_no_feedback_yet_says_so(tmp_path: Path) -> None:
    Store(tmp_path / "empty.db").close()
    result = CliRunner().invoke(cli, ["train", "--with-feedback", "--db", str(tmp_path / "empty.db")])
    assert result.exit_code == 1 and "no confirmed feedback yet" in result.output
