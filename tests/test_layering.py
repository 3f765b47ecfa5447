"""The domain core never imports Slack's libraries: only bot/slack/ may (doctor talks plain HTTP).

The import-linter contracts in pyproject.toml say the same and more (who may import the Slack layer,
no new import circles); docs/architecture.md explains them. Each is shown to fail on the import it forbids."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"


def test_core_modules_do_not_import_slack_libraries() -> None:
    offenders = []
    for path in sorted(BOT.rglob("*.py")):
        if "slack" in path.relative_to(BOT).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in ("slack_sdk", "slack_bolt")]
    assert offenders == []
    assert (BOT / "doctor.py").exists()  # the module this guards most


def lint_imports() -> str:
    """The installed ``lint-imports`` of this interpreter's environment (the [test] extra)."""
    path = Path(sysconfig.get_path("scripts")) / "lint-imports"
    assert path.is_file(), f"lint-imports is not installed in {path.parent}: pip install -e '.[test]'"
    return str(path)


def test_the_import_contracts_hold() -> None:
    proc = subprocess.run(
        [lint_imports(), "--no-cache"], cwd=BOT.parent, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "9 kept, 0 broken" in proc.stdout


# One new import per contract, each of a shape the contract exists to stop, and what the report names.
BREAKS = {
    "core imports slack_sdk": (
        "coaching/text.py",
        "import slack_sdk",
        "Only the Slack layer (bot.slack) imports",
        "bot.coaching.text -> slack_sdk",
    ),
    "core imports the Slack layer": (
        "review/reports.py",
        "import bot.slack.views",
        "Only the CLI imports the Slack layer",
        "bot.review.reports -> bot.slack.views",
    ),
    "core imports the CLI": (
        "doctor.py",
        "import bot.cli",
        "Only python -m bot imports the CLI",
        "bot.doctor -> bot.cli",
    ),
    "a new circle": ("models.py", "import bot.coaching.detect", "No import circles", ".models -> .coaching"),
    "the store imports a report": (
        "store/flags.py",
        "import bot.review.reports",
        "The store (bot.store) imports nothing",
        "bot.store.flags -> bot.review.reports",
    ),
    "the store reaches the detector": (
        "store/meta.py",
        "import bot.coaching.coach",
        "The store (bot.store) imports nothing",
        "bot.store.meta -> bot.coaching.coach",
    ),
    "a flow imports the Slack layer": (
        "flows/draft.py",
        "import bot.slack.views",
        "Layers: the CLI",
        "bot.flows.draft -> bot.slack.views",
    ),
    "core imports a flow": (
        "redact.py",
        "import bot.flows.draft",
        "The flows sit above the core",
        "bot.redact -> bot.flows.draft",
    ),
    "a settings form reader imports a handler": (
        "slack/listeners/settings/form.py",
        "import bot.slack.listeners.settings.modals",
        "The settings listeners",
        "bot.slack.listeners.settings.form -> bot.slack.listeners.settings.modals",
    ),
    "the engine imports a report": (
        "coaching/coach.py",
        "import bot.review.reports",
        "Layers of the core",
        "bot.coaching.coach -> bot.review.reports",
    ),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_each_contract_catches_the_import_it_forbids(case: str, tmp_path: Path) -> None:
    module, line, contract, named = BREAKS[case]
    shutil.copytree(BOT, tmp_path / "bot", ignore=shutil.ignore_patterns("sample_export", "__pycache__"))
    shutil.copy(BOT.parent / "pyproject.toml", tmp_path)
    with (tmp_path / "bot" / module).open("a", encoding="utf-8") as handle:
        handle.write(f"\n{line}\n")
    proc = subprocess.run(
        [lint_imports(), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    broken = proc.stdout.split("Broken contracts", 1)[1]  # the CLI's new import also closes a circle: 2 broken
    assert contract in broken and named in broken, proc.stdout
