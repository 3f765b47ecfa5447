"""The CLI as people and scripts use it: CliRunner for speed, a real subprocess for the entry point."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from bot.cli import cli


def test_check_human_output_highlights_and_suggests() -> None:
    result = CliRunner().invoke(cli, ["check", "Hi Sam, as I already said, you should have read the guide."])
    assert result.exit_code == 0
    assert "Spotted: blame, argumentative" in result.output
    assert "as I already said" in result.output
    assert "Why:" in result.output and "Tip:" in result.output
    assert "Try instead:" in result.output


def test_check_clean_text() -> None:
    result = CliRunner().invoke(cli, ["check", "Your parcel ships today, tracking to follow."])
    assert result.exit_code == 0
    assert "Nothing to coach" in result.output


def test_check_reads_stdin_as_json() -> None:
    result = CliRunner().invoke(cli, ["check", "--format", "json"], input="calm down, it's been an hour\n")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["flagged"] is True
    assert data["categories"] == ["argumentative"]
    assert data["findings"][0]["match"] == "calm down"


def test_jsonl_contract() -> None:
    lines = [
        json.dumps({"id": "m1", "text": "Not my problem, ask the shop you bought it from."}),
        json.dumps({"id": 7, "text": "Thanks, the refund is on its way!"}),
        "plain text line with PEBKAC in it",
        "{broken json",
        json.dumps({"id": "no-text"}),
        "",
        json.dumps({"id": "uni", "text": "ＰＩＣＮＩＣ \u200b again 🙃"}),
    ]
    result = CliRunner().invoke(cli, ["check", "--format", "jsonl"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["id"] for item in out] == ["m1", 7, 3, 4, "no-text", "uni"]
    for item in out:
        assert set(item) >= {"id", "flagged", "categories", "severity", "findings", "suggestion"}
    assert out[0]["flagged"] and out[0]["categories"] == ["dismissive"]
    assert out[0]["suggestion"]
    assert not out[1]["flagged"] and out[1]["suggestion"] is None and out[1]["severity"] is None
    assert out[2]["findings"][0]["rule"] == "pebkac"
    finding = out[2]["findings"][0]
    assert set(finding) == {"rule", "category", "severity", "start", "end", "match", "tip"}
    assert "error" in out[3] and "error" in out[4]
    assert out[5]["flagged"] and out[5]["findings"][0]["match"] == "ＰＩＣＮＩＣ"


def test_jsonl_rejects_a_text_argument() -> None:
    result = CliRunner().invoke(cli, ["check", "--format", "jsonl", "hello"])
    assert result.exit_code == 2


def test_console_entry_point_in_a_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--format", "jsonl"],
        input='{"id": 1, "text": "You are incorrect. That payment is valid."}\n',
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    result = json.loads(line)
    assert result["id"] == 1 and result["categories"] == ["argumentative"]


def test_rules_list() -> None:
    result = CliRunner().invoke(cli, ["rules", "list", "--category", "dismissive"])
    assert result.exit_code == 0
    assert "policy-wall" in result.output
    assert "pebkac" not in result.output
