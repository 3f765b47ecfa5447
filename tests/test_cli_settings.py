"""Where the CLI's settings come from: the first .env of the current folder or its parents (never
the package's), --env-file, the environment over both; a malformed variable stops only the
commands that use it. The installed console script runs in a subprocess where it matters."""

from __future__ import annotations

import json
import subprocess
import sysconfig
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli

FLAGGED = "calm down, it's only been an hour"


def console_script() -> str:
    """The installed ``support-coach`` of this interpreter's environment (not a PATH lookup)."""
    path = Path(sysconfig.get_path("scripts")) / "support-coach"
    assert path.is_file(), f"support-coach is not installed in {path.parent}: pip install -e ."
    return str(path)


def test_installed_script_finds_the_env_file_of_the_current_folder_or_a_parent(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("COACH_DB=from-dotenv.db\n", encoding="utf-8")
    nested = tmp_path / "ops" / "today"
    nested.mkdir(parents=True)
    proc = subprocess.run(
        [console_script(), "report"], cwd=nested, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 1
    assert "no database at from-dotenv.db (COACH_DB)" in proc.stderr, proc.stderr


def test_env_file_option_wins_over_discovery_and_the_environment_wins_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("COACH_DB=discovered.db\n", encoding="utf-8")
    chosen = tmp_path / "prod.env"
    chosen.write_text("COACH_DB=chosen.db\nCOACH_RETENTION_DAYS=30\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--env-file", str(chosen), "report"])
    assert result.exit_code == 1 and "no database at chosen.db" in result.output
    result = CliRunner().invoke(cli, ["--env-file", str(chosen), "report"], env={"COACH_DB": "mine.db"})
    assert "no database at mine.db" in result.output
    result = CliRunner().invoke(cli, ["--env-file", str(tmp_path / "missing.env"), "report"])
    assert result.exit_code == 2 and "does not exist" in result.output


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag: str) -> None:
    result = CliRunner().invoke(cli, [flag])
    assert result.exit_code == 0
    assert version("support-coach") in result.output


def test_a_malformed_variable_never_breaks_help_or_check() -> None:
    env = {"COACH_RETENTION_DAYS": "ninety", "COACH_LLM_JUDGE": "maybe", "COACH_DIGEST_SCHEDULE": "someday"}
    runner = CliRunner()
    for args in (
        ["--help"],
        ["check", "--help"],
        ["report", "--help"],
        ["rules", "list"],
        ["check", "--format", "json", FLAGGED],
    ):
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 0, (args, result.output)
    assert json.loads(result.output)["flagged"] is True
    # Commands that use the settings still refuse them, naming the variable.
    result = runner.invoke(cli, ["purge", "--dry-run"], env=env)
    assert result.exit_code == 1 and "COACH_RETENTION_DAYS" in result.output
