"""`support-coach eval` as a team would run it on its own labelled messages, and the split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.coaching.evaluate import evaluate
from bot.dataset import DataError, Example, bucket, in_holdout, read_labelled, select
from bot.models import Analysis, Finding

# Written for these tests; none of them is in the labelled data.
OWN_MESSAGES = [
    {
        "id": "e1",
        "text": "Hi Rowan, as I already said twice, the voucher ends on Sunday.",
        "flag": True,
        "categories": ["argumentative"],
        "severity": "medium",
        "notes": "repetition",
    },
    {
        "id": "e2",
        "text": "Hi Rowan, I've sent the voucher again and it works until Sunday.",
        "flag": False,
        "categories": [],
        "severity": None,
        "notes": "clean",
    },
    {
        "id": "e3",
        "text": "lol another PEBKAC from the Harbour Lane store",
        "flag": True,
        "categories": ["disparaging"],
        "severity": "medium",
        "notes": "slang",
    },
    {
        "id": "e4",
        "text": "not a PEBKAC at all, the sync bug is ours (ENG-4410)",
        "flag": False,
        "categories": [],
        "severity": None,
        "notes": "HARD-NEG[negated]: denies the slang",
    },
    {
        "id": "e5",
        "text": "Hi Rowan, we can't extend it, but I can add a 10% credit to your next order.",
        "flag": False,
        "categories": [],
        "severity": None,
        "notes": "HARD-NEG[cant-with-options]: alternative",
    },
]


def _write(tmp_path: Path, rows: list[dict], name: str = "mine.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


def test_eval_prints_every_figure(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(_write(tmp_path, OWN_MESSAGES)), "--show-misses", "5"])
    assert result.exit_code == 0, result.output
    for heading in (
        "precision",
        "recall",
        "hard negatives flagged",
        "multi-label",
        "severity exact",
        "negated",
        "cant-with-options",
    ):
        assert heading in result.output


def test_eval_json_counts_match_the_messages(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(_write(tmp_path, OWN_MESSAGES)), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    flags = data["flags"]
    assert data["messages"] == 5
    assert flags["tp"] + flags["fn"] == 2  # two harsh messages
    assert data["hard_negatives"]["total"] == 2
    assert set(data["categories"]) == {"disparaging", "blame", "argumentative", "dismissive"}


def test_gates_fail_with_exit_1_and_say_why(tmp_path: Path) -> None:
    path = _write(tmp_path, OWN_MESSAGES)
    passed = CliRunner().invoke(cli, ["eval", str(path), "--min-precision", "0", "--min-recall", "0"])
    assert passed.exit_code == 0
    failed = CliRunner().invoke(cli, ["eval", str(path), "--min-recall", "1.01"])
    assert failed.exit_code == 1
    assert "below target: recall" in failed.output


def test_real_replies_flag_rate(tmp_path: Path) -> None:
    replies = _write(
        tmp_path,
        [
            {"id": "r1", "text": "Thanks for your patience, it's fixed now."},
            {"id": "r2", "text": "calm down, it's been an hour"},
        ],
        "real.jsonl",
    )
    result = CliRunner().invoke(cli, ["eval", str(_write(tmp_path, OWN_MESSAGES)), "--real", str(replies)])
    assert result.exit_code == 0, result.output
    assert "real replies flagged" in result.output and "1/2" in result.output


@pytest.mark.parametrize(
    "line, message",
    [
        ("{broken", "not valid JSON"),
        (json.dumps({"id": "x", "text": 5, "flag": True, "categories": ["blame"]}), "'text' must be a string"),
        (json.dumps({"id": "x", "text": "a", "flag": True, "categories": []}), "empty exactly when"),
        (json.dumps({"id": "x", "text": "a", "flag": True, "categories": ["rude"]}), "'categories'"),
        (json.dumps([1, 2]), "JSON object"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_scored(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(OWN_MESSAGES[0]) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:2"):
        read_labelled(path)
    result = CliRunner().invoke(cli, ["eval", str(path)])
    assert result.exit_code == 1 and "bad.jsonl:2" in result.output and message in result.output


def test_the_split_is_stable_and_only_holds_out_the_newer_files() -> None:
    assert bucket("ta0001") == bucket("ta0001")
    assert 0 <= bucket("anything") < 100
    ids = [f"ta{i:04d}" for i in range(400)]
    held = [i for i in ids if in_holdout(i, "train_a.jsonl")]
    assert 0.15 < len(held) / len(ids) < 0.35
    assert not any(in_holdout(i, "devset.jsonl") for i in ids)
    examples = [Example(id=i, text="t", flag=False, categories=(), severity=None, file="train_a.jsonl") for i in ids]
    assert len(select(examples, "train")) + len(select(examples, "holdout")) == len(ids)


def test_evaluate_counts_categories_and_multi_labels() -> None:
    def finding(category: str) -> Finding:
        return Finding("r", category, "medium", 0, 1, "x", "tip", "principle")

    verdicts = {
        "both": Analysis("both", (finding("blame"), finding("argumentative")), ("blame", "argumentative"), "medium"),
        "one": Analysis("one", (finding("blame"),), ("blame",), "low"),
        "clean": Analysis("clean"),
    }
    examples = [
        Example("1", "both", True, ("blame", "argumentative"), "medium"),
        Example("2", "one", True, ("blame", "dismissive"), "medium"),
        Example("3", "clean", False, (), None, notes="HARD-NEG[owns-fault]: ours"),
    ]
    result = evaluate(examples, lambda text: verdicts[text])
    assert result.flags.tp == 2 and result.flags.fp == 0
    assert result.multi_label == 2 and result.multi_label_exact == 1
    assert result.per_category["dismissive"].fn == 1
    assert result.severity_exact == 1 and result.severity_scored == 2
    assert result.hard_by_kind == {"owns-fault": (0, 1)}
