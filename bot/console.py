"""Terminal manners for the CLI: NO_COLOR, output that is piped, and tables that fit the width.

Colour itself goes through click (``click.echo`` strips styles when the stream is not a
terminal, or when the context says no colour); this module decides the two things click
does not: the NO_COLOR convention and how wide a table may be.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from tabulate import tabulate

MIN_WRAP = 12  # a wrapped column narrower than this is harder to read than an overflowing line


def no_color(env: Mapping[str, str] | None = None) -> bool:
    """True when NO_COLOR is set to anything non-empty (https://no-color.org)."""
    env = os.environ if env is None else env
    return bool(env.get("NO_COLOR", ""))


def terminal_width(stream: TextIO | None = None, env: Mapping[str, str] | None = None) -> int | None:
    """Columns to fit: COLUMNS when set, the terminal's width when writing to one, else None.

    Piped output is not wrapped: a file or ``grep`` has no width, and wrapped cells would
    split what a script reads.
    """
    env = os.environ if env is None else env
    raw = env.get("COLUMNS", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    stream = stream or sys.stdout
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        interactive = False
    return shutil.get_terminal_size().columns if interactive else None


def table(
    rows: Sequence[Sequence[object]],
    headers: Sequence[str] = (),
    width: int | None = None,
    wrap: int = -1,
    indent: int = 0,
    align: Sequence[str] | None = None,
) -> str:
    """A plain table; when ``width`` is given, column ``wrap`` is wrapped so every line fits.

    Only one column wraps (the free text: a tip, a phrase), so ids and counts stay whole.
    """
    rows = [[("" if cell is None else cell) for cell in row] for row in rows]
    if not rows:
        return ""
    columns = len(rows[0])
    wrap = wrap % columns
    maxcolwidths: list[int | None] = [None] * columns
    if width is not None:
        # tabulate pads a column to its header plus MIN_PADDING (2) when there are headers
        natural = [
            max([len(str(row[i])) for row in rows] + [len(headers[i]) + 2 if headers else 0]) for i in range(columns)
        ]
        others = sum(w for i, w in enumerate(natural) if i != wrap) + 2 * (columns - 1) + indent
        room = width - others
        if natural[wrap] > room:
            maxcolwidths[wrap] = max(MIN_WRAP, room)
    text = tabulate(
        rows,
        headers=list(headers),
        tablefmt="plain",
        maxcolwidths=maxcolwidths,
        colalign=list(align) if align else None,
        disable_numparse=True,
    )
    if indent:
        text = "\n".join(" " * indent + line for line in text.splitlines())
    return text
