from __future__ import annotations

from pathlib import Path

import pytest

from bot.rules import RuleSet, default_rules

DEVSET = Path(__file__).resolve().parents[2] / "shared" / "data" / "devset.jsonl"


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return default_rules()
