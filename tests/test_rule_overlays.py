"""COACH_RULES_DIR / --rules add to the bundled rules; --rules-only replaces them (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.coaching.detect import detect
from bot.coaching.rules import RuleError, default_rules, load_rules

OWN = """
category = "disparaging"

[[rule]]
id = "ticket-monkey"
severity = "high"
patterns = ['\\bticket monkeys?\\b']
anchors = ["ticket monkey"]
tip = "Name the request, not a nickname for the customer."
examples = ["another ticket monkey again"]
"""

# --rules-only reads complete rule files: the header keys are required there.
FULL = OWN.replace(
    'category = "disparaging"\n',
    """category = "disparaging"
principle = "Never disparage a customer."
next_step = "I'll look into it now."
reflection = "What made this confusing for them?"
fallback = "Thanks for your patience, I'm on it."
""",
)

OVERRIDE = """
category = "argumentative"

[[rule]]
id = "calm-down"
severity = "high"
patterns = ['\\bcalm down\\b']
anchors = ["calm down"]
tip = "Our own tip for calm down."
"""

OFF = """
category = "disparaging"

[[rule]]
id = "pebkac"
enabled = false
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COACH_RULES_DIR", raising=False)
    monkeypatch.chdir(tmp_path)


def folder(tmp_path: Path, name: str = "own-rules", **files: str) -> Path:
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    for name, body in files.items():
        (path / f"{name}.toml").write_text(body, encoding="utf-8")
    return path


def rules_of(text: str, ruleset) -> list[str]:
    return [f.rule for f in detect(text, ruleset, model=None).findings]


def test_an_overlay_adds_to_the_bundled_rules(tmp_path: Path) -> None:
    ruleset = load_rules(overlay=folder(tmp_path, own=OWN))
    assert rules_of("another ticket monkey again", ruleset) == ["ticket-monkey"]
    assert rules_of("Classic PEBKAC, closing it.", ruleset) == ["pebkac"]  # the bundled rule is still there
    assert len(ruleset.rules) == len(default_rules().rules) + 1
    assert ruleset.get("ticket-monkey").source == str((tmp_path / "own-rules" / "own.toml").resolve())


def test_the_same_id_overrides_in_place_and_enabled_false_switches_off(tmp_path: Path) -> None:
    ruleset = load_rules(overlay=folder(tmp_path, a=OVERRIDE, b=OFF))
    findings = detect("Calm down, it has only been an hour.", ruleset, model=None).findings
    assert [(f.rule, f.severity, f.tip) for f in findings] == [("calm-down", "high", "Our own tip for calm down.")]
    assert ruleset.order["calm-down"] == default_rules().order["calm-down"]
    assert ruleset.get("pebkac") is None and "pebkac" not in rules_of("Classic PEBKAC, closing it.", ruleset)
    assert len(ruleset.rules) == len(default_rules().rules) - 1


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"x": OFF.replace("pebkac", "no-such-rule")}, "names no rule to switch off"),
        ({"x": OWN, "y": OWN}, "is already overlaid in x.toml"),
        ({"x": OWN.replace("disparaging", "rude")}, "'category' must be one of"),
        ({"x": OWN.replace("\\bticket", "(\\bticket")}, "x.toml: rule 'ticket-monkey': invalid regular expression"),
        ({"vocab": "[you]\nitems = ['you']\n", "x": OWN}, "vocab.toml is only read with --rules-only"),
    ],
)
def test_a_bad_overlay_is_refused_naming_the_file(tmp_path: Path, files: dict[str, str], message: str) -> None:
    with pytest.raises(RuleError) as error:
        load_rules(overlay=folder(tmp_path, **files))
    assert message in str(error.value)


def test_the_cli_adds_with_coach_rules_dir_and_replaces_with_rules_only(tmp_path: Path) -> None:
    own = folder(tmp_path, own=OWN)
    full = folder(tmp_path, "only", own=FULL)
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["check", "--format", "json", "Classic PEBKAC from another ticket monkey"],
        env={"COACH_RULES_DIR": str(own)},
    )
    assert added.exit_code == 0, added.output
    assert {f["rule"] for f in json.loads(added.output)["findings"]} == {"pebkac", "ticket-monkey"}
    only = runner.invoke(
        cli, ["--rules-only", str(full), "check", "--format", "json", "Classic PEBKAC from another ticket monkey"]
    )
    assert only.exit_code == 0, only.output
    assert {f["rule"] for f in json.loads(only.output)["findings"] if not f["rule"].startswith("learned-")} == {
        "ticket-monkey"
    }
    both = runner.invoke(cli, ["--rules", str(own), "--rules-only", str(own), "rules", "list"])
    assert both.exit_code == 2 and "alternatives" in both.output


def test_rules_check_and_list_source_with_an_overlay(tmp_path: Path) -> None:
    own = folder(tmp_path, own=OWN, off=OFF)
    runner = CliRunner()
    checked = runner.invoke(cli, ["--rules", str(own), "rules", "check"])
    assert checked.exit_code == 0, checked.output
    listed = runner.invoke(
        cli, ["--rules", str(own), "rules", "list", "--source", "--db", str(tmp_path / "no.db")], env={"COLUMNS": "250"}
    )
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert any(
        line.startswith("ticket-monkey") and f"overlay {(own / 'own.toml').resolve()}" in line for line in lines
    ), listed.output
    assert any(line.startswith("calm-down") and "bundled argumentative.toml" in line for line in lines)
    assert not any(line.startswith("pebkac ") for line in lines)
    replaced = runner.invoke(
        cli,
        [
            "--rules-only",
            str(folder(tmp_path, "only", own=FULL)),
            "rules",
            "list",
            "--source",
            "--db",
            str(tmp_path / "no.db"),
        ],
        env={"COLUMNS": "250"},
    )
    assert replaced.exit_code == 0, replaced.output
    assert "file " in replaced.output and "bundled" not in replaced.output
