"""Reviews from the command line as an operator meets them: a mistyped database, channel or agent
is a clear error, and purge asks before it deletes. Real CLI, real SQLite files made by
scanning the bundled sample export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.ingest.export import SAMPLE_EXPORT


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample team scanned once into a real SQLite file."""
    path = tmp_path_factory.mktemp("demo") / "flags.db"
    result = CliRunner().invoke(cli, ["scan", str(SAMPLE_EXPORT), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def db_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A copy a test may purge (SQLite's backup API: the flags may still be in the WAL file)."""
    target = tmp_path / "copy.db"
    with sqlite3.connect(demo_db) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


def flag_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM flags").fetchone()[0]


@pytest.mark.parametrize("command", [["report"], ["report", "--format", "json"], ["digest"], ["purge", "--yes"]])
def test_reviews_refuse_a_database_that_does_not_exist(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = CliRunner().invoke(cli, [*command, "--db", str(missing)])
    assert result.exit_code == 1
    assert f"no database at {missing}" in result.output
    assert not missing.exists()  # and no empty database was left behind


def test_default_database_that_does_not_exist_is_refused_too(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report"], env={"COACH_DB": str(tmp_path / "coach.db")})
    assert result.exit_code == 1 and "(COACH_DB)" in result.output
    assert not (tmp_path / "coach.db").exists()


def test_unknown_channel_lists_the_known_ones(demo_db: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--db", str(demo_db), "--channel", "support"])
    assert result.exit_code == 1
    assert "no channel 'support'" in result.output
    for name in ("#support-billing (C02BILL)", "#support-escalations", "#support-frontline"):
        assert name in result.output
    for known in ("support-billing", "#support-billing", "C02BILL"):
        ok = CliRunner().invoke(
            cli, ["report", "--db", str(demo_db), "--channel", known, "--since", "3660d", "--format", "json"]
        )
        assert ok.exit_code == 0, ok.output
        assert {c["id"] for c in json.loads(ok.output)["by_channel"]} == {"C02BILL"}


def test_unknown_agent_lists_the_known_ones_and_a_name_finds_the_id(demo_db: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--db", str(demo_db), "--agent", "U99NOBODY"])
    assert result.exit_code == 1
    assert "no agent 'U99NOBODY'" in result.output and "Tom Becker (U05TOM)" in result.output
    ok = CliRunner().invoke(
        cli, ["report", "--db", str(demo_db), "--agent", "tom becker", "--since", "3660d", "--format", "json"]
    )
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.output)
    assert data["scope"]["agent"] == "U05TOM" and data["total"] > 0


def test_purge_dry_run_deletes_nothing(db_copy: Path) -> None:
    before = flag_count(db_copy)
    result = CliRunner().invoke(cli, ["purge", "--db", str(db_copy), "--older-than", "1d", "--dry-run"])
    assert result.exit_code == 0
    assert f"Would purge data older than 1 days from {db_copy}: {before} flags" in result.output
    assert flag_count(db_copy) == before > 0


def test_purge_asks_first(db_copy: Path) -> None:
    before = flag_count(db_copy)
    declined = CliRunner().invoke(cli, ["purge", "--db", str(db_copy), "--older-than", "1d"], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert f"({before} flags" in declined.output
    assert flag_count(db_copy) == before
    no_answer = CliRunner().invoke(cli, ["purge", "--db", str(db_copy), "--older-than", "1d"], input="")
    assert no_answer.exit_code == 1 and flag_count(db_copy) == before
    accepted = CliRunner().invoke(cli, ["purge", "--db", str(db_copy), "--older-than", "1d"], input="y\n")
    assert accepted.exit_code == 0 and flag_count(db_copy) == 0


def test_purge_yes_skips_the_question(db_copy: Path) -> None:
    result = CliRunner().invoke(cli, ["purge", "--db", str(db_copy), "--older-than", "1d", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Purged data older than 1 days" in result.output and flag_count(db_copy) == 0
