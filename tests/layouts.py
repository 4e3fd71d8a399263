"""Hand-made goal sheets, as departments type the form themselves, built from tests/data/layouts.yaml.

Each variant is one department's data written with one set of habits (see the YAML's header):
columns joined or split, sub-items packed in a cell or on their own rows, merged or blank item cells,
columns the form does not have, header fields elsewhere, spacer rows, numbers typed as numbers,
typed 達成率. ``python -m tests.layouts OUT_DIR`` writes them all (to look at them in a spreadsheet).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

from xlsheets.model import CIRCLED, STAGES, wareki
from xlsheets.rates import achievement, latest

DATA = Path(__file__).resolve().parent / "data" / "layouts.yaml"

HEADINGS = {
    "form": {"item_method": "取組項目及び方法・手段（何をどのように）", "item_title": "取組項目", "method": "方法・手段",
             "period": "期間・期限（いつ・いつまでに）", "target": "数値目標（どの水準まで）", "target_value": "目標値",
             "midterm": "中間報告（目標に対する進捗状況・進捗度）", "final": "期末報告（目標に対する達成状況・達成度）",
             "rate_midterm": "達成率（中間）", "rate_final": "達成率（期末）", "grade": "判定", "item_no": "No."},
    "suffix": {"item_method": "取組項目及び方法・手段（何を・どのように）", "item_title": "取組項目（何を）",
               "method": "方法・手段（どのように）", "period": "期間・期限（いつまでに）", "target": "数値目標（指標）",
               "target_value": "目標値（数値）", "midterm": "中間報告（9月末時点）", "final": "期末報告（3月末時点）",
               "rate_midterm": "達成率（中間）", "rate_final": "達成率（期末）", "grade": "判定（◎○△×）", "item_no": "番号"},
    "other": {"item_method": "取組項目・方法", "item_title": "取組項目", "method": "具体的な取組", "period": "実施時期",
              "target": "成果指標", "target_value": "目標値", "midterm": "上半期実績", "final": "年度末実績",
              "rate_midterm": "中間達成率", "rate_final": "期末達成率", "grade": "評価", "item_no": "No"},
}
LABELS = {
    "form": {"title": "重点目標", "department": "部局名", "priority": "優先順位", "current_issues": "現況・課題",
             "purpose": "目的・効果", "notes": "特記事項"},
    "other": {"title": "重点目標名", "department": "所管部局", "priority": "優先度", "current_issues": "現状と課題",
              "purpose": "目的と効果", "notes": "特記事項"},
}
POSITIONING = {
    "comprehensive_plan": "総合計画における位置{}け", "regional_strategy": "まち・ひと・しごと創生総合戦略における位置{}け",
    "sdgs": "該当するSDGsの目標", "admin_reform": "行財政改革大綱における位置{}け",
    "reconstruction_plan": "再構築プランにおける位置{}け",
}
POSITIONING_BY_YEAR = {2020: ("comprehensive_plan", "regional_strategy", "admin_reform", "reconstruction_plan"),
                       2024: ("comprehensive_plan", "sdgs", "admin_reform", "reconstruction_plan")}
NOTE_LABELS = ("○市民参加・協働の推進、市民満足度の向上を考慮した点", "○取組による効果・残された課題")


def load() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def variants() -> list[dict[str, Any]]:
    return load()["variants"]


def department(variant: dict[str, Any]) -> dict[str, Any]:
    """The data a variant's sheet holds (the interchange form)."""
    return copy.deepcopy(load()["departments"][variant["department"]])


# ---------------------------------------------------------------- one sheet


@dataclass
class Habits:
    columns: str = "combined"
    subitems: str = "packed"
    below: str = "merged"
    title_row: bool = False
    item_no: str = "unheaded"
    sub_no: str = "text"
    numbers: bool = False
    headings: str = "form"
    header: str = "one_row"
    positioning: str = "付"
    extra: list[dict[str, Any]] = field(default_factory=list)
    spacers: bool = False
    target_value: bool = False
    rates: str = "none"
    grade_only: bool = False
    repeat_header: bool = False
    newlines: bool = True
    fullwidth_parens: bool = False
    start: tuple[int, int] = (1, 1)
    notes: str = "boxes"
    dates: bool = False
    cover: bool = False


@dataclass
class Column:
    role: str
    heading: str
    span: int = 1  # columns under the heading (merged)


class SheetWriter:
    """Writes one goal of a department onto a worksheet with a variant's habits."""

    def __init__(self, ws, habits: Habits, dept: dict[str, Any], goal: dict[str, Any]) -> None:
        self.ws, self.h, self.dept, self.goal = ws, habits, dept, goal
        self.r0, self.c0 = habits.start
        self.row = self.r0
        self.words = HEADINGS[habits.headings]
        self.labels = LABELS["other" if habits.headings == "other" else "form"]
        self.columns = self._columns()
        self.extra_values = {e["heading"]: list(e["values"]) for e in habits.extra}
        self.body_rows: list[int] = []  # the rows holding a sub-item (or a packed item)

    # ------------------------------------------------------------ cells
    def put(self, r: int, c: int, value: Any, number_format: str | None = None) -> None:
        if value is None or value == "":
            return
        cell = self.ws.cell(r, self.c0 + c - 1)
        cell.value = value
        if number_format:
            cell.number_format = number_format

    def merge(self, r1: int, c: int, r2: int, c2: int | None = None) -> None:
        c1, c2 = self.c0 + c - 1, self.c0 + (c2 or c) - 1
        if (r1, c1) != (r2, c2):
            self.ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)

    def number(self, n: int, circled: bool) -> Any:
        return n if self.h.numbers else (CIRCLED[n - 1] if circled else str(n))

    def paren(self, n: int) -> str:
        lp, rp = ("（", "）") if self.h.fullwidth_parens else ("(", ")")
        return f"{lp}{n}{rp}"

    # ------------------------------------------------------------ the layout of the table
    def _columns(self) -> list[Column]:
        h, w = self.h, self.words
        cols: list[Column] = []
        if h.columns == "template":
            cols.append(Column("template", w["item_method"], 4))
        else:
            if h.item_no == "unheaded":
                cols.append(Column("item_no", ""))
            elif h.item_no == "heading":
                cols.append(Column("item_no", w["item_no"]))
            if h.columns == "separate":
                cols.append(Column("item_title", w["item_title"]))
                cols.append(Column("method", w["method"], 2 if h.sub_no == "column" else 1))
            else:
                cols.append(Column("item_method", w["item_method"]))
        cols += [Column("period", w["period"]), Column("target", w["target"])]
        if h.target_value:
            cols.append(Column("target_value", w["target_value"]))
        cols += [Column("midterm", w["midterm"]), Column("final", w["final"])]
        if h.rates != "none":
            cols += [Column("rate_midterm", w["rate_midterm"]), Column("rate_final", w["rate_final"])]
        if h.rates != "none" or h.grade_only:
            cols.append(Column("grade", w["grade"]))
        for e in h.extra:
            at = 0 if e["after"] == "start" else next(k for k, c in enumerate(cols) if c.role == e["after"]) + 1
            cols.insert(at, Column("extra", e["heading"]))
        return cols

    def col(self, role: str) -> int:
        """The first sheet column (relative to the start) of a role; a template heading holds four."""
        c = 1
        for col in self.columns:
            if col.role == role:
                return c
            if col.role == "template" and role in ("item_no", "item_title", "subitem_no", "method"):
                return c + ("item_no", "item_title", "subitem_no", "method").index(role)
            if col.role == "method" and col.span == 2 and role == "subitem_no":
                return c
            c += col.span
        raise KeyError(role)

    def method_col(self) -> int:
        if self.h.columns == "template" or (self.h.columns == "separate" and self.h.sub_no == "column"):
            return self.col("method") + (1 if self.h.columns != "template" else 0)
        return self.col("method" if self.h.columns == "separate" else "item_method")

    @property
    def width(self) -> int:
        return sum(c.span for c in self.columns)

    # ------------------------------------------------------------ the sheet
    def write(self) -> None:
        self.header_fields()
        self.table_header()
        for k, item in enumerate(self.goal["items"]):
            self.item(item)
            if self.h.spacers:
                self.row += 1
            if k == 0 and self.h.repeat_header:
                self.table_header()
        self.extra_cells()
        self.notes()

    def header_fields(self) -> None:
        h, lab, goal = self.h, self.labels, self.goal
        self.put(self.row, 1, f"{wareki(self.dept['fiscal_year'])}　重点目標管理シート")
        self.row += 2
        priority = goal["priority"] if h.numbers else f"{goal['priority']}位"
        if h.header == "inline":
            self.put(self.row, 1, f"{lab['department']}：{self.dept['department']}")
            self.row += 1
            self.put(self.row, 1, lab["title"])
            self.put(self.row, 2, goal["title"])
            self.put(self.row, 5, f"{lab['priority']}：{priority}")
        elif h.header in ("dept_row", "priority_right"):
            right = max(self.width - 1, 6)
            if h.header == "dept_row":
                self.put(self.row, right, lab["department"])
                self.put(self.row, right + 1, self.dept["department"])
                self.row += 1
            self.put(self.row, 1, lab["title"])
            self.put(self.row, 2, goal["title"])
            self.merge(self.row, 2, self.row, 4)
            if h.header == "priority_right":
                self.put(self.row, right - 2, lab["department"])
                self.put(self.row, right - 1, self.dept["department"])
            self.put(self.row, right, lab["priority"])
            self.put(self.row, right + 1, priority)
        else:
            for c, v in enumerate((lab["title"], goal["title"], None, lab["department"], self.dept["department"],
                                   lab["priority"], priority), start=1):
                self.put(self.row, c, v)
        self.row += 1
        keys = [k for k in POSITIONING_BY_YEAR[self.dept["fiscal_year"]]]
        for k in range(0, len(keys), 2):
            for j, key in enumerate(keys[k:k + 2]):
                self.put(self.row, 1 + 3 * j, POSITIONING[key].format(h.positioning))
                self.put(self.row, 2 + 3 * j, goal["positioning"].get(key, ""))
            self.row += 1
        for key in ("current_issues", "purpose"):
            self.put(self.row, 1, lab[key])
            self.put(self.row, 2, goal[key])
            self.row += 1
        self.row += 1  # a blank row above the table

    def table_header(self) -> None:
        c = 1
        for col in self.columns:
            self.put(self.row, c, col.heading)
            if col.span > 1:
                self.merge(self.row, c, self.row, c + col.span - 1)
            c += col.span
        self.row += 1

    # ------------------------------------------------------------ items
    def item(self, item: dict[str, Any]) -> None:
        if self.h.subitems == "packed":
            self.packed(item)
        else:
            self.rows(item)

    def title_text(self, item: dict[str, Any]) -> str:
        """The item's number and title as the cell holding them shows them."""
        if self.h.item_no == "text":
            return f"{CIRCLED[item['no'] - 1]} {item['title']}".strip()
        return item["title"]

    def packed(self, item: dict[str, Any]) -> None:
        sep = "\n" if self.h.newlines else " "
        subs = item["subitems"]
        r = self.row
        method = sep.join(f"{self.paren(s['no'])} {s['method']}" for s in subs)
        head = self.title_text(item)
        self.body_rows.append(r)
        self.put(r, self.method_col(), f"{head}{sep}{method}" if head else method)
        if self.h.item_no in ("unheaded", "heading"):
            self.put(r, self.col("item_no"), self.number(item["no"], True))
        for f in ("period", "midterm", "final"):
            self.put(r, self.col(f), sep.join(f"{self.paren(s['no'])} {s[f]}" for s in subs))
        targets = [(s["no"], *self.target_parts(s["target"])) for s in subs]
        self.put(r, self.col("target"), sep.join(f"{self.paren(n)} {t}" for n, t, _v in targets))
        if self.h.target_value:
            self.put(r, self.col("target_value"), sep.join(f"{self.paren(n)} {v}" for n, _t, v in targets if v))
        self.packed_rates(r, subs)
        self.row += 1

    def target_parts(self, target: str) -> tuple[str, str]:
        """数値目標 and 目標値 (two columns) or the whole target."""
        if not self.h.target_value:
            return target, ""
        head, _, value = target.partition("\n")
        return head, value

    def rows(self, item: dict[str, Any]) -> None:
        """One row per sub-item; the item's number and title on its first row (or a row of their own)."""
        h = self.h
        first = self.row
        if h.title_row:
            self.put(self.row, self.method_col(), self.title_text(item))
            self.item_number(self.row, item)
            self.row += 1
        for k, sub in enumerate(item["subitems"]):
            r = self.row
            self.body_rows.append(r)
            method = sub["method"]
            if h.sub_no == "column" or h.columns == "template":
                self.put(r, self.col("subitem_no"), sub["no"] if h.numbers else self.paren(sub["no"]))
            else:
                method = f"{self.paren(sub['no'])} {method}"
            if k == 0 and not h.title_row:
                if h.columns == "combined" and item["title"]:
                    method = f"{self.title_text(item)}\n{method}"
                elif h.columns != "combined":
                    self.put(r, self.col("item_title"), self.title_text(item))
                self.item_number(r, item)
            self.put(r, self.method_col(), method)
            target, value = self.target_parts(sub["target"])
            self.put(r, self.col("target"), target)
            if h.target_value:
                self.put(r, self.col("target_value"), value)
            self.put(r, self.col("period"), *self.period(sub["period"]))
            for f in STAGES:
                self.put(r, self.col(f), sub[f])
            self.row_rates(r, sub)
            self.row += 1
        if h.below == "merged" and self.row - 1 > first:
            for role in ("item_no", "item_title"):
                if self.has(role) and not (role == "item_no" and h.item_no == "text" and h.columns != "template"):
                    self.merge(first, self.col(role), self.row - 1, self.col(role))

    def item_number(self, r: int, item: dict[str, Any]) -> None:
        if self.h.columns == "template" or self.h.item_no in ("unheaded", "heading"):
            self.put(r, self.col("item_no"), self.number(item["no"], True))

    def has(self, role: str) -> bool:
        try:
            self.col(role)
        except KeyError:
            return False
        return True

    def period(self, text: str) -> tuple[Any, str | None]:
        """A period typed as an Excel date when the habit says so and the text is a date (「令和7年3月31日」)."""
        m = re.fullmatch(r"令和(\d+)年(\d+)月(\d+)日", text)
        if self.h.dates and m:
            return dt.datetime(2018 + int(m.group(1)), int(m.group(2)), int(m.group(3))), '[$-411]ggge"年"m"月"d"日"'
        return text, None

    # ------------------------------------------------------------ typed 達成率 and 判定
    def rates_of(self, sub: dict[str, Any]) -> dict[str, Any]:
        return {stage: achievement(sub["target"], sub[stage]) for stage in STAGES}

    def rate_value(self, rate: int) -> tuple[Any, str | None]:
        if self.h.rates == "percent":
            return rate / 100, "0%"
        if self.h.rates == "fullwidth":
            return "".join(chr(ord(ch) + 0xFEE0) for ch in str(rate)) + "％", None
        return f"{rate}%", None

    def row_rates(self, r: int, sub: dict[str, Any]) -> None:
        ach = self.rates_of(sub)
        if self.h.rates != "none":
            for stage in STAGES:
                if ach[stage].rate is not None:
                    self.put(r, self.col(f"rate_{stage}"), *self.rate_value(ach[stage].rate))
        if self.h.rates != "none" or self.h.grade_only:
            self.put(r, self.col("grade"), latest(ach).grade)

    def packed_rates(self, r: int, subs: list[dict[str, Any]]) -> None:
        if self.h.rates == "none" and not self.h.grade_only:
            return
        sep = "\n" if self.h.newlines else " "
        achs = [(s, self.rates_of(s)) for s in subs]
        if self.h.rates != "none":
            for stage in STAGES:
                self.put(r, self.col(f"rate_{stage}"), sep.join(f"{self.paren(s['no'])} {a[stage].rate}%"
                                                               for s, a in achs if a[stage].rate is not None))
        self.put(r, self.col("grade"), sep.join(f"{self.paren(s['no'])} {latest(a).grade}" for s, a in achs))

    # ------------------------------------------------------------ what the form does not have, and 特記事項
    def extra_cells(self) -> None:
        """Each extra column's values, one per body row holding a sub-item (or a packed item)."""
        for heading, values in self.extra_values.items():
            k = next(k for k, col in enumerate(self.columns) if col.heading == heading)
            c = sum(col.span for col in self.columns[:k]) + 1
            for r, v in zip(self.body_rows, values, strict=False):
                self.put(r, c, v)

    def notes(self) -> None:
        notes = self.goal["notes"]
        self.row += 1
        r = self.row
        self.put(r, 1, self.labels["notes"])
        if self.h.notes == "cells":
            self.put(r, 2, NOTE_LABELS[0])
            self.put(r, 5, NOTE_LABELS[1])
            self.put(r + 1, 2, notes["participation"])
            self.put(r + 1, 5, notes["effects"])
            self.merge(r, 1, r + 1, 1)
        else:
            self.put(r, 2, f"{NOTE_LABELS[0]}\n{notes['participation']}")
            self.put(r, 5, f"{NOTE_LABELS[1]}\n{notes['effects']}")


def cover(ws, dept: dict[str, Any]) -> None:
    """A hand-made 表紙: the year's title, the department, and the goals in priority order."""
    ws["A1"] = f"{wareki(dept['fiscal_year'])}　重点目標"
    ws["A3"], ws["B3"] = "部局名", dept["department"]
    ws["A5"], ws["B5"] = "優先順位", "重点目標"
    for k, goal in enumerate(sorted(dept["goals"], key=lambda g: g["priority"]), start=6):
        ws.cell(k, 1).value, ws.cell(k, 2).value = goal["priority"], goal["title"]


def build(variant: dict[str, Any], path: Path) -> Path:
    """The variant's workbook: one sheet per goal (and its 表紙), saved as .xlsx at path."""
    habits = Habits(**{k: tuple(v) if k == "start" else v for k, v in variant.get("habits", {}).items()})
    dept = department(variant)
    wb = Workbook()
    wb.remove(wb.active)
    if habits.cover:
        cover(wb.create_sheet("表紙"), dept)
    for k, goal in enumerate(dept["goals"], start=1):
        ws = wb.create_sheet(f"重点目標{k}")
        SheetWriter(ws, habits, dept, goal).write()
        _look(ws)
    wb.save(path)
    return path


def _look(ws) -> None:
    """Widths, wrapping and borders as a person would give them (so the sheets can be looked at)."""
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    for c in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.value is not None:
                cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)


def build_all(out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    return {v["name"]: build(v, out / f"{v['name']}.xlsx") for v in variants()}


if __name__ == "__main__":
    for name, p in build_all(Path(sys.argv[1] if len(sys.argv) > 1 else "layouts")).items():
        print(name, p)
