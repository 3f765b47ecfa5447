"""How many other bot modules each bot module imports (issue 17's target: at most 8, held for
every module of bot/ by tests/test_import_fanout.py).

Counts every import of a ``bot.*`` module in the file, at any depth (function-local and
TYPE_CHECKING ones too: they are still a dependency a reader has to know), resolved to the
module imported (``from bot.cli import state`` is ``bot.cli.state``; ``from bot.store import
Store`` is ``bot.store``). A package's own ``__init__`` counts like any module.

    python scripts/import_fanout.py                 # every module, most first
    python scripts/import_fanout.py --max 8 bot.cli bot.flows   # exit 1 if one of these exceeds 8
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / "bot").rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The bot modules ``name`` imports, itself and its own parent packages left out."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    parents = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return {m for m in found if m in known and m != name and m not in parents}


def fanout() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="only modules under these (default: all of bot)")
    parser.add_argument("--max", type=int, default=None, help="exit 1 when a listed module imports more")
    args = parser.parse_args(argv)
    counts = {
        name: deps
        for name, deps in fanout().items()
        if not args.prefixes or any(name == p or name.startswith(p + ".") for p in args.prefixes)
    }
    over = 0
    for name, deps in sorted(counts.items(), key=lambda item: (-len(item[1]), item[0])):
        mark = " over" if args.max is not None and len(deps) > args.max else ""
        over += bool(mark)
        print(f"{len(deps):3d}  {name}{mark}")
    return 1 if over else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `| head` stopped reading: no traceback for the lines it did not want
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
