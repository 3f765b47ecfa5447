"""Where the coaching data lives (``prompts/``), and how its TOML files are read.

Rules, vocabulary, context cues, topics, rewrite strategies, tips, templates and principles
are all data in one folder, shipped inside the wheel as ``bot/prompts/`` and read from the
checkout's ``prompts/`` otherwise. This module is the one place that knows where that is;
every loader asks it for its file, and every broken file is a ``RuleError`` naming it.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
if not PROMPTS_DIR.is_dir():  # running from a source checkout rather than an installed wheel
    PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
PRINCIPLES_FILE = PROMPTS_DIR / "principles.toml"


class RuleError(ValueError):
    """A coaching data file (a rule file, the vocabulary, a cue list...) is wrong; the message
    names the file, and the rule or entry when there is one."""


def read_toml(path: Path, missing_ok: bool = False) -> dict[str, Any]:
    """A TOML file's tables ({} for a missing file when ``missing_ok``), or a RuleError that
    names the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise RuleError(f"{path.name}: cannot read: no such file ({path})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path.name}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path.name}: not valid TOML: {exc}") from None


@lru_cache(maxsize=1)
def principles() -> tuple[str, ...]:
    """How we talk to customers, as App Home and the manager's report show it."""
    path = PRINCIPLES_FILE
    items = read_toml(path).get("principles")
    if not isinstance(items, list) or not items or not all(isinstance(p, str) and p.strip() for p in items):
        raise RuleError(f"{path.name}: 'principles' must be a non-empty list of sentences")
    return tuple(p.strip() for p in items)
