"""The rewrite strategies of prompts/rewrites.toml as data: clause-shape frames, softening,
stock sentences, openers, next steps, reflections and the kinds of put-down; see that file's
header for the schema. A broken file is a RuleError naming the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.models import Analysis
from bot.prompts import PROMPTS_DIR, RuleError, read_toml

STRATEGIES_FILE = PROMPTS_DIR / "rewrites.toml"

SLOT = re.compile(r"\{(\w+)(?::(\w+))?\}")


@dataclass(frozen=True)
class Frame:
    """One clause shape and what to do with it: drop the stretch, or reframe it from a template."""

    id: str
    strategy: str  # "drop" | "reframe"
    pattern: re.Pattern[str]
    template: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class PutDown:
    """A kind of put-down (a label for "user error", a sneer at age...) and the questions that
    suit it: a reflection can then be about what this put-down hides, even when the note names
    nothing else. Spotted by the rules that found it or by its own words."""

    kind: str
    rules: frozenset[str]
    pattern: re.Pattern[str] | None
    prompts: tuple[str, ...]

    def fits(self, text: str, analysis: Analysis) -> bool:
        return any(f.rule in self.rules for f in analysis.findings) or (
            self.pattern is not None and self.pattern.search(text) is not None
        )


@dataclass(frozen=True)
class Strategies:
    """Everything prompts/rewrites.toml says; see that file's header for the schema."""

    frames: tuple[Frame, ...] = ()
    soften: tuple[tuple[re.Pattern[str], str], ...] = ()
    stock: dict[str, tuple[str, ...]] = field(default_factory=dict)
    openers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    steps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reflection: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fix: tuple[str, ...] = ("write down what tripped them up so the docs or the product can fix it",)
    put_downs: tuple[PutDown, ...] = ()


def _string_list(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where} must be a list of strings")
    return tuple(value)


def load_strategies(path: Path | str | None = None) -> Strategies:
    """Read the rewrite strategies; a broken file is a RuleError naming the entry."""
    path = Path(path) if path else STRATEGIES_FILE
    data = read_toml(path, missing_ok=True)
    if not data:
        return Strategies()
    frames = []
    for index, raw in enumerate(data.get("frame", []), start=1):
        where = f"{path.name}: frame #{index} ({raw.get('id', '?')})"
        strategy = raw.get("strategy")
        if strategy not in ("drop", "reframe"):
            raise RuleError(f"{where}: 'strategy' must be 'drop' or 'reframe'")
        try:
            pattern = re.compile(raw["pattern"], re.IGNORECASE)
        except (KeyError, re.error) as exc:
            raise RuleError(f"{where}: bad or missing 'pattern' ({exc})") from None
        template = raw.get("template", "")
        if strategy == "reframe" and not template:
            raise RuleError(f"{where}: a reframe needs a 'template'")
        unknown = {name for name, _ in SLOT.findall(template)} - set(pattern.groupindex)
        if unknown:
            raise RuleError(f"{where}: template uses {sorted(unknown)}, which the pattern does not capture")
        frames.append(
            Frame(
                str(raw.get("id", index)),
                strategy,
                pattern,
                template,
                _string_list(raw.get("categories", []), f"{where}: 'categories'"),
            )
        )
    soften = []
    for index, raw in enumerate(data.get("soften", []), start=1):
        try:
            soften.append((re.compile(raw["pattern"], re.IGNORECASE), str(raw.get("replace", ""))))
        except (KeyError, re.error) as exc:
            raise RuleError(f"{path.name}: soften #{index}: bad or missing 'pattern' ({exc})") from None
    sections = {}
    for section in ("stock", "openers", "steps", "reflection"):
        raw = data.get(section, {})
        sections[section] = {
            key: _string_list(value, f"{path.name}: [{section}] {key}") for key, value in raw.items() if key != "fix"
        }
    for key, templates in sections["openers"].items():
        if any("{object}" not in template for template in templates):
            raise RuleError(
                f"{path.name}: [openers] {key}: every opener names the {{object}}; "
                "object-free sentences belong in [stock]"
            )
    fix = data.get("reflection", {}).get("fix", Strategies.fix)
    fix = _string_list(
        [fix] if isinstance(fix, str) else list(fix) if isinstance(fix, tuple) else fix,
        f"{path.name}: [reflection] fix",
    )
    put_downs = []
    for index, raw in enumerate(data.get("put_down", []), start=1):
        where = f"{path.name}: put_down #{index} ({raw.get('kind', '?')})"
        prompts = _string_list(raw.get("prompts"), f"{where}: 'prompts'")
        if not prompts:
            raise RuleError(f"{where}: 'prompts' is empty")
        try:
            pattern = re.compile(raw["pattern"], re.IGNORECASE) if "pattern" in raw else None  # type: ignore[assignment]
        except re.error as exc:
            raise RuleError(f"{where}: bad 'pattern' ({exc})") from None
        put_downs.append(
            PutDown(
                str(raw.get("kind", index)),
                frozenset(_string_list(raw.get("rules", []), f"{where}: 'rules'")),
                pattern,
                prompts,
            )
        )
    return Strategies(
        tuple(frames),
        tuple(soften),
        sections["stock"],
        sections["openers"],
        sections["steps"],
        sections["reflection"],
        fix,
        tuple(put_downs),
    )


@lru_cache(maxsize=1)
def default_strategies() -> Strategies:
    return load_strategies()
