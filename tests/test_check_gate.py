"""check --fail-on: a CI gate for macros and reply templates."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import cli

FLAGGED_MEDIUM = "calm down, it's only been an hour"
FLAGGED_HIGH = "Another PEBKAC, this user is an idiot."
CLEAN = "Your parcel ships today, tracking to follow."


@pytest.mark.parametrize(
    ("text", "fail_on", "code"),
    [
        (FLAGGED_MEDIUM, "low", 1),
        (FLAGGED_MEDIUM, "medium", 1),
        (FLAGGED_MEDIUM, "high", 0),
        (FLAGGED_HIGH, "high", 1),
        (CLEAN, "low", 0),
    ],
)
def test_check_fail_on(text: str, fail_on: str, code: int) -> None:
    result = CliRunner().invoke(cli, ["check", "--format", "json", "--fail-on", fail_on, text])
    assert result.exit_code == code, result.output
    assert json.loads(result.stdout)["flagged"] is (text != CLEAN)  # the result is printed either way


def test_check_fail_on_jsonl_writes_every_line_then_fails() -> None:
    lines = "\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate([CLEAN, FLAGGED_MEDIUM, CLEAN]))
    failed = CliRunner().invoke(cli, ["check", "--format", "jsonl", "--fail-on", "medium"], input=lines)
    assert failed.exit_code == 1
    assert [json.loads(line)["id"] for line in failed.stdout.splitlines()] == [0, 1, 2]
    passed = CliRunner().invoke(cli, ["check", "--format", "jsonl", "--fail-on", "high"], input=lines)
    assert passed.exit_code == 0
    bad = CliRunner().invoke(cli, ["check", "--fail-on", "extreme", CLEAN])
    assert bad.exit_code == 2
