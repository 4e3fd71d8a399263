"""The roll-up's columns, their order and its limits (rows a sheet holds, the rate cap), and the order
of its years (latest first).

一覧 is one table, ``LISTING``: for each column its name, where its value comes from, its width and kind
on the sheet, whether it is printed and whether (as what) it is in the tidy data. Extraction makes the
rows from it, and the workbook, its print area, the tidy data, the open data and the live 集計 sheet
read it (as ``columns.LISTING``, at the time they run).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..io.grid import a1
from ..io.textwidth import text_lines
from ..model import STAGE_JA, STAGES, Goal, Item, SubItem, circled, paren, priority_text
from ..rates import AMBIGUOUS, StageRates, latest

# how a 一覧 column's cells look (the writer's format of each: cells.Formats.for_kind)
WRAPPED = "wrapped"  # text wrapped in the column; the row grows to show all of it
TEXT = "text"  # short text: the wrapped format, never measured for the row's height
PLAIN = "plain"  # not wrapped
CENTRED = "centred"
NUMBER = "num"  # #,##0.##
RATE = "rate"  # 0"%"; coloured green, yellow, red
LINK = "link"  # a link to the source cell, showing its parts
FLOAT, STRING = "float", "text"  # a column's type in the tidy data (Parquet; CSV holds text)
HEIGHT = "_height"  # a kept row's height on the sheet, computed with it (not a column)
LINE_HEIGHT = 12.5  # points per printed line of 10-pt text


@dataclass(slots=True)
class Subitem:
    """What one 一覧 row is made of: a sub-item, its item and goal, its rates and its workbook."""

    path: str
    year: int | str
    department: str
    goal: Goal
    item: Item
    sub: SubItem
    rates: StageRates
    target: Any  # the target quantity rated against (期末's, else 中間's; None: none)


@dataclass(frozen=True)
class Column:
    """One column of 一覧.

    value: its value in a row, from the row's Subitem (None: the link, which shows the fields named in
    parts); width: on the sheet (None: in the data only); kind: how its cells look (WRAPPED, NUMBER…);
    printed: within the print area; tidy: its type in the tidy data (None: not there).
    """

    name: str
    value: Callable[[Subitem], Any] | None
    width: float | None = None
    kind: str = TEXT
    printed: bool = True
    tidy: str | None = STRING
    parts: tuple[str, ...] = ()


class Listing:
    """一覧's columns in order, and what each reader takes of them (worked out once).

    fields: what extraction makes of a sub-item; row_fields: a row as kept (the workers' records, the
    gathered columns: the fields and the row's height); sheet: the sheet's columns, link: where its link
    is, printed: how many from the first are printed; sheet_fields: the fields the sheet shows (the
    link as its parts); tidy: the tidy data's columns, numbers: those of floats.
    """

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        made = [c for c in self.columns if c.value is not None]
        self.fields = [c.name for c in made]
        self._values = [c.value for c in made]
        self.row_fields = [*self.fields, HEIGHT]
        self.sheet = [c for c in self.columns if c.width is not None]
        self.link = _link(self.sheet)
        self.printed = _printed(self.sheet)
        self.sheet_fields = [p for c in self.sheet for p in c.parts or (c.name,)]
        self.tidy = [c.name for c in self.columns if c.tidy]
        self.numbers = frozenset(c.name for c in self.columns if c.tidy == FLOAT)
        self._wrapped = [(c.name, c.width) for c in self.sheet if c.kind == WRAPPED]

    def row(self, s: Subitem) -> dict[str, Any]:
        """A sub-item's 一覧 row: each field's value, and the row's height on the sheet."""
        row = dict(zip(self.fields, [value(s) for value in self._values], strict=True))
        row[HEIGHT] = self.height(row)
        return row

    def height(self, row: dict[str, Any]) -> float | None:
        """The height a 一覧 row needs for its wrapped texts (None: the default height)."""
        lines = 1
        for name, width in self._wrapped:
            v = row.get(name)
            # measure only what may need a second line: short one-line texts fit in any case
            if isinstance(v, str) and (len(v) > (width - 1) // 2 or "\n" in v):
                lines = max(lines, text_lines(v, width))
        return lines_height(lines)


def _printed(sheet: list[Column]) -> int:
    """How many columns from the first are printed: a print area is one range, so none after them is."""
    n = sum(1 for c in sheet if c.printed)
    if not all(c.printed for c in sheet[:n]):
        raise ValueError("the printed columns of 一覧 must come first: " + ", ".join(c.name for c in sheet))
    return n


def _link(sheet: list[Column]) -> int:
    """Where the sheet's one link column is (a row of the writer holds one link)."""
    links = [j for j, c in enumerate(sheet) if c.kind == LINK]
    if len(links) != 1 or not sheet[links[0]].parts:
        raise ValueError("一覧 has one link column, made of the fields it shows")
    return links[0]


def lines_height(lines: int) -> float | None:
    """The row height for that many printed lines (None: one line, the default height)."""
    return min(409.0, lines * LINE_HEIGHT + 3) if lines > 1 else None


def basis(ach: StageRates) -> str:
    """The 根拠 of a row: what its latest rate was computed from, or the amounts that gave none."""
    for wanted in (lambda a: a.rate is not None, lambda a: a.status == AMBIGUOUS):
        for stage in reversed(STAGES):  # the latest report first
            if wanted(ach[stage]):
                return f"{STAGE_JA[stage]} {ach[stage].evidence}"
    return ""


def _priority(s: Subitem) -> int | str:
    p = s.goal.priority
    return p if isinstance(p, int) else priority_text(p)


def _cell(s: Subitem) -> str:
    cell = s.sub.cells.method
    return a1(*cell) if cell else "A1"


LISTING = Listing([
    Column("年度", lambda s: s.year, 5, PLAIN),
    Column("部局名", lambda s: s.department, 9),
    Column("優先順位", _priority, 4, CENTRED),
    Column("重点目標", lambda s: s.goal.title, 20, WRAPPED),
    Column("取組項目", lambda s: f"{circled(s.item.no)} {s.item.title}".strip(), 18, WRAPPED),
    Column("番号", lambda s: paren(s.sub.no), 4, CENTRED),
    Column("方法・手段", lambda s: s.sub.method, 22, WRAPPED),
    Column("期間・期限", lambda s: s.sub.period, 8, WRAPPED),
    Column("数値目標", lambda s: s.sub.target, 20, WRAPPED),
    Column("目標値", lambda s: s.target.value if s.target else None, 9, NUMBER, tidy=FLOAT),
    Column("単位", lambda s: s.target.unit if s.target else "", 5, PLAIN),
    Column("中間実績", lambda s: s.rates["midterm"].actual, 8, NUMBER, tidy=FLOAT),
    Column("中間達成率", lambda s: s.rates["midterm"].rate, 6, RATE, tidy=FLOAT),
    Column("期末実績", lambda s: s.rates["final"].actual, 8, NUMBER, tidy=FLOAT),
    Column("期末達成率", lambda s: s.rates["final"].rate, 6, RATE, tidy=FLOAT),
    Column("判定", lambda s: latest(s.rates).grade, 4, CENTRED),
    Column("根拠", lambda s: basis(s.rates), 30, WRAPPED),
    # the link that opens the source cell: for clicking, not for paper
    Column("参照元", None, 40, LINK, printed=False, tidy=None, parts=("ファイル", "シート", "セル")),
    Column("ファイル", lambda s: s.path),
    Column("シート", lambda s: s.goal.sheet.name),
    Column("セル", _cell),
    Column("目標ID", lambda s: s.goal.id or ""),
])


SUMMARY_COLUMNS = ["年度", "部局名", "優先順位", "重点目標", "目標ID", "目標値", "中間達成率", "期末達成率", "判定"]


# 要確認 as data beside the workbook (the location's four parts as columns)
FINDING_DATA_COLUMNS = ["ファイル", "シート", "セル", "重大度", "コード", "重点目標", "取組項目", "番号", "欄", "内容"]


# a sheet longer than this is cut there (the full table is written beside the workbook): a table of
# more wrapped, linked rows opens slowly and scrolls badly; Excel's own limit is 1,048,576 rows
EXCEL_ROWS = 1_048_575  # data rows under a header


_rows = os.environ.get("XLSHEETS_ROLLUP_SHEET_ROWS", "")


SHEET_ROWS = int(_rows) if _rows.isdigit() and int(_rows) > 0 else 200_000


GRADE_ORDER = ("◎", "○", "△", "×", "－")


RATE_CAP = 100  # averages and charts count a rate above this as this (one 1300 % would hide 8 shortfalls)



CITY = "市全体"  # the 部局名 of a year's row for the whole city on 集計


STATUS_COLUMNS = ["年度", "部局名", "状況", "ファイル", "最終保存", "重点目標", "取組", "中間報告 記入", "中間報告 記入率",
                  "期末報告 記入", "期末報告 記入率", "エラー", "警告", "重複"]
