"""Bar charts as values for inline SVG (drawn by a template): each bar placed, each value said in
the chart's text alternative. The numbers come from the roll-up's tables; the page shows them in a
table too."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..io.textwidth import display_width

FONT = 14  # px in the chart's own units: a half-width character is about FONT / 2 wide
ROW = 30  # one bar and its gap
BAR = 18
PLOT = 360  # the width of a full bar


@dataclass
class Bar:
    label: str
    text: str  # the value as shown at the bar's end
    y: int
    length: float  # 0 for no value


@dataclass
class BarChart:
    id: str  # for aria-labelledby
    title: str
    description: str  # the text alternative: every bar's label and value
    bars: list[Bar]
    label_width: int
    width: int
    height: int
    reference: tuple[float, str] | None = None  # a vertical line (x, its label): 100% on a chart of rates

    @property
    def plot_left(self) -> int:
        return self.label_width + 12


def bar_chart(chart_id: str, title: str, values: list[tuple[str, float | None]], unit: str,
              scale: float | None = None, reference: float | None = None) -> BarChart:
    """A horizontal bar chart of (label, value) pairs; values as shown with unit (「件」, 「%」).

    scale: the value of a full bar (default: the largest value); reference: a value marked by a line.
    """
    largest = max([v for _, v in values if _is_number(v)] + [scale or 0, reference or 0, 1])
    full = scale if scale and scale >= largest else largest
    label_width = max([display_width(label) * FONT // 2 for label, _ in values] + [4 * FONT])
    top = 24 if reference else 8  # room for the reference line's label
    bars = [Bar(label, shown(v, unit), top + ROW * k, PLOT * v / full if _is_number(v) else 0)
            for k, (label, v) in enumerate(values)]
    said = "、".join(f"{b.label} {b.text}" for b in bars)
    ref = (label_width + 12 + PLOT * reference / full, shown(reference, unit)) if reference else None
    return BarChart(chart_id, title, f"{title}: {said}。", bars, label_width,
                    label_width + 12 + PLOT + 8 * FONT // 2 + 16, top + 8 + ROW * len(bars), ref)


def _is_number(v: float | None) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def shown(v: float | None, unit: str) -> str:
    """A number as the pages show it: 12件, 64.1%; no value: なし."""
    if not _is_number(v):
        return "なし"
    return f"{v:,.1f}".rstrip("0").rstrip(".") + unit
