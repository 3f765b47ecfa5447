from __future__ import annotations

import pytest

from bot.rules import RuleSet, default_rules


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return default_rules()
