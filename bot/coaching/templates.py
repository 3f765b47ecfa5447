"""What the LLM prompts are made of: the templates of prompts/templates/*.txt ($variables,
rendered strictly) and the hand-written before/after pairs (prompts/rewrite_pairs.jsonl) the
rewriter's prompt shows as examples.

A template that names a variable the code does not provide is an error when the bot
starts, not a prompt with a hole in it sent to a model at 3 a.m.
"""

from __future__ import annotations

import json
import string
from functools import lru_cache
from pathlib import Path
from typing import cast

from bot.prompts import PROMPTS_DIR

TEMPLATES_DIR = PROMPTS_DIR / "templates"
# Hand-written before/after pairs: the checkout's data/ folder, or one dropped beside the prompts.
PAIRS_FILES = (PROMPTS_DIR / "rewrite_pairs.jsonl",)  # prompts/, shipped in the wheel
FEW_SHOT = 4


class TemplateError(ValueError):
    """A template is missing, unreadable, or uses a variable that is not provided."""


class PromptTemplate:
    """A string.Template that refuses to render with any variable missing or unknown."""

    def __init__(self, name: str, source: str, variables: frozenset[str]) -> None:
        self.name = name
        self.template = string.Template(source)
        if not self.template.is_valid():
            raise TemplateError(f"{name}: invalid placeholder (use $name or ${{name}}; $$ for a dollar sign)")
        used = set(self.template.get_identifiers())
        unknown = used - variables
        if unknown:
            raise TemplateError(
                f"{name}: uses ${', $'.join(sorted(unknown))}, which the coach does not provide "
                f"(available: ${', $'.join(sorted(variables))})"
            )
        self.variables = frozenset(used)

    def render(self, **values: str) -> str:
        missing = self.variables - values.keys()
        if missing:
            raise TemplateError(f"{self.name}: no value for ${', $'.join(sorted(missing))}")
        return self.template.substitute(values)


def load_template(name: str, variables: frozenset[str], directory: Path | None = None) -> PromptTemplate:
    path = (directory or TEMPLATES_DIR) / name
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{name}: cannot read {path} ({exc})") from None
    return PromptTemplate(name, source, variables)


@lru_cache(maxsize=4)
def load_pairs(path: Path | None = None) -> tuple[dict[str, object], ...]:
    """The before/after pairs used as few-shot examples; none when the file is absent or broken."""
    for candidate in [path] if path else PAIRS_FILES:
        try:
            lines = candidate.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        pairs = []
        for line in lines:
            try:
                pair = json.loads(line)
            except ValueError:
                continue
            if isinstance(pair, dict) and isinstance(pair.get("before"), str) and isinstance(pair.get("after"), str):
                pairs.append(pair)
        return tuple(pairs)
    return ()


def few_shot(pairs: tuple[dict[str, object], ...], who: str, categories: tuple[str, ...], count: int = FEW_SHOT) -> str:
    """The pairs closest to this draft: same audience first, then shared categories."""

    def rank(item: tuple[int, dict[str, object]]) -> tuple[int, int, int]:
        index, pair = item
        shared = len(set(cast("tuple[str, ...]", pair.get("categories") or ())) & set(categories))
        return (pair.get("audience") != who, -shared, index)

    chosen = [pair for _, pair in sorted(enumerate(pairs), key=rank)[:count]]
    return "\n\n".join(f"Before: {pair['before']}\nAfter: {pair['after']}" for pair in chosen) or "(none)"
