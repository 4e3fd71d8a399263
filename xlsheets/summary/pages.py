"""The roll-up's short sheets: 概要 (its table), 表紙, 集計, 重点目標別, 経年比較, 提出状況, 取込エラー.

Each function writes one sheet from the tables (pandas) and returns where its rows went, for the
charts that draw on them. Years are shown as 「令和2年度（2020）」 in titles; the 年度 column keeps
the number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..io.textwidth import text_lines
from ..model import year_key, year_label
from .cells import Formats, is_average, print_setup, put, rate_colours, table, text
from .columns import CITY, lines_height
from .inputs import accounting
from .status import MISSING

GOAL_WIDTH = 36  # the 重点目標 column of 重点目標別
YEAR_WIDTH = 14  # a year's column of 経年比較
COVER_WIDTH = 80  # the goal titles on 表紙
PAGE_POINTS = 700  # what a portrait A4 page holds in rows of points, with slack (Excel and LibreOffice differ)
TITLE_POINTS, ROW_POINTS = 21, 15


@dataclass
class YearRows:
    """Where one year's rows are on 集計: its departments (first, last) and its 市全体 row."""

    first: int
    last: int
    city: int


@dataclass
class SummaryLayout:
    """What the charts need of 集計 and 重点目標別: rows per year / department-year, and columns."""

    years: dict[Any, YearRows] = field(default_factory=dict)
    columns: dict[str, int] = field(default_factory=dict)  # 集計's columns
    header_row: int = 1
    goals: dict[tuple[Any, str], tuple[int, int]] = field(default_factory=dict)  # (year, dept) → rows
    goal_columns: dict[str, int] = field(default_factory=dict)  # 重点目標別's columns


def years_said(years) -> str:
    """「令和6年度（2024）・令和2年度（2020）」: the years a sheet holds, latest first."""
    return "・".join(year_label(y) for y in sorted(set(years), key=year_key))


def overview_table(ws, f: Formats, overview, lines: list[str]) -> int:
    """概要's title, its lines (made, files read…) and the table by year; returns the next free row."""
    print_setup(ws, 0, pages_tall=1)  # one A4 landscape page, whatever it holds
    ws.write(0, 0, "重点目標 集計の概要", f.title)
    ws.set_row(0, 22)
    for k, line in enumerate(lines, start=1):
        ws.write(k, 0, line, f.plain)
    first = len(lines) + 2
    if overview.empty:
        ws.write(first, 0, "読み込めたシートがありません。取込エラーを確認してください。", f.bold)
        return first + 2
    fmts = {c: f.dec for c in overview.columns if is_average(str(c))}
    last = table(ws, overview, "概要", f, fmts, f.plain, first_row=first)
    ws.set_column(0, 0, 20)
    ws.set_column(1, len(overview.columns) - 2, 9)
    ws.set_column(len(overview.columns) - 1, len(overview.columns) - 1, 22)  # 「平均達成率（上限100%）」 on one line
    return last + 2


def overview_lines(read: int, errors: int, skipped: dict[str, int], superseded: int, missing: list[str]) -> list[str]:
    """概要's lines under its title: when it was made, and what became of every file."""
    today = dt.date.today()
    lines = [f"作成日 {today.year}年{today.month}月{today.day}日",
             accounting(read, errors, skipped) + (f"・差し替え前として外したブック {superseded} 冊" if superseded else "")]
    if missing:
        shown = "、".join(missing[:5]) + (f" ほか {len(missing) - 5} 部局" if len(missing) > 5 else "")
        lines.append(f"未提出 {len(missing)} 部局: {shown}（提出状況シート）")
    return lines


def cover(ws, f: Formats, books: list[dict[str, Any]], put_link: Callable, notes: list[str]) -> None:
    """表紙: each department's goals by year (latest first, the city's order), on one page each:
    a page break comes between departments, never inside one's list."""
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, COVER_WIDTH)
    print_setup(ws, 0, landscape=False)
    r, used, breaks = 0, 0.0, []
    for note in notes:  # first of all: a table in the workbook is not complete
        ws.write_string(r, 0, note, f.note)
        r, used = r + 1, used + ROW_POINTS
    if notes:
        r, used = r + 1, used + ROW_POINTS
    if not books:
        ws.write(r, 0, "読み込めたシートがありません。取込エラーを確認してください。", f.bold)
    for rec in books:
        goals = sorted(rec["goals"], key=lambda g: (0, g["priority"]) if isinstance(g["priority"], int) else (1, 0))
        heights = [max(ROW_POINTS, (lines_height(text_lines(_title(g), COVER_WIDTH)) or 0)) for g in goals]
        block = TITLE_POINTS + 2 * ROW_POINTS + sum(heights)
        if used and used + block > PAGE_POINTS:  # this department starts a new page
            breaks.append(r)
            used = 0.0
        used += block
        ws.write(r, 0, f"{year_label(rec['fiscal_year'])}　重点目標", f.title)
        ws.set_row(r, TITLE_POINTS)
        ws.write(r + 1, 0, "部局名", f.bold)
        ws.write(r + 1, 1, text(rec["department"] or "（部局名なし）"), f.bold)
        ws.set_row(r + 1, ROW_POINTS)  # every height stated: Excel and LibreOffice then fill a page alike
        r += 2
        for g, height in zip(goals, heights, strict=True):
            put(ws, r, 0, str(g["priority"] if g["priority"] is not None else ""), f.plain)
            put_link(ws, r, 1, rec["path"], g["sheet"], "A1", _title(g), wrap=True)
            ws.set_row(r, height)
            r += 1
        ws.set_row(r, ROW_POINTS)
        r += 1
    if breaks:
        ws.set_h_pagebreaks(breaks)


def _title(goal: dict[str, Any]) -> str:
    return text(goal["title"] or "（無題）")


def summary(ws, f: Formats, df) -> SummaryLayout:
    """集計: per year (latest first) each department, then the year's 市全体 row; the header repeats
    on every printed page."""
    layout = SummaryLayout()
    title = "部局別の集計（達成 = 達成率100%以上）"
    if "年度" in df.columns and len(df):
        title = f"部局別の集計　{years_said(df['年度'])}（達成 = 達成率100%以上）"
    ws.write(0, 0, title, f.title)
    fmts = {c: f.dec for c in df.columns if is_average(str(c))}
    totals = {c: (f.total_dec if c in fmts else f.total) for c in map(str, df.columns)}
    city = [i for i, d in enumerate(df.get("部局名", [])) if d == CITY]
    table(ws, df, "部局別集計", f, fmts, f.plain, first_row=1, row_formats=dict.fromkeys(city, totals))
    layout.columns = {str(c): j for j, c in enumerate(df.columns)}
    first = 2
    for i in city:
        layout.years[df["年度"].iloc[i]] = YearRows(first, 2 + i - 1, 2 + i)
        first = 2 + i + 1
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 16)
    ws.set_column(2, max(2, len(df.columns) - 1), 9)
    _average_widths(ws, df)
    ws.freeze_panes(2, 2)
    print_setup(ws, (1, 1))
    return layout


def _average_widths(ws, df) -> None:
    """「平均達成率（上限100%）」 on two even lines."""
    for j, c in enumerate(df.columns):
        if is_average(str(c)):
            ws.set_column(j, j, 11)


def by_goal(ws, f: Formats, df, layout: SummaryLayout) -> None:
    """重点目標別: per year, department and goal; records each department-year's rows in layout."""
    title = "重点目標別の集計"
    if "年度" in df.columns and len(df):
        title = f"重点目標別の集計　{years_said(df['年度'])}"
    ws.write(0, 0, title, f.title)
    fmts = {c: f.dec for c in df.columns if is_average(str(c))}
    table(ws, df, "重点目標別集計", f, fmts | {"重点目標": f.text}, f.plain, first_row=1, widths={"重点目標": GOAL_WIDTH})
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 14)
    ws.set_column(2, max(2, len(df.columns) - 1), 9)
    if "重点目標" in df.columns:
        ws.set_column(3, 3, GOAL_WIDTH)
    _average_widths(ws, df)
    ws.freeze_panes(2, 0)
    print_setup(ws, (1, 1))
    layout.goal_columns = {str(c): j for j, c in enumerate(df.columns)}
    for i, (fy, dept) in enumerate(zip(df.get("年度", []), df.get("部局名", []), strict=False)):
        row = 2 + i
        start = layout.goals.get((fy, dept), (row, row))[0]
        layout.goals[(fy, dept)] = (start, row)


def years(ws, f: Formats, df) -> None:
    """経年比較: a department's goals across fiscal years, the years left to right."""
    if df.empty:
        ws.write(0, 0, "同じ部局の複数年度のシートがないため、経年比較はありません。", f.bold)
        return
    rates = [str(c) for c in df.columns[3:]]
    last = table(ws, df, "経年比較", f, {c: f.dec for c in rates} | {"重点目標": f.text}, f.plain,
                 widths={"重点目標": 40}, header_lines=max([2, *(text_lines(c, YEAR_WIDTH) for c in rates)]))
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 16)
    ws.set_column(3, max(3, len(df.columns)), YEAR_WIDTH)
    rate_colours(ws, f, 1, 3, last, len(df.columns) - 1)
    ws.freeze_panes(1, 2)
    print_setup(ws)


STATUS_WIDTHS = {"年度": 6, "部局名": 16, "状況": 7, "ファイル": 28, "最終保存": 15, "中間報告 記入": 10,
                 "中間報告 記入率": 12, "期末報告 記入": 10, "期末報告 記入率": 12}


def status(ws, f: Formats, df, file_link: Callable, unreadable: int) -> None:
    """提出状況: one row per department and year (未提出 in red), each file a link to it."""
    title = "提出状況"
    if len(df):
        title = f"提出状況　{years_said(df['年度'])}"
    ws.write(0, 0, title, f.title)
    shown = df.drop(columns="_path")
    rates = {c: f.rate for c in shown.columns if str(c).endswith("記入率")}
    file_col = list(shown.columns).index("ファイル")
    links = {i: (file_col, file_link(path), text(name)) for i, (path, name) in enumerate(zip(df["_path"], df["ファイル"],
             strict=True)) if isinstance(path, str) and path}  # 未提出: no file
    last = table(ws, shown, "提出状況", f, rates | {"ファイル": f.link}, f.plain, first_row=1, links=links)
    state = list(shown.columns).index("状況")
    ws.conditional_format(2, state, max(2, last), state, {"type": "cell", "criteria": "==", "value": f'"{MISSING}"',
                                                          "format": f.bad})
    for j, c in enumerate(shown.columns):
        ws.set_column(j, j, STATUS_WIDTHS.get(str(c), 8))
    if unreadable:
        ws.write(last + 2, 0, f"読めなかったファイル {unreadable} 冊は部局・年度が分からないため、この表にはありません"
                              "（取込エラーシートを参照）。", f.note)
    ws.freeze_panes(2, 2)
    print_setup(ws, (1, 1))


def errors(ws, f: Formats, df) -> None:
    if df.empty:
        ws.write(0, 0, "すべてのファイルを読み込みました。", f.bold)
        return
    table(ws, df, "取込エラー", f, {"理由": f.text}, f.plain, widths={"理由": 70})
    ws.set_column(0, 0, 50)
    ws.set_column(1, 1, 70)
    print_setup(ws)
