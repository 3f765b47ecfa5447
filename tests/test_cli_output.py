"""Terminal manners: NO_COLOR and piped output carry no escape codes, and tables wrap to the
terminal's width without losing a word."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.ingest.export import SAMPLE_EXPORT
from tests.test_cli_settings import console_script

ANSI = re.compile(r"\x1b\[")
FLAGGED_MEDIUM = "calm down, it's only been an hour"
FLAGGED_HIGH = "Another PEBKAC, this user is an idiot."


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample team scanned once into a real SQLite file."""
    path = tmp_path_factory.mktemp("demo") / "flags.db"
    result = CliRunner().invoke(cli, ["scan", str(SAMPLE_EXPORT), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_no_color_removes_every_style_even_on_a_terminal() -> None:
    runner = CliRunner()
    styled = runner.invoke(cli, ["check", FLAGGED_MEDIUM], color=True)
    assert ANSI.search(styled.output)  # the control: colour is on without NO_COLOR
    plain = runner.invoke(cli, ["check", FLAGGED_MEDIUM], color=True, env={"NO_COLOR": "1"})
    assert plain.exit_code == 0
    assert not ANSI.search(plain.output)
    assert "Spotted: argumentative" in plain.output


def test_piped_output_of_the_installed_script_has_no_escape_codes() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.run(
        [console_script(), "check", FLAGGED_HIGH], capture_output=True, text=True, timeout=60, check=False, env=env
    )
    assert proc.returncode == 0 and "Spotted:" in proc.stdout
    assert not ANSI.search(proc.stdout + proc.stderr)


def test_rules_list_fits_the_terminal_width() -> None:
    wide = CliRunner().invoke(cli, ["rules", "list"], env={"COLUMNS": "400"})
    narrow = CliRunner().invoke(cli, ["rules", "list"], env={"COLUMNS": "72"})
    assert narrow.exit_code == 0
    assert max(len(line) for line in wide.output.splitlines()) > 72  # the tips do need wrapping
    assert max(len(line) for line in narrow.output.splitlines()) <= 72
    assert narrow.output.splitlines()[0].split() == ["rule", "category", "severity", "tip"]
    # Wrapping loses nothing: only the tip column wraps, so the text reads the same in order.
    assert "".join(narrow.output.split()) == "".join(wide.output.split())


def test_report_table_fits_the_terminal_width(demo_db: Path) -> None:
    args = ["report", "--db", str(demo_db), "--since", "3660d"]
    wide = CliRunner().invoke(cli, args, env={"COLUMNS": "400"})
    widest = max(len(line) for line in wide.output.splitlines() if line.startswith("  "))
    assert widest > 30  # the control: some row is long enough to need wrapping below
    width = widest - 6  # narrower than the widest row, whatever the demo team's phrases are
    narrow = CliRunner().invoke(cli, args, env={"COLUMNS": str(width)})
    assert narrow.exit_code == 0, narrow.output
    rows = [line for line in narrow.output.splitlines() if line.startswith("  ")]
    assert rows and max(len(line) for line in rows) <= width
    assert "Top phrases" in narrow.output
