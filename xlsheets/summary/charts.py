"""The roll-up's charts: 判定の件数 by year and each department-year's goals (グラフ), and the mean rate
by department of each year (概要). Every rate chart has one axis, from 0 to the cap (or to the largest
mean shown when rates are not capped), so that bars compare across charts; a department-year
without any rate gets no chart, and a line on グラフ says which."""

from __future__ import annotations

import math

from ..model import year_label
from .cells import RATE_FMT, Formats, print_setup, sheet_range
from .columns import GRADE_ORDER
from .pages import SummaryLayout

CHART_LIMIT = 40  # per-department charts; beyond that 重点目標別 speaks for itself
CHART_ROWS = 16  # rows a chart takes on グラフ (288 px of 20-px rows, and a gap)
OVERVIEW_CHARTS = 4  # years with a chart on 概要 (two a row): the latest ones
OVERVIEW_WIDTH = 500  # pixels: two charts side by side fill an A4 landscape page


def axis_top(by_goal, cap: float | None) -> float:
    """The end of every rate axis: the cap, or (uncapped) the largest goal mean, up to a multiple of 10."""
    if cap is not None:
        return cap
    means = [v for c in by_goal.columns if str(c).startswith("平均達成率") for v in by_goal[c] if v == v]
    return max(10.0, math.ceil(max(means, default=100) / 10) * 10)


def _mean_column(columns: dict[str, int]) -> str | None:
    return next((c for c in columns if c.startswith("平均達成率")), None)


def graph_sheet(wb, ws, f: Formats, by_goal, layout: SummaryLayout, cap: float | None) -> None:
    """グラフ: 判定の件数 per year, then each department-year's mean rate by goal, two charts a page."""
    print_setup(ws, 0)
    if not layout.years:
        return
    mean = _mean_column(layout.goal_columns)
    charted, left_out = [], []
    for (fy, dept), (a, b) in layout.goals.items():
        rated = mean is not None and by_goal[mean].iloc[a - 2:b - 1].notna().any()
        (charted if rated else left_out).append(((fy, dept), (a, b)))
    top = 0
    if left_out:
        names = "、".join(f"{dept} {year_label(fy)}" for (fy, dept), _rows in left_out)
        ws.write(0, 0, f"達成率が1件もない部局・年度はグラフを省略しました: {names}", f.note)
        top = 1
    ws.insert_chart(top, 0, grade_chart(wb, layout))
    breaks = []
    axis = axis_top(by_goal, cap)
    for k, ((fy, dept), (a, b)) in enumerate(charted):
        row = top + CHART_ROWS * (k + 1)  # two charts a page (the grade chart shares the first)
        if k >= CHART_LIMIT:
            ws.write(row, 0, f"ほか {len(charted) - CHART_LIMIT} 部局・年度のグラフは省略しました（重点目標別シートを参照）。")
            break
        if (row - top) % (2 * CHART_ROWS) == 0:
            breaks.append(row)
        title = f"{dept} {year_label(fy)} 重点目標別の平均達成率{mean[len('平均達成率'):]}"
        cats = sheet_range("重点目標別", a, layout.goal_columns["重点目標"], b, layout.goal_columns["重点目標"])
        vals = sheet_range("重点目標別", a, layout.goal_columns[mean], b, layout.goal_columns[mean])
        chart = _chart(wb, "bar", title, [(title, cats, vals)], 768, 288, RATE_FMT)
        chart.set_x_axis({"min": 0, "max": axis, "num_format": RATE_FMT})
        # the first goal on top, as on the sheets, and the rate axis below the bars
        chart.set_y_axis({"reverse": True, "crossing": "max"})
        ws.insert_chart(row, 0, chart)
    if breaks:
        ws.set_h_pagebreaks(breaks)


def grade_chart(wb, layout: SummaryLayout):
    """判定の件数（市全体）: the grades along, one series (colour) per year, from each year's 市全体 row."""
    cols = [layout.columns[s] for s in GRADE_ORDER if s in layout.columns]
    header = layout.header_row
    cats = sheet_range("集計", header, cols[0], header, cols[-1])
    series = [(year_label(fy), cats, sheet_range("集計", rows.city, cols[0], rows.city, cols[-1]))
              for fy, rows in layout.years.items()]
    chart = _chart(wb, "column", "判定の件数（市全体、年度別）", series, 576, 288)
    chart.set_legend({"position": "bottom"})
    return chart


def overview_charts(wb, ws, layout: SummaryLayout, tables, cap: float | None, row: int) -> None:
    """概要: the mean rate by department of each of the latest years that have a rate (two charts a row)."""
    mean = _mean_column(layout.columns)
    if mean is None:
        return
    axis = axis_top(tables.by_goal, cap)
    dept_col, mean_col = layout.columns["部局名"], layout.columns[mean]
    rated = tables.summary[mean].notna()
    years = [(fy, rows) for fy, rows in layout.years.items()
             if rows.last >= rows.first and rated.iloc[rows.first - 2:rows.last - 1].any()]
    unrated = [year_label(fy) for fy in layout.years if fy not in dict(years)]
    if unrated or len(years) > OVERVIEW_CHARTS:
        ws.write(row - 1, 0, "グラフのない年度: " + "、".join(
            [*(f"{y}（達成率が1件もない）" for y in unrated),
             *(f"{year_label(fy)}（集計シートを参照）" for fy, _rows in years[OVERVIEW_CHARTS:])]))
    years = years[:OVERVIEW_CHARTS]
    height = 440 if len(years) <= 2 else 240  # the page filled, whichever the number of charts
    for k, (fy, rows) in enumerate(years):
        n = rows.last - rows.first + 1
        title = f"{year_label(fy)} 部局別の平均達成率{mean[len('平均達成率'):]}"
        chart = _chart(wb, "column", title, [(title, sheet_range("集計", rows.first, dept_col, rows.last, dept_col),
                                              sheet_range("集計", rows.first, mean_col, rows.last, mean_col))],
                       OVERVIEW_WIDTH, height, RATE_FMT if n <= 12 else None)
        chart.set_y_axis({"min": 0, "max": axis, "major_unit": axis / 5, "num_format": RATE_FMT})
        if n > 8:
            chart.set_x_axis({"num_font": {"rotation": -45}})
        ws.insert_chart(row + (height // 20 + 1) * (k // 2), 0, chart, {"x_offset": (OVERVIEW_WIDTH + 10) * (k % 2)})


def _chart(wb, kind: str, title: str, series: list[tuple[str, str, str]], width: int, height: int,
           label_format: str | None = ""):
    """A chart of one or more series (name, categories, values); label_format None: no data labels."""
    chart = wb.add_chart({"type": kind})
    for name, cats, vals in series:
        labels = {} if label_format is None else {"data_labels": {"value": True} | (
            {"num_format": label_format} if label_format else {})}
        chart.add_series({"name": name, "categories": cats, "values": vals} | labels)
    chart.set_title({"name": title, "name_font": {"size": 11, "bold": True}})
    chart.set_legend({"none": True})
    chart.set_size({"width": width, "height": height})
    return chart
