"""The roll-up's figures (xlsheets.summary.tables.frames) as the pages' data tables and charts:
simple tables (one header row, a header cell per row, no merged cells) in the city's order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..summary.columns import GRADE_ORDER
from ..summary.tables import Tables
from .charts import BarChart, bar_chart, shown
from .site import DepartmentPage, YearPage

KEYS = ("年度", "部局名")  # the page says which year and department: not repeated in its tables
CITY = "市全体"


@dataclass
class Cell:
    text: str
    href: str | None = None  # a page of the site (from its root), never a text from a sheet
    header: bool = False  # a row header (th scope="row")
    numeric: bool = False


@dataclass
class DataTable:
    id: str
    caption: str
    columns: list[tuple[str, bool]]  # (header, numeric)
    rows: list[list[Cell]] = field(default_factory=list)


def _is_rate(column: str) -> bool:
    return column.startswith(("平均達成率", "中央値"))


def value_cell(column: str, v: Any) -> Cell:
    """A figure of the roll-up: a count, or a rate in percent; none: なし."""
    return Cell(shown(v, "%" if _is_rate(column) else ""), numeric=True)


def _records(df) -> list[dict[str, Any]]:
    return df.to_dict("records") if len(df) else []


def _figure_columns(df, keys: tuple[str, ...]) -> list[str]:
    return [str(c) for c in df.columns if c not in keys]


@dataclass
class YearFigures:
    """The roll-up's tables of one year, looked up by department and by goal."""

    tables: Tables
    by_department: dict[str, dict[str, Any]] = field(default_factory=dict)
    city: dict[str, Any] = field(default_factory=dict)  # the year's 市全体 row of the roll-up
    by_goal: dict[tuple[str, Any, str], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, tables: Tables) -> YearFigures:
        rows = _records(tables.summary)
        return cls(tables, {r["部局名"]: r for r in rows if r["部局名"] != CITY},
                   next((r for r in rows if r["部局名"] == CITY), {}),
                   {(r["部局名"], r["優先順位"], r["重点目標"]): r for r in _records(tables.by_goal)})

    def summary_columns(self) -> list[str]:
        return _figure_columns(self.tables.summary, KEYS)

    def goal_columns(self) -> list[str]:
        return _figure_columns(self.tables.by_goal, (*KEYS, "優先順位", "重点目標"))

    def goal_row(self, dept: DepartmentPage, goal) -> dict[str, Any]:
        """A goal's figures ({} for a goal without sub-items: it is in no roll-up row)."""
        first = next((r.row for r in goal.rows if r.row), None)
        if first is None:
            return {}
        return self.by_goal.get((dept.name, first["優先順位"], first["重点目標"]), {})


def department_figures(fig: YearFigures, dept: DepartmentPage) -> DataTable:
    """集計 of one department as a two-column table (項目, 値): readable at any width."""
    row = fig.by_department.get(dept.name, {})
    table = DataTable("department-figures", f"{dept.label}の集計（取組 {len(_subitems(dept))} 件）",
                      [("項目", False), ("値", True)])
    for col in fig.summary_columns():
        table.rows.append([Cell(col, header=True), value_cell(col, row.get(col))])
    return table


def _subitems(dept: DepartmentPage) -> list[Any]:
    return [r for g in dept.goals for r in g.rows if r.row]


def goals_table(fig: YearFigures, dept: DepartmentPage, root: str) -> DataTable:
    """A department's goals by priority with the roll-up's figures for each, linked to their pages."""
    cols = fig.goal_columns()
    table = DataTable("goals", f"{dept.label}の重点目標（優先順位順）", [("優先順位", True), ("重点目標", False)]
                      + [(c, True) for c in cols])
    for goal in dept.goals:
        row = fig.goal_row(dept, goal)
        table.rows.append([Cell(_priority(goal.priority), numeric=True),
                           Cell(goal.goal["title"] or "（無題）", root + goal.path, header=True),
                           *_goal_cells(row, cols)])
    return table


def _goal_cells(row: dict[str, Any], cols: list[str]) -> list[Cell]:
    """A goal's figures; one in no roll-up row (no sub-items) counts 0 of each, with no rate."""
    return [value_cell(c, row.get(c, None if _is_rate(c) else 0)) for c in cols]


def _priority(p: Any) -> str:
    return "" if p is None else str(p)


def year_departments_table(fig: YearFigures, year: YearPage, root: str) -> DataTable:
    """部局別の集計 of a year, in the city's order, the city's total last."""
    cols = fig.summary_columns()
    table = DataTable("by-department", f"{year.label} 部局別の集計（達成 = 達成率100%以上）",
                      [("部局名", False)] + [(c, True) for c in cols])
    for dept in year.departments:
        row = fig.by_department.get(dept.name, {})
        table.rows.append([Cell(dept.label, root + dept.path, header=True), *(value_cell(c, row.get(c)) for c in cols)])
    if fig.city:
        table.rows.append([Cell(CITY, header=True), *(value_cell(c, fig.city.get(c)) for c in cols)])
    return table


def year_goals_table(fig: YearFigures, year: YearPage, root: str) -> DataTable:
    """重点目標別の集計 of a year: each department's goals by priority, linked to their pages."""
    cols = fig.goal_columns()
    table = DataTable("by-goal", f"{year.label} 重点目標別の集計",
                      [("部局名", False), ("優先順位", True), ("重点目標", False)] + [(c, True) for c in cols])
    for dept in year.departments:
        for goal in dept.goals:
            row = fig.goal_row(dept, goal)
            table.rows.append([Cell(dept.label), Cell(_priority(goal.priority), numeric=True),
                               Cell(goal.goal["title"] or "（無題）", root + goal.path, header=True),
                               *_goal_cells(row, cols)])
    return table


def grade_chart(fig: YearFigures, year: YearPage) -> tuple[BarChart, DataTable]:
    """判定の件数 of the whole city in a year: the chart and the same numbers as a table."""
    values = [(g, fig.city.get(g, 0)) for g in GRADE_ORDER]
    chart = bar_chart("grades", f"{year.label} 判定の件数（市全体）", values, "件")
    table = DataTable("grade-counts", chart.title, [("判定", False), ("件数", True)],
                      [[Cell(g, header=True), Cell(shown(v, "件"), numeric=True)] for g, v in values])
    return chart, table


def rate_chart(fig: YearFigures, year: YearPage, cap: float | None) -> tuple[BarChart, DataTable] | None:
    """部局別の平均達成率 of a year (capped as the roll-up's averages are): chart and table."""
    column = next((c for c in fig.summary_columns() if c.startswith("平均達成率")), None)
    if column is None:
        return None
    values = [(d.label, fig.by_department.get(d.name, {}).get(column)) for d in year.departments]
    chart = bar_chart("rates", f"{year.label} 部局別の{column}", values, "%", scale=cap, reference=100)
    table = DataTable("department-rates", chart.title, [("部局名", False), (column, True)],
                      [[Cell(name, header=True), Cell(shown(v, "%"), numeric=True)] for name, v in values])
    return chart, table
