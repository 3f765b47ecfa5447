"""`support-coach rules add|allow|mute|unmute|channel|threshold|list --source` on real SQLite files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.coaching.coach import Coach
from bot.store import Store


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("COACH_RULES_DIR", "COACH_CHANNELS", "COACH_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})


def settings_of(db: Path, team: str = "T1"):
    store = Store(db)
    try:
        return store.workspace_settings(team), store.settings_audit()
    finally:
        store.close()


def test_mute_and_unmute_edit_the_store_with_an_audit_row(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    result = run("rules", "mute", "calm-down", "--channel", "C1", "--db", str(db), "--by", "U-ana")
    assert result.exit_code == 0, result.output
    assert "muted calm-down in C1" in result.output
    settings, audit = settings_of(db)
    assert not Coach().analyse("Calm down, it has only been an hour.", settings, "C1").flagged
    assert Coach().analyse("Calm down, it has only been an hour.", settings, "C2").flagged
    assert audit[0]["actor"] == "U-ana" and audit[0]["action"] == "mute"
    assert json.loads(str(audit[0]["after"])) == {"rule": "calm-down", "channel": "C1"}
    result = run("rules", "unmute", "calm-down", "--channel", "C1", "--db", str(db))
    assert result.exit_code == 0 and "unmuted" in result.output
    settings, audit = settings_of(db)
    assert settings.mutes == frozenset() and audit[0]["action"] == "unmute"
    result = run("rules", "unmute", "calm-down", "--db", str(db))
    assert result.exit_code == 1 and "is not muted everywhere" in result.output


def test_mute_refuses_an_unknown_rule_and_accepts_the_learned_stage(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    result = run("rules", "mute", "calm-dwon", "--db", str(db))
    assert result.exit_code == 1 and "unknown rule 'calm-dwon'" in result.output
    assert settings_of(db)[1] == []  # nothing written, nothing audited
    assert run("rules", "mute", "learned-blame", "--db", str(db)).exit_code == 0
    assert [m.rule for m in settings_of(db)[0].mutes] == ["learned-blame"]


def test_allow_validates_a_regex_and_silences_the_phrase(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    result = run("rules", "allow", "layer (8", "--regex", "--db", str(db))
    assert result.exit_code == 1 and "invalid regular expression" in result.output
    result = run("rules", "allow", ".*", "--regex", "--db", str(db))
    assert result.exit_code == 1 and "matches empty text" in result.output
    assert settings_of(db)[1] == []
    assert run("rules", "allow", r"layer\s*8", "--regex", "--db", str(db)).exit_code == 0
    settings, audit = settings_of(db)
    assert not Coach().analyse("Honestly it is a layer 8 problem", settings, "C1").flagged
    assert [row["action"] for row in audit] == ["allow"]
    assert run("rules", "allow", r"layer\s*8", "--regex", "--remove", "--db", str(db)).exit_code == 0
    assert settings_of(db)[0].allows == ()


def test_add_checks_the_term_and_the_coach_then_flags_it_with_its_tip(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    tip = "Name the request, not a nickname for the customer."
    result = run(
        "rules",
        "add",
        "ticket monkey",
        "--category",
        "disparaging",
        "--severity",
        "high",
        "--tip",
        tip,
        "--db",
        str(db),
    )
    assert result.exit_code == 0, result.output
    assert "added custom-ticket-monkey" in result.output
    settings, audit = settings_of(db)
    analysis = Coach().analyse("Another ticket monkey asking again", settings, "C1")
    assert [(f.rule, f.tip) for f in analysis.findings] == [("custom-ticket-monkey", tip)]
    assert audit[0]["action"] == "add_term" and audit[0]["before"] == "null"
    again = run(
        "rules",
        "add",
        "ticket monkey",
        "--category",
        "disparaging",
        "--severity",
        "medium",
        "--tip",
        tip,
        "--db",
        str(db),
    )
    assert again.exit_code == 0
    assert settings_of(db)[1][0]["action"] == "replace_term"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tick(et", "--regex", "--anchor", "tick", "--example", "ticket"], "invalid regular expression"),
        ([r"tick\w+", "--regex", "--example", "ticket"], "need 'anchors'"),
        (["chill", "--id", "calm-down"], "already exists in the rule files"),
        (["ticket monkey", "--rewrite", "calm down"], "rewrite is itself flagged"),
    ],
)
def test_add_refuses_what_a_rule_file_would_refuse(tmp_path: Path, args: list[str], message: str) -> None:
    db = tmp_path / "coach.db"
    result = run("rules", "add", *args, "--category", "blame", "--severity", "low", "--tip", "t", "--db", str(db))
    assert result.exit_code == 1 and message in result.output, result.output
    assert settings_of(db)[0].terms == ()


def test_channel_and_threshold_commands(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    assert run("rules", "channel", "C9", "--ignore", "--db", str(db), "--team", "T1").exit_code == 0
    assert run("rules", "threshold", "medium", "--db", str(db)).exit_code == 0
    assert run("rules", "threshold", "high", "--channel", "C2", "--db", str(db)).exit_code == 0
    settings, _ = settings_of(db)
    assert settings.ignored == frozenset({"C9"}) and not settings.watches("C9")
    assert settings.threshold_for("C1") == "medium" and settings.threshold_for("C2") == "high"
    assert settings_of(db, "T2")[0].ignored == frozenset()  # --team T1 only
    assert run("rules", "threshold", "none", "--db", str(db)).exit_code == 0
    assert settings_of(db)[0].threshold is None
    assert run("rules", "channel", "C9", "--db", str(db)).exit_code == 2  # no mode given


def test_list_source_says_where_each_rule_and_setting_comes_from(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    run(
        "rules",
        "add",
        "ticket monkey",
        "--category",
        "disparaging",
        "--severity",
        "high",
        "--tip",
        "t",
        "--db",
        str(db),
    )
    run("rules", "mute", "calm-down", "--channel", "C1", "--db", str(db))
    run("rules", "mute", "learned-blame", "--db", str(db))
    run("rules", "allow", "layer 8", "--db", str(db))
    run("rules", "threshold", "medium", "--db", str(db))
    result = run("rules", "list", "--source", "--db", str(db))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(
        line.startswith("calm-down") and "bundled argumentative.toml" in line and "muted (C1)" in line for line in lines
    ), result.output
    assert any(line.startswith("custom-ticket-monkey") and "workspace" in line for line in lines)
    assert f"workspace: the settings in {db}" in result.output
    assert any(line.startswith("pebkac") and line.rstrip().endswith("on") for line in lines)
    assert any(line.startswith("mute") and "learned-blame" in line for line in lines)
    assert any(line.startswith("allow") and "layer 8" in line for line in lines)
    assert any(line.startswith("threshold") and "medium (everywhere)" in line for line in lines)
    # Options: set in Slack (the store) or not, and then the environment's default.
    assert any(line.startswith("managers") and "(none)" in line and "built-in default" in line for line in lines)


def test_list_source_names_options_set_in_slack(tmp_path: Path, monkeypatch) -> None:
    from bot.store import Store

    db = tmp_path / "coach.db"
    store = Store(db)
    store.set_option("time_zone", "Europe/Amsterdam", actor="UMANAGER")
    store.close()
    monkeypatch.setenv("COACH_DIGEST_CHANNEL", "C0DIGEST")
    lines = run("rules", "list", "--source", "--db", str(db)).output.splitlines()
    assert any(line.startswith("time zone") and "Europe/Amsterdam" in line and "workspace" in line for line in lines)
    assert any(line.startswith("digest channel") and "environment (COACH_DIGEST_CHANNEL)" in line for line in lines)


def test_list_source_without_a_database_creates_none(tmp_path: Path) -> None:
    db = tmp_path / "missing.db"
    result = run("rules", "list", "--source", "--db", str(db))
    assert result.exit_code == 0 and "bundled" in result.output
    assert not db.exists()
