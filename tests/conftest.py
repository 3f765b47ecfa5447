from __future__ import annotations

import os

import pytest

from bot.rules import RuleSet, default_rules

# One BLAS thread for the tests that train: on a small shared machine OpenBLAS's threads spin
# against each other and against the rest of the suite (measured: a fit took 46 s with two
# threads, 15 s with one). The arithmetic is the same; only the order of a few sums differs,
# far inside what test_train_reproduces_the_shipped_model allows. Set before numpy is first
# imported (nothing imports it before this file); a value already in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return default_rules()
