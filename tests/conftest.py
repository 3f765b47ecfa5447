from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bot.coaching.rules import RuleSet, default_rules

# One BLAS thread for the tests that train: on a small shared machine OpenBLAS's threads spin
# against each other and against the rest of the suite (measured: a fit took 46 s with two
# threads, 15 s with one). The arithmetic is the same; only the order of a few sums differs,
# far inside what test_train_reproduces_the_shipped_model allows. Set before numpy is first
# imported (nothing imports it before this file); a value already in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _settings_names() -> list[str]:
    return [name for name in os.environ if name.startswith(("SLACK_", "COACH_")) or name == "PORT"]


@pytest.fixture(scope="session", autouse=True)
def _no_ambient_settings() -> Iterator[None]:
    """No SLACK_*, COACH_* or PORT from the shell (a developer's or CI's) decides an outcome: they
    are gone before the first fixture runs, module-scoped ones included, and back at the end. A
    test that needs one sets it with monkeypatch."""
    saved = {name: os.environ.pop(name) for name in _settings_names()}
    yield
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def _no_leftover_settings() -> Iterator[None]:
    """What a test leaves behind goes before the next one (load_dotenv writes os.environ directly,
    past monkeypatch)."""
    yield
    for name in _settings_names():
        del os.environ[name]


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return default_rules()
