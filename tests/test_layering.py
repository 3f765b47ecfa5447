"""The domain core never imports Slack's libraries: only bot/slack/ may (doctor talks plain HTTP)."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"


def test_core_modules_do_not_import_slack_libraries() -> None:
    offenders = []
    for path in sorted(BOT.rglob("*.py")):
        if "slack" in path.relative_to(BOT).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in ("slack_sdk", "slack_bolt")]
    assert offenders == []
    assert (BOT / "doctor.py").exists()  # the module this guards most
