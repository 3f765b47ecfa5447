"""No module of bot/ imports from more than 8 other bot modules (issue 17), counted by
scripts/import_fanout.py (every import, function-local and TYPE_CHECKING ones too), which is
itself checked on modules whose imports are known."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
MAX_IMPORTS = 8


def _fanout_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_fanout", ROOT / "scripts" / "import_fanout.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_fanout"] = module
    spec.loader.exec_module(module)
    return module


FANOUT = _fanout_script().fanout()


def test_the_counter_sees_absolute_function_local_and_package_imports() -> None:
    assert FANOUT["bot.cli.check"] == {"bot.cli.state", "bot.coaching.coach", "bot.flows.draft", "bot.models"}
    assert "bot.slack.server" in FANOUT["bot.cli.run"]  # imported inside run(): still a dependency
    assert {"bot.cli.exports", "bot.cli.review", "bot.cli.state"} <= FANOUT["bot.cli"]  # the package's own


def test_no_module_of_bot_imports_from_more_than_eight_others() -> None:
    assert len(FANOUT) == len(list((ROOT / "bot").rglob("*.py")))  # every module, packages' __init__ too
    assert {"bot.cli", "bot.slack.listeners", "bot.store", "bot.coaching.rewrite"} <= FANOUT.keys()
    over = {name: sorted(deps) for name, deps in FANOUT.items() if len(deps) > MAX_IMPORTS}
    assert over == {}, "split the module, or move a helper to the module that owns it (docs/architecture.md)"
