"""The period's chart as a PNG: flags per day by category, and the period before as a line.

Optional: it needs matplotlib, the ``[charts]`` extra (``pip install 'support-coach[charts]'``).
Without it every text view works as before and asking for a chart says what to install.
Drawn from a Report only, so the chart shows exactly the numbers of ``report --format json``
for the same period. matplotlib is used through its object API (a Figure on an Agg canvas,
never pyplot): no display, no global state, safe from the bot's threads.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from bot.review.report_format import category_note, trend_text
from bot.review.reports import Report

# Okabe-Ito colours: told apart with any colour vision, and in greyscale by their order.
COLOURS = {"disparaging": "#D55E00", "blame": "#E69F00", "argumentative": "#0072B2", "dismissive": "#009E73"}
PREVIOUS_COLOUR = "#555555"
INSTALL_HINT = "pip install 'support-coach[charts]'"


class ChartsUnavailable(RuntimeError):
    """matplotlib is not installed: the [charts] extra is missing."""


@dataclass(frozen=True)
class ChartData:
    """What the chart draws, nothing more: checked against the JSON report in the tests."""

    title: str
    subtitle: str
    days: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]  # category -> a count a day
    previous: tuple[int, ...]  # the period before, day by day, aligned with ``days``
    total: int
    previous_total: int


def chart_data(report: Report) -> ChartData:
    scope = "" if report.scope == "all channels" else f" · {report.scope}"
    return ChartData(
        title=f"Flagged messages per day by category · {report.period.label}{scope}",
        subtitle=f"{report.total} flagged, {trend_text(report)}"
        + (f" · {category_note(report)}" if report.multi_category else ""),
        days=tuple(day for day, _ in report.daily),
        series=report.daily_by_category,
        previous=report.previous_daily,
        total=report.total,
        previous_total=report.previous_total,
    )


def require() -> None:
    """Raise ChartsUnavailable, with what to install, when charts cannot be drawn here."""
    _matplotlib()


def available() -> bool:
    try:
        require()
    except ChartsUnavailable:
        return False
    return True


def _matplotlib():  # type: ignore[no-untyped-def]
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ChartsUnavailable(
            f"charts need matplotlib, the optional [charts] extra: {INSTALL_HINT} (every text view works without it)"
        ) from None
    return Figure, FigureCanvasAgg


def render_png(report: Report, width: float = 9.0, height: float = 4.5, dpi: int = 100) -> bytes:
    """The PNG bytes of the period's chart (ChartsUnavailable without matplotlib)."""
    Figure, FigureCanvasAgg = _matplotlib()
    data = chart_data(report)
    figure = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(len(data.days)))
    bottom = [0] * len(positions)
    for category, counts in data.series:
        if not any(counts):
            continue
        axes.bar(
            positions,
            counts,
            bottom=bottom,
            width=0.85,
            color=COLOURS.get(category, "#999999"),
            label=f"{category} ({sum(counts)})",
            linewidth=0,
        )
        bottom = [b + n for b, n in zip(bottom, counts, strict=True)]
    if any(data.previous):
        axes.plot(
            positions,
            data.previous,
            color=PREVIOUS_COLOUR,
            linestyle="--",
            linewidth=1.2,
            label=f"previous {len(positions)} days, all categories ({data.previous_total})",
        )
    axes.set_xlim(-0.6, len(positions) - 0.4)
    step = max(1, len(positions) // 10)
    ticks = positions[::-1][::step][::-1]  # always label the last day (today)
    axes.set_xticks(ticks, [data.days[i][5:] for i in ticks], fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylabel("flags per category", fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    if data.total or any(data.previous):
        axes.legend(fontsize=8, frameon=False, loc="upper left")
    else:
        axes.text(
            0.5,
            0.5,
            "Nothing flagged in this period",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=11,
            color=PREVIOUS_COLOUR,
        )
    figure.suptitle(data.title, fontsize=11, x=0.01, ha="left")
    axes.set_title(data.subtitle, fontsize=9, loc="left", color=PREVIOUS_COLOUR)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
