"""LLM prompt templates from prompts/templates/*.txt: $variables, rendered strictly.

A template that names a variable the code does not provide is an error when the bot
starts, not a prompt with a hole in it sent to a model at 3 a.m.
"""

from __future__ import annotations

import string
from pathlib import Path

from bot.prompts import PROMPTS_DIR

TEMPLATES_DIR = PROMPTS_DIR / "templates"


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
